/**
 * What the safety gate's impact assessment needs from an engine: a dry-run session (statement
 * timeout), exact row counts, the engine's own per-table change counters where it keeps them, and
 * which tables can be changed inside a transaction that is rolled back.
 */
import type { Queryable } from './engine.js';

export interface TableName {
  schema: string;
  name: string;
}

export interface ChangeCounts {
  inserted: number;
  updated: number;
  deleted: number;
}

export interface ImpactProbe {
  /** Statements the dry run may execute and roll back: DML always; DDL only where DDL is transactional. */
  readonly dryRunsDdl: boolean;
  /** Prepare the dry-run transaction: a statement timeout so that assessing never runs away. */
  beginDryRun(tx: Queryable, timeoutMs: number): Promise<void>;
  /** Undo session settings beginDryRun made that outlive the transaction (pooled connections). */
  endDryRun(tx: Queryable): Promise<void>;
  countRows(db: Queryable, table: TableName): Promise<number>;
  /**
   * Rows inserted, updated and deleted so far in this transaction, per `schema.name`, counted by the
   * engine itself (cascades and triggers included); null when the engine keeps no such counters.
   */
  changeCounters(tx: Queryable): Promise<Map<string, ChangeCounts> | null>;
  /** Tables whose changes cannot be rolled back (MySQL MyISAM, …): they are never dry-run. */
  nonTransactionalTables(db: Queryable, tables: readonly TableName[]): Promise<TableName[]>;
}
