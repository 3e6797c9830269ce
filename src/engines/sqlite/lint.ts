/**
 * Migration lint rules for SQLite. Every statement is first compiled by SQLite itself (an
 * in-memory database, nothing executed), which is the authority on whether SQLite accepts it;
 * accepted statements are then read with node-sql-parser's SQLite grammar, or, for the few
 * utility statements that grammar lacks (PRAGMA, BEGIN, COMMIT, VACUUM …), from SQLite's tokens.
 */
import { PARSE_ERROR, UNPARSED_STATEMENT } from '../../migrate/lint/framework-rules.js';
import { LexError, SQLITE_LEXER, splitStatements } from '../../migrate/lint/lexer.js';
import type { LexedStatement, Token } from '../../migrate/lint/lexer.js';
import { astify, columnName, columnTypeOf, field, isConstant, list, tableNames, text } from '../../migrate/lint/sql-parser.js';
import type { SqlAst } from '../../migrate/lint/sql-parser.js';
import { SqliteSyntax, unquote } from './syntax.js';
import type { DialectLinter, LintHistory, LintOptions, RawFinding, RuleDefinition, StatementSpan } from '../../migrate/lint/types.js';

const rule = (def: RuleDefinition): RuleDefinition => def;
const REBUILD = 'the 12-step procedure of https://sqlite.org/lang_altertable.html#otheralter: in a migration marked `-- dbward:no-transaction`, PRAGMA foreign_keys = OFF; BEGIN; CREATE TABLE new_t (…); INSERT INTO new_t SELECT … FROM t; DROP TABLE t; ALTER TABLE new_t RENAME TO t; recreate indexes, triggers and views; PRAGMA foreign_key_check; COMMIT; PRAGMA foreign_keys = ON';

export const SQLITE_RULES: readonly RuleDefinition[] = [
  rule({ id: 'drop-table', severity: 'error', category: 'data-loss', summary: 'DROP TABLE on an existing table (outside a table rebuild)', problem: 'Deletes the table and all its rows; with foreign_keys on (dbward turns it on) ON DELETE CASCADE also deletes rows of the tables that reference it.', fix: 'Deploy code that no longer uses the table, take a backup, then drop it with an ignore comment giving the reason.' }),
  rule({ id: 'drop-column', severity: 'error', category: 'data-loss', summary: 'ALTER TABLE … DROP COLUMN', problem: "Deletes the column's data; it also fails outright (SQLite < 3.35, or when the column is indexed, a key, UNIQUE, or used by a view, trigger or CHECK).", fix: 'Expand/contract: stop using the column, back up, then drop it (or rebuild the table with ' + REBUILD + ') with an ignore comment giving the reason.' }),
  rule({ id: 'delete-without-where', severity: 'error', category: 'data-loss', summary: 'DELETE without WHERE (SQLite has no TRUNCATE)', problem: 'Deletes every row of the table.', fix: 'Add a WHERE clause naming the rows to delete; take a backup first.' }),
  rule({ id: 'alter-requires-rebuild', severity: 'error', category: 'runtime-failure', summary: 'ALTER TABLE forms SQLite does not have (ALTER COLUMN, ADD/DROP CONSTRAINT, …)', problem: 'SQLite only supports ADD COLUMN, DROP COLUMN and RENAME in ALTER TABLE: this statement fails and the migration stops.', fix: 'Rebuild the table with ' + REBUILD + '.' }),
  rule({ id: 'adding-required-column', severity: 'error', category: 'runtime-failure', summary: 'ADD COLUMN … NOT NULL without a non-NULL default', problem: 'SQLite refuses it on every table, empty or not: "Cannot add a NOT NULL column with default value NULL".', fix: "Give the column a constant DEFAULT (ADD COLUMN c TEXT NOT NULL DEFAULT ''), or add it nullable and rebuild the table later." }),
  rule({ id: 'adding-non-constant-default', severity: 'error', category: 'runtime-failure', summary: 'ADD COLUMN with CURRENT_TIMESTAMP or an expression as default', problem: 'SQLite refuses it: "Cannot add a column with non-constant default".', fix: 'Add the column with a constant default (or none) and backfill with UPDATE, or rebuild the table with ' + REBUILD + '.' }),
  rule({ id: 'adding-unique-column', severity: 'error', category: 'runtime-failure', summary: 'ADD COLUMN … UNIQUE or PRIMARY KEY', problem: 'SQLite refuses it: "Cannot add a UNIQUE column" / "Cannot add a PRIMARY KEY column".', fix: 'Add the column without the constraint, then CREATE UNIQUE INDEX on it; for a primary key rebuild the table.' }),
  rule({ id: 'adding-stored-generated-column', severity: 'error', category: 'runtime-failure', summary: 'ADD COLUMN … GENERATED ALWAYS AS (…) STORED', problem: 'SQLite refuses it: "cannot add a STORED column".', fix: 'Add a VIRTUAL generated column, or rebuild the table with ' + REBUILD + '.' }),
  rule({ id: 'adding-foreign-key-column-with-default', severity: 'error', category: 'runtime-failure', summary: 'ADD COLUMN … REFERENCES with a non-NULL default', problem: 'With foreign_keys on (dbward turns it on) SQLite refuses it: "Cannot add a REFERENCES column with non-NULL default value".', fix: 'Add the column with DEFAULT NULL and backfill, or rebuild the table.' }),
  rule({ id: 'set-not-null', severity: 'error', category: 'runtime-failure', summary: 'ALTER TABLE … ALTER COLUMN … SET NOT NULL', problem: 'Only SQLite 3.53+ has this statement (older SQLite, and tools bundling it, reject it), and it fails if any existing row holds NULL.', fix: 'Backfill the NULLs first; for older SQLite rebuild the table with ' + REBUILD + '.' }),
  rule({ id: 'drop-not-null', severity: 'warning', category: 'compatibility', summary: 'ALTER TABLE … ALTER COLUMN … DROP NOT NULL', problem: 'Only SQLite 3.53+ has this statement; and code that reads the column (including the release still running) may not expect NULLs once new code writes them.', fix: 'Make sure every reader handles NULL, and that every tool touching the database uses SQLite 3.53+.' }),
  rule({ id: 'rename-table', severity: 'error', category: 'compatibility', summary: 'ALTER TABLE … RENAME TO (outside a table rebuild)', problem: 'Running code still uses the old name and fails the moment the migration commits.', fix: 'Expand/contract over two releases, or create a view with the old name until no code uses it.' }),
  rule({ id: 'rename-column', severity: 'error', category: 'compatibility', summary: 'ALTER TABLE … RENAME COLUMN', problem: 'Running code still uses the old column name and fails the moment the migration commits (and SQLite < 3.25 rejects the statement).', fix: 'Add the new column, write both and backfill, switch reads, then drop the old column in a later release.' }),
  rule({ id: 'legacy-alter-table', severity: 'warning', category: 'compatibility', summary: 'PRAGMA legacy_alter_table = ON', problem: 'With legacy_alter_table on, renaming a table or column does not update references in triggers, views and foreign keys: they silently point at the old name and break later.', fix: 'Leave legacy_alter_table off; rename with the 12-step rebuild if old references must be kept.' }),
  rule({ id: 'foreign-keys-on-during-rebuild', severity: 'error', category: 'data-loss', summary: 'Table rebuild (DROP TABLE t … RENAME new_t TO t) while foreign_keys is on', problem: 'dbward opens SQLite with foreign_keys on: DROP TABLE then runs an implicit DELETE, so ON DELETE CASCADE deletes the rows of every referencing table, SET NULL clears their keys, and RESTRICT makes the rebuild fail.', fix: 'Follow ' + REBUILD + '.' }),
  rule({ id: 'foreign-keys-pragma-in-transaction', severity: 'error', category: 'transaction', summary: 'PRAGMA foreign_keys inside a transaction', problem: 'PRAGMA foreign_keys is silently ignored inside a transaction: foreign keys stay on and the statements that rely on them being off cascade deletes or fail.', fix: 'Mark the migration `-- dbward:no-transaction` and set the pragma before BEGIN (and after COMMIT).' }),
  rule({ id: 'missing-foreign-key-check', severity: 'warning', category: 'data-loss', summary: 'foreign_keys turned off without PRAGMA foreign_key_check afterwards', problem: 'While foreign keys are off nothing checks them: the migration can leave orphan rows that later updates trip over.', fix: 'Run PRAGMA foreign_key_check before COMMIT (and abort when it returns rows), then PRAGMA foreign_keys = ON.' }),
  rule({ id: 'foreign-keys-left-off', severity: 'warning', category: 'data-loss', summary: 'PRAGMA foreign_keys = OFF without turning it back on', problem: 'The connection keeps foreign keys off after the migration: later migrations and the seed run without referential integrity.', fix: 'End the migration with PRAGMA foreign_keys = ON.' }),
  rule({ id: 'transaction-nesting', severity: 'error', category: 'transaction', summary: 'BEGIN/COMMIT/ROLLBACK in a migration the runner wraps in a transaction', problem: 'SQLite has no nested transactions: BEGIN fails with "cannot start a transaction within a transaction", and COMMIT would end the runner\'s transaction early.', fix: 'Remove the transaction statements (use SAVEPOINT if needed), or mark the migration `-- dbward:no-transaction` and manage the transaction yourself.' }),
  rule({ id: 'uncommitted-transaction', severity: 'error', category: 'transaction', summary: 'BEGIN without COMMIT', problem: 'The transaction is left open at the end of the migration: the database stays write-locked and the changes are lost when the connection closes.', fix: 'End the transaction with COMMIT in the same file.' }),
  rule({ id: 'not-allowed-in-transaction', severity: 'error', category: 'transaction', summary: 'VACUUM inside a transaction', problem: 'VACUUM cannot run inside a transaction: the migration fails.', fix: 'Run VACUUM outside migrations, or in a migration marked `-- dbward:no-transaction`.' }),
];

// ---------------------------------------------------------------------------------------------
// Utility statements, read from SQLite-validated tokens

type Utility =
  | { kind: 'pragma'; name: string; value: string | undefined }
  | { kind: 'begin' | 'commit' | 'rollback' | 'vacuum' | 'savepoint' }
  | { kind: 'alter-column'; table: string; notNull: boolean };

/** ALTER TABLE t ALTER [COLUMN] c SET|DROP NOT NULL (SQLite 3.53+), which node-sql-parser lacks. */
function readAlterColumn(tokens: Token[]): Utility | undefined {
  const words = tokens.map((t) => t.upper);
  if (words[0] !== 'ALTER' || words[1] !== 'TABLE' || words[3] !== 'ALTER' || !tokens[2]) return undefined;
  const rest = words.slice(words[4] === 'COLUMN' ? 6 : 5);
  if (rest.join(' ') === 'SET NOT NULL') return { kind: 'alter-column', table: unquote(tokens[2]).toLowerCase(), notNull: true };
  if (rest.join(' ') === 'DROP NOT NULL') return { kind: 'alter-column', table: unquote(tokens[2]).toLowerCase(), notNull: false };
  return undefined;
}

function readUtility(tokens: Token[]): Utility | undefined {
  const first = tokens[0]?.upper;
  switch (first) {
    case 'PRAGMA': {
      // PRAGMA [schema.]name [= value | (value)]
      const dotted = tokens[2]?.text === '.';
      const nameToken = dotted ? tokens[3] : tokens[1];
      const valueToken = tokens.slice(dotted ? 4 : 2).find((t) => t.text !== '=' && t.text !== '(' && t.text !== ')');
      return { kind: 'pragma', name: (nameToken ? unquote(nameToken) : '').toLowerCase(), value: valueToken ? unquote(valueToken).toUpperCase() : undefined };
    }
    case 'BEGIN':
      return { kind: 'begin' };
    case 'COMMIT':
    case 'END':
      return { kind: 'commit' };
    case 'ROLLBACK':
      return tokens.some((t) => t.upper === 'TO') ? { kind: 'savepoint' } : { kind: 'rollback' };
    case 'VACUUM':
      return { kind: 'vacuum' };
    case 'SAVEPOINT':
    case 'RELEASE':
      return { kind: 'savepoint' };
    case 'ALTER':
      return readAlterColumn(tokens);
    default:
      return undefined;
  }
}

const ON_VALUES = new Set(['1', 'ON', 'TRUE', 'YES']);

// ---------------------------------------------------------------------------------------------
// The rules

interface Parsed {
  span: StatementSpan;
  statement: LexedStatement;
  ast?: SqlAst;
  utility?: Utility;
}

class SqliteLint {
  readonly findings: RawFinding[] = [];
  private readonly created = new Set<string>();
  private explicitBegin: StatementSpan | undefined;
  private foreignKeysOff = false;
  private foreignKeysOffAt: StatementSpan | undefined;
  private foreignKeyChecked = false;
  private span: StatementSpan = { start: 0, end: 0 };
  /** Tables that a later `ALTER TABLE x RENAME TO <name>` replaces: the rebuild pattern. */
  private rebuilt = new Set<string>();

  constructor(private readonly options: LintOptions & { history: LintHistory }) {}

  private report(ruleId: string, extra: { problem?: string; fix?: string } = {}): void {
    this.findings.push({ rule: ruleId, statement: this.span, ...extra });
  }

  private inTransaction(): boolean {
    return this.options.inTransaction || this.explicitBegin !== undefined;
  }

  run(statements: LexedStatement[]): void {
    const syntax = new SqliteSyntax();
    const parsed: Parsed[] = [];
    try {
      for (const statement of statements) {
        this.span = { start: statement.start, end: statement.end };
        const p = this.parse(statement, syntax);
        if (p) parsed.push(p);
      }
    } finally {
      syntax.close();
    }
    for (const [index, p] of parsed.entries()) {
      this.span = p.span;
      this.rebuilt = this.renamedInto(parsed.slice(index + 1));
      if (p.utility) this.utility(p.utility);
      else if (p.ast) this.statement(p.ast);
    }
    if (this.explicitBegin) this.findings.push({ rule: 'uncommitted-transaction', statement: this.explicitBegin });
    if (this.foreignKeysOff && this.foreignKeysOffAt) this.findings.push({ rule: 'foreign-keys-left-off', statement: this.foreignKeysOffAt });
  }

  private parse(statement: LexedStatement, syntax: SqliteSyntax): Parsed | undefined {
    const span = { start: statement.start, end: statement.end };
    const rejected = syntax.check(statement);
    if (rejected !== undefined) {
      const isAlter = statement.tokens[0]?.upper === 'ALTER' && statement.tokens[1]?.upper === 'TABLE';
      if (isAlter) this.report('alter-requires-rebuild', { problem: `SQLite rejects this ALTER TABLE (${rejected}): it only supports ADD COLUMN, DROP COLUMN and RENAME, so the migration fails here.` });
      else this.report(PARSE_ERROR.id, { problem: `SQLite's parser rejects the statement: ${rejected}. ${PARSE_ERROR.problem}` });
      return undefined;
    }
    const utility = readUtility(statement.tokens);
    if (utility) return { span, statement, utility };
    const result = astify(statement.text, ['sqlite']);
    if ('error' in result) {
      this.report(UNPARSED_STATEMENT.id, { problem: `SQLite accepts this statement but node-sql-parser's SQLite grammar does not read it (${result.error.split('\n')[0] ?? ''}); no rule checked it.` });
      return undefined;
    }
    return { span, statement, ast: result.ast };
  }

  /** Names that later statements rename a table to (`ALTER TABLE new_t RENAME TO t`). */
  private renamedInto(later: Parsed[]): Set<string> {
    const names = new Set<string>();
    for (const p of later) {
      if (text(p.ast, 'type') !== 'alter') continue;
      for (const item of list(p.ast, 'expr')) {
        if (text(item, 'action') === 'rename' && text(item, 'resource') === 'table') names.add(String(field(item, 'table') ?? '').toLowerCase());
      }
    }
    return names;
  }

  private utility(u: Utility): void {
    switch (u.kind) {
      case 'begin':
        if (this.options.inTransaction) this.report('transaction-nesting');
        this.explicitBegin = this.span;
        return;
      case 'commit':
      case 'rollback':
        if (this.options.inTransaction) this.report('transaction-nesting');
        this.explicitBegin = undefined;
        return;
      case 'vacuum':
        if (this.inTransaction()) this.report('not-allowed-in-transaction');
        return;
      case 'pragma':
        return this.pragma(u.name, u.value);
      case 'alter-column':
        if (!this.created.has(u.table)) this.report(u.notNull ? 'set-not-null' : 'drop-not-null');
        return;
      default:
        return;
    }
  }

  private pragma(name: string, value: string | undefined): void {
    if (name === 'foreign_keys' && value !== undefined) {
      if (this.inTransaction()) {
        this.report('foreign-keys-pragma-in-transaction');
        return;
      }
      const on = ON_VALUES.has(value);
      if (!on) {
        this.foreignKeysOff = true;
        this.foreignKeysOffAt = this.span;
        this.foreignKeyChecked = false;
      } else {
        if (this.foreignKeysOff && !this.foreignKeyChecked && this.foreignKeysOffAt) this.findings.push({ rule: 'missing-foreign-key-check', statement: this.foreignKeysOffAt });
        this.foreignKeysOff = false;
      }
    } else if (name === 'foreign_key_check') {
      this.foreignKeyChecked = true;
    } else if (name === 'legacy_alter_table' && value !== undefined && ON_VALUES.has(value)) {
      this.report('legacy-alter-table');
    }
  }

  private statement(ast: SqlAst): void {
    switch (text(ast, 'type')) {
      case 'create':
        if (text(ast, 'keyword') === 'table') {
          const table = tableNames(field(ast, 'table'))[0] ?? '';
          this.created.add(table);
          for (const def of list(ast, 'create_definitions')) {
            if (text(def, 'resource') === 'column') this.options.history.columns.set(`${table}.${columnName(field(def, 'column'))}`.toLowerCase(), columnTypeOf(field(def, 'definition')));
          }
        }
        return;
      case 'alter':
        return this.alter(ast);
      case 'drop':
        if (text(ast, 'keyword') === 'table') this.dropTables(tableNames(field(ast, 'name')));
        return;
      case 'delete':
        if (!field(ast, 'where') && tableNames(field(ast, 'from')).some((t) => !this.created.has(t))) this.report('delete-without-where');
        return;
      default:
        return;
    }
  }

  private dropTables(tables: string[]): void {
    const existing = tables.filter((t) => !this.created.has(t));
    if (existing.length === 0) return;
    const rebuild = existing.every((t) => this.rebuilt.has(t));
    if (!rebuild) {
      this.report('drop-table', { problem: `Deletes ${existing.map((t) => `"${t}"`).join(', ')} and all rows; with foreign_keys on (dbward turns it on) ON DELETE CASCADE also deletes rows of the tables that reference it.` });
    } else if (!this.foreignKeysOff) {
      this.report('foreign-keys-on-during-rebuild');
    }
  }

  private alter(ast: SqlAst): void {
    const table = tableNames(field(ast, 'table'))[0] ?? '';
    const isNew = this.created.has(table);
    for (const item of list(ast, 'expr')) {
      const action = text(item, 'action');
      const resource = text(item, 'resource');
      if (action === 'add' && resource === 'column') this.addColumn(item);
      else if (action === 'drop' && resource === 'column' && !isNew) this.report('drop-column', { problem: `Deletes column "${columnName(field(item, 'column'))}" and its data; it also fails outright (SQLite < 3.35, or when the column is indexed, a key, UNIQUE, or used by a view, trigger or CHECK).` });
      else if (action === 'rename' && resource === 'column' && !isNew) this.report('rename-column');
      else if (action === 'rename' && resource === 'table' && !isNew) this.report('rename-table');
      if (action === 'rename' && resource === 'table') this.created.add(String(field(item, 'table') ?? '').toLowerCase());
    }
  }

  /** SQLite's ADD COLUMN restrictions, which fail whether or not the table has rows. */
  private addColumn(item: unknown): void {
    const defaultValue = field(field(item, 'default_val'), 'value');
    const hasNonNullDefault = defaultValue !== undefined && text(defaultValue, 'type') !== 'null';
    if (text(field(item, 'nullable'), 'type') === 'not null' && !hasNonNullDefault && !field(item, 'generated')) this.report('adding-required-column');
    if (defaultValue !== undefined && (!isConstant(defaultValue) || field(defaultValue, 'parentheses') === true)) this.report('adding-non-constant-default');
    if (field(item, 'unique') || field(item, 'primary_key')) this.report('adding-unique-column');
    if (text(field(item, 'generated'), 'storage_type')?.toLowerCase() === 'stored') this.report('adding-stored-generated-column');
    if (field(item, 'reference_definition') && hasNonNullDefault) this.report('adding-foreign-key-column-with-default');
  }
}

export const sqliteLinter: DialectLinter = {
  dialect: 'sqlite',
  rules: SQLITE_RULES,
  lint(sql: string, options: LintOptions & { history: LintHistory }): RawFinding[] {
    let statements: LexedStatement[];
    try {
      statements = splitStatements(sql, SQLITE_LEXER);
    } catch (error) {
      const at = error instanceof LexError ? error.offset : 0;
      return [{ rule: PARSE_ERROR.id, statement: { start: at, end: sql.length }, problem: `${error instanceof Error ? error.message : String(error)}: the rest of the file cannot be read. ${PARSE_ERROR.problem}` }];
    }
    const lint = new SqliteLint(options);
    lint.run(statements);
    return lint.findings;
  },
};
