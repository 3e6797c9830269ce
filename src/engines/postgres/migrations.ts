/**
 * PostgreSQL's part of migrations (see src/migrate/dialect.ts). A script runs as one simple-protocol
 * query inside the migration's transaction; the server reports where a failing script stopped.
 */
import type { MigrationDialect } from '../../migrate/dialect.js';
import type { ServerTarget } from '../../core/url.js';
import { classify } from './connect.js';

/** Prisma Migrate's DDL for PostgreSQL, verbatim (sql-schema-connector, flavour/postgres.rs). */
const PRISMA_HISTORY_DDL = `CREATE TABLE _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);`;

const DBWARD_HISTORY_DDL = `CREATE TABLE _dbward_migrations (
    version             VARCHAR(64) PRIMARY KEY NOT NULL,
    name                VARCHAR(255) NOT NULL,
    checksum            VARCHAR(64) NOT NULL,
    status              VARCHAR(16) NOT NULL CHECK (status IN ('running', 'applied', 'failed', 'rolled_back')),
    applied_at          TIMESTAMPTZ NOT NULL,
    duration_ms         INTEGER,
    statements_applied  INTEGER NOT NULL DEFAULT 0,
    failed_statement    TEXT,
    error               TEXT,
    applied_by          VARCHAR(255) NOT NULL
);`;

export const postgresMigrations: MigrationDialect = {
  sql: 'postgres',
  prismaHistoryDdl: PRISMA_HISTORY_DDL,
  dbwardHistoryDdl: DBWARD_HISTORY_DDL,
  tableExistsSql: 'SELECT 1 AS found FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1',
  bind: (sql) => {
    let n = 0;
    return sql.replace(/\?/g, () => `$${++n}`);
  },
  timestamp: (date) => date,
  readTimestamp: (value) => (value === null || value === undefined ? null : new Date(value as Date)),
  transaction: (engine, _script, fn) => engine.transaction(fn),
  runScript: async (_engine, tx, script) => {
    await tx.query(script);
  },
  // COMMIT ends the transaction the engine opened; what follows runs in autocommit on that connection.
  session: (engine, fn) =>
    engine.transaction(async (tx) => {
      await tx.query('COMMIT');
      return fn(tx);
    }),
  isTransient: (engine, err) => classify(err, engine.target as ServerTarget).kind === 'transient',
  errorOffset: (err) => {
    const position = Number((err as { position?: unknown }).position);
    return Number.isInteger(position) && position > 0 ? position - 1 : undefined;
  },
};
