/**
 * Types shared by the migration linter framework (src/migrate/lint) and the dialect rule sets
 * (src/engines/<engine>/lint.ts).
 */

export type LintDialect = 'postgres' | 'mysql' | 'sqlite';
export type Severity = 'error' | 'warning';

/** What a rule protects against; used to group the catalogue in docs and output. */
export type RuleCategory =
  | 'data-loss'
  | 'locking'
  | 'compatibility'
  | 'transaction'
  | 'runtime-failure'
  | 'types'
  | 'parse'
  | 'lint';

/** One finding, as reported to users (human output and `--json`). */
export interface Finding {
  rule: string;
  severity: Severity;
  file: string;
  /** 1-based line of the offending node (the statement start when the parser gives no finer location). */
  line: number;
  /** 1-based column, in Unicode code points. */
  column?: number;
  /** First line of the statement, trimmed and shortened. */
  statement: string;
  /** What goes wrong in production. */
  problem: string;
  /** The safe alternative. */
  fix: string;
}

/** A rule of the catalogue. The same id may exist in several dialects (e.g. drop-table). */
export interface RuleDefinition {
  id: string;
  severity: Severity;
  category: RuleCategory;
  /** One line for the catalogue. */
  summary: string;
  problem: string;
  fix: string;
}

export interface RuleInfo extends RuleDefinition {
  dialects: LintDialect[];
}

/** A column type reduced to what decides whether a change narrows it (see column-types.ts). */
export interface ColumnType {
  /** Normalised type name, e.g. `int`, `varchar`, `numeric`, `enum`. */
  name: string;
  /** Length, or precision and scale. */
  args: number[];
  /** Values of an enum/set type, in order. */
  values?: string[];
}

/** Knowledge carried from one file to the next when several migrations are linted in order. */
export interface LintHistory {
  /** Column types seen so far, by `table.column` (lower case). */
  columns: Map<string, ColumnType>;
}

export interface LintOptions {
  dialect: LintDialect;
  /** Path used in findings. */
  file: string;
  /**
   * Whether the runner wraps the migration in a transaction. A migration containing the runner's
   * marker comment `-- dbward:no-transaction` on its own line runs outside one.
   */
  inTransaction: boolean;
  /** Major server version when known (PostgreSQL: e.g. 15). Rules assume a current server without it. */
  serverVersion?: number;
  /** Shared state when linting a sequence of migrations; a fresh one is used when absent. */
  history?: LintHistory;
}

/** A statement as located in the source: character offsets into the file's text (UTF-16 units). */
export interface StatementSpan {
  /** Offset of the statement's first token. */
  start: number;
  /** Offset just past the statement's last character (before any `;`). */
  end: number;
}

/** What a dialect rule set reports; the framework adds severity, texts, lines and ignores. */
export interface RawFinding {
  rule: string;
  statement: StatementSpan;
  /** Offset of the offending node when the parser gives one. */
  at?: number;
  /** Replaces the rule's generic problem text with a specific one. */
  problem?: string;
  /** Replaces the rule's generic fix text. */
  fix?: string;
}

/** The contract each dialect's lint module fulfils. */
export interface DialectLinter {
  dialect: LintDialect;
  rules: readonly RuleDefinition[];
  lint(sql: string, options: LintOptions & { history: LintHistory }): RawFinding[];
}
