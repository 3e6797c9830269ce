/**
 * Read a SQLite database's catalog into the engine-neutral SchemaModel.
 *
 * The PRAGMAs (table_list, table_xinfo, index_list, index_xinfo, foreign_key_list) give the
 * structure; what they leave out — check constraints, generation expressions, foreign key names,
 * index expressions and predicates, trigger timing — is read from the CREATE statements stored in
 * sqlite_schema with a small tokenizer that respects quotes, comments and parentheses.
 *
 * SQLite keeps SQL text as it was written, so every expression taken from it is whitespace-normalised
 * (comments dropped, each run of whitespace made one space) so that formatting alone never changes the
 * fingerprint.
 */
import type Database from 'better-sqlite3';
import { UsageError } from '../../core/errors.js';
import { finalizeModel } from '../../schema/fingerprint.js';
import type {
  CheckConstraint,
  Column,
  ForeignKey,
  Index,
  ReferentialAction,
  SchemaModel,
  Table,
  Trigger,
  TypeCategory,
  UniqueConstraint,
  View,
} from '../../schema/model.js';
import type { IntrospectOptions } from '../engine.js';

const SCHEMA = 'main';

interface SchemaRow {
  type: 'table' | 'index' | 'view' | 'trigger';
  name: string;
  tbl_name: string;
  sql: string | null;
}

interface ColumnInfo {
  cid: number;
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
  pk: number;
  /** 0 normal, 1 hidden column of a virtual table, 2 virtual generated, 3 stored generated. */
  hidden: number;
}

interface IndexListRow {
  name: string;
  unique: number;
  /** 'c' CREATE INDEX, 'u' UNIQUE constraint, 'pk' PRIMARY KEY. */
  origin: 'c' | 'u' | 'pk';
  partial: number;
}

interface IndexColumnRow {
  seqno: number;
  /** Column number; -1 the rowid, -2 an expression. */
  cid: number;
  name: string | null;
  key: number;
}

interface ForeignKeyRow {
  id: number;
  seq: number;
  table: string;
  from: string;
  to: string | null;
  on_update: string;
  on_delete: string;
}

export function introspectSqlite(db: Database.Database, database: string, options: IntrospectOptions): SchemaModel {
  const read = () => {
    const objects = db.prepare(`SELECT type, name, tbl_name, sql FROM main.sqlite_schema WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'`).all() as SchemaRow[];
    const kinds = new Map((db.pragma('main.table_list') as { name: string; type: string; wr: number }[]).map((t) => [t.name, t]));
    // Shadow tables hold a virtual table's data (e.g. FTS5 segments): storage, not schema.
    let tables = objects.filter((o) => o.type === 'table' && kinds.get(o.name)?.type !== 'shadow');
    let views = objects.filter((o) => o.type === 'view');
    if (options.table !== undefined) {
      tables = [findTable(tables, options.table)];
      views = [];
    }
    const sizes = options.sizes === false ? null : pageSizes(db);
    return finalizeModel({
      engine: 'sqlite',
      database,
      serverVersion: (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v,
      schemas: [SCHEMA],
      tables: tables.map((t) => readTable(db, t, objects, kinds.get(t.name)?.wr === 1, sizes)),
      views: views.map((v) => readView(db, v)),
      sequences: [],
      enums: [],
    });
  };
  // One read transaction, so the model is a consistent snapshot (a savepoint inside a caller's transaction).
  return db.transaction(read).deferred();
}

function findTable(tables: SchemaRow[], wanted: string): SchemaRow {
  const name = wanted.toLowerCase().startsWith(`${SCHEMA}.`) ? wanted.slice(SCHEMA.length + 1) : wanted;
  const found = tables.find((t) => t.name === name) ?? tables.find((t) => t.name.toLowerCase() === name.toLowerCase());
  if (!found) throw new UsageError(`No table named "${wanted}" in the SQLite database.`, 'Check the name; `dbward` lists tables in its schema output.');
  return found;
}

/** Bytes per table or index name from the dbstat virtual table; null when SQLite was built without it. */
function pageSizes(db: Database.Database): Map<string, number> | null {
  try {
    const rows = db.prepare(`SELECT name, SUM(pgsize) AS bytes FROM dbstat('main') GROUP BY name`).all() as { name: string; bytes: number }[];
    return new Map(rows.map((r) => [r.name, r.bytes]));
  } catch {
    return null;
  }
}

function readTable(db: Database.Database, row: SchemaRow, objects: SchemaRow[], withoutRowid: boolean, sizes: Map<string, number> | null): Table {
  const name = row.name;
  const parsed = parseCreateTable(row.sql ?? '');
  const info = (db.pragma(`main.table_xinfo(${quoteLiteral(name)})`) as ColumnInfo[]).filter((c) => c.hidden !== 1);
  const indexList = db.pragma(`main.index_list(${quoteLiteral(name)})`) as IndexListRow[];

  const pkColumns = info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk);
  // An INTEGER PRIMARY KEY on a rowid table is an alias for the rowid: SQLite fills it in (autoincrement).
  // Such a key has no index of its own, which also rules out the `INTEGER PRIMARY KEY DESC` quirk.
  const rowidAlias =
    !withoutRowid && pkColumns.length === 1 && pkColumns[0]!.type.toUpperCase() === 'INTEGER' && !indexList.some((i) => i.origin === 'pk')
      ? pkColumns[0]!.name
      : null;

  const columns: Column[] = info.map((c, i) => ({
    name: c.name,
    position: i + 1,
    type: c.type.toLowerCase(),
    typeCategory: typeCategory(c.type),
    // The rowid alias and WITHOUT ROWID keys can never be NULL, whatever the declaration says.
    nullable: c.notnull === 0 && c.name !== rowidAlias && !(withoutRowid && c.pk > 0),
    default: c.dflt_value,
    autoIncrement: c.name === rowidAlias,
    generated: c.hidden === 2 || c.hidden === 3 ? (parsed.generated.get(c.name.toLowerCase()) ?? 'generated') : null,
  }));

  const indexes = indexList.map((i) => readIndex(db, i, objects));
  const uniqueConstraints: UniqueConstraint[] = indexes
    .filter((_, n) => indexList[n]!.origin === 'u')
    .map((i) => ({ name: i.name, columns: i.columns }));

  // A trigger's tbl_name is spelled as its ON clause wrote it, and names are case-insensitive.
  const triggers = objects.filter((o) => o.type === 'trigger' && o.tbl_name.toLowerCase() === name.toLowerCase()).map(readTrigger);
  const size = sizes && [name, ...indexList.map((i) => i.name)].reduce((sum, n) => sum + (sizes.get(n) ?? 0), 0);
  return {
    schema: SCHEMA,
    name,
    columns,
    primaryKey: pkColumns.length ? { name: null, columns: pkColumns.map((c) => c.name) } : null,
    uniqueConstraints,
    indexes,
    foreignKeys: readForeignKeys(db, name, parsed.foreignKeys),
    checks: parsed.checks,
    triggers,
    rowLevelSecurity: null,
    comment: null,
    stats: {
      // An exact count: SQLite keeps no estimate, and counting walks the smallest index, cheap enough here.
      rowEstimate: (db.prepare(`SELECT count(*) AS n FROM main.${quoteIdent(name)}`).get() as { n: number }).n,
      sizeBytes: size ?? null,
    },
  };
}

function readIndex(db: Database.Database, index: IndexListRow, objects: SchemaRow[]): Index {
  const keyParts = (db.pragma(`main.index_xinfo(${quoteLiteral(index.name)})`) as IndexColumnRow[])
    .filter((p) => p.key === 1)
    .sort((a, b) => a.seqno - b.seqno);
  // Auto-indexes (for PRIMARY KEY / UNIQUE) have no SQL; they never have expressions or a predicate.
  const parsed = parseCreateIndex(objects.find((o) => o.type === 'index' && o.name === index.name)?.sql ?? '');
  return {
    name: index.name,
    columns: keyParts.map((p) => (p.cid === -2 ? (parsed.parts[p.seqno] ?? 'expression') : (p.name ?? 'rowid'))),
    expressions: keyParts.map((p) => p.cid === -2),
    unique: index.unique === 1,
    where: index.partial === 1 ? parsed.where : null,
    method: 'btree',
    backsConstraint: index.origin !== 'c',
  };
}

const ACTIONS: readonly ReferentialAction[] = ['NO ACTION', 'RESTRICT', 'CASCADE', 'SET NULL', 'SET DEFAULT'];

function readForeignKeys(db: Database.Database, table: string, declared: DeclaredForeignKey[]): ForeignKey[] {
  const rows = db.pragma(`main.foreign_key_list(${quoteLiteral(table)})`) as ForeignKeyRow[];
  const groups = new Map<number, ForeignKeyRow[]>();
  for (const r of rows) groups.set(r.id, [...(groups.get(r.id) ?? []), r]);
  return [...groups.values()].map((group) => {
    const parts = group.sort((a, b) => a.seq - b.seq);
    const first = parts[0]!;
    const columns = parts.map((p) => p.from);
    // `REFERENCES parent` without columns means the parent's primary key.
    const referencedColumns = parts.every((p) => p.to !== null) ? parts.map((p) => p.to!) : primaryKeyOf(db, first.table);
    // PRAGMA foreign_key_list has no names: match the declaration by its columns and parent table.
    const matches = declared.filter((d) => sameNames(d.columns, columns) && d.table.toLowerCase() === first.table.toLowerCase());
    return {
      name: matches.length === 1 ? matches[0]!.name : null,
      columns,
      referencedSchema: SCHEMA,
      referencedTable: first.table,
      referencedColumns,
      onDelete: toAction(first.on_delete),
      onUpdate: toAction(first.on_update),
    };
  });
}

function primaryKeyOf(db: Database.Database, table: string): string[] {
  return (db.pragma(`main.table_info(${quoteLiteral(table)})`) as ColumnInfo[])
    .filter((c) => c.pk > 0)
    .sort((a, b) => a.pk - b.pk)
    .map((c) => c.name);
}

function toAction(value: string): ReferentialAction {
  const upper = value.toUpperCase() as ReferentialAction;
  return ACTIONS.includes(upper) ? upper : 'NO ACTION';
}

function sameNames(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((n, i) => n.toLowerCase() === b[i]!.toLowerCase());
}

function readTrigger(row: SchemaRow): Trigger {
  const sql = row.sql ?? '';
  const tokens = tokenize(sql);
  // CREATE [TEMP] TRIGGER [IF NOT EXISTS] [schema.]name [BEFORE|AFTER|INSTEAD OF] event ... ON table
  let i = skipName(tokens, indexOfWord(tokens, 'TRIGGER') + 1);
  let timing = 'BEFORE'; // SQLite's default when no timing is written
  const events: string[] = [];
  for (; i < tokens.length && !isWord(tokens[i], 'ON'); i++) {
    const word = tokens[i]!.kind === 'word' ? tokens[i]!.upper : '';
    if (word === 'BEFORE' || word === 'AFTER') timing = word;
    else if (word === 'INSTEAD') timing = 'INSTEAD OF';
    else if (word === 'INSERT' || word === 'UPDATE' || word === 'DELETE') events.push(word);
  }
  return { name: row.name, timing, events, level: 'ROW', definition: normalized(sql, tokens, 0, tokens.length) };
}

function readView(db: Database.Database, row: SchemaRow): View {
  const sql = row.sql ?? '';
  const tokens = tokenize(sql);
  // CREATE [TEMP] VIEW [IF NOT EXISTS] [schema.]name [(columns)] AS select
  let i = skipName(tokens, indexOfWord(tokens, 'VIEW') + 1);
  if (tokens[i]?.text === '(') i = closingParen(tokens, i) + 1;
  if (isWord(tokens[i], 'AS')) i++;
  return {
    schema: SCHEMA,
    name: row.name,
    materialized: false,
    definition: normalized(sql, tokens, i, tokens.length),
    columns: (db.pragma(`main.table_info(${quoteLiteral(row.name)})`) as ColumnInfo[]).map((c) => c.name),
  };
}

/** The engine-neutral meaning of a declared type, following SQLite's affinity rules where they apply. */
function typeCategory(declared: string): TypeCategory {
  const t = declared.toLowerCase();
  const rules: [RegExp, TypeCategory][] = [
    [/bool/, 'boolean'],
    [/json/, 'json'],
    [/uuid|guid/, 'uuid'],
    [/datetime|timestamp/, 'timestamp'],
    [/date/, 'date'],
    [/time/, 'time'],
    [/interval/, 'interval'],
    [/int/, 'integer'], // SQLite: any type containing INT has INTEGER affinity
    [/blob|binary|bytea/, 'binary'],
    [/char|clob|text|string/, 'text'],
    [/real|floa|doub/, 'float'],
    [/numeric|decimal|number|money/, 'decimal'],
    [/^\s*$/, 'binary'], // no declared type: BLOB affinity, values stored as given
  ];
  return rules.find(([re]) => re.test(t))?.[1] ?? 'other';
}

// ---------------------------------------------------------------------------------------------
// SQL text: a tokenizer and the few parsers introspection needs.

interface Token {
  kind: 'word' | 'ident' | 'string' | 'punct';
  /** The token as written. */
  text: string;
  /** Upper-cased text, for keyword comparisons. */
  upper: string;
  start: number;
  end: number;
}

const WORD = /[A-Za-z0-9_$\u0080-\uffff]/;

/** Split SQL into tokens, skipping whitespace and comments. Quoted identifiers keep their quotes in `text`. */
function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: Token['kind'], end: number) => {
    const text = sql.slice(i, end);
    tokens.push({ kind, text, upper: text.toUpperCase(), start: i, end });
    i = end;
  };
  while (i < sql.length) {
    const c = sql[i]!;
    if (/\s/.test(c)) i++;
    else if (sql.startsWith('--', i)) i = lineEnd(sql, i);
    else if (sql.startsWith('/*', i)) i = sql.includes('*/', i + 2) ? sql.indexOf('*/', i + 2) + 2 : sql.length;
    else if (c === "'") push('string', quoteEnd(sql, i, "'"));
    else if (c === '"' || c === '`') push('ident', quoteEnd(sql, i, c));
    else if (c === '[') push('ident', sql.includes(']', i) ? sql.indexOf(']', i) + 1 : sql.length);
    else if (WORD.test(c)) {
      let end = i + 1;
      while (end < sql.length && WORD.test(sql[end]!)) end++;
      push('word', end);
    } else push('punct', i + 1);
  }
  return tokens;
}

function lineEnd(sql: string, from: number): number {
  const nl = sql.indexOf('\n', from);
  return nl === -1 ? sql.length : nl + 1;
}

/** End (exclusive) of a quoted string or identifier starting at `from`; a doubled quote is an escaped one. */
function quoteEnd(sql: string, from: number, quote: string): number {
  let i = from + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return sql.length;
}

/** Tokens from..to as text, with comments dropped and each gap between tokens made one space. */
function normalized(sql: string, tokens: Token[], from: number, to: number): string {
  let out = '';
  for (let i = from; i < to; i++) {
    const t = tokens[i]!;
    if (i > from && t.start > tokens[i - 1]!.end) out += ' ';
    out += t.text;
  }
  return out;
}

/** Index of the ')' matching the '(' at `open` (or the last token when unbalanced). */
function closingParen(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (tokens[i]!.text === '(') depth++;
    else if (tokens[i]!.text === ')' && --depth === 0) return i;
  }
  return tokens.length - 1;
}

/** Split tokens from..to at top-level commas into [start, end) ranges. */
function splitTopLevel(tokens: Token[], from: number, to: number): [number, number][] {
  const ranges: [number, number][] = [];
  let start = from;
  for (let i = from; i < to; i++) {
    if (tokens[i]!.text === '(') i = closingParen(tokens, i);
    else if (tokens[i]!.text === ',') {
      ranges.push([start, i]);
      start = i + 1;
    }
  }
  if (to > start) ranges.push([start, to]);
  return ranges;
}

function isWord(token: Token | undefined, upper: string): boolean {
  return token?.kind === 'word' && token.upper === upper;
}

function indexOfWord(tokens: Token[], upper: string): number {
  return tokens.findIndex((t) => isWord(t, upper));
}

/** Skip `[IF NOT EXISTS] [schema.]name` starting at i; returns the index after the name. */
function skipName(tokens: Token[], i: number): number {
  if (isWord(tokens[i], 'IF')) i += 3;
  return tokens[i + 1]?.text === '.' ? i + 3 : i + 1;
}

/** The name a token stands for: quotes removed, doubled quotes undone. */
function identName(token: Token | undefined): string {
  if (!token) return '';
  if (token.kind !== 'ident') return token.text;
  const inner = token.text.slice(1, -1);
  return token.text[0] === '[' ? inner : inner.split(token.text[0]! + token.text[0]!).join(token.text[0]!);
}

interface DeclaredForeignKey {
  name: string;
  columns: string[];
  table: string;
}

interface ParsedTable {
  checks: CheckConstraint[];
  /** Generation expression by lower-cased column name. */
  generated: Map<string, string>;
  /** Foreign keys declared with CONSTRAINT name. */
  foreignKeys: DeclaredForeignKey[];
}

const TABLE_CONSTRAINT = new Set(['CONSTRAINT', 'PRIMARY', 'UNIQUE', 'CHECK', 'FOREIGN']);

/** CHECK constraints, generated-column expressions and named foreign keys from a CREATE TABLE statement. */
function parseCreateTable(sql: string): ParsedTable {
  const result: ParsedTable = { checks: [], generated: new Map(), foreignKeys: [] };
  const tokens = tokenize(sql);
  const open = tokens.findIndex((t) => t.text === '(');
  if (open === -1) return result; // CREATE TABLE ... AS SELECT, or a virtual table without arguments
  for (const [start, end] of splitTopLevel(tokens, open + 1, closingParen(tokens, open))) {
    const isConstraint = tokens[start]!.kind === 'word' && TABLE_CONSTRAINT.has(tokens[start]!.upper);
    const column = isConstraint ? null : identName(tokens[start]);
    let name: string | null = null; // from a preceding CONSTRAINT name
    for (let i = isConstraint ? start : start + 1; i < end; i++) {
      const t = tokens[i]!;
      if (t.text === '(') {
        i = closingParen(tokens, i); // a type's size, a DEFAULT (expr), a column list
        continue;
      }
      if (t.kind !== 'word') continue;
      if (t.upper === 'CONSTRAINT') {
        name = identName(tokens[++i]);
        continue;
      }
      if ((t.upper === 'CHECK' || t.upper === 'AS') && tokens[i + 1]?.text === '(') {
        const close = closingParen(tokens, i + 1);
        const expression = normalized(sql, tokens, i + 2, close);
        if (t.upper === 'CHECK') result.checks.push({ name, expression });
        else if (column !== null) result.generated.set(column.toLowerCase(), expression);
        i = close;
      } else if (t.upper === 'FOREIGN' || t.upper === 'REFERENCES') {
        const declared = parseReference(tokens, i, column);
        if (!declared) continue;
        if (name !== null) result.foreignKeys.push({ name, columns: declared.columns, table: declared.table });
        i = declared.next - 1;
      }
      name = null;
    }
  }
  return result;
}

/** `FOREIGN KEY (cols) REFERENCES parent` or, after a column, `REFERENCES parent`; `next` is the index after the parent's name. */
function parseReference(tokens: Token[], i: number, column: string | null): (Omit<DeclaredForeignKey, 'name'> & { next: number }) | null {
  let columns = column === null ? [] : [column];
  if (isWord(tokens[i], 'FOREIGN')) {
    const open = i + 2; // FOREIGN KEY (
    const close = closingParen(tokens, open);
    columns = splitTopLevel(tokens, open + 1, close).map(([s]) => identName(tokens[s]));
    i = close + 1;
  }
  if (!isWord(tokens[i], 'REFERENCES')) return null;
  const next = tokens[i + 2]?.text === '.' ? i + 4 : i + 2;
  return { columns, table: identName(tokens[next - 1]), next };
}

/** Key-part texts (ASC/DESC and COLLATE removed) and the WHERE predicate of a CREATE INDEX statement. */
function parseCreateIndex(sql: string): { parts: string[]; where: string | null } {
  const tokens = tokenize(sql);
  const on = indexOfWord(tokens, 'ON');
  const open = tokens.findIndex((t, i) => i > on && t.text === '(');
  if (on === -1 || open === -1) return { parts: [], where: null };
  const close = closingParen(tokens, open);
  const parts = splitTopLevel(tokens, open + 1, close).map(([start, end]) => {
    if (isWord(tokens[end - 1], 'ASC') || isWord(tokens[end - 1], 'DESC')) end--;
    if (isWord(tokens[end - 2], 'COLLATE')) end -= 2;
    return normalized(sql, tokens, start, end);
  });
  const where = isWord(tokens[close + 1], 'WHERE') ? normalized(sql, tokens, close + 2, tokens.length) : null;
  return { parts, where };
}

/** A string literal for PRAGMA arguments. */
function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
