/** The seed file format and loader (YAML, JSON, TS/JS, directories), strict validation naming key paths, and the dependency order. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { applySeed, loadSeed, parseSeedFile } from '../../src/seed/index.js';
import { orderByDependencies } from '../../src/seed/order.js';
import { createDatabase, runSql, tempDir } from '../helpers/databases.js';
import { connect } from '../../src/engines/index.js';

const dir = tempDir('dbward-seed-format-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

function problemsOf(raw: unknown): string[] {
  try {
    parseSeedFile(raw, 'seed.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toContain('Invalid seed file seed.yaml:');
    return (err as ConfigError).problems;
  }
  throw new Error('expected the seed to be invalid');
}

const ROLES = { tables: [{ table: 'roles', key: ['name'], rows: [{ name: 'owner' }, { name: 'member', environments: ['development'] }] }] };

describe('loading', () => {
  it('reads the same seed from YAML, JSON, a TS module (default export) and a JS module (named `seed` export)', async () => {
    const yaml = write('a/seed.yaml', 'tables:\n  - table: roles\n    key: [name]\n    rows:\n      - { name: owner }\n      - { name: member, environments: [development] }\n');
    const json = write('b/seed.json', JSON.stringify(ROLES));
    const ts = write(
      'c/seed.ts',
      `import type { SeedFile } from '${path.resolve('src/seed/index.js')}';\nconst seed: SeedFile = ${JSON.stringify(ROLES)};\nexport default seed;\n`,
    );
    const js = write('d/seed.mjs', `export const seed = ${JSON.stringify(ROLES)};\n`);
    for (const file of [yaml, json, ts, js]) {
      const [doc] = await loadSeed(file);
      expect(doc!.source).toBe(file);
      expect(doc!.seed).toEqual(ROLES);
    }
  });

  it('loads a directory in name order and relative paths against cwd', async () => {
    write('multi/20-demo.yaml', 'environments: [development]\ntables: []\n');
    write('multi/10-base.json', '{"tables": []}');
    write('multi/README.md', 'not a seed');
    const docs = await loadSeed('multi', { cwd: dir });
    expect(docs.map((d) => path.basename(d.source))).toEqual(['10-base.json', '20-demo.yaml']);
  });

  it('refuses two admin blocks, unknown file types, missing files and bad YAML clearly', async () => {
    const a = write('admins/a.yaml', 'admin: { table: users }\n');
    const b = write('admins/b.yaml', 'admin: { table: users }\n');
    await expect(loadSeed([a, b])).rejects.toThrow(/More than one seed file defines admin/);
    await expect(loadSeed(write('seed.toml', ''))).rejects.toThrow(/Unsupported seed file type/);
    await expect(loadSeed(path.join(dir, 'nope.yaml'))).rejects.toThrow(/Seed file not found/);
    await expect(loadSeed(write('broken.yaml', 'tables:\n  - table: [roles\n'))).rejects.toThrow(/is not valid YAML: .*line/);
    await expect(loadSeed(write('broken.json', '{"tables": '))).rejects.toThrow(/is not valid JSON/);
  });

  it('an empty YAML file is an empty seed', async () => {
    const [doc] = await loadSeed(write('empty.yaml', ''));
    expect(doc!.seed).toEqual({});
  });
});

describe('validation names the key path', () => {
  it('unknown keys at every level', () => {
    expect(problemsOf({ tabels: [] })).toEqual(['unknown key "tabels"']);
    expect(problemsOf({ tables: [{ table: 'roles', key: ['name'], rowz: [] }] })).toEqual([
      'key "tables.0.rows": Invalid input: expected array, received undefined',
      'unknown key "tables.0.rowz"',
    ]);
    expect(problemsOf({ admin: { table: 'users', hash: 'md5', extra: 1 } })).toEqual([
      'key "admin.hash": Invalid option: expected one of "argon2id"|"bcrypt"',
      'unknown key "admin.extra"',
    ]);
  });

  it('references: misspelt keys, empty where, non-scalar where values', () => {
    const row = (value: unknown) => ({ tables: [{ table: 'rp', key: ['role_id'], rows: [{ role_id: value }] }] });
    expect(problemsOf(row({ ref: 'roles', wher: { name: 'x' } }))).toEqual([
      'key "tables.0.rows.0.role_id.where": Invalid input: expected record, received undefined',
      'key "tables.0.rows.0.role_id": unknown key(s) "wher"',
    ]);
    expect(problemsOf(row({ ref: 'roles', where: {} }))).toEqual(['key "tables.0.rows.0.role_id.where": needs at least one column']);
    expect(problemsOf(row({ ref: 'roles', where: { name: ['a'] } }))[0]).toMatch(/^key "tables.0.rows.0.role_id.where.name": must be a string/);
  });

  it('rows: missing key columns, JSON as a key, bad environments', () => {
    expect(problemsOf({ tables: [{ table: 'roles', key: ['name'], rows: [{ description: 'x' }] }] })).toEqual([
      'key "tables.0.rows.0": is missing key column "name"',
    ]);
    expect(problemsOf({ tables: [{ table: 'roles', key: ['name'], rows: [{ name: { a: 1 } }] }] })).toEqual([
      'key "tables.0.rows.0.name": a key column needs a scalar or a reference',
    ]);
    expect(problemsOf({ tables: [{ table: 'roles', key: ['name'], rows: [{ name: 'x', environments: ['dev'] }] }] })[0]).toMatch(
      /^key "tables.0.rows.0.environments.0": Invalid option/,
    );
    expect(problemsOf({ environments: [] })).toEqual(['key "environments": needs at least one environment']);
    expect(problemsOf({ tables: [{ table: 'roles', key: [], rows: [] }] })).toEqual(['key "tables.0.key": needs at least one column']);
  });

  it('admin: email and hash columns come from the environment, link keys must be known columns', () => {
    expect(problemsOf({ admin: { table: 'users', values: { email: 'x@example.com' } } })).toEqual([
      'key "admin.values.email": is set from ADMIN_BOOTSTRAP_EMAIL / ADMIN_BOOTSTRAP_PASSWORD, not from values',
    ]);
    expect(problemsOf({ admin: { table: 'users', links: [{ table: 'm', userColumn: 'user_id', key: ['org_id'] }] } })).toEqual([
      'key "admin.links.0.key": key column "org_id" is neither userColumn nor in values',
    ]);
  });

  it('accepts JSON values, including { json: … } for an object that looks like a reference', () => {
    expect(() => parseSeedFile({ tables: [{ table: 't', key: ['k'], rows: [{ k: 1, a: { x: [1, { y: null }] }, b: [1, 2], c: { json: { ref: 'not a reference' } } }] }] }, 's')).not.toThrow();
  });
});

describe('dependency order', () => {
  const deps = (entries: [string, string[]][]) => new Map(entries.map(([k, v]) => [k, new Set(v)]));

  it('puts parents first and otherwise keeps the order of first appearance', () => {
    expect(orderByDependencies(['rp', 'm', 'users', 'orgs', 'roles', 'perms'], deps([['rp', ['roles', 'perms']], ['m', ['users', 'orgs', 'roles']]]))).toEqual([
      'users',
      'orgs',
      'roles',
      'm',
      'perms',
      'rp',
    ]);
  });

  it('ignores self-references and names a cycle', () => {
    expect(orderByDependencies(['a'], deps([['a', ['a']]]))).toEqual(['a']);
    expect(() => orderByDependencies(['x', 'a', 'b', 'c'], deps([['a', ['b']], ['b', ['c']], ['c', ['a']]]))).toThrow(
      'The seed\'s tables depend on each other in a cycle: a → b → c → a',
    );
  });

  it('a foreign-key cycle in a real schema is a clear error; leaving one side out resolves it', async () => {
    const db = await createDatabase('sqlite');
    runSql(db, `CREATE TABLE teams (id INTEGER PRIMARY KEY, name TEXT UNIQUE, lead_id INTEGER REFERENCES people (id));
      CREATE TABLE people (id INTEGER PRIMARY KEY, email TEXT UNIQUE, team_id INTEGER REFERENCES teams (id));`);
    const engine = await connect(db.url);
    try {
      const cyclic = {
        tables: [
          { table: 'teams', key: ['name'], rows: [{ name: 'core', lead_id: { ref: 'people', where: { email: 'a@example.com' } } }] },
          { table: 'people', key: ['email'], rows: [{ email: 'a@example.com', team_id: { ref: 'teams', where: { name: 'core' } } }] },
        ],
      };
      const err = await applySeed(engine, cyclic, { environment: 'test' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).message).toBe("The seed's tables depend on each other in a cycle: teams → people → teams");
      expect((err as ConfigError).exitCode).toBe(2);
      // Without lead_id, people depend on teams only: teams first, whatever the file order.
      const acyclic = { tables: [cyclic.tables[1]!, { table: 'teams', key: ['name'], rows: [{ name: 'core' }] }] };
      const report = await applySeed(engine, acyclic, { environment: 'test' });
      expect(report.tables.map((t) => t.table)).toEqual(['teams', 'people']);
      expect(report.totals.inserted).toBe(2);
    } finally {
      await engine.close();
      await db.drop();
    }
  });
});
