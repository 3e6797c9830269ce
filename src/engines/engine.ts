/**
 * The Engine interface: everything above src/engines/ asks an Engine for what it needs and never
 * talks to a driver directly. Each engine lives in src/engines/<name>/ with the same files:
 *   connect.ts     open a connection from a parsed target; classify driver errors
 *   engine.ts      the Engine implementation (query, transaction, lock, version, capabilities, privileges)
 *   introspect.ts  read the catalog into the engine-neutral SchemaModel
 */
import type { ConnectionTarget, EngineName } from '../core/url.js';
import type { SchemaModel } from '../schema/model.js';

export type Row = Record<string, unknown>;

export interface QueryResult<R extends Row = Row> {
  rows: R[];
  /** Rows returned, or rows changed for INSERT/UPDATE/DELETE. */
  rowCount: number;
}

/**
 * Something that runs SQL. Placeholders are the engine's own: `$1, $2` on PostgreSQL, `?` on
 * SQLite and MySQL.
 */
export interface Queryable {
  query<R extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
}

export interface ServerVersion {
  /** PostgreSQL, MySQL, MariaDB or SQLite. */
  product: 'PostgreSQL' | 'MySQL' | 'MariaDB' | 'SQLite';
  /** The full version string the server reports. */
  full: string;
  major: number;
  minor: number;
  patch: number;
}

export interface Capabilities {
  /** DDL can be rolled back inside a transaction (PostgreSQL, SQLite; not MySQL). */
  transactionalDdl: boolean;
  rowLevelSecurity: boolean;
  /** More than one schema (namespace) per database. */
  schemas: boolean;
  partialIndexes: boolean;
  expressionIndexes: boolean;
  sequences: boolean;
  enumTypes: boolean;
  checkConstraints: boolean;
  materializedViews: boolean;
  /** CREATE INDEX without blocking writes (PostgreSQL CONCURRENTLY, MySQL ALGORITHM=INPLACE LOCK=NONE). */
  onlineIndexBuild: boolean;
}

export interface Privileges {
  /** The connecting user as the server sees it (e.g. `app@%`). */
  user: string;
  superuser: boolean;
  canCreateDatabase: boolean;
  /** Can create roles/users (needed later by `roles apply`). */
  canCreateRole: boolean;
  /** Free-text facts worth showing (e.g. the grant lines); never secrets. */
  notes: string[];
}

export interface LockHandle {
  readonly name: string;
  release(): Promise<void>;
}

export interface LockOptions {
  /** How long to wait for the lock; 0 means try once. Default 0. */
  waitMs?: number;
}

export interface IntrospectOptions {
  /** Only this table (matched by name, or schema.name). The fingerprint then covers that table only. */
  table?: string;
  /** Read each table's size on disk (default true); false leaves stats.sizeBytes null. SQLite reads every page for it (dbstat). */
  sizes?: boolean;
}

export interface Engine extends Queryable {
  readonly name: EngineName;
  readonly target: ConnectionTarget;
  /** Run fn in one transaction on one connection; commit when it resolves, roll back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * An inter-process lock scoped to this database (PostgreSQL advisory lock, MySQL GET_LOCK, a lock
   * file beside the SQLite database). Throws LockBusyError when it is held elsewhere after waitMs.
   */
  lock(name: string, options?: LockOptions): Promise<LockHandle>;
  serverVersion(): Promise<ServerVersion>;
  capabilities(): Capabilities;
  privileges(): Promise<Privileges>;
  introspect(options?: IntrospectOptions): Promise<SchemaModel>;
  close(): Promise<void>;
}
