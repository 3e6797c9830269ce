/**
 * The errors a migration run ends with, carrying what the CLI shows (and puts in --json): which
 * migration, which statement, what was applied and what was rolled back.
 */
import { OperationError } from '../core/errors.js';
import type { Direction } from './history.js';

export interface FailedStatement {
  /** 1-based position in the script, and how many statements it has. */
  number: number;
  total: number;
  line: number;
  /** The statement's first line. */
  text: string;
}

export interface MigrationFailure {
  migration: string;
  direction: Direction;
  /** The database's error message. */
  error: string;
  statement: FailedStatement | null;
  /** The migration ran in a transaction that was rolled back: the database is as it was before it. */
  rolledBack: boolean;
  /** Statements that ran and stayed applied (statement-by-statement runs). */
  statementsApplied: number;
  /** Why statements run one by one: MySQL's implicit commits, or the no-transaction marker. */
  reason: 'mysql' | 'marker' | null;
  /** The failure is recorded in the history table (so it blocks later runs until resolved). */
  recorded: boolean;
  /** Migrations completed earlier in the same run. */
  completed: string[];
}

export function describeStatement(s: FailedStatement): string {
  return `#${s.number} of ${s.total} (line ${s.line}): ${s.text}`;
}

function message(f: MigrationFailure): string {
  const what = f.direction === 'up' ? `Migration ${f.migration}` : `Reverting migration ${f.migration}`;
  const at = f.statement ? ` at statement ${describeStatement(f.statement)}` : '';
  const parts = [`${what} failed${at}: ${f.error}`];
  if (f.rolledBack) {
    parts.push('It was rolled back: the database is as it was before it.');
  } else {
    const why = f.reason === 'mysql' ? 'MySQL commits each DDL statement at once' : 'the migration runs outside a transaction';
    parts.push(
      f.statementsApplied > 0
        ? `Statements 1–${f.statementsApplied} were applied and remain (${why}).`
        : `No statement of it was applied (${why}).`,
    );
  }
  if (f.completed.length) parts.push(`Completed before it in this run: ${f.completed.join(', ')}.`);
  if (!f.recorded && !f.rolledBack) parts.push('The failure could not be recorded in the history table.');
  return parts.join(' ');
}

function hint(f: MigrationFailure): string {
  if (f.direction === 'down' && f.rolledBack) return `The migration is still applied. Fix its down script, then run \`dbward migrate down\` again.`;
  if (f.rolledBack && !f.recorded) return 'Nothing was recorded. Fix the cause, then run `dbward migrate up` again.';
  if (f.rolledBack) {
    return `It is recorded as failed and blocks further migrations. Fix the migration, then run \`dbward migrate resolve --rolled-back ${f.migration}\` and \`dbward migrate up\`.`;
  }
  return `Finish or undo the applied statements by hand, then run \`dbward migrate resolve --applied ${f.migration}\` (finished) or \`dbward migrate resolve --rolled-back ${f.migration}\` (undone).`;
}

export class MigrationFailedError extends OperationError {
  readonly failure: MigrationFailure;

  constructor(failure: MigrationFailure, cause?: unknown) {
    super(message(failure), hint(failure), cause);
    this.failure = failure;
  }
}

export interface BlockingMigration {
  id: string;
  startedAt: Date | null;
  error: string | null;
}

/** A failed migration in the history blocks every run until `migrate resolve`. */
export class MigrationBlockedError extends OperationError {
  readonly failed: BlockingMigration[];

  constructor(failed: BlockingMigration[]) {
    const lines = failed.map((f) => `  ${f.id}${f.startedAt ? ` (started ${f.startedAt.toISOString()})` : ''}: ${f.error ?? 'no log'}`);
    const first = failed[0]!.id;
    super(
      `Migrations cannot run while a failed migration is recorded:\n${lines.join('\n')}`,
      `If the database is as it was before the migration, run \`dbward migrate resolve --rolled-back ${first}\`; if you completed it by hand, \`dbward migrate resolve --applied ${first}\`.`,
    );
    this.failed = failed;
  }
}
