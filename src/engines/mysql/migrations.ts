/**
 * MySQL/MariaDB's part of migrations (see src/migrate/dialect.ts). DDL commits implicitly, so
 * migrations never run in a transaction here: the runner sends statements one by one in a session
 * and records progress after each.
 */
import type { MigrationDialect } from '../../migrate/dialect.js';
import { splitStatements } from '../../migrate/split.js';

/** Prisma Migrate's DDL for MySQL, verbatim (sql-schema-connector, flavour/mysql.rs). */
const PRISMA_HISTORY_DDL = `CREATE TABLE _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             DATETIME(3),
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          DATETIME(3),
    started_at              DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    applied_steps_count     INTEGER UNSIGNED NOT NULL DEFAULT 0
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;`;

const DBWARD_HISTORY_DDL = `CREATE TABLE _dbward_migrations (
    version             VARCHAR(64) PRIMARY KEY NOT NULL,
    name                VARCHAR(255) NOT NULL,
    checksum            VARCHAR(64) NOT NULL,
    status              VARCHAR(16) NOT NULL CHECK (status IN ('running', 'applied', 'failed', 'rolled_back')),
    applied_at          DATETIME(3) NOT NULL,
    duration_ms         INTEGER UNSIGNED,
    statements_applied  INTEGER UNSIGNED NOT NULL DEFAULT 0,
    failed_statement    TEXT,
    error               TEXT,
    applied_by          VARCHAR(255) NOT NULL
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;`;

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST', 'ER_CON_COUNT_ERROR', 'ER_SERVER_SHUTDOWN', 'ER_CONNECTION_KILLED',
]);

export const mysqlMigrations: MigrationDialect = {
  sql: 'mysql',
  prismaHistoryDdl: PRISMA_HISTORY_DDL,
  dbwardHistoryDdl: DBWARD_HISTORY_DDL,
  tableExistsSql: 'SELECT 1 AS found FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?',
  bind: (sql) => sql,
  // DATETIME(3) in UTC, as Prisma writes it (the session time zone plays no part).
  timestamp: (date) => date.toISOString().replace('T', ' ').replace('Z', ''),
  readTimestamp: (value) => (value === null || value === undefined ? null : new Date(`${String(value).replace(' ', 'T')}Z`)),
  transaction: (engine, _script, fn) => engine.transaction(fn),
  runScript: async (_engine, tx, script) => {
    for (const statement of splitStatements(script, 'mysql')) await tx.query(statement.sql);
  },
  // COMMIT ends the transaction the engine opened; what follows runs in autocommit on that connection.
  session: (engine, fn) =>
    engine.transaction(async (tx) => {
      await tx.query('COMMIT');
      return fn(tx);
    }),
  isTransient: (_engine, err) => TRANSIENT_CODES.has(String((err as { code?: unknown }).code)),
  errorOffset: () => undefined,
};
