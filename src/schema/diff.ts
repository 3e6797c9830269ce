/**
 * Object-level schema diff, for drift detection (`migrate verify`): what the live schema (`actual`) has
 * that the schema built from the migrations (`expected`) has not ("added"), the reverse ("removed"), and
 * objects present in both whose properties differ ("changed", one detail per property: "a → b").
 *
 * The diff covers exactly what the fingerprint covers: stats, the database name and the server version
 * are ignored, and on MySQL the database name is blanked wherever it is a schema (fingerprint.ts), so a
 * scratch database of another name compares equal. Hence equal fingerprints ⇔ empty diff.
 *
 * Objects are matched by name where the engine names them; unnamed ones (SQLite foreign keys and checks)
 * by content. The result is sorted by path, then object, then kind.
 */
import { UsageError } from '../core/errors.js';
import { canonicalJson, withoutDatabaseName, type SchemaParts } from './fingerprint.js';
import type { Column, ForeignKey, Index, SchemaModel, Table } from './model.js';

export type DifferenceKind = 'added' | 'removed' | 'changed';

export type SchemaObjectKind =
  | 'schema'
  | 'table'
  | 'column'
  | 'primary key'
  | 'unique constraint'
  | 'index'
  | 'foreign key'
  | 'check'
  | 'trigger'
  | 'view'
  | 'sequence'
  | 'enum'
  | 'row-level security'
  | 'policy'
  | 'comment';

export interface SchemaDifference {
  kind: DifferenceKind;
  object: SchemaObjectKind;
  /** `schema.table`, `schema.table.column`, or `schema.table <object> <name>` for objects attached to a table. */
  path: string;
  /** For 'changed': one entry per changed property, "label: expected → actual". */
  details?: string[];
}

/** Differences from `expected` (e.g. the migrations applied to a scratch database) to `actual` (the live schema). */
export function diffSchemas(expected: SchemaModel, actual: SchemaModel): SchemaDifference[] {
  if (expected.engine !== actual.engine) {
    throw new UsageError(`Cannot compare a ${expected.engine} schema with a ${actual.engine} schema.`);
  }
  const e = neutral(expected);
  const a = neutral(actual);
  const out: SchemaDifference[] = [];

  compare(out, 'schema', e.schemas, a.schemas, (s) => s, () => []);
  compare(out, 'enum', e.enums, a.enums, (x) => qualified(x.schema, x.name), (x, y) => changes([['values', x.values, y.values]]));
  compare(out, 'sequence', e.sequences, a.sequences, (x) => qualified(x.schema, x.name), (x, y) =>
    changes([
      ['type', x.type, y.type],
      ['start', x.start, y.start],
      ['increment', x.increment, y.increment],
      ['min', x.min, y.min],
      ['max', x.max, y.max],
      ['cycle', x.cycle, y.cycle],
      ['owned by', x.ownedBy, y.ownedBy],
    ]),
  );
  compare(out, 'view', e.views, a.views, (x) => qualified(x.schema, x.name), (x, y) =>
    changes([
      ['materialized', x.materialized, y.materialized],
      ['definition', x.definition, y.definition],
      ['columns', x.columns, y.columns],
    ]),
  );
  const tables = compare(out, 'table', e.tables, a.tables, (t) => qualified(t.schema, t.name), () => []);
  for (const [x, y] of tables) diffTable(out, x, y);

  return out.sort((p, q) => cmp(p.path, q.path) || cmp(p.object, q.object) || cmp(p.kind, q.kind));
}

function diffTable(out: SchemaDifference[], e: Table, a: Table): void {
  const table = qualified(e.schema, e.name);
  const at = (object: SchemaObjectKind, name: string) => `${table} ${object} ${name}`;

  diffColumns(out, table, e.columns, a.columns);

  single(out, 'primary key', `${table} primary key`, e.primaryKey, a.primaryKey, (x, y) =>
    changes([
      ['name', x.name, y.name],
      ['columns', x.columns, y.columns],
    ]),
  );
  compare(out, 'unique constraint', e.uniqueConstraints, a.uniqueConstraints, (u) => at('unique constraint', u.name), (x, y) =>
    changes([['columns', x.columns, y.columns]]),
  );
  // An index backing a primary key or unique constraint comes and goes with it: report the constraint only.
  const backed = (t: Table) => new Set([t.primaryKey, ...t.uniqueConstraints].flatMap((c) => (c ? [key(c.columns)] : [])));
  const [eBacked, aBacked] = [backed(e), backed(a)];
  const withConstraint = (kind: 'added' | 'removed', i: Index) => {
    const [side, other] = kind === 'removed' ? [eBacked, aBacked] : [aBacked, eBacked];
    return i.backsConstraint && side.has(key(i.columns)) && !other.has(key(i.columns));
  };
  compare(
    out,
    'index',
    e.indexes,
    a.indexes,
    (i) => at('index', i.name),
    (x, y) =>
      changes([
        ['columns', x.columns, y.columns],
        ['expressions', x.expressions, y.expressions],
        ['unique', x.unique, y.unique],
        ['where', x.where, y.where],
        ['method', x.method, y.method],
        ['backs constraint', x.backsConstraint, y.backsConstraint],
      ]),
    withConstraint,
  );
  compare(out, 'foreign key', e.foreignKeys, a.foreignKeys, (f) => at('foreign key', f.name ?? foreignKeyLabel(f)), (x, y) =>
    changes([
      ['columns', x.columns, y.columns],
      ['references', reference(x), reference(y)],
      ['on delete', x.onDelete, y.onDelete],
      ['on update', x.onUpdate, y.onUpdate],
    ]),
  );
  compare(out, 'check', e.checks, a.checks, (c) => at('check', c.name ?? `(${c.expression})`), (x, y) =>
    changes([['expression', x.expression, y.expression]]),
  );
  compare(out, 'trigger', e.triggers, a.triggers, (t) => at('trigger', t.name), (x, y) =>
    changes([
      ['timing', x.timing, y.timing],
      ['events', [...x.events].sort(), [...y.events].sort()],
      ['level', x.level, y.level],
      ['definition', x.definition, y.definition],
    ]),
  );
  single(out, 'row-level security', `${table} row-level security`, e.rowLevelSecurity, a.rowLevelSecurity, (x, y) =>
    changes([
      ['enabled', x.enabled, y.enabled],
      ['forced', x.forced, y.forced],
    ]),
  );
  if (e.rowLevelSecurity && a.rowLevelSecurity) {
    compare(out, 'policy', e.rowLevelSecurity.policies, a.rowLevelSecurity.policies, (p) => at('policy', p.name), (x, y) =>
      changes([
        ['kind', x.kind, y.kind],
        ['command', x.command, y.command],
        ['roles', [...x.roles].sort(), [...y.roles].sort()],
        ['using', x.using, y.using],
        ['with check', x.withCheck, y.withCheck],
      ]),
    );
  }
  single(out, 'comment', `${table} comment`, e.comment, a.comment, (x, y) => changes([['comment', x, y]]));
}

/**
 * Columns by name. A column has moved when its rank among the columns both sides share differs, so that
 * adding or dropping a column does not report every later column as moved.
 */
function diffColumns(out: SchemaDifference[], table: string, e: Column[], a: Column[]): void {
  const pairs = compare(out, 'column', e, a, (c) => `${table}.${c.name}`, () => []);
  const sameSet = pairs.length === e.length && pairs.length === a.length;
  const shared = new Set(pairs.map(([x]) => x.name));
  const rank = (side: Column[]) =>
    new Map([...side].sort((p, q) => p.position - q.position).filter((c) => shared.has(c.name)).map((c, i) => [c.name, i]));
  const [eRank, aRank] = [rank(e), rank(a)];
  for (const [x, y] of pairs) {
    const properties: [string, unknown, unknown][] = [
      ['type', x.type, y.type],
      ['nullable', x.nullable, y.nullable],
      ['default', x.default, y.default],
      ['auto increment', x.autoIncrement, y.autoIncrement],
      ['generated', x.generated, y.generated],
    ];
    // The category follows from the type: only worth a line when the type text is the same.
    if (x.type === y.type) properties.push(['type category', x.typeCategory, y.typeCategory]);
    const moved = sameSet ? x.position !== y.position : eRank.get(x.name) !== aRank.get(y.name);
    if (moved) properties.push(['position', x.position, y.position]);
    const details = changes(properties);
    if (details.length) out.push({ kind: 'changed', object: 'column', path: `${table}.${x.name}`, details });
  }
}

/**
 * Match two collections by path (the object's name, or its content when unnamed) and report added and
 * removed objects, and changed ones where `diff` finds differences. Returns the matched pairs.
 * Objects sharing a path (e.g. identical unnamed checks) are paired in canonical order.
 */
function compare<T>(
  out: SchemaDifference[],
  object: SchemaObjectKind,
  expected: T[],
  actual: T[],
  path: (item: T) => string,
  diff: (e: T, a: T) => string[],
  quiet: (kind: 'added' | 'removed', item: T) => boolean = () => false,
): [T, T][] {
  const group = (items: T[]) => {
    const groups = new Map<string, T[]>();
    const sorted = items.map((item) => ({ item, json: canonicalJson(item) })).sort((p, q) => cmp(p.json, q.json));
    for (const { item } of sorted) groups.set(path(item), [...(groups.get(path(item)) ?? []), item]);
    return groups;
  };
  const [eGroups, aGroups] = [group(expected), group(actual)];
  const pairs: [T, T][] = [];
  for (const [p, es] of eGroups) {
    const as = aGroups.get(p) ?? [];
    es.forEach((e, i) => {
      const a = as[i];
      if (a === undefined) {
        if (!quiet('removed', e)) out.push({ kind: 'removed', object, path: p });
        return;
      }
      pairs.push([e, a]);
      const details = diff(e, a);
      if (details.length) out.push({ kind: 'changed', object, path: p, details });
    });
  }
  for (const [p, as] of aGroups) {
    as.slice(eGroups.get(p)?.length ?? 0).forEach((a) => {
      if (!quiet('added', a)) out.push({ kind: 'added', object, path: p });
    });
  }
  return pairs;
}

/** A table's at-most-one object (primary key, row-level security, comment). */
function single<T>(out: SchemaDifference[], object: SchemaObjectKind, path: string, e: T | null, a: T | null, diff: (e: T, a: T) => string[]): void {
  if (e === null && a === null) return;
  if (e === null || a === null) {
    out.push({ kind: e === null ? 'added' : 'removed', object, path });
    return;
  }
  const details = diff(e, a);
  if (details.length) out.push({ kind: 'changed', object, path, details });
}

/** "label: expected → actual" for each property whose values differ. */
function changes(properties: [string, unknown, unknown][]): string[] {
  return properties.filter(([, x, y]) => canonicalJson(x) !== canonicalJson(y)).map(([label, x, y]) => `${label}: ${show(x)} → ${show(y)}`);
}

function show(value: unknown): string {
  if (value === null || value === undefined) return 'none';
  if (Array.isArray(value)) return `(${value.map(show).join(', ')})`;
  if (typeof value === 'string') return value === '' ? "''" : value;
  return String(value);
}

function neutral(model: SchemaModel): SchemaParts {
  return model.engine === 'mysql' ? withoutDatabaseName(model) : model;
}

/** schema.name; MySQL's own database is blanked to '' and then left out. */
function qualified(schema: string, name: string): string {
  return schema === '' ? name : `${schema}.${name}`;
}

function reference(f: ForeignKey): string {
  return `${qualified(f.referencedSchema, f.referencedTable)}(${f.referencedColumns.join(', ')})`;
}

function foreignKeyLabel(f: ForeignKey): string {
  return `(${f.columns.join(', ')}) → ${reference(f)}`;
}

function key(columns: Index['columns']): string {
  return columns.join('\0');
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
