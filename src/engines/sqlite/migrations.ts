/**
 * SQLite's part of migrations (see src/migrate/dialect.ts). A script runs with better-sqlite3's
 * exec (the whole script, as Prisma does) inside the migration's transaction.
 *
 * A script that turns foreign keys off (Prisma's table redefinitions do) gets what it asks for:
 * `PRAGMA foreign_keys` is a no-op inside a transaction, and with foreign keys on, the redefinition's
 * `DROP TABLE` of a parent would cascade-delete its children's rows (ON DELETE CASCADE). So foreign
 * keys are turned off before the transaction and restored after, and `PRAGMA foreign_key_check`
 * must come back clean before the commit (SQLite's procedure, https://sqlite.org/lang_altertable.html).
 */
import { OperationError } from '../../core/errors.js';
import type { MigrationDialect } from '../../migrate/dialect.js';
import { splitStatements } from '../../migrate/split.js';
import type { Engine } from '../engine.js';
import { SqliteEngine } from './engine.js';

/** Prisma Migrate's DDL for SQLite, verbatim (sql-schema-connector, flavour/sqlite.rs). */
const PRISMA_HISTORY_DDL = `CREATE TABLE "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
);`;

const DBWARD_HISTORY_DDL = `CREATE TABLE "_dbward_migrations" (
    "version"             TEXT PRIMARY KEY NOT NULL,
    "name"                TEXT NOT NULL,
    "checksum"            TEXT NOT NULL,
    "status"              TEXT NOT NULL CHECK ("status" IN ('running', 'applied', 'failed', 'rolled_back')),
    "applied_at"          DATETIME NOT NULL,
    "duration_ms"         INTEGER,
    "statements_applied"  INTEGER NOT NULL DEFAULT 0,
    "failed_statement"    TEXT,
    "error"               TEXT,
    "applied_by"          TEXT NOT NULL
);`;

const FOREIGN_KEYS_OFF = /^PRAGMA\s+(?:main\s*\.\s*)?foreign_keys\s*=\s*['"]?(?:off|0|false|no)['"]?$/i;

function sqliteEngine(engine: Engine): SqliteEngine {
  if (!(engine instanceof SqliteEngine)) throw new OperationError(`Not a SQLite engine: ${engine.name}`);
  return engine;
}

async function withForeignKeysOff<T>(engine: Engine, fn: () => Promise<T>): Promise<T> {
  const { rows } = await engine.query<{ foreign_keys: number }>('PRAGMA foreign_keys');
  await engine.query('PRAGMA foreign_keys = OFF');
  try {
    return await fn();
  } finally {
    if (rows[0]?.foreign_keys) await engine.query('PRAGMA foreign_keys = ON');
  }
}

export const sqliteMigrations: MigrationDialect = {
  sql: 'sqlite',
  prismaHistoryDdl: PRISMA_HISTORY_DDL,
  dbwardHistoryDdl: DBWARD_HISTORY_DDL,
  tableExistsSql: "SELECT 1 AS found FROM sqlite_schema WHERE type = 'table' AND name = ?",
  bind: (sql) => sql,
  // Milliseconds since the epoch: what Prisma's SQLite driver writes for a DateTime.
  timestamp: (date) => date.getTime(),
  readTimestamp: (value) => {
    if (value === null || value === undefined) return null;
    if (typeof value === 'number' || typeof value === 'bigint') return new Date(Number(value));
    // The column default (current_timestamp) is UTC text without a zone.
    const text = String(value);
    return new Date(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/.test(text) ? `${text.replace(' ', 'T')}Z` : text);
  },
  transaction: (engine, script, fn) => {
    if (!splitStatements(script, 'sqlite').some((s) => FOREIGN_KEYS_OFF.test(s.sql))) return engine.transaction(fn);
    return withForeignKeysOff(engine, () =>
      engine.transaction(async (tx) => {
        const result = await fn(tx);
        const { rows } = await tx.query<{ table: string; parent: string }>('PRAGMA foreign_key_check');
        if (rows.length) {
          const examples = rows.slice(0, 3).map((r) => `${r.table} → ${r.parent}`).join(', ');
          throw new OperationError(`The migration leaves ${rows.length} foreign key violation(s) (${examples}).`);
        }
        return result;
      }),
    );
  },
  runScript: (engine, _tx, script) => sqliteEngine(engine).withConnection((db) => void db.exec(script)),
  session: (engine, fn) => fn(engine),
  isTransient: () => false,
  errorOffset: () => undefined,
};
