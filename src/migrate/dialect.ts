/**
 * What the engine-neutral migration code needs from each engine. Each engine implements it in
 * src/engines/<name>/migrations.ts (DDL of both history tables, placeholders, timestamps, how a
 * script runs), so nothing in src/migrate/ holds engine-specific SQL.
 */
import type { Engine, Queryable } from '../engines/engine.js';
import type { SqlDialect } from './split.js';

export interface MigrationDialect {
  readonly sql: SqlDialect;
  /** `CREATE TABLE _prisma_migrations` exactly as Prisma Migrate creates it for this provider. */
  readonly prismaHistoryDdl: string;
  /** `CREATE TABLE _dbward_migrations`, dbward's history for the plain SQL layout. */
  readonly dbwardHistoryDdl: string;
  /** A query returning a row when the table (bound as the only parameter) exists in the current schema. */
  readonly tableExistsSql: string;
  /** Rewrite `?` placeholders into the engine's own. */
  bind(sql: string): string;
  /** A timestamp as the parameter value the history tables store (as Prisma stores it). */
  timestamp(date: Date): unknown;
  /** A timestamp column value read back. */
  readTimestamp(value: unknown): Date | null;
  /** Run fn in one migration transaction (the script and its history row commit together). */
  transaction<T>(engine: Engine, script: string, fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Run a whole script inside a transaction from transaction(). */
  runScript(engine: Engine, tx: Queryable, script: string): Promise<void>;
  /** Run fn on one connection outside any transaction: each statement commits on its own. */
  session<T>(engine: Engine, fn: (session: Queryable) => Promise<T>): Promise<T>;
  /** A lost connection or a server going away: worth retrying at a migration boundary. */
  isTransient(engine: Engine, err: unknown): boolean;
  /** The offset in the script where a failed runScript stopped, when the server reports it. */
  errorOffset(err: unknown): number | undefined;
}

export async function dialectFor(engine: Engine): Promise<MigrationDialect> {
  switch (engine.name) {
    case 'sqlite':
      return (await import('../engines/sqlite/migrations.js')).sqliteMigrations;
    case 'postgres':
      return (await import('../engines/postgres/migrations.js')).postgresMigrations;
    case 'mysql':
      return (await import('../engines/mysql/migrations.js')).mysqlMigrations;
  }
}
