/**
 * Migration lint rules for PostgreSQL. Statements are parsed with libpg-query, which is
 * PostgreSQL's own grammar compiled to WebAssembly; every rule reads the real AST.
 */
import { scanSync } from 'libpg-query';
import type { ColumnDef, Constraint, Node, RangeVar, TypeName } from 'libpg-query';
import { as, nameListKey, nodeBody, parseStatements, stringsOf, tableKey, walk } from './parse.js';
import type { ParsedStatement } from './parse.js';
import { PARSE_ERROR } from '../../migrate/lint/framework-rules.js';
import { SourceText } from '../../migrate/lint/source.js';
import { compareTypes } from '../../migrate/lint/column-types.js';
import type { ColumnType, DialectLinter, LintHistory, LintOptions, RawFinding, RuleDefinition, StatementSpan } from '../../migrate/lint/types.js';


const rule = (def: RuleDefinition): RuleDefinition => def;

export const POSTGRES_RULES: readonly RuleDefinition[] = [
  // data loss
  rule({ id: 'drop-database', severity: 'error', category: 'data-loss', summary: 'DROP DATABASE', problem: 'Deletes the whole database and every row in it; nothing can be recovered without a backup.', fix: 'Never drop a database from a migration; take a verified backup and drop it by hand (`dbward exec` with approval) if it is really unused.' }),
  rule({ id: 'drop-schema', severity: 'error', category: 'data-loss', summary: 'DROP SCHEMA', problem: 'Deletes the schema (with CASCADE, every table in it) and all their rows.', fix: 'Stop using the schema first, take a backup, then drop it in a separate, reviewed migration with an ignore comment giving the reason.' }),
  rule({ id: 'drop-table', severity: 'error', category: 'data-loss', summary: 'DROP TABLE on an existing table', problem: 'Deletes the table and all its rows, and any running code still using it starts failing.', fix: 'Deploy code that no longer uses the table first; rename it aside (or keep it) for a release, take a backup, then drop it with an ignore comment giving the reason.' }),
  rule({ id: 'drop-column', severity: 'error', category: 'data-loss', summary: 'ALTER TABLE … DROP COLUMN', problem: "Deletes the column's data, and running code that still selects or inserts it fails immediately.", fix: 'Expand/contract: deploy code that no longer reads or writes the column, back it up, then drop it in a later migration with an ignore comment giving the reason.' }),
  rule({ id: 'truncate', severity: 'error', category: 'data-loss', summary: 'TRUNCATE', problem: 'Deletes every row of the table (with CASCADE also of every table referencing it) under an ACCESS EXCLUSIVE lock.', fix: 'Delete the rows you mean to delete with a WHERE clause, in batches; take a backup first.' }),
  rule({ id: 'delete-without-where', severity: 'error', category: 'data-loss', summary: 'DELETE without WHERE', problem: 'Deletes every row of the table.', fix: 'Add a WHERE clause naming the rows to delete; take a backup first.' }),
  rule({ id: 'narrowing-type-change', severity: 'error', category: 'data-loss', summary: 'ALTER COLUMN … TYPE to a narrower type than the column had (known from earlier migrations)', problem: 'The new type holds less than the old one (length, precision, range or a different kind): rows that do not fit make the migration fail after a long lock, and casts (USING, numeric scale, time precision) silently truncate or round values.', fix: 'Check the data first (`SELECT max(length(col))` …); keep the wider type and add a CHECK constraint NOT VALID, validated separately, if the limit matters.' }),
  // locking and rewrites
  rule({ id: 'changing-column-type', severity: 'error', category: 'locking', summary: 'ALTER COLUMN … TYPE on an existing table (except widening varchar/numeric)', problem: 'Most type changes rewrite the whole table and its indexes under an ACCESS EXCLUSIVE lock, blocking all reads and writes; running code may also break on the new type.', fix: 'Add a new column with the new type, backfill it in batches, switch the code over, then drop the old column in a later migration.' }),
  rule({ id: 'create-index-non-concurrently', severity: 'error', category: 'locking', summary: 'CREATE INDEX without CONCURRENTLY', problem: 'Building the index holds a SHARE lock on the table for the whole build: every INSERT, UPDATE and DELETE waits.', fix: 'CREATE INDEX CONCURRENTLY in a migration that runs outside a transaction (`-- dbward:no-transaction`); check for an INVALID index if it fails.' }),
  rule({ id: 'drop-index-non-concurrently', severity: 'warning', category: 'locking', summary: 'DROP INDEX without CONCURRENTLY', problem: 'DROP INDEX takes an ACCESS EXCLUSIVE lock on the table; while it waits for running queries every new query on the table queues behind it.', fix: 'DROP INDEX CONCURRENTLY in a migration that runs outside a transaction (`-- dbward:no-transaction`).' }),
  rule({ id: 'reindex-non-concurrently', severity: 'error', category: 'locking', summary: 'REINDEX without CONCURRENTLY', problem: 'REINDEX blocks writes to the table and reads that use the index for the whole rebuild.', fix: 'REINDEX … CONCURRENTLY (PostgreSQL 12+) outside a transaction.' }),
  rule({ id: 'adding-foreign-key', severity: 'error', category: 'locking', summary: 'FOREIGN KEY added without NOT VALID', problem: 'Adding a foreign key scans the whole table to validate it while holding SHARE ROW EXCLUSIVE locks on both tables, blocking writes to each.', fix: 'ADD CONSTRAINT … FOREIGN KEY … NOT VALID, then VALIDATE CONSTRAINT in a separate transaction (it only takes SHARE UPDATE EXCLUSIVE).' }),
  rule({ id: 'adding-check-constraint', severity: 'error', category: 'locking', summary: 'CHECK constraint added without NOT VALID', problem: 'Adding a CHECK constraint scans the whole table under an ACCESS EXCLUSIVE lock, blocking all reads and writes.', fix: 'ADD CONSTRAINT … CHECK (…) NOT VALID, then VALIDATE CONSTRAINT in a separate transaction.' }),
  rule({ id: 'validate-in-same-transaction', severity: 'error', category: 'locking', summary: 'VALIDATE CONSTRAINT in the transaction that added it NOT VALID', problem: 'The ACCESS EXCLUSIVE lock taken by ADD CONSTRAINT is held until commit, so the validating scan runs under it: NOT VALID gained nothing.', fix: 'Validate in a separate migration, or in one that runs outside a transaction (`-- dbward:no-transaction`).' }),
  rule({ id: 'set-not-null', severity: 'error', category: 'locking', summary: 'ALTER COLUMN … SET NOT NULL', problem: 'SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock to prove there are no NULLs, blocking all reads and writes.', fix: 'ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID; VALIDATE CONSTRAINT c (separately); then SET NOT NULL, which uses the valid constraint and skips the scan (PostgreSQL 12+); then DROP CONSTRAINT c.' }),
  rule({ id: 'adding-required-column', severity: 'error', category: 'runtime-failure', summary: 'ADD COLUMN … NOT NULL without a default', problem: 'Fails on any table that has rows ("column contains null values"), and running code that inserts without the column breaks once it succeeds.', fix: 'Add the column nullable (or with a constant DEFAULT), backfill, then make it NOT NULL with the CHECK … NOT VALID pattern.' }),
  rule({ id: 'adding-volatile-default', severity: 'error', category: 'locking', summary: 'ADD COLUMN with a volatile default (random(), gen_random_uuid(), serial, identity…)', problem: 'A volatile default has to be computed for every existing row: the whole table is rewritten under an ACCESS EXCLUSIVE lock. (Constant and stable defaults such as now() are free since PostgreSQL 11.)', fix: 'Add the column without the default (or with a constant one), set the default with ALTER COLUMN … SET DEFAULT, and backfill existing rows in batches.' }),
  rule({ id: 'adding-stored-generated-column', severity: 'error', category: 'locking', summary: 'ADD COLUMN … GENERATED ALWAYS AS (…) STORED', problem: 'Every existing row must be computed: the table is rewritten under an ACCESS EXCLUSIVE lock.', fix: 'Add a plain column, backfill it in batches and maintain it with a trigger, or create the generated column when the table is created.' }),
  rule({ id: 'adding-unique-constraint', severity: 'error', category: 'locking', summary: 'UNIQUE constraint added without USING INDEX', problem: 'The unique index is built while the table is locked ACCESS EXCLUSIVE: all reads and writes wait for the build.', fix: 'CREATE UNIQUE INDEX CONCURRENTLY idx … (outside a transaction), then ALTER TABLE … ADD CONSTRAINT c UNIQUE USING INDEX idx.' }),
  rule({ id: 'adding-primary-key', severity: 'error', category: 'locking', summary: 'PRIMARY KEY added without USING INDEX', problem: 'The primary key index is built (and NOT NULL checked) while the table is locked ACCESS EXCLUSIVE: all reads and writes wait.', fix: 'CREATE UNIQUE INDEX CONCURRENTLY idx … (outside a transaction), make the columns NOT NULL safely, then ALTER TABLE … ADD CONSTRAINT pk PRIMARY KEY USING INDEX idx.' }),
  rule({ id: 'table-rewrite', severity: 'error', category: 'locking', summary: 'VACUUM FULL, CLUSTER, SET TABLESPACE, SET LOGGED/UNLOGGED', problem: 'Rewrites the whole table under an ACCESS EXCLUSIVE lock: all reads and writes wait for the copy.', fix: 'Use pg_repack or pg_squeeze outside migrations, or schedule a maintenance window.' }),
  rule({ id: 'detach-partition-non-concurrently', severity: 'warning', category: 'locking', summary: 'DETACH PARTITION without CONCURRENTLY', problem: 'Detaching takes an ACCESS EXCLUSIVE lock on the parent table, blocking all queries on every partition.', fix: 'ALTER TABLE … DETACH PARTITION … CONCURRENTLY (PostgreSQL 14+) outside a transaction.' }),
  rule({ id: 'domain-check-constraint', severity: 'warning', category: 'locking', summary: 'CHECK constraints on domains', problem: 'Adding a constraint to a domain later checks every column of that domain in every table under lock, and domain constraints cannot be changed online.', fix: 'Put CHECK constraints on the table columns (added NOT VALID and validated separately).' }),
  // backward compatibility
  rule({ id: 'rename-table', severity: 'error', category: 'compatibility', summary: 'Renaming a table or view', problem: 'Running code (the release being replaced, other services) still uses the old name and fails the moment the migration commits.', fix: 'Create the new table name as a copy or rename and leave a view with the old name until no code uses it; or expand/contract over two releases.' }),
  rule({ id: 'rename-column', severity: 'error', category: 'compatibility', summary: 'Renaming a column', problem: 'Running code still reads and writes the old column name and fails the moment the migration commits.', fix: 'Add the new column, write both and backfill, switch reads, then drop the old column in a later release.' }),
  rule({ id: 'drop-not-null', severity: 'warning', category: 'compatibility', summary: 'ALTER COLUMN … DROP NOT NULL', problem: 'Making a column nullable is usually the safe first step of removing it, but code that reads the column (including the release still running) may not expect NULLs once new code writes them.', fix: 'Make sure every reader handles NULL before code starts writing NULLs; then keep this with an ignore comment saying so.' }),
  rule({ id: 'enum-value-order', severity: 'warning', category: 'compatibility', summary: 'ALTER TYPE … ADD VALUE … BEFORE/AFTER', problem: 'Inserting a value in the middle changes how existing values sort and compare (ORDER BY, <, >), and comparisons involving it are slower.', fix: 'Append new enum values at the end, or use a lookup table when order matters.' }),
  rule({ id: 'enum-add-value-in-transaction', severity: 'error', category: 'transaction', summary: 'ALTER TYPE … ADD VALUE used in the same transaction (or inside one before PostgreSQL 12)', problem: 'The new value cannot be used until the transaction commits ("unsafe use of new value"); before PostgreSQL 12 ADD VALUE cannot run inside a transaction block at all.', fix: 'Add the enum value in its own migration (outside a transaction on PostgreSQL < 12) and use it in a later one.' }),
  // transactions and timeouts
  rule({ id: 'concurrently-in-transaction', severity: 'error', category: 'transaction', summary: 'CONCURRENTLY inside a transaction', problem: 'CREATE/DROP INDEX CONCURRENTLY, REINDEX CONCURRENTLY and DETACH PARTITION CONCURRENTLY cannot run inside a transaction block: the migration fails.', fix: 'Put the statement in its own migration marked `-- dbward:no-transaction`.' }),
  rule({ id: 'not-allowed-in-transaction', severity: 'error', category: 'transaction', summary: 'VACUUM, CREATE/DROP DATABASE inside a transaction', problem: 'The statement cannot run inside a transaction block: the migration fails.', fix: 'Run it outside migrations, or in a migration marked `-- dbward:no-transaction`.' }),
  rule({ id: 'transaction-nesting', severity: 'error', category: 'transaction', summary: 'BEGIN/COMMIT/ROLLBACK in a migration the runner wraps in a transaction', problem: "The runner already opened a transaction: BEGIN only warns, but COMMIT ends the runner's transaction early, so a later failure leaves the migration half applied and unrecorded.", fix: 'Remove the transaction statements, or mark the migration `-- dbward:no-transaction` and manage the transaction yourself.' }),
  rule({ id: 'uncommitted-transaction', severity: 'error', category: 'transaction', summary: 'BEGIN without COMMIT', problem: 'The transaction is left open at the end of the migration: its locks are held and its changes are rolled back or committed by accident.', fix: 'End the transaction with COMMIT in the same file.' }),
  rule({ id: 'require-lock-timeout', severity: 'error', category: 'transaction', summary: 'No SET lock_timeout before DDL that locks an existing table', problem: 'DDL waits for its lock behind any long-running query, and while it waits every other query on the table queues behind it: a few seconds of waiting becomes an outage.', fix: "Start the migration with SET lock_timeout = '5s' (and retry on failure), so that a blocked migration fails instead of blocking the application." }),
  rule({ id: 'require-statement-timeout', severity: 'warning', category: 'transaction', summary: 'No SET statement_timeout before DDL that locks an existing table', problem: 'A statement that turns out to be slow (a scan or rewrite of a big table) holds its lock for as long as it runs.', fix: "SET statement_timeout = '…' at the start of the migration to bound how long any lock can be held." }),
  // types
  rule({ id: 'prefer-bigint-over-int', severity: 'warning', category: 'types', summary: 'integer, smallint and serial columns', problem: '32- and 16-bit integers run out (2^31 ids come sooner than expected), and widening later is a locking table rewrite.', fix: 'Use bigint (bigint GENERATED ALWAYS AS IDENTITY for keys).' }),
  rule({ id: 'prefer-identity', severity: 'warning', category: 'types', summary: 'serial types', problem: 'serial creates a separately owned sequence with its own permissions and dependency quirks.', fix: 'Use bigint GENERATED ALWAYS AS IDENTITY.' }),
  rule({ id: 'prefer-text-over-varchar', severity: 'warning', category: 'types', summary: 'varchar(n) columns', problem: 'Lowering the limit later rewrites the table, and the limit gives no storage or speed benefit over text.', fix: 'Use text, with a CHECK (length(col) <= n) constraint if a limit is really needed.' }),
  rule({ id: 'prefer-timestamptz', severity: 'warning', category: 'types', summary: 'timestamp without time zone', problem: 'timestamp drops the UTC offset: the same instant written from two time zones is stored as two different values.', fix: 'Use timestamptz.' }),
  rule({ id: 'ban-char-field', severity: 'warning', category: 'types', summary: 'char(n) columns', problem: 'char(n) pads values with spaces, which breaks comparisons and wastes space; it is almost always a mistake.', fix: 'Use text (or varchar).' }),
  rule({ id: 'identifier-too-long', severity: 'warning', category: 'types', summary: 'Identifiers longer than 63 bytes', problem: 'PostgreSQL silently truncates identifiers to 63 bytes: two long names can collide and tools that use the full name do not find the object.', fix: 'Use a name of at most 63 bytes.' }),
];

// ---------------------------------------------------------------------------------------------
// AST helpers

function typeBaseName(type: TypeName | undefined): string {
  const names = stringsOf(type?.names);
  return (names[names.length - 1] ?? '').toLowerCase();
}

function constConstant(node: Node | undefined): string | undefined {
  const c = as<{ sval?: { sval?: string }; ival?: { ival?: number }; fval?: { fval?: string } }>(node, 'A_Const');
  if (!c) return undefined;
  if (c.sval) return c.sval.sval ?? '';
  if (c.ival) return String(c.ival.ival ?? 0);
  if (c.fval) return c.fval.fval ?? '';
  return undefined;
}

const SERIAL_TYPES = new Set(['serial', 'serial4', 'smallserial', 'serial2', 'bigserial', 'serial8']);
const SMALL_INT_TYPES = new Set(['int2', 'int4', 'serial', 'serial4', 'smallserial', 'serial2']);
const VOLATILE_FUNCTIONS = new Set(['random', 'gen_random_uuid', 'uuid_generate_v1', 'uuid_generate_v1mc', 'uuid_generate_v4', 'uuidv4', 'uuidv7', 'clock_timestamp', 'timeofday', 'nextval', 'setval', 'txid_current', 'pg_current_xact_id', 'random_normal']);
/** Functions known to be immutable or stable: fine as defaults since PostgreSQL 11. */
const NON_VOLATILE_FUNCTIONS = new Set(['now', 'statement_timestamp', 'transaction_timestamp', 'current_setting', 'lower', 'upper', 'coalesce', 'concat', 'md5', 'to_char', 'to_timestamp', 'to_date', 'to_json', 'to_jsonb', 'jsonb_build_object', 'json_build_object', 'jsonb_build_array', 'json_build_array', 'array', 'make_date', 'make_timestamp', 'make_timestamptz', 'make_interval', 'length', 'btrim', 'trim', 'replace', 'abs', 'round', 'greatest', 'least', 'timezone', 'date_trunc']);
const TYPE_ALIASES: Record<string, string> = {
  int2: 'smallint', int4: 'int', int8: 'bigint', serial: 'int', serial4: 'int', smallserial: 'smallint', serial2: 'smallint',
  bigserial: 'bigint', serial8: 'bigint', float4: 'real', float8: 'double', bpchar: 'char', decimal: 'numeric',
};

/** The type as compared by compareTypes. */
function columnType(type: TypeName | undefined): ColumnType {
  const base = typeBaseName(type);
  const args = (type?.typmods ?? []).map((m) => Number(constConstant(m))).filter((n) => !Number.isNaN(n));
  return { name: TYPE_ALIASES[base] ?? base, args };
}

/** The first volatile (or unknown) function call in a default expression. */
function volatileCall(expr: Node | undefined): { name: string; known: boolean } | undefined {
  let found: { name: string; known: boolean } | undefined;
  walk(expr, (kind, body) => {
    if (found || kind !== 'FuncCall') return;
    const names = stringsOf((body as { funcname?: Node[] }).funcname);
    const name = (names[names.length - 1] ?? '').toLowerCase();
    if (VOLATILE_FUNCTIONS.has(name)) found = { name, known: true };
    else if (!NON_VOLATILE_FUNCTIONS.has(name)) found = { name, known: false };
  });
  return found;
}

function constraintsOf(def: ColumnDef): Constraint[] {
  return (def.constraints ?? []).map((c) => as<Constraint>(c, 'Constraint')).filter((c): c is Constraint => c !== undefined);
}

// ---------------------------------------------------------------------------------------------
// The rules

class PostgresLint {
  readonly findings: RawFinding[] = [];
  private readonly created = new Set<string>();
  private lockTimeout = false;
  private statementTimeout = false;
  private lockTimeoutReported = false;
  private statementTimeoutReported = false;
  private explicitBegin: StatementSpan | undefined;
  /** Constraints added NOT VALID in this file: `table|name`. */
  private readonly notValid = new Set<string>();
  /** NOT VALID checks of the form `col IS NOT NULL`: `table|name` → column. */
  private readonly notNullChecks = new Map<string, string>();
  /** Columns with a validated `IS NOT NULL` check: `table.column`. */
  private readonly provenNotNull = new Set<string>();
  /** Enum values added in the current transaction. */
  private addedEnumValues: { value: string; span: StatementSpan }[] = [];
  private span: StatementSpan = { start: 0, end: 0 };

  constructor(
    private readonly source: SourceText,
    private readonly options: LintOptions & { history: LintHistory },
  ) {}

  private report(ruleId: string, extra: { at?: number | undefined; problem?: string; fix?: string } = {}): void {
    const finding: RawFinding = { rule: ruleId, statement: this.span };
    if (extra.at !== undefined) finding.at = this.source.charOffset(extra.at);
    if (extra.problem) finding.problem = extra.problem;
    if (extra.fix) finding.fix = extra.fix;
    this.findings.push(finding);
  }

  private inTransaction(): boolean {
    return this.options.inTransaction || this.explicitBegin !== undefined;
  }

  private get version(): number {
    return this.options.serverVersion ?? 99;
  }

  /** A statement that takes a lock blocking reads or writes on an existing table. */
  private risky(): void {
    if (!this.lockTimeout && !this.lockTimeoutReported) {
      this.lockTimeoutReported = true;
      this.report('require-lock-timeout');
    }
    if (!this.statementTimeout && !this.statementTimeoutReported) {
      this.statementTimeoutReported = true;
      this.report('require-statement-timeout');
    }
  }

  run(statements: ParsedStatement[]): void {
    for (const statement of statements) {
      this.span = statement.span;
      if (statement.error) {
        this.findings.push({ rule: PARSE_ERROR.id, statement: statement.span, at: statement.error.at, problem: `PostgreSQL's parser rejects the statement: ${statement.error.message}. ${PARSE_ERROR.problem}` });
        continue;
      }
      this.checkEnumValueUse(statement.node);
      this.statement(statement.node);
    }
    if (this.explicitBegin) {
      this.findings.push({ rule: 'uncommitted-transaction', statement: this.explicitBegin });
    }
    this.checkIdentifiers(statements);
  }

  private statement(node: Node | undefined): void {
    const body = nodeBody(node);
    if (!body) return;
    const [kind, stmt] = body;
    switch (kind) {
      case 'TransactionStmt': return this.transaction(stmt as { kind?: string });
      case 'VariableSetStmt': return this.variableSet(stmt as { kind?: string; name?: string; args?: Node[] });
      case 'CreateStmt': return this.createTable(stmt as { relation?: RangeVar; tableElts?: Node[] });
      case 'CreateTableAsStmt': {
        this.created.add(tableKey((stmt as { into?: { rel?: RangeVar } }).into?.rel));
        return;
      }
      case 'IndexStmt': return this.createIndex(stmt as { relation?: RangeVar; concurrent?: boolean; idxname?: string });
      case 'AlterTableStmt': return this.alterTable(stmt as { relation?: RangeVar; cmds?: Node[]; objtype?: string });
      case 'RenameStmt': return this.rename(stmt as { renameType?: string; relationType?: string; relation?: RangeVar; newname?: string });
      case 'DropStmt': return this.drop(stmt as { objects?: Node[]; removeType?: string; concurrent?: boolean });
      case 'DropdbStmt':
        this.report('drop-database');
        if (this.inTransaction()) this.report('not-allowed-in-transaction');
        return;
      case 'CreatedbStmt':
        if (this.inTransaction()) this.report('not-allowed-in-transaction');
        return;
      case 'TruncateStmt': return this.truncate(stmt as { relations?: Node[] });
      case 'DeleteStmt': {
        const del = stmt as { relation?: RangeVar; whereClause?: Node };
        if (!del.whereClause && !this.created.has(tableKey(del.relation))) this.report('delete-without-where');
        return;
      }
      case 'AlterEnumStmt': return this.alterEnum(stmt as { newVal?: string; newValNeighbor?: string; skipIfNewValExists?: boolean });
      case 'ReindexStmt': return this.reindex(stmt as { params?: Node[] });
      case 'VacuumStmt': return this.vacuum(stmt as { options?: Node[]; is_vacuumcmd?: boolean });
      case 'ClusterStmt':
        this.report('table-rewrite', { problem: 'CLUSTER rewrites the whole table in index order under an ACCESS EXCLUSIVE lock: all reads and writes wait for the copy.' });
        this.risky();
        return;
      case 'CreateTrigStmt':
        if (!this.created.has(tableKey((stmt as { relation?: RangeVar }).relation))) this.risky();
        return;
      case 'CreateDomainStmt': {
        const constraints = ((stmt as { constraints?: Node[] }).constraints ?? []).map((c) => as<Constraint>(c, 'Constraint'));
        if (constraints.some((c) => c?.contype === 'CONSTR_CHECK')) this.report('domain-check-constraint');
        return;
      }
      case 'AlterDomainStmt':
        if ((stmt as { subtype?: string }).subtype === 'C') {
          this.report('domain-check-constraint');
          this.risky();
        }
        return;
      default:
        return;
    }
  }

  private transaction(stmt: { kind?: string }): void {
    const kind = stmt.kind ?? '';
    if (kind === 'TRANS_STMT_BEGIN' || kind === 'TRANS_STMT_START') {
      if (this.options.inTransaction) this.report('transaction-nesting');
      this.explicitBegin = this.span;
    } else if (kind === 'TRANS_STMT_COMMIT' || kind === 'TRANS_STMT_ROLLBACK' || kind === 'TRANS_STMT_PREPARE' || kind === 'TRANS_STMT_COMMIT_PREPARED') {
      if (this.options.inTransaction) this.report('transaction-nesting');
      this.explicitBegin = undefined;
      if (!this.options.inTransaction) this.addedEnumValues = [];
    }
  }

  private variableSet(stmt: { kind?: string; name?: string; args?: Node[] }): void {
    const name = (stmt.name ?? '').toLowerCase();
    if (name !== 'lock_timeout' && name !== 'statement_timeout') return;
    const value = stmt.kind === 'VAR_SET_VALUE' ? constConstant(stmt.args?.[0]) : undefined;
    // 0 (in any unit) disables the timeout.
    const set = value !== undefined && Number.parseFloat(value) !== 0 && !Number.isNaN(Number.parseFloat(value));
    if (name === 'lock_timeout') this.lockTimeout = set;
    else this.statementTimeout = set;
  }

  private checkTypes(def: ColumnDef): void {
    const type = def.typeName;
    const base = typeBaseName(type);
    const at = type?.location;
    if (SMALL_INT_TYPES.has(base)) this.report('prefer-bigint-over-int', { at });
    if (SERIAL_TYPES.has(base)) this.report('prefer-identity', { at });
    if (base === 'varchar' && (type?.typmods?.length ?? 0) > 0) this.report('prefer-text-over-varchar', { at });
    if (base === 'timestamp' && stringsOf(type?.names)[0] === 'pg_catalog') this.report('prefer-timestamptz', { at });
    if (base === 'bpchar' && stringsOf(type?.names)[0] === 'pg_catalog') this.report('ban-char-field', { at });
  }

  /** The parser has already truncated identifiers in the AST, so long ones are found in PostgreSQL's token stream. */
  private checkIdentifiers(statements: ParsedStatement[]): void {
    let tokens: { start: number; end: number; text: string; tokenName: string }[];
    try {
      tokens = scanSync(this.source.text).tokens;
    } catch {
      return;
    }
    for (const token of tokens) {
      if (token.tokenName !== 'IDENT') continue;
      const name = token.text.startsWith('"') ? token.text.slice(1, -1).replaceAll('""', '"') : token.text;
      const bytes = Buffer.byteLength(name, 'utf8');
      if (bytes <= 63) continue;
      const at = this.source.charOffset(token.start);
      const statement = statements.find((s) => s.span.start <= at && at <= s.span.end);
      if (!statement || statement.error) continue;
      this.findings.push({ rule: 'identifier-too-long', statement: statement.span, at, problem: `"${name}" is ${bytes} bytes; PostgreSQL silently truncates it to 63, so two long names can collide and tools using the full name do not find the object.` });
    }
  }

  private remember(table: string, column: string | undefined, type: TypeName | undefined): void {
    if (column && type) this.options.history.columns.set(`${table}.${column}`.toLowerCase(), columnType(type));
  }

  private createTable(stmt: { relation?: RangeVar; tableElts?: Node[] }): void {
    this.created.add(tableKey(stmt.relation));
    for (const elt of stmt.tableElts ?? []) {
      const column = as<ColumnDef>(elt, 'ColumnDef');
      if (!column) continue;
      this.checkTypes(column);
      this.remember(tableKey(stmt.relation), column.colname, column.typeName);
    }
  }

  private createIndex(stmt: { relation?: RangeVar; concurrent?: boolean; idxname?: string }): void {
    if (stmt.concurrent) {
      if (this.inTransaction()) this.report('concurrently-in-transaction');
      return;
    }
    if (this.created.has(tableKey(stmt.relation))) return;
    this.report('create-index-non-concurrently');
    this.risky();
  }

  private alterTable(stmt: { relation?: RangeVar; cmds?: Node[]; objtype?: string }): void {
    const table = tableKey(stmt.relation);
    const isNew = this.created.has(table);
    const cmds = (stmt.cmds ?? []).map((c) => as<{ subtype?: string; def?: Node }>(c, 'AlterTableCmd'));
    // VALIDATE CONSTRAINT and DETACH … CONCURRENTLY take SHARE UPDATE EXCLUSIVE: reads and writes go on.
    const weakLock = cmds.every((c) => c?.subtype === 'AT_ValidateConstraint' || (c?.subtype === 'AT_DetachPartition' && as<{ concurrent?: boolean }>(c.def, 'PartitionCmd')?.concurrent));
    if (!isNew && !weakLock) this.risky();
    for (const cmdNode of stmt.cmds ?? []) {
      const cmd = as<{ subtype?: string; name?: string; def?: Node }>(cmdNode, 'AlterTableCmd');
      if (cmd) this.alterTableCmd(table, isNew, cmd);
    }
  }

  private alterTableCmd(table: string, isNew: boolean, cmd: { subtype?: string; name?: string; def?: Node }): void {
    switch (cmd.subtype) {
      case 'AT_AddColumn': {
        const def = as<ColumnDef>(cmd.def, 'ColumnDef');
        if (def) this.addColumn(def, isNew);
        this.remember(table, def?.colname, def?.typeName);
        return;
      }
      case 'AT_DropColumn':
        if (!isNew) this.report('drop-column', { problem: `Deletes column "${cmd.name ?? ''}" and its data, and running code that still selects or inserts it fails immediately.` });
        return;
      case 'AT_AlterColumnType': {
        const def = as<ColumnDef>(cmd.def, 'ColumnDef');
        if (!def) return;
        this.checkTypes(def);
        const key = `${table}.${cmd.name ?? ''}`.toLowerCase();
        const old = this.options.history.columns.get(key);
        const next = columnType(def.typeName);
        this.options.history.columns.set(key, next);
        if (isNew) return;
        const change = old ? compareTypes(old, next) : undefined;
        if (change === 'narrowing') {
          this.report('narrowing-type-change', { at: def.typeName?.location, problem: `${old?.name ?? ''}${old?.args.length ? `(${old.args.join(',')})` : ''} → ${next.name}${next.args.length ? `(${next.args.join(',')})` : ''} narrows the column: rows that do not fit make the migration fail after a long lock, and casts silently truncate or round values.` });
        }
        // Widening a varchar or numeric precision is binary compatible: no rewrite, only a short lock.
        const binaryCompatible = (change === 'same' || change === 'widening') && old !== undefined && (['varchar', 'text', 'numeric'].includes(old.name) && ['varchar', 'text', 'numeric'].includes(next.name)) && !def.raw_default;
        if (!binaryCompatible) this.report('changing-column-type', { at: def.location });
        return;
      }
      case 'AT_SetNotNull':
        if (!isNew && !this.provenNotNull.has(`${table}.${cmd.name ?? ''}`)) this.report('set-not-null');
        return;
      case 'AT_DropNotNull':
        if (!isNew) this.report('drop-not-null');
        return;
      case 'AT_AddConstraint': {
        const constraint = as<Constraint>(cmd.def, 'Constraint');
        if (constraint) this.addConstraint(table, isNew, constraint);
        return;
      }
      case 'AT_ValidateConstraint': {
        const key = `${table}|${cmd.name ?? ''}`;
        if (this.notValid.has(key) && this.inTransaction()) this.report('validate-in-same-transaction');
        const column = this.notNullChecks.get(key);
        if (column) this.provenNotNull.add(`${table}.${column}`);
        return;
      }
      case 'AT_SetTableSpace':
      case 'AT_SetLogged':
      case 'AT_SetUnLogged':
      case 'AT_SetAccessMethod':
        if (!isNew) this.report('table-rewrite');
        return;
      case 'AT_DetachPartition': {
        const part = as<{ concurrent?: boolean }>(cmd.def, 'PartitionCmd');
        if (part?.concurrent) {
          if (this.inTransaction()) this.report('concurrently-in-transaction');
        } else {
          this.report('detach-partition-non-concurrently');
        }
        return;
      }
      default:
        return;
    }
  }

  private addColumn(def: ColumnDef, isNew: boolean): void {
    this.checkTypes(def);
    if (isNew) return;
    const constraints = constraintsOf(def);
    const has = (type: string): Constraint | undefined => constraints.find((c) => c.contype === type);
    const defaultConstraint = has('CONSTR_DEFAULT');
    const identity = has('CONSTR_IDENTITY');
    const generated = has('CONSTR_GENERATED');
    const serial = SERIAL_TYPES.has(typeBaseName(def.typeName));
    const at = def.location;
    if (has('CONSTR_NOTNULL') && !defaultConstraint && !identity && !generated && !serial) this.report('adding-required-column', { at });
    if (generated && generated.generated_kind !== 'v') this.report('adding-stored-generated-column', { at });
    if (serial) this.report('adding-volatile-default', { at, problem: 'A serial column fills every existing row from a sequence (nextval is volatile): the whole table is rewritten under an ACCESS EXCLUSIVE lock.' });
    if (identity) this.report('adding-volatile-default', { at, problem: 'An identity column fills every existing row from a sequence: the whole table is rewritten under an ACCESS EXCLUSIVE lock.' });
    if (defaultConstraint) {
      const call = volatileCall(defaultConstraint.raw_expr);
      const isNull = as<{ isnull?: boolean }>(defaultConstraint.raw_expr, 'A_Const')?.isnull === true;
      if (this.version < 11 && !isNull) {
        this.report('adding-volatile-default', { at, problem: 'Before PostgreSQL 11 any non-NULL default on a new column rewrites the whole table under an ACCESS EXCLUSIVE lock.' });
      } else if (call) {
        this.report('adding-volatile-default', {
          at,
          problem: call.known
            ? `The default calls ${call.name}(), which is volatile: it is computed for every existing row, rewriting the whole table under an ACCESS EXCLUSIVE lock.`
            : `The default calls ${call.name}(), which dbward cannot prove is not volatile; a volatile default is computed for every existing row, rewriting the whole table under an ACCESS EXCLUSIVE lock.`,
        });
      }
    }
    if (has('CONSTR_UNIQUE')) this.report('adding-unique-constraint', { at });
    if (has('CONSTR_PRIMARY')) this.report('adding-primary-key', { at });
    if (has('CONSTR_FOREIGN')) this.report('adding-foreign-key', { at, fix: 'Add the column without REFERENCES, then ADD CONSTRAINT … FOREIGN KEY … NOT VALID and VALIDATE CONSTRAINT in a separate transaction.' });
    if (has('CONSTR_CHECK')) this.report('adding-check-constraint', { at, fix: 'Add the column without the CHECK, then ADD CONSTRAINT … CHECK (…) NOT VALID and VALIDATE CONSTRAINT in a separate transaction.' });
  }

  private addConstraint(table: string, isNew: boolean, constraint: Constraint): void {
    const key = `${table}|${constraint.conname ?? ''}`;
    if (constraint.skip_validation) this.notValid.add(key);
    if (isNew) return;
    const at = constraint.location;
    switch (constraint.contype) {
      case 'CONSTR_FOREIGN':
        if (!constraint.skip_validation) this.report('adding-foreign-key', { at });
        return;
      case 'CONSTR_CHECK': {
        if (!constraint.skip_validation) {
          this.report('adding-check-constraint', { at });
          return;
        }
        const test = as<{ arg?: Node; nulltesttype?: string }>(constraint.raw_expr, 'NullTest');
        const column = stringsOf(as<{ fields?: Node[] }>(test?.arg, 'ColumnRef')?.fields);
        if (test?.nulltesttype === 'IS_NOT_NULL' && column.length === 1) this.notNullChecks.set(key, column[0] ?? '');
        return;
      }
      case 'CONSTR_UNIQUE':
        if (!constraint.indexname) this.report('adding-unique-constraint', { at });
        return;
      case 'CONSTR_PRIMARY':
        if (!constraint.indexname) this.report('adding-primary-key', { at });
        return;
      default:
        return;
    }
  }

  private rename(stmt: { renameType?: string; relationType?: string; relation?: RangeVar; newname?: string }): void {
    const table = tableKey(stmt.relation);
    if (this.created.has(table)) return;
    const type = stmt.renameType;
    if (type === 'OBJECT_TABLE' || type === 'OBJECT_VIEW' || type === 'OBJECT_MATVIEW') {
      this.report('rename-table');
      this.risky();
    } else if (type === 'OBJECT_COLUMN' && (stmt.relationType === 'OBJECT_TABLE' || stmt.relationType === 'OBJECT_VIEW' || stmt.relationType === 'OBJECT_MATVIEW')) {
      this.report('rename-column');
      this.risky();
    }
  }

  private drop(stmt: { objects?: Node[]; removeType?: string; concurrent?: boolean }): void {
    const names = (stmt.objects ?? []).map((o) => nameListKey(as<{ items?: Node[] }>(o, 'List')?.items));
    switch (stmt.removeType) {
      case 'OBJECT_TABLE': {
        for (const name of names) {
          for (const key of [...this.options.history.columns.keys()]) if (key.startsWith(`${name.toLowerCase()}.`)) this.options.history.columns.delete(key);
        }
        const existing = names.filter((n) => !this.created.has(n));
        if (existing.length > 0) {
          this.report('drop-table', { problem: `Deletes ${existing.map((n) => `"${n}"`).join(', ')} and all rows, and any running code still using it starts failing.` });
          this.risky();
        }
        return;
      }
      case 'OBJECT_SCHEMA':
        this.report('drop-schema');
        return;
      case 'OBJECT_INDEX':
        if (stmt.concurrent) {
          if (this.inTransaction()) this.report('concurrently-in-transaction');
        } else {
          this.report('drop-index-non-concurrently');
          this.risky();
        }
        return;
      default:
        return;
    }
  }

  private truncate(stmt: { relations?: Node[] }): void {
    const tables = (stmt.relations ?? []).map((r) => tableKey(as<RangeVar>(r, 'RangeVar')));
    if (tables.every((t) => this.created.has(t))) return;
    this.report('truncate');
    this.risky();
  }

  private alterEnum(stmt: { newVal?: string; newValNeighbor?: string; skipIfNewValExists?: boolean }): void {
    if (stmt.newVal === undefined) return;
    if (stmt.newValNeighbor !== undefined) this.report('enum-value-order');
    if (!this.inTransaction()) return;
    if (this.version < 12) {
      this.report('enum-add-value-in-transaction', { problem: 'Before PostgreSQL 12, ALTER TYPE … ADD VALUE cannot run inside a transaction block: the migration fails.' });
      return;
    }
    this.addedEnumValues.push({ value: stmt.newVal, span: this.span });
  }

  /** A later statement in the same transaction that uses an enum value added in it fails. */
  private checkEnumValueUse(node: Node | undefined): void {
    if (this.addedEnumValues.length === 0 || !node) return;
    let used: string | undefined;
    walk(node, (kind, body) => {
      if (used !== undefined || kind !== 'A_Const') return;
      const value = (body as { sval?: { sval?: string } }).sval?.sval;
      if (value !== undefined && this.addedEnumValues.some((v) => v.value === value)) used = value;
    });
    if (used !== undefined && !as(node, 'AlterEnumStmt')) {
      this.report('enum-add-value-in-transaction', { problem: `The enum value '${used}' was added earlier in this transaction and cannot be used before it commits: the migration fails with "unsafe use of new value".` });
    }
  }

  private reindex(stmt: { params?: Node[] }): void {
    const concurrent = (stmt.params ?? []).some((p) => as<{ defname?: string }>(p, 'DefElem')?.defname === 'concurrently');
    if (concurrent) {
      if (this.inTransaction()) this.report('concurrently-in-transaction');
      return;
    }
    this.report('reindex-non-concurrently');
    this.risky();
  }

  private vacuum(stmt: { options?: Node[]; is_vacuumcmd?: boolean }): void {
    if (!stmt.is_vacuumcmd) return;
    if (this.inTransaction()) this.report('not-allowed-in-transaction');
    const full = (stmt.options ?? []).some((o) => as<{ defname?: string }>(o, 'DefElem')?.defname === 'full');
    if (full) {
      this.report('table-rewrite', { problem: 'VACUUM FULL rewrites the whole table under an ACCESS EXCLUSIVE lock: all reads and writes wait for the copy.' });
      this.risky();
    }
  }
}

export const postgresLinter: DialectLinter = {
  dialect: 'postgres',
  rules: POSTGRES_RULES,
  lint(sql: string, options: LintOptions & { history: LintHistory }): RawFinding[] {
    const source = new SourceText(sql);
    const lint = new PostgresLint(source, options);
    lint.run(parseStatements(source));
    return lint.findings;
  },
};
