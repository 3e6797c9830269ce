/**
 * Run one migration script, in either direction, the way the engine allows:
 *
 *   transaction  (PostgreSQL, SQLite) the whole script and its history row in one transaction. A
 *                failure rolls everything back; a lost connection is retried at this boundary
 *                once the history shows the migration did not commit.
 *   statements   (MySQL, or a script with the no-transaction marker) statement by statement on one
 *                session, with the history row written first and progress recorded after each
 *                statement, so a failure says exactly which statement failed and what stayed applied.
 */
import { DbwardError, errorMessage } from '../core/errors.js';
import { withRetry } from '../core/retry.js';
import type { Engine, Queryable } from '../engines/engine.js';
import type { MigrationDialect } from './dialect.js';
import { describeStatement, MigrationFailedError, type FailedStatement, type MigrationFailure } from './errors.js';
import type { Direction, FailureInfo, HistoryStore, RunInfo } from './history.js';
import type { Migration, Script } from './sources.js';
import { firstLine, splitStatements, type ScriptStatement } from './split.js';

export type RunMode = 'transaction' | 'statements';

export type MigrationEvent =
  | { type: 'start'; direction: Direction; migration: string; index: number; total: number; mode: RunMode }
  | { type: 'statement'; direction: Direction; migration: string; number: number; total: number; line: number; text: string }
  | { type: 'retry'; direction: Direction; migration: string; attempt: number; delayMs: number; reason: string }
  | { type: 'done'; direction: Direction; migration: string; durationMs: number };

export interface ExecContext {
  engine: Engine;
  dialect: MigrationDialect;
  history: HistoryStore;
  retryDeadlineMs: number;
  emit: (event: MigrationEvent) => void;
}

/** How the history follows one run of a script. */
export interface HistoryPlan {
  /** Transaction mode: record success inside the transaction. */
  record(tx: Queryable, run: RunInfo): Promise<void>;
  /** Transaction mode: record a failure after the rollback (nothing to record when undefined). */
  recordFailure?(startedAt: Date, failure: FailureInfo): Promise<void>;
  /** Transaction mode, after a lost connection: did the transaction commit after all? */
  isDone(): Promise<boolean>;
  /** Statements mode: the row that tracks the run (written before the first statement). */
  begin(): Promise<string>;
  /** Statements mode: every statement ran. */
  end(rowId: string, run: RunInfo): Promise<void>;
}

export function runMode(engine: Engine, script: Script): RunMode {
  return engine.capabilities().transactionalDdl && !script.noTransaction ? 'transaction' : 'statements';
}

export function statementCount(dialect: MigrationDialect, script: Script): number {
  return splitStatements(script.text, dialect.sql).length;
}

export async function runScript(ctx: ExecContext, m: Migration, script: Script, direction: Direction, plan: HistoryPlan, completed: string[]): Promise<void> {
  const base = { migration: m.id, direction, completed };
  if (runMode(ctx.engine, script) === 'transaction') return inTransaction(ctx, script, plan, base);
  return byStatement(ctx, script, plan, { ...base, reason: ctx.engine.capabilities().transactionalDdl ? 'marker' : 'mysql' });
}

type Base = Pick<MigrationFailure, 'migration' | 'direction' | 'completed'>;

function failedStatement(statements: ScriptStatement[], index: number): FailedStatement {
  const s = statements[index]!;
  return { number: index + 1, total: statements.length, line: s.line, text: firstLine(s.sql) };
}

function info(failure: MigrationFailure): FailureInfo {
  return { error: failure.error, failedStatement: failure.statement && describeStatement(failure.statement), statementsApplied: failure.statementsApplied };
}

async function recorded(write: () => Promise<void>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch {
    return false;
  }
}

async function inTransaction(ctx: ExecContext, script: Script, plan: HistoryPlan, base: Base): Promise<void> {
  const { engine, dialect } = ctx;
  const statements = splitStatements(script.text, dialect.sql);
  const attempt = async () => {
    const startedAt = new Date();
    try {
      await dialect.transaction(engine, script.text, async (tx) => {
        await dialect.runScript(engine, tx, script.text);
        await plan.record(tx, { startedAt, finishedAt: new Date(), statements: statements.length });
      });
    } catch (err) {
      if (isTransient(ctx, err)) throw err;
      const offset = dialect.errorOffset(err);
      const index = offset === undefined ? -1 : statements.findLastIndex((s) => s.start <= offset);
      const failure: MigrationFailure = {
        ...base,
        error: errorMessage(err),
        statement: index >= 0 ? failedStatement(statements, index) : null,
        rolledBack: true,
        statementsApplied: 0,
        reason: null,
        recorded: false,
      };
      if (plan.recordFailure) failure.recorded = await recorded(() => plan.recordFailure!(startedAt, info(failure)));
      throw new MigrationFailedError(failure, err);
    }
  };
  try {
    await withRetry(
      async (n) => {
        if (n === 1 || !(await plan.isDone())) await attempt();
      },
      {
        deadlineMs: ctx.retryDeadlineMs,
        isTransient: (err) => isTransient(ctx, err),
        onRetry: ({ attempt: n, delayMs, error }) =>
          ctx.emit({ type: 'retry', direction: base.direction, migration: base.migration, attempt: n, delayMs, reason: errorMessage(error) }),
      },
    );
  } catch (err) {
    if (err instanceof MigrationFailedError) throw err;
    const failure = { ...base, error: `Connection lost: ${errorMessage(err)}`, statement: null, rolledBack: true, statementsApplied: 0, reason: null, recorded: false };
    throw new MigrationFailedError(failure, err);
  }
}

/** A lost connection (never one of dbward's own errors): retried at migration boundaries. */
export function isTransient(ctx: ExecContext, err: unknown): boolean {
  return !(err instanceof DbwardError) && ctx.dialect.isTransient(ctx.engine, err);
}

async function byStatement(ctx: ExecContext, script: Script, plan: HistoryPlan, base: Base & Pick<MigrationFailure, 'reason'>): Promise<void> {
  const { engine, dialect, history } = ctx;
  const statements = splitStatements(script.text, dialect.sql);
  const startedAt = new Date();
  let done = 0;
  let failing = -1;
  const fail = async (err: unknown, rowId: string | null): Promise<never> => {
    const failure: MigrationFailure = {
      ...base,
      error: errorMessage(err),
      statement: failing >= 0 ? failedStatement(statements, failing) : null,
      rolledBack: false,
      statementsApplied: done,
      recorded: false,
    };
    if (rowId !== null) failure.recorded = await recorded(() => history.fail(engine, rowId, info(failure)));
    throw new MigrationFailedError(failure, err);
  };

  const rowId = await plan.begin().catch((err: unknown) => fail(err, null));
  try {
    await dialect.session(engine, async (session) => {
      for (const [k, s] of statements.entries()) {
        ctx.emit({ type: 'statement', direction: base.direction, migration: base.migration, number: k + 1, total: statements.length, line: s.line, text: firstLine(s.sql) });
        failing = k;
        await session.query(s.sql);
        failing = -1;
        done = k + 1;
        await history.progress(session, rowId, done, statements.length, base.direction);
      }
    });
    await plan.end(rowId, { startedAt, finishedAt: new Date(), statements: statements.length });
  } catch (err) {
    await fail(err, rowId);
  }
}
