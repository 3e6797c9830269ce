/**
 * Migration lint rules for MySQL and MariaDB. Statements are split with a lexer that knows MySQL's
 * strings and comments and parsed with node-sql-parser's MySQL grammar (MariaDB's as a second
 * try); statements neither grammar reads are reported as unparsed, never guessed at.
 */
import { compareTypes } from '../../migrate/lint/column-types.js';
import { PARSE_ERROR, UNPARSED_STATEMENT } from '../../migrate/lint/framework-rules.js';
import { LexError, MYSQL_LEXER, splitStatements } from '../../migrate/lint/lexer.js';
import type { LexedStatement } from '../../migrate/lint/lexer.js';
import { astify, columnName, columnTypeOf, field, list, tableNames, text } from '../../migrate/lint/sql-parser.js';
import type { SqlAst } from '../../migrate/lint/sql-parser.js';
import { skipTrivia } from '../../migrate/lint/source.js';
import type { DialectLinter, LintHistory, LintOptions, RawFinding, RuleDefinition, StatementSpan } from '../../migrate/lint/types.js';

const rule = (def: RuleDefinition): RuleDefinition => def;

export const MYSQL_RULES: readonly RuleDefinition[] = [
  rule({ id: 'drop-database', severity: 'error', category: 'data-loss', summary: 'DROP DATABASE / DROP SCHEMA', problem: 'Deletes the whole database and every row in it; nothing can be recovered without a backup.', fix: 'Never drop a database from a migration; take a verified backup and drop it by hand if it is really unused.' }),
  rule({ id: 'drop-table', severity: 'error', category: 'data-loss', summary: 'DROP TABLE on an existing table', problem: 'Deletes the table and all its rows (DDL commits implicitly: there is no rollback), and running code still using it fails.', fix: 'Deploy code that no longer uses the table, keep it for a release, take a backup, then drop it with an ignore comment giving the reason.' }),
  rule({ id: 'drop-column', severity: 'error', category: 'data-loss', summary: 'ALTER TABLE … DROP COLUMN', problem: "Deletes the column's data (no rollback: DDL commits implicitly), rebuilds the table on older servers, and running code that still uses the column fails.", fix: 'Expand/contract: deploy code that no longer uses the column, back it up, then drop it in a later migration with an ignore comment giving the reason.' }),
  rule({ id: 'truncate', severity: 'error', category: 'data-loss', summary: 'TRUNCATE TABLE', problem: 'Deletes every row of the table; TRUNCATE is DDL in MySQL and cannot be rolled back.', fix: 'Delete the rows you mean to delete with a WHERE clause, in batches; take a backup first.' }),
  rule({ id: 'delete-without-where', severity: 'error', category: 'data-loss', summary: 'DELETE without WHERE', problem: 'Deletes every row of the table, locking them all in one long transaction.', fix: 'Add a WHERE clause naming the rows to delete, and delete in batches; take a backup first.' }),
  rule({ id: 'narrowing-type-change', severity: 'error', category: 'data-loss', summary: 'MODIFY/CHANGE to a narrower type than the column had (known from earlier migrations)', problem: 'The new type holds less than the old one: in strict mode rows that do not fit make the ALTER fail after copying much of the table; without strict mode values are silently truncated or clipped.', fix: 'Check the data first (`SELECT MAX(LENGTH(col))` …) and keep the wider type unless the data provably fits.' }),
  rule({ id: 'enum-value-removed', severity: 'error', category: 'data-loss', summary: 'ENUM/SET redefined without some of its values', problem: "Rows holding a removed value become '' (or the ALTER fails in strict mode), and the table is copied.", fix: 'Migrate the rows off the value first (UPDATE … in batches), and keep the old values until no code writes them.' }),
  rule({ id: 'enum-value-reorder', severity: 'error', category: 'compatibility', summary: 'ENUM/SET values reordered or inserted in the middle', problem: 'ENUM values are stored as their position: reordering changes ORDER BY and comparisons, and forces a full table copy (only appending at the end is instant).', fix: 'Only append new values at the end of the list.' }),
  rule({ id: 'changing-column-type', severity: 'error', category: 'locking', summary: 'MODIFY/CHANGE COLUMN without online options', problem: 'Changing a column definition usually makes MySQL copy the whole table (ALGORITHM=COPY), blocking writes for the duration; running code may break on the new definition.', fix: 'Add ALGORITHM=INPLACE, LOCK=NONE (MySQL then refuses instead of copying); for changes that need a copy use gh-ost or pt-online-schema-change, or add a new column and backfill it.' }),
  rule({ id: 'missing-online-ddl-options', severity: 'error', category: 'locking', summary: 'ALTER TABLE / CREATE INDEX without ALGORITHM=INSTANT|INPLACE or LOCK=NONE', problem: 'Without an explicit algorithm and lock, MySQL silently falls back to copying the table or to a lock that blocks writes whenever the change cannot be done online, and the migration blocks the application for the whole copy.', fix: 'State ALGORITHM=INSTANT, or ALGORITHM=INPLACE, LOCK=NONE: MySQL then refuses the change with an error instead of blocking; use gh-ost or pt-online-schema-change for changes that need a copy.' }),
  rule({ id: 'adding-foreign-key', severity: 'error', category: 'locking', summary: 'FOREIGN KEY added to an existing table', problem: 'With foreign_key_checks on, MySQL copies the child table to validate the key (ALGORITHM=COPY) while holding metadata locks on both the child and the parent table, blocking writes to both.', fix: 'SET foreign_key_checks = 0; ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY …, ALGORITHM=INPLACE, LOCK=NONE; SET foreign_key_checks = 1 — after checking with a query that no orphan rows exist.' }),
  rule({ id: 'adding-required-column', severity: 'error', category: 'compatibility', summary: 'ADD COLUMN … NOT NULL without a DEFAULT', problem: "Existing rows silently get the type's implicit default (0, '', a zero date) which then looks like real data, or the ALTER fails under NO_ZERO_DATE; running code that inserts without the column breaks.", fix: 'Add the column nullable or with an explicit DEFAULT, backfill real values, then make it NOT NULL.' }),
  rule({ id: 'rename-table', severity: 'error', category: 'compatibility', summary: 'RENAME TABLE / ALTER TABLE … RENAME TO', problem: 'Running code still uses the old name and fails the moment the rename commits.', fix: 'Expand/contract over two releases (new table, dual writes, backfill), or switch the code to the new name first using a view with the new name.' }),
  rule({ id: 'rename-column', severity: 'error', category: 'compatibility', summary: 'RENAME COLUMN / CHANGE COLUMN old new', problem: 'Running code still reads and writes the old column name and fails the moment the rename commits.', fix: 'Add the new column, write both and backfill, switch reads, then drop the old column in a later release.' }),
  rule({ id: 'require-lock-timeout', severity: 'error', category: 'transaction', summary: 'No SET lock_wait_timeout before DDL on an existing table', problem: "DDL waits for a metadata lock behind any open transaction on the table (lock_wait_timeout defaults to a year), and every later query on the table queues behind the waiting DDL: the application stalls.", fix: 'Start the migration with SET SESSION lock_wait_timeout = 5 (seconds) and retry on failure.' }),
  rule({ id: 'ddl-in-transaction', severity: 'warning', category: 'transaction', summary: 'DDL inside START TRANSACTION … COMMIT', problem: 'MySQL commits implicitly before and after every DDL statement: the transaction does not make the migration atomic, and a failure leaves it half applied.', fix: 'Do not rely on a transaction around DDL; make each statement safe to re-run and keep data changes in their own transaction.' }),
  rule({ id: 'prefer-bigint-over-int', severity: 'warning', category: 'types', summary: 'INT/SMALLINT AUTO_INCREMENT keys', problem: 'A 32-bit (or smaller) auto-increment key runs out, and widening it later copies the table.', fix: 'Use BIGINT UNSIGNED AUTO_INCREMENT.' }),
];

const ONLINE_SAFE_OPS = new Set(['rename:table', 'drop:index', 'drop:key', 'rename:column', 'auto_increment', 'rename:index']);

interface Options {
  algorithm?: string;
  lock?: string;
}

function onlineOptions(items: unknown[]): Options {
  const result: Options = {};
  for (const item of items) {
    const algorithm = text(item, 'algorithm');
    const lock = text(item, 'lock');
    if (algorithm) result.algorithm = algorithm.toUpperCase();
    if (lock) result.lock = lock.toUpperCase();
  }
  return result;
}

/** ALGORITHM=INSTANT, or LOCK=NONE: MySQL refuses rather than block. */
function isOnline(options: Options): boolean {
  if (options.algorithm === 'COPY' || (options.lock !== undefined && options.lock !== 'NONE' && options.lock !== 'DEFAULT')) return false;
  return options.algorithm === 'INSTANT' || options.lock === 'NONE';
}

function opKey(item: unknown): string {
  const action = text(item, 'action');
  const resource = text(item, 'resource') ?? '';
  return action ? `${action}:${resource}` : resource;
}

class MysqlLint {
  readonly findings: RawFinding[] = [];
  private readonly created = new Set<string>();
  private lockTimeout = false;
  private lockTimeoutReported = false;
  private foreignKeyChecksOff = false;
  private explicitTransaction = false;
  private span: StatementSpan = { start: 0, end: 0 };

  constructor(private readonly options: LintOptions & { history: LintHistory }) {}

  private report(ruleId: string, extra: { problem?: string; fix?: string } = {}): void {
    this.findings.push({ rule: ruleId, statement: this.span, ...extra });
  }

  /** DDL on an existing table: needs lock_wait_timeout, and commits any open transaction. */
  private ddl(existing: boolean): void {
    if (this.explicitTransaction) this.report('ddl-in-transaction');
    if (!existing) return;
    if (!this.lockTimeout && !this.lockTimeoutReported) {
      this.lockTimeoutReported = true;
      this.report('require-lock-timeout');
    }
  }

  run(statements: LexedStatement[]): void {
    for (const statement of statements) {
      this.span = { start: statement.start, end: statement.end };
      if (statement.tokens[0]?.upper === 'DELIMITER') {
        this.report(UNPARSED_STATEMENT.id, { problem: 'DELIMITER is a mysql client command, not SQL: the migration runner sends statements to the server, which rejects it.' });
        continue;
      }
      const parsed = astify(statement.text, ['mysql', 'mariadb']);
      if ('error' in parsed) {
        this.report(UNPARSED_STATEMENT.id, { problem: `node-sql-parser's MySQL and MariaDB grammars do not read this statement (${parsed.error.split('\n')[0] ?? ''}); no rule checked it. It may be invalid, or valid syntax the grammar lacks.` });
        continue;
      }
      this.statement(parsed.ast);
    }
  }

  private statement(ast: SqlAst): void {
    switch (text(ast, 'type')) {
      case 'transaction': return this.transaction(ast);
      case 'set': return this.set(ast);
      case 'create': return this.create(ast);
      case 'alter': return this.alter(ast);
      case 'drop': return this.drop(ast);
      case 'rename': {
        const pairs = list(ast, 'table') as unknown[][];
        const existing = pairs.some((pair) => !this.created.has(tableNames(pair[0])[0] ?? ''));
        this.ddl(existing);
        if (existing) this.report('rename-table');
        return;
      }
      case 'truncate': {
        const existing = tableNames(field(ast, 'name')).some((t) => !this.created.has(t));
        this.ddl(existing);
        if (existing) this.report('truncate');
        return;
      }
      case 'delete':
        if (!field(ast, 'where') && tableNames(field(ast, 'from')).some((t) => !this.created.has(t))) this.report('delete-without-where');
        return;
      default:
        return;
    }
  }

  private transaction(ast: SqlAst): void {
    const action = (text(field(field(ast, 'expr'), 'action'), 'value') ?? '').toUpperCase();
    if (action === 'START' || action === 'BEGIN') this.explicitTransaction = true;
    else if (action === 'COMMIT' || action === 'ROLLBACK') this.explicitTransaction = false;
  }

  private set(ast: SqlAst): void {
    for (const assign of list(ast, 'expr')) {
      const name = (text(field(assign, 'left'), 'name') ?? '').toLowerCase();
      const value = field(field(assign, 'right'), 'value');
      const number = typeof value === 'number' ? value : Number(value);
      if (name === 'lock_wait_timeout') this.lockTimeout = Number.isFinite(number) && number > 0 && number < 31_536_000;
      if (name === 'foreign_key_checks') this.foreignKeyChecksOff = number === 0 || String(value).toUpperCase() === 'OFF';
    }
  }

  private remember(table: string, definition: unknown, column: string): void {
    this.options.history.columns.set(`${table}.${column}`.toLowerCase(), columnTypeOf(definition));
  }

  private checkKeyType(def: unknown): void {
    const type = columnTypeOf(field(def, 'definition'));
    if (field(def, 'auto_increment') && ['int', 'smallint', 'mediumint', 'tinyint'].includes(type.name)) this.report('prefer-bigint-over-int');
  }

  private create(ast: SqlAst): void {
    const keyword = text(ast, 'keyword');
    if (keyword === 'table') {
      const table = tableNames(field(ast, 'table'))[0] ?? '';
      this.created.add(table);
      for (const def of list(ast, 'create_definitions')) {
        if (text(def, 'resource') !== 'column') continue;
        this.checkKeyType(def);
        this.remember(table, field(def, 'definition'), columnName(field(def, 'column')));
      }
    } else if (keyword === 'index') {
      const table = tableNames(field(ast, 'table'))[0] ?? '';
      const existing = !this.created.has(table);
      this.ddl(existing);
      const options = onlineOptions([field(ast, 'algorithm_option'), field(ast, 'lock_option')]);
      if (existing && !isOnline(options)) this.report('missing-online-ddl-options');
    }
  }

  private alter(ast: SqlAst): void {
    const table = tableNames(field(ast, 'table'))[0] ?? '';
    const existing = !this.created.has(table);
    this.ddl(existing);
    const items = list(ast, 'expr');
    const options = onlineOptions(items);
    const online = isOnline(options);
    let needsOnline = false;
    for (const item of items) {
      const key = opKey(item);
      if (key === 'algorithm' || key === 'lock') continue;
      if (!ONLINE_SAFE_OPS.has(key)) needsOnline = true;
      if (existing) this.alterItem(table, key, item, online);
      this.rememberItem(table, key, item);
    }
    if (existing && needsOnline && !online) {
      this.report('missing-online-ddl-options', options.algorithm === 'COPY' || (options.lock && options.lock !== 'NONE') ? { problem: `ALGORITHM=${options.algorithm ?? 'DEFAULT'}, LOCK=${options.lock ?? 'DEFAULT'} explicitly asks for a blocking table copy or lock: writes are blocked for the whole operation.` } : {});
    }
  }

  private rememberItem(table: string, key: string, item: unknown): void {
    if (key === 'add:column' || key === 'modify:column' || key === 'change:column') {
      const old = columnName(field(item, 'old_column'));
      if (old) this.options.history.columns.delete(`${table}.${old}`.toLowerCase());
      this.remember(table, field(item, 'definition'), columnName(field(item, 'column')));
    } else if (key === 'drop:column') {
      this.options.history.columns.delete(`${table}.${columnName(field(item, 'column'))}`.toLowerCase());
    }
  }

  private alterItem(table: string, key: string, item: unknown, online: boolean): void {
    switch (key) {
      case 'add:column': {
        this.checkKeyType(item);
        const notNull = text(field(item, 'nullable'), 'type') === 'not null';
        if (notNull && !field(item, 'default_val') && !field(item, 'auto_increment') && !field(item, 'generated')) this.report('adding-required-column');
        return;
      }
      case 'drop:column':
        this.report('drop-column', { problem: `Deletes column \`${columnName(field(item, 'column'))}\` and its data (no rollback: DDL commits implicitly), and running code that still uses it fails.` });
        return;
      case 'modify:column':
      case 'change:column':
        return this.modifyColumn(table, key, item, online);
      case 'rename:column':
        this.report('rename-column');
        return;
      case 'rename:table':
        this.report('rename-table');
        return;
      case 'add:constraint': {
        const type = (text(field(item, 'create_definitions'), 'constraint_type') ?? '').toLowerCase();
        if (type === 'foreign key' && !(this.foreignKeyChecksOff && online)) this.report('adding-foreign-key');
        return;
      }
      default:
        return;
    }
  }

  private modifyColumn(table: string, key: string, item: unknown, online: boolean): void {
    const column = columnName(field(item, 'column'));
    const oldName = key === 'change:column' ? columnName(field(item, 'old_column')) : column;
    if (oldName.toLowerCase() !== column.toLowerCase()) this.report('rename-column');
    const old = this.options.history.columns.get(`${table}.${oldName}`.toLowerCase());
    const next = columnTypeOf(field(item, 'definition'));
    const change = old ? compareTypes(old, next) : undefined;
    if (change === 'narrowing') this.report('narrowing-type-change');
    if (change === 'enum-removed') this.report('enum-value-removed', { problem: `${next.name.toUpperCase()} loses ${(old?.values ?? []).filter((v) => !(next.values ?? []).includes(v)).map((v) => `'${v}'`).join(', ')}: rows holding it become '' (or the ALTER fails in strict mode), and the table is copied.` });
    if (change === 'enum-reordered') this.report('enum-value-reorder');
    const harmless = change === 'same' || change === 'widening';
    if (!harmless && !online) this.report('changing-column-type');
  }

  private drop(ast: SqlAst): void {
    const keyword = text(ast, 'keyword');
    if (keyword === 'database' || keyword === 'schema') {
      this.report('drop-database');
      return;
    }
    if (keyword === 'table') {
      const tables = tableNames(field(ast, 'name'));
      const existing = tables.filter((t) => !this.created.has(t));
      for (const t of tables) for (const k of [...this.options.history.columns.keys()]) if (k.startsWith(`${t}.`)) this.options.history.columns.delete(k);
      this.ddl(existing.length > 0);
      if (existing.length > 0) this.report('drop-table', { problem: `Deletes ${existing.map((t) => `\`${t}\``).join(', ')} and all rows (DDL commits implicitly: there is no rollback), and running code still using it fails.` });
      return;
    }
    if (keyword === 'index') this.ddl(!this.created.has(tableNames(field(ast, 'table'))[0] ?? ''));
  }
}

export const mysqlLinter: DialectLinter = {
  dialect: 'mysql',
  rules: MYSQL_RULES,
  lint(sql: string, options: LintOptions & { history: LintHistory }): RawFinding[] {
    let statements: LexedStatement[];
    try {
      statements = splitStatements(sql, MYSQL_LEXER);
    } catch (error) {
      const at = error instanceof LexError ? error.offset : skipTrivia(sql, 0, true);
      return [{ rule: PARSE_ERROR.id, statement: { start: at, end: sql.length }, problem: `${error instanceof Error ? error.message : String(error)}: the rest of the file cannot be read. ${PARSE_ERROR.problem}` }];
    }
    const lint = new MysqlLint(options);
    lint.run(statements);
    return lint.findings;
  },
};
