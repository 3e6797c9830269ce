/**
 * Running the statements `dbward exec` was given: in one transaction where the engine allows it (so a
 * failing statement leaves nothing half-done), statement by statement where it cannot (PostgreSQL
 * statements that refuse a transaction block; on MySQL DDL commits implicitly, so the transaction
 * only covers the statements after the last DDL).
 */
import { UsageError } from '../core/errors.js';
import type { Engine, Queryable, Row } from '../engines/engine.js';
import type { ClassifiedStatement } from './classify/types.js';

export interface StatementResult {
  index: number;
  kind: string;
  /** Rows returned by a read, or rows changed by a write (as the engine reports them). */
  rowCount: number;
  /** Rows returned (reads and RETURNING). */
  rows: Row[];
}

/**
 * dbward runs the input in its own transaction: a leading BEGIN/START TRANSACTION and a trailing COMMIT
 * are dropped; any other transaction control is refused, since it would split what was assessed.
 */
export function withoutOuterTransaction(statements: readonly ClassifiedStatement[]): ClassifiedStatement[] {
  let list = [...statements];
  if (list[0]?.transactionControl === 'begin' && list.at(-1)?.transactionControl === 'commit') list = list.slice(1, -1);
  const control = list.find((s) => s.transactionControl);
  if (control) {
    throw new UsageError(
      `dbward exec runs the whole input in one transaction; "${control.text.slice(0, 60)}" (statement ${control.index + 1}) would split it.`,
      'Remove the transaction control statements (a leading BEGIN and a trailing COMMIT are fine), or run the parts separately.',
    );
  }
  return list;
}

async function runAll(db: Queryable, statements: readonly ClassifiedStatement[]): Promise<StatementResult[]> {
  const results: StatementResult[] = [];
  for (const s of statements) {
    const r = await db.query(s.text);
    results.push({ index: s.index, kind: s.kind, rowCount: r.rowCount, rows: r.rows });
  }
  return results;
}

export function executeStatements(engine: Engine, statements: readonly ClassifiedStatement[]): Promise<StatementResult[]> {
  if (statements.length === 1) return runAll(engine, statements);
  if (engine.name === 'postgres' && statements.some((s) => s.nonTransactional)) return runAll(engine, statements);
  return engine.transaction((tx) => runAll(tx, statements));
}
