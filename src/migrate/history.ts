/**
 * The history tables, behind one interface:
 *
 *   _prisma_migrations  (Prisma's layout) kept as Prisma Migrate keeps it: one row per attempt with a
 *                       UUID v4 id; a successful run has finished_at set, applied_steps_count 1 and
 *                       logs NULL; a failed one finished_at NULL and the error in logs; `resolve
 *                       --applied` inserts a row with logs '' and applied_steps_count 0; a rolled-back
 *                       row has rolled_back_at set and no longer counts (prisma-engines,
 *                       sql_migration_persistence.rs and core/src/commands/*.rs).
 *   _dbward_migrations  (plain layout) one row per version with a status.
 *
 * A statement-by-statement run first writes a row that counts as failed until it is finished, and
 * records its progress after every statement, so an interrupted run is never mistaken for a
 * finished one and says how far it got.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Engine, Queryable } from '../engines/engine.js';
import { VERSION } from '../version.js';
import type { MigrationDialect } from './dialect.js';
import type { Layout, Migration } from './sources.js';
import { osUser } from '../core/os-user.js';

export const HISTORY_TABLES = ['_prisma_migrations', '_dbward_migrations'] as const;

export interface HistoryEntry {
  /** The row: Prisma's UUID, or the plain version. */
  rowId: string;
  /** The migration it records: Prisma's folder name, or the plain version. */
  id: string;
  checksum: string;
  status: 'applied' | 'failed';
  startedAt: Date | null;
  finishedAt: Date | null;
  /** Why it failed, or how far an interrupted run got. */
  error: string | null;
  failedStatement: string | null;
}

export interface RunInfo {
  startedAt: Date;
  finishedAt: Date;
  statements: number;
}

export interface FailureInfo {
  error: string;
  /** `#3 of 5 (line 12): ALTER TABLE …`, when known. */
  failedStatement: string | null;
  statementsApplied: number;
}

export type Direction = 'up' | 'down';

export interface HistoryStore {
  readonly table: string;
  exists(): Promise<boolean>;
  create(): Promise<void>;
  /** Rows that count (rolled-back ones left out), oldest first. */
  list(): Promise<HistoryEntry[]>;
  /** A migration that ran in a transaction, recorded in that transaction. */
  recordApplied(q: Queryable, m: Migration, run: RunInfo): Promise<void>;
  /** A transactional migration that failed and was rolled back. */
  recordFailed(q: Queryable, m: Migration, startedAt: Date, failure: FailureInfo): Promise<void>;
  /** Before a statement-by-statement up: a row in the running state; returns its rowId. */
  start(q: Queryable, m: Migration, at: Date): Promise<string>;
  /** Before a statement-by-statement down: the applied row back in the running state. */
  restart(q: Queryable, rowId: string): Promise<void>;
  progress(q: Queryable, rowId: string, done: number, total: number, direction: Direction): Promise<void>;
  finish(q: Queryable, rowId: string, run: RunInfo): Promise<void>;
  fail(q: Queryable, rowId: string, failure: FailureInfo): Promise<void>;
  /** After a down (an applied row), or `resolve --rolled-back` (a failed row). */
  rolledBack(q: Queryable, entry: Pick<HistoryEntry, 'rowId' | 'finishedAt'>): Promise<void>;
  /** `resolve --applied`: recorded as applied without running it. */
  markApplied(q: Queryable, m: Migration): Promise<void>;
}

export function historyStore(engine: Engine, dialect: MigrationDialect, layout: Layout): HistoryStore {
  return layout === 'prisma' ? new PrismaHistory(engine, dialect) : new DbwardHistory(engine, dialect);
}

function progressNote(done: number, total: number, direction: Direction): string {
  return `dbward: ${direction === 'up' ? 'applying' : 'reverting'} statement by statement; ${done} of ${total} done when last recorded (an interrupted run stops here).`;
}

function failureNote(failure: FailureInfo): string {
  return failure.failedStatement ? `${failure.error}\nFailed statement: ${failure.failedStatement}` : failure.error;
}

abstract class BaseHistory {
  abstract readonly table: string;
  protected abstract readonly ddl: string;

  constructor(
    protected readonly engine: Engine,
    protected readonly dialect: MigrationDialect,
  ) {}

  protected async run(q: Queryable, sql: string, params: readonly unknown[] = []) {
    return q.query(this.dialect.bind(sql), params);
  }

  protected now(date = new Date()): unknown {
    return this.dialect.timestamp(date);
  }

  async exists(): Promise<boolean> {
    return (await this.run(this.engine, this.dialect.tableExistsSql, [this.table])).rows.length > 0;
  }

  async create(): Promise<void> {
    await this.engine.query(this.ddl);
  }
}

class PrismaHistory extends BaseHistory implements HistoryStore {
  readonly table = '_prisma_migrations';
  protected readonly ddl = this.dialect.prismaHistoryDdl;

  async list(): Promise<HistoryEntry[]> {
    const { rows } = await this.run(
      this.engine,
      'SELECT id, checksum, finished_at, migration_name, logs, started_at FROM _prisma_migrations WHERE rolled_back_at IS NULL ORDER BY started_at, migration_name',
    );
    return rows.map((r) => {
      const finishedAt = this.dialect.readTimestamp(r.finished_at);
      return {
        rowId: String(r.id),
        id: String(r.migration_name),
        checksum: String(r.checksum),
        status: finishedAt ? 'applied' : 'failed',
        startedAt: this.dialect.readTimestamp(r.started_at),
        finishedAt,
        error: finishedAt ? null : r.logs === null ? 'No record of completion: the run was interrupted.' : String(r.logs),
        failedStatement: null,
      };
    });
  }

  async recordApplied(q: Queryable, m: Migration, run: RunInfo): Promise<void> {
    await this.run(
      q,
      'INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count) VALUES (?, ?, ?, ?, NULL, NULL, ?, 1)',
      [randomUUID(), m.checksum, this.now(run.finishedAt), m.id, this.now(run.startedAt)],
    );
  }

  async recordFailed(q: Queryable, m: Migration, startedAt: Date, failure: FailureInfo): Promise<void> {
    await this.run(
      q,
      'INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count) VALUES (?, ?, NULL, ?, ?, NULL, ?, 0)',
      [randomUUID(), m.checksum, m.id, failureNote(failure), this.now(startedAt)],
    );
  }

  async start(q: Queryable, m: Migration, at: Date): Promise<string> {
    const id = randomUUID();
    await this.run(q, 'INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at) VALUES (?, ?, ?, ?)', [id, m.checksum, m.id, this.now(at)]);
    return id;
  }

  async restart(q: Queryable, rowId: string): Promise<void> {
    await this.run(q, 'UPDATE _prisma_migrations SET finished_at = NULL, logs = ? WHERE id = ?', [progressNote(0, 0, 'down'), rowId]);
  }

  async progress(q: Queryable, rowId: string, done: number, total: number, direction: Direction): Promise<void> {
    await this.run(q, 'UPDATE _prisma_migrations SET logs = ? WHERE id = ?', [progressNote(done, total, direction), rowId]);
  }

  async finish(q: Queryable, rowId: string, run: RunInfo): Promise<void> {
    await this.run(q, 'UPDATE _prisma_migrations SET finished_at = ?, logs = NULL, applied_steps_count = applied_steps_count + 1 WHERE id = ?', [
      this.now(run.finishedAt),
      rowId,
    ]);
  }

  async fail(q: Queryable, rowId: string, failure: FailureInfo): Promise<void> {
    await this.run(q, 'UPDATE _prisma_migrations SET finished_at = NULL, logs = ? WHERE id = ?', [failureNote(failure), rowId]);
  }

  async rolledBack(q: Queryable, entry: Pick<HistoryEntry, 'rowId' | 'finishedAt'>): Promise<void> {
    if (!entry.finishedAt) {
      await this.run(q, 'UPDATE _prisma_migrations SET rolled_back_at = ? WHERE id = ?', [this.now(), entry.rowId]);
      return;
    }
    // A reverted applied row keeps its finish time, which a statement-by-statement down cleared while it ran.
    await this.run(q, 'UPDATE _prisma_migrations SET rolled_back_at = ?, finished_at = ?, logs = NULL WHERE id = ?', [
      this.now(),
      this.now(entry.finishedAt),
      entry.rowId,
    ]);
  }

  async markApplied(q: Queryable, m: Migration): Promise<void> {
    const now = this.now();
    await this.run(q, "INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, logs, started_at) VALUES (?, ?, ?, ?, '', ?)", [
      randomUUID(),
      m.checksum,
      now,
      m.id,
      now,
    ]);
  }
}

class DbwardHistory extends BaseHistory implements HistoryStore {
  readonly table = '_dbward_migrations';
  protected readonly ddl = this.dialect.dbwardHistoryDdl;
  private readonly appliedBy = `${osUser()}@${os.hostname()} (dbward ${VERSION})`.slice(0, 255);

  async list(): Promise<HistoryEntry[]> {
    const { rows } = await this.run(
      this.engine,
      "SELECT version, checksum, status, applied_at, statements_applied, failed_statement, error FROM _dbward_migrations WHERE status <> 'rolled_back' ORDER BY applied_at, version",
    );
    return rows.map((r) => {
      const at = this.dialect.readTimestamp(r.applied_at);
      const applied = r.status === 'applied';
      const interrupted = r.status === 'running' ? `No record of completion: the run was interrupted after ${String(r.statements_applied)} statement(s).` : null;
      return {
        rowId: String(r.version),
        id: String(r.version),
        checksum: String(r.checksum),
        status: applied ? 'applied' : 'failed',
        startedAt: applied ? null : at,
        finishedAt: applied ? at : null,
        error: applied ? null : (interrupted ?? (r.error === null ? null : String(r.error))),
        failedStatement: r.failed_statement === null ? null : String(r.failed_statement),
      };
    });
  }

  private async insert(q: Queryable, m: Migration, status: string, values: { at: Date; durationMs: number | null; statements: number; failure?: FailureInfo }) {
    await this.run(q, 'DELETE FROM _dbward_migrations WHERE version = ?', [m.id]);
    await this.run(
      q,
      'INSERT INTO _dbward_migrations (version, name, checksum, status, applied_at, duration_ms, statements_applied, failed_statement, error, applied_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [m.id, m.name, m.checksum, status, this.now(values.at), values.durationMs, values.statements, values.failure?.failedStatement ?? null, values.failure?.error ?? null, this.appliedBy],
    );
  }

  async recordApplied(q: Queryable, m: Migration, run: RunInfo): Promise<void> {
    await this.insert(q, m, 'applied', { at: run.finishedAt, durationMs: duration(run), statements: run.statements });
  }

  async recordFailed(q: Queryable, m: Migration, startedAt: Date, failure: FailureInfo): Promise<void> {
    await this.insert(q, m, 'failed', { at: startedAt, durationMs: null, statements: 0, failure });
  }

  async start(q: Queryable, m: Migration, at: Date): Promise<string> {
    await this.insert(q, m, 'running', { at, durationMs: null, statements: 0 });
    return m.id;
  }

  async restart(q: Queryable, rowId: string): Promise<void> {
    await this.run(q, "UPDATE _dbward_migrations SET status = 'running', statements_applied = 0, applied_at = ?, applied_by = ? WHERE version = ?", [
      this.now(),
      this.appliedBy,
      rowId,
    ]);
  }

  async progress(q: Queryable, rowId: string, done: number): Promise<void> {
    await this.run(q, 'UPDATE _dbward_migrations SET statements_applied = ? WHERE version = ?', [done, rowId]);
  }

  async finish(q: Queryable, rowId: string, run: RunInfo): Promise<void> {
    await this.run(q, "UPDATE _dbward_migrations SET status = 'applied', applied_at = ?, duration_ms = ?, statements_applied = ? WHERE version = ?", [
      this.now(run.finishedAt),
      duration(run),
      run.statements,
      rowId,
    ]);
  }

  async fail(q: Queryable, rowId: string, failure: FailureInfo): Promise<void> {
    await this.run(
      q,
      "UPDATE _dbward_migrations SET status = 'failed', applied_at = ?, statements_applied = ?, failed_statement = ?, error = ? WHERE version = ?",
      [this.now(), failure.statementsApplied, failure.failedStatement, failure.error, rowId],
    );
  }

  async rolledBack(q: Queryable, entry: Pick<HistoryEntry, 'rowId'>): Promise<void> {
    await this.run(q, "UPDATE _dbward_migrations SET status = 'rolled_back', applied_at = ?, applied_by = ? WHERE version = ?", [
      this.now(),
      this.appliedBy,
      entry.rowId,
    ]);
  }

  async markApplied(q: Queryable, m: Migration): Promise<void> {
    await this.insert(q, m, 'applied', { at: new Date(), durationMs: null, statements: 0 });
  }
}

function duration(run: RunInfo): number {
  return run.finishedAt.getTime() - run.startedAt.getTime();
}

