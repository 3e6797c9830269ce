/**
 * Chinook on all three engines: `dbward inspect --json` must describe the same 11 tables with the same
 * columns, primary keys and foreign keys (names compared after folding case and underscores, since the
 * PostgreSQL edition uses snake_case), and `doctor --json` must work on each.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SchemaModel } from '../../src/schema/model.js';
import { parseJson, runCli } from '../helpers/cli.js';
import { ALL_ENGINES, createChinook, tempDir, type TestDatabase, type TestEngine } from '../helpers/databases.js';

const EXPECTED_TABLES = ['album', 'artist', 'customer', 'employee', 'genre', 'invoice', 'invoiceline', 'mediatype', 'playlist', 'playlisttrack', 'track'];

const fold = (name: string) => name.toLowerCase().replace(/_/g, '');

/** The meaning of the schema, engine-neutral: what every engine must agree on. */
function meaning(model: SchemaModel) {
  return model.tables
    .map((t) => ({
      table: fold(t.name),
      columns: t.columns.map((c) => ({ name: fold(c.name), nullable: c.nullable, category: c.typeCategory })),
      primaryKey: (t.primaryKey?.columns ?? []).map(fold),
      foreignKeys: t.foreignKeys
        .map((fk) => ({
          columns: fk.columns.map(fold),
          references: fold(fk.referencedTable),
          referencedColumns: fk.referencedColumns.map(fold),
          onDelete: fk.onDelete,
        }))
        .sort((a, b) => a.columns.join().localeCompare(b.columns.join())),
    }))
    .sort((a, b) => a.table.localeCompare(b.table));
}

const dbs = new Map<TestEngine, TestDatabase>();
const models = new Map<TestEngine, SchemaModel>();
let cwd: string;

beforeAll(async () => {
  cwd = tempDir();
  await Promise.all(ALL_ENGINES.map(async (e) => dbs.set(e, await createChinook(e))));
}, 120_000);
afterAll(async () => {
  await Promise.all([...dbs.values()].map((db) => db.drop()));
  fs.rmSync(cwd, { recursive: true, force: true });
});

describe.each(ALL_ENGINES)('Chinook on %s', (engine) => {
  it('inspect --json describes all 11 tables with columns, primary keys and foreign keys', async () => {
    const r = await runCli(['inspect', '--json'], { cwd, env: { DATABASE_URL: dbs.get(engine)!.url } });
    expect(r.status, r.stderr).toBe(0);
    const model = parseJson<SchemaModel>(r);
    models.set(engine, model);
    expect(model.engine).toBe(engine);
    expect(model.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(model.tables.map((t) => fold(t.name)).sort()).toEqual(EXPECTED_TABLES);
    const playlistTrack = model.tables.find((t) => fold(t.name) === 'playlisttrack')!;
    expect(playlistTrack.primaryKey!.columns.map(fold)).toEqual(['playlistid', 'trackid']);
    const invoiceLine = model.tables.find((t) => fold(t.name) === 'invoiceline')!;
    expect(invoiceLine.foreignKeys.map((f) => fold(f.referencedTable)).sort()).toEqual(['invoice', 'track']);
    expect(model.tables.reduce((n, t) => n + t.foreignKeys.length, 0)).toBe(11);
    const track = model.tables.find((t) => fold(t.name) === 'track')!;
    expect(track.columns.map((c) => fold(c.name))).toEqual(['trackid', 'name', 'albumid', 'mediatypeid', 'genreid', 'composer', 'milliseconds', 'bytes', 'unitprice']);
    expect(track.columns.find((c) => fold(c.name) === 'unitprice')!.typeCategory).toBe('decimal');
  });

  it('inspect --table shows one table and the human form names its keys', async () => {
    const name = engine === 'postgres' ? 'invoice_line' : 'InvoiceLine';
    const json = parseJson<SchemaModel>(await runCli(['inspect', '--json', '--table', name], { cwd, env: { DATABASE_URL: dbs.get(engine)!.url } }));
    expect(json.tables.map((t) => t.name)).toEqual([name]);
    const human = await runCli(['inspect', '--table', name], { cwd, env: { DATABASE_URL: dbs.get(engine)!.url } });
    expect(human.status).toBe(0);
    expect(human.stdout).toMatch(/primary key \(invoice_?line_?id\)/i);
    expect(human.stdout).toMatch(/foreign key \(invoice_?id\) → .*invoice/i);
    const missing = await runCli(['inspect', '--table', 'NoSuchTable'], { cwd, env: { DATABASE_URL: dbs.get(engine)!.url } });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('NoSuchTable');
  });

  it('doctor --json reports engine, reachability, version, privileges and tools', async () => {
    const r = await runCli(['doctor', '--json'], { cwd, env: { DATABASE_URL: dbs.get(engine)!.url } });
    const report = parseJson<{ ok: boolean; engine: string; checks: { id: string; status: string; detail: string }[] }>(r);
    expect(report.engine).toBe(engine);
    const byId = new Map(report.checks.map((c) => [c.id, c]));
    expect(byId.get('connection')!.status).toBe('pass');
    expect(byId.get('server.version')!.detail).toMatch({ sqlite: /SQLite 3\./, postgres: /PostgreSQL 1\d/, mysql: /MariaDB|MySQL/ }[engine]);
    expect(byId.get('privileges.create-database')!.status).toBe('pass');
    expect(byId.has('tool.zstd') && byId.has('tool.age')).toBe(true);
    if (engine === 'postgres') expect(byId.get('tool.pg_dump')!.status).toBe('pass');
    if (engine === 'mysql') expect(byId.get('tool.dump')!.status).toBe('pass');
    // Exit 1 exactly when a check failed.
    expect(r.status).toBe(report.checks.some((c) => c.status === 'fail') ? 1 : 0);
    expect(report.ok).toBe(r.status === 0);
  });
});

describe('Chinook across engines', () => {
  it('is described identically in meaning on SQLite, PostgreSQL and MariaDB', () => {
    expect(models.size, 'the per-engine tests must run first').toBe(3);
    const sqlite = meaning(models.get('sqlite')!);
    expect(meaning(models.get('postgres')!)).toEqual(sqlite);
    expect(meaning(models.get('mysql')!)).toEqual(sqlite);
  });
});
