/**
 * Read the PostgreSQL catalog (pg_catalog, not information_schema) into the engine-neutral model.
 *
 * Scope: every user schema — not pg_catalog, information_schema, pg_toast or temporary schemas —
 * minus objects that belong to an extension. Prisma's `schema` URL parameter only sets the
 * search_path; introspection still covers all user schemas. With options.table the model holds that
 * one table and its schema only (no views, sequences or enums).
 *
 * It runs in one read-only repeatable-read transaction with search_path = pg_catalog, so that every
 * deparsed expression (defaults, views, index parts, policies) names user objects schema-qualified
 * whatever the connection's search_path is: the text, and so the fingerprint, never depends on it.
 */
import { UsageError } from '../../core/errors.js';
import { finalizeModel } from '../../schema/fingerprint.js';
import type {
  CheckConstraint,
  Column,
  EnumType,
  ForeignKey,
  Index,
  Policy,
  ReferentialAction,
  SchemaModel,
  Sequence,
  Table,
  Trigger,
  TypeCategory,
  UniqueConstraint,
  View,
} from '../../schema/model.js';
import type { IntrospectOptions, Queryable } from '../engine.js';

/** Namespaces holding user objects. */
const USER_SCHEMAS = `
  SELECT n.oid, n.nspname AS name FROM pg_namespace n
   WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
     AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'
     AND NOT EXISTS (SELECT 1 FROM pg_depend d
                      WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e')`;

/** A pg_class row (alias c) that does not belong to an extension. */
const NOT_EXTENSION_RELATION = `NOT EXISTS (SELECT 1 FROM pg_depend d
  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')`;

const TABLES = `
  SELECT c.oid AS rel, n.nspname AS schema, c.relname AS name,
         c.relrowsecurity AS rls, c.relforcerowsecurity AS rls_forced,
         obj_description(c.oid, 'pg_class') AS comment,
         c.reltuples AS reltuples, pg_total_relation_size(c.oid) AS size
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind IN ('r', 'p') AND c.relnamespace = ANY($1::oid[]) AND ${NOT_EXTENSION_RELATION}`;

// The base type (through a domain) decides the category; a default is serial when the column owns
// the sequence it calls nextval on (deptype 'a' is OWNED BY).
const COLUMNS = `
  SELECT a.attrelid AS rel, a.attname AS name, a.attnum AS num,
         format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable,
         pg_get_expr(ad.adbin, ad.adrelid, true) AS expr,
         a.attidentity <> '' AS identity, a.attgenerated = 's' AS generated,
         bt.typname AS base_type, bt.typtype AS base_typtype, bt.typcategory AS base_category,
         EXISTS (SELECT 1 FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
                  WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
                    AND d.refobjid = a.attrelid AND d.refobjsubid = a.attnum AND d.deptype = 'a') AS owns_sequence
    FROM pg_attribute a
    JOIN pg_type t ON t.oid = a.atttypid
    JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
    LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
   WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
   ORDER BY a.attrelid, a.attnum`;

const KEY_COLUMNS = (key: string, rel: string) => `
  ARRAY(SELECT a.attname::text FROM unnest(${key}) WITH ORDINALITY k(num, ord)
          JOIN pg_attribute a ON a.attrelid = ${rel} AND a.attnum = k.num ORDER BY k.ord)`;

// FK rows with a parent constraint are clones PostgreSQL keeps for partitions; the parent's row says it.
const CONSTRAINTS = `
  SELECT c.conrelid AS rel, c.conname AS name, c.contype AS type,
         ${KEY_COLUMNS('c.conkey', 'c.conrelid')} AS columns,
         rn.nspname AS ref_schema, rc.relname AS ref_table,
         ${KEY_COLUMNS('c.confkey', 'c.confrelid')} AS ref_columns,
         c.confdeltype AS on_delete, c.confupdtype AS on_update,
         pg_get_constraintdef(c.oid, true) AS definition
    FROM pg_constraint c
    LEFT JOIN pg_class rc ON rc.oid = c.confrelid
    LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
   WHERE c.conrelid = ANY($1::oid[]) AND c.contype IN ('p', 'u', 'f', 'c')
     AND (c.contype <> 'f' OR c.conparentid = 0)`;

// Key parts only (INCLUDE columns are not keys). A plain part is the column's name as stored;
// an expression part is pg_get_indexdef's text for that column.
const INDEXES = `
  SELECT i.indrelid AS rel, ic.relname AS name, i.indisunique AS unique, am.amname AS method,
         pg_get_expr(i.indpred, i.indrelid, true) AS predicate,
         ARRAY(SELECT CASE WHEN i.indkey[k - 1] = 0 THEN pg_get_indexdef(i.indexrelid, k, true)
                           ELSE (SELECT a.attname::text FROM pg_attribute a
                                  WHERE a.attrelid = i.indrelid AND a.attnum = i.indkey[k - 1]) END
                 FROM generate_series(1, i.indnkeyatts) k ORDER BY k) AS columns,
         ARRAY(SELECT i.indkey[k - 1] = 0 FROM generate_series(1, i.indnkeyatts) k ORDER BY k) AS expressions,
         EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid
                    AND c.contype IN ('p', 'u', 'x')) AS backs
    FROM pg_index i
    JOIN pg_class ic ON ic.oid = i.indexrelid
    JOIN pg_am am ON am.oid = ic.relam
   WHERE i.indrelid = ANY($1::oid[])`;

const TRIGGERS = `
  SELECT t.tgrelid AS rel, t.tgname AS name, t.tgtype AS type, pg_get_triggerdef(t.oid, true) AS definition
    FROM pg_trigger t
   WHERE t.tgrelid = ANY($1::oid[]) AND NOT t.tgisinternal`;

// What the pg_policies view shows, from pg_policy.
const POLICIES = `
  SELECT p.polrelid AS rel, p.polname AS name,
         CASE WHEN p.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END AS kind,
         CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'
                       WHEN 'd' THEN 'DELETE' ELSE 'ALL' END AS command,
         CASE WHEN p.polroles = '{0}' THEN ARRAY['public']
              ELSE ARRAY(SELECT r.rolname::text FROM pg_roles r WHERE r.oid = ANY(p.polroles)) END AS roles,
         pg_get_expr(p.polqual, p.polrelid, true) AS using,
         pg_get_expr(p.polwithcheck, p.polrelid, true) AS with_check
    FROM pg_policy p
   WHERE p.polrelid = ANY($1::oid[])`;

const VIEWS = `
  SELECT n.nspname AS schema, c.relname AS name, c.relkind = 'm' AS materialized,
         pg_get_viewdef(c.oid, true) AS definition,
         ARRAY(SELECT a.attname::text FROM pg_attribute a
                WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum) AS columns
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind IN ('v', 'm') AND c.relnamespace = ANY($1::oid[]) AND ${NOT_EXTENSION_RELATION}`;

// Owned by a column: deptype 'a' (serial, OWNED BY) or 'i' (identity). last_value is state, not schema.
const SEQUENCES = `
  SELECT n.nspname AS schema, c.relname AS name, format_type(s.seqtypid, NULL) AS type,
         s.seqstart::text AS start, s.seqincrement::text AS increment,
         s.seqmin::text AS min, s.seqmax::text AS max, s.seqcycle AS cycle,
         (SELECT format('%s.%s.%s', tn.nspname, tc.relname, ta.attname)
            FROM pg_depend d
            JOIN pg_class tc ON tc.oid = d.refobjid
            JOIN pg_namespace tn ON tn.oid = tc.relnamespace
            JOIN pg_attribute ta ON ta.attrelid = d.refobjid AND ta.attnum = d.refobjsubid
           WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
             AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')) AS owned_by
    FROM pg_class c
    JOIN pg_sequence s ON s.seqrelid = c.oid
    JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind = 'S' AND c.relnamespace = ANY($1::oid[]) AND ${NOT_EXTENSION_RELATION}`;

const ENUMS = `
  SELECT n.nspname AS schema, t.typname AS name,
         ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) AS values
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
   WHERE t.typtype = 'e' AND t.typnamespace = ANY($1::oid[])
     AND NOT EXISTS (SELECT 1 FROM pg_depend d
                      WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')`;

interface TableRow {
  rel: number;
  schema: string;
  name: string;
  rls: boolean;
  rls_forced: boolean;
  comment: string | null;
  reltuples: number;
  size: string;
}

interface ColumnRow {
  rel: number;
  name: string;
  type: string;
  nullable: boolean;
  expr: string | null;
  identity: boolean;
  generated: boolean;
  base_type: string;
  base_typtype: string;
  base_category: string;
  owns_sequence: boolean;
}

interface ConstraintRow {
  rel: number;
  name: string;
  type: 'p' | 'u' | 'f' | 'c';
  columns: string[];
  ref_schema: string | null;
  ref_table: string | null;
  ref_columns: string[];
  on_delete: string;
  on_update: string;
  definition: string;
}

interface IndexRow extends Omit<Index, 'where' | 'backsConstraint'> {
  rel: number;
  predicate: string | null;
  backs: boolean;
}

interface TriggerRow {
  rel: number;
  name: string;
  type: number;
  definition: string;
}

interface PolicyRow extends Omit<Policy, 'withCheck'> {
  rel: number;
  with_check: string | null;
}

const CATEGORIES: Record<string, TypeCategory> = {
  int2: 'integer',
  int4: 'integer',
  int8: 'integer',
  numeric: 'decimal',
  float4: 'float',
  float8: 'float',
  bool: 'boolean',
  text: 'text',
  varchar: 'text',
  bpchar: 'text',
  citext: 'text',
  bytea: 'binary',
  date: 'date',
  time: 'time',
  timetz: 'time',
  timestamp: 'timestamp',
  timestamptz: 'timestamp',
  interval: 'interval',
  json: 'json',
  jsonb: 'json',
  uuid: 'uuid',
};

const ACTIONS: Record<string, ReferentialAction> = {
  a: 'NO ACTION',
  r: 'RESTRICT',
  c: 'CASCADE',
  n: 'SET NULL',
  d: 'SET DEFAULT',
};

function typeCategory(c: ColumnRow): TypeCategory {
  if (c.base_category === 'A') return 'array';
  if (c.base_typtype === 'e') return 'enum';
  return CATEGORIES[c.base_type] ?? 'other';
}

/** Columns of one table; positions are renumbered 1..n so that dropped columns leave no gaps. */
function toColumns(rows: ColumnRow[]): Column[] {
  return rows.map((c, i) => ({
    name: c.name,
    position: i + 1,
    type: c.type,
    typeCategory: typeCategory(c),
    nullable: c.nullable,
    default: c.generated ? null : c.expr,
    autoIncrement: c.identity || (c.owns_sequence && c.expr !== null && c.expr.startsWith('nextval(')),
    generated: c.generated ? c.expr : null,
  }));
}

// pg_trigger.tgtype bits (see src/include/catalog/pg_trigger.h).
const TRIGGER_EVENTS: [number, string][] = [
  [4, 'INSERT'],
  [8, 'DELETE'],
  [16, 'UPDATE'],
  [32, 'TRUNCATE'],
];

function toTrigger(t: TriggerRow): Trigger {
  return {
    name: t.name,
    timing: t.type & 64 ? 'INSTEAD OF' : t.type & 2 ? 'BEFORE' : 'AFTER',
    events: TRIGGER_EVENTS.filter(([bit]) => t.type & bit).map(([, event]) => event),
    level: t.type & 1 ? 'ROW' : 'STATEMENT',
    definition: t.definition,
  };
}

function groupByRel<T extends { rel: number }>(rows: T[]): (rel: number) => T[] {
  const groups = new Map<number, T[]>();
  for (const row of rows) groups.set(row.rel, [...(groups.get(row.rel) ?? []), row]);
  return (rel) => groups.get(rel) ?? [];
}

function selectTable(tables: TableRow[], wanted: string, database: string): TableRow[] {
  const matches = tables.filter((t) => t.name === wanted || `${t.schema}.${t.name}` === wanted);
  if (matches.length === 1) return matches;
  if (matches.length === 0) {
    throw new UsageError(`No table "${wanted}" in database ${database}.`, 'Give a table name, or schema.name (e.g. public.users).');
  }
  const names = matches.map((t) => `${t.schema}.${t.name}`).join(', ');
  throw new UsageError(`The table name "${wanted}" is ambiguous in database ${database} (${names}).`, 'Give it as schema.name.');
}

export async function introspectPostgres(tx: Queryable, options: IntrospectOptions): Promise<SchemaModel> {
  await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
  await tx.query('SET LOCAL search_path = pg_catalog');
  const all = async <R extends object>(sql: string, ids: number[]): Promise<R[]> => (await tx.query(sql, [ids])).rows as R[];

  const { rows: header } = await tx.query<{ database: string; version: string }>(
    "SELECT current_database() AS database, current_setting('server_version') AS version",
  );
  const { database, version } = header[0] as { database: string; version: string };
  const schemaRows = (await tx.query<{ oid: number; name: string }>(USER_SCHEMAS)).rows;
  const schemaIds = schemaRows.map((s) => s.oid);

  const allTables = await all<TableRow>(TABLES, schemaIds);
  const tableRows = options.table === undefined ? allTables : selectTable(allTables, options.table, database);
  const tableIds = tableRows.map((t) => t.rel);
  const columnsOf = groupByRel(await all<ColumnRow>(COLUMNS, tableIds));
  const constraintsOf = groupByRel(await all<ConstraintRow>(CONSTRAINTS, tableIds));
  const indexesOf = groupByRel(await all<IndexRow>(INDEXES, tableIds));
  const triggersOf = groupByRel(await all<TriggerRow>(TRIGGERS, tableIds));
  const policiesOf = groupByRel(await all<PolicyRow>(POLICIES, tableIds));

  const tables: Table[] = tableRows.map((t) => {
    const constraints = constraintsOf(t.rel);
    const ofType = (type: ConstraintRow['type']) => constraints.filter((c) => c.type === type);
    const pk = ofType('p')[0];
    return {
      schema: t.schema,
      name: t.name,
      columns: toColumns(columnsOf(t.rel)),
      primaryKey: pk ? { name: pk.name, columns: pk.columns } : null,
      uniqueConstraints: ofType('u').map((u): UniqueConstraint => ({ name: u.name, columns: u.columns })),
      indexes: indexesOf(t.rel).map(
        (i): Index => ({
          name: i.name,
          columns: i.columns,
          expressions: i.expressions,
          unique: i.unique,
          where: i.predicate,
          method: i.method,
          backsConstraint: i.backs,
        }),
      ),
      foreignKeys: ofType('f').map(
        (f): ForeignKey => ({
          name: f.name,
          columns: f.columns,
          referencedSchema: f.ref_schema ?? '',
          referencedTable: f.ref_table ?? '',
          referencedColumns: f.ref_columns,
          onDelete: ACTIONS[f.on_delete] ?? 'NO ACTION',
          onUpdate: ACTIONS[f.on_update] ?? 'NO ACTION',
        }),
      ),
      checks: ofType('c').map((c): CheckConstraint => ({ name: c.name, expression: c.definition })),
      triggers: triggersOf(t.rel).map(toTrigger),
      rowLevelSecurity: {
        enabled: t.rls,
        forced: t.rls_forced,
        policies: policiesOf(t.rel).map(
          (p): Policy => ({ name: p.name, kind: p.kind, command: p.command, roles: p.roles, using: p.using, withCheck: p.with_check }),
        ),
      },
      comment: t.comment,
      // reltuples is -1 until the table is first vacuumed, analyzed or indexed (PostgreSQL 14+).
      stats: { rowEstimate: t.reltuples < 0 ? null : Math.round(t.reltuples), sizeBytes: Number(t.size) },
    };
  });

  const wholeDatabase = options.table === undefined;
  return finalizeModel({
    engine: 'postgres',
    database,
    serverVersion: version,
    schemas: wholeDatabase ? schemaRows.map((s) => s.name) : tables.map((t) => t.schema),
    tables,
    views: wholeDatabase ? await all<View>(VIEWS, schemaIds) : [],
    sequences: wholeDatabase
      ? (await all<Sequence & { owned_by: string | null }>(SEQUENCES, schemaIds)).map(({ owned_by, ...s }) => ({ ...s, ownedBy: owned_by }))
      : [],
    enums: wholeDatabase ? await all<EnumType>(ENUMS, schemaIds) : [],
  });
}
