/**
 * Canonical order and the schema fingerprint.
 *
 * The fingerprint is the SHA-256 of a canonical JSON rendering of the structure: every collection is
 * sorted by a stable key (so introspection order never matters), object keys are sorted, and
 * measurements (`stats`), the database name and the server version are left out. It therefore changes
 * when the schema changes and never otherwise. Column order is kept: it is part of a table's definition.
 */
import { createHash } from 'node:crypto';
import type { SchemaModel, Table } from './model.js';

export type SchemaParts = Omit<SchemaModel, 'fingerprint'>;

const byKey =
  <T>(key: (item: T) => string) =>
  (a: T, b: T): number => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  };

function canonicalTable(table: Table): Table {
  return {
    ...table,
    columns: [...table.columns].sort((a, b) => a.position - b.position),
    uniqueConstraints: [...table.uniqueConstraints].sort(byKey((u) => `${u.name}\0${u.columns.join(',')}`)),
    indexes: [...table.indexes].sort(byKey((i) => i.name)),
    foreignKeys: [...table.foreignKeys].sort(
      byKey((f) => `${f.columns.join(',')}\0${f.referencedSchema}.${f.referencedTable}\0${f.referencedColumns.join(',')}\0${f.name ?? ''}`),
    ),
    checks: [...table.checks].sort(byKey((c) => `${c.name ?? ''}\0${c.expression}`)),
    triggers: [...table.triggers].map((t) => ({ ...t, events: [...t.events].sort() })).sort(byKey((t) => t.name)),
    rowLevelSecurity: table.rowLevelSecurity && {
      ...table.rowLevelSecurity,
      policies: [...table.rowLevelSecurity.policies]
        .map((p) => ({ ...p, roles: [...p.roles].sort() }))
        .sort(byKey((p) => p.name)),
    },
  };
}

/** Sort every collection into canonical order and attach the fingerprint. */
export function finalizeModel(parts: SchemaParts): SchemaModel {
  const canonical: SchemaParts = {
    ...parts,
    schemas: [...parts.schemas].sort(),
    tables: parts.tables.map(canonicalTable).sort(byKey((t) => `${t.schema}\0${t.name}`)),
    views: [...parts.views].sort(byKey((v) => `${v.schema}\0${v.name}`)),
    sequences: [...parts.sequences].sort(byKey((s) => `${s.schema}\0${s.name}`)),
    enums: [...parts.enums].sort(byKey((e) => `${e.schema}\0${e.name}`)),
  };
  return { ...canonical, fingerprint: fingerprintOf(canonical) };
}

/** The fingerprint of a model's structure (stats, database name and server version excluded). */
export function fingerprintOf(parts: SchemaParts): string {
  const neutral = parts.engine === 'mysql' ? withoutDatabaseName(parts) : parts;
  const structure = {
    engine: neutral.engine,
    schemas: neutral.schemas,
    tables: neutral.tables.map(({ stats: _stats, ...rest }) => rest),
    views: neutral.views,
    sequences: neutral.sequences,
    enums: neutral.enums,
  };
  return createHash('sha256').update(canonicalJson(structure)).digest('hex');
}

/**
 * On MySQL the schema is the database, whose name is not part of the structure: blank it wherever it
 * appears as a schema, so the same DDL gives the same fingerprint in any database. References to other
 * databases are kept.
 */
export function withoutDatabaseName(parts: SchemaParts): SchemaParts {
  const schema = (name: string): string => (name === parts.database ? '' : name);
  return {
    ...parts,
    schemas: parts.schemas.map(schema),
    tables: parts.tables.map((t) => ({
      ...t,
      schema: schema(t.schema),
      foreignKeys: t.foreignKeys.map((f) => ({ ...f, referencedSchema: schema(f.referencedSchema) })),
    })),
    views: parts.views.map((v) => ({ ...v, schema: schema(v.schema) })),
    sequences: parts.sequences.map((q) => ({ ...q, schema: schema(q.schema) })),
  };
}

/** JSON with object keys sorted at every level; arrays keep their order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
