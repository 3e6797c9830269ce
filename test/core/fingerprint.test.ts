import { describe, expect, it } from 'vitest';
import { finalizeModel, type SchemaParts } from '../../src/schema/fingerprint.js';
import type { Table } from '../../src/schema/model.js';

function table(name: string, schema = 'app', rows = 0): Table {
  return {
    schema,
    name,
    columns: [
      { name: 'id', position: 1, type: 'int', typeCategory: 'integer', nullable: false, default: null, autoIncrement: true, generated: null },
      { name: 'ref', position: 2, type: 'int', typeCategory: 'integer', nullable: true, default: null, autoIncrement: false, generated: null },
    ],
    primaryKey: { name: 'PRIMARY', columns: ['id'] },
    uniqueConstraints: [],
    indexes: [
      { name: 'b', columns: ['ref'], expressions: [false], unique: false, where: null, method: 'btree', backsConstraint: false },
      { name: 'a', columns: ['id'], expressions: [false], unique: true, where: null, method: 'btree', backsConstraint: true },
    ],
    foreignKeys: [{ name: 'fk', columns: ['ref'], referencedSchema: schema, referencedTable: 'other', referencedColumns: ['id'], onDelete: 'CASCADE', onUpdate: 'NO ACTION' }],
    checks: [],
    triggers: [],
    rowLevelSecurity: null,
    comment: null,
    stats: { rowEstimate: rows, sizeBytes: rows * 100 },
  };
}

const parts = (tables: Table[], database = 'app', engine: SchemaParts['engine'] = 'mysql'): SchemaParts => ({
  engine,
  database,
  serverVersion: '10.11',
  schemas: [database],
  tables,
  views: [],
  sequences: [],
  enums: [],
});

describe('fingerprint', () => {
  it('ignores object order, statistics and the server version', () => {
    const a = finalizeModel(parts([table('x'), table('y')]));
    const reordered = table('x');
    reordered.indexes.reverse();
    const b = finalizeModel({ ...parts([table('y', 'app', 5000), reordered]), serverVersion: '11.4' });
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(b.tables.map((t) => t.name)).toEqual(['x', 'y']);
  });

  it('changes with the structure: a column, an index, column order, a referential action', () => {
    const base = finalizeModel(parts([table('x')])).fingerprint;
    const variants: ((t: Table) => void)[] = [
      (t) => t.columns.push({ ...t.columns[1]!, name: 'extra', position: 3 }),
      (t) => t.indexes.push({ ...t.indexes[0]!, name: 'c' }),
      (t) => t.columns.forEach((c) => (c.position = 3 - c.position)),
      (t) => (t.foreignKeys[0]!.onDelete = 'SET NULL'),
      (t) => (t.columns[1]!.nullable = false),
    ];
    for (const change of variants) {
      const t = table('x');
      change(t);
      expect(finalizeModel(parts([t])).fingerprint).not.toBe(base);
    }
  });

  it('leaves the MySQL database name (its schema) out, but not a PostgreSQL schema', () => {
    expect(finalizeModel(parts([table('x', 'db1')], 'db1')).fingerprint).toBe(finalizeModel(parts([table('x', 'db2')], 'db2')).fingerprint);
    expect(finalizeModel(parts([table('x', 's1')], 'd', 'postgres')).fingerprint).not.toBe(finalizeModel(parts([table('x', 's2')], 'd', 'postgres')).fingerprint);
  });
});
