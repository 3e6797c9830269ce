/**
 * applySeed on real SQLite, PostgreSQL and MariaDB: first run inserts, second run changes nothing,
 * edits update exactly the changed rows, FK order and references, environments, schema errors with
 * nothing written, dry runs, and the admin bootstrap (argon2id, bcrypt, an existing admin's password).
 */
import fs from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, DbwardError } from '../../src/core/errors.js';
import { applySeed, loadSeed, type SeedFile, type SeedReport } from '../../src/seed/index.js';
import { verifyPassword } from '../../src/seed/hash.js';
import { ALL_ENGINES, ROOT, type TestEngine } from '../helpers/databases.js';
import { ADMIN_EMAIL, ADMIN_ENV, ADMIN_PASSWORD, SEED_YAML, seedFixture, type SeedFixture } from './fixtures.js';

const ALL_TABLES = ['roles', 'permissions', 'role_permissions', 'organizations', 'users', 'memberships'];

function table(report: SeedReport, name: string) {
  const found = report.tables.find((t) => t.table === name);
  if (!found) throw new Error(`no report for ${name}: ${JSON.stringify(report.tables.map((t) => t.table))}`);
  return found;
}

async function counts(f: SeedFixture): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of ALL_TABLES) out[t] = await f.count(t);
  return out;
}

/** Run fn and return what it threw (failing when it does not throw). */
async function thrown(fn: () => Promise<unknown>): Promise<DbwardError> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DbwardError);
    return err as DbwardError;
  }
  throw new Error('expected an error');
}

function expectNoPassword(...things: unknown[]): void {
  for (const thing of things) {
    const text = typeof thing === 'string' ? thing : `${JSON.stringify(thing)}\n${inspect(thing, { depth: 10 })}`;
    expect(text).not.toContain(ADMIN_PASSWORD);
  }
}

describe.each(ALL_ENGINES)('seed on %s', (kind: TestEngine) => {
  let f: SeedFixture;
  let seedFile: string;
  beforeAll(async () => {
    f = await seedFixture(kind);
    seedFile = f.writeSeed('seed.yaml', SEED_YAML);
  });
  afterAll(() => f.close());

  const run = async (file: string, options: Partial<Parameters<typeof applySeed>[2]> = {}) =>
    applySeed(f.engine, await loadSeed(file), { environment: 'development', env: ADMIN_ENV, ...options });

  it('a dry run on an empty database reports every insert and writes nothing', async () => {
    const report = await run(seedFile, { dryRun: true });
    expect(report.dryRun).toBe(true);
    expect(report.totals).toEqual({ inserted: 13, updated: 0, unchanged: 0, skipped: 0 });
    expect(report.summary).toMatch(/^Dry run, nothing written/);
    expect(Object.values(await counts(f)).every((n) => n === 0)).toBe(true);
  });

  it('the first run inserts every row in foreign-key order, whatever the file order', async () => {
    const report = await run(seedFile);
    expect(report.changed).toBe(true);
    expect(report.totals).toEqual({ inserted: 13, updated: 0, unchanged: 0, skipped: 0 });
    const order = report.tables.map((t) => t.table);
    expect(order.indexOf('roles')).toBeLessThan(order.indexOf('role_permissions'));
    expect(order.indexOf('permissions')).toBeLessThan(order.indexOf('role_permissions'));
    expect(order.indexOf('users')).toBeLessThan(order.indexOf('memberships'));
    expect(order.indexOf('organizations')).toBeLessThan(order.indexOf('memberships'));
    expect(table(report, 'role_permissions').inserted).toBe(3);
    expect(table(report, 'memberships').inserted).toBe(2);
    expect(report.admin).toMatchObject({ email: ADMIN_EMAIL, action: 'inserted', passwordStatus: 'set', hash: 'argon2id' });
    expect(await counts(f)).toEqual({ roles: 2, permissions: 2, role_permissions: 3, organizations: 2, users: 2, memberships: 2 });
    expectNoPassword(report);
  });

  it('references resolved to the right rows', async () => {
    const { rows } = await f.engine.query(
      `SELECT r.name AS role, p.code AS permission FROM role_permissions rp
       JOIN roles r ON r.id = rp.role_id JOIN permissions p ON p.id = rp.permission_id ORDER BY r.name, p.code`,
    );
    expect(rows.map((r) => `${String(r.role)}:${String(r.permission)}`)).toEqual(['member:users.read', 'owner:users.read', 'owner:users.write']);
    const { rows: members } = await f.engine.query(
      `SELECT u.email AS email, o.slug AS org, r.name AS role FROM memberships m
       JOIN users u ON u.id = m.user_id JOIN organizations o ON o.id = m.organization_id JOIN roles r ON r.id = m.role_id ORDER BY o.slug`,
    );
    expect(members.map((m) => `${String(m.email)}@${String(m.org)}:${String(m.role)}`)).toEqual([
      `${ADMIN_EMAIL}@default:owner`,
      'demo@example.com@demo:member',
    ]);
  });

  it('stores the admin password only as an argon2id hash that verifies', async () => {
    const { rows } = await f.engine.query(`SELECT password_hash, status, is_admin FROM users WHERE email = ${kind === 'postgres' ? '$1' : '?'}`, [ADMIN_EMAIL]);
    const hash = String(rows[0]!.password_hash);
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(hash).not.toContain(ADMIN_PASSWORD);
    expect(await verifyPassword(hash, ADMIN_PASSWORD)).toBe(true);
    expect(await verifyPassword(hash, `${ADMIN_PASSWORD}x`)).toBe(false);
    expect(String(rows[0]!.status)).toBe('active');
    expect([true, 1, '1']).toContain(rows[0]!.is_admin);
  });

  it('a second run changes nothing and says so (types normalised: bigint, decimal, boolean, JSON)', async () => {
    const report = await run(seedFile);
    expect(report.changed).toBe(false);
    expect(report.totals).toEqual({ inserted: 0, updated: 0, unchanged: 13, skipped: 0 });
    expect(report.summary).toBe('Nothing to change: 13 rows already up to date.');
    expect(report.admin).toMatchObject({ action: 'unchanged', passwordStatus: 'verified' });
    expect(report.tables.every((t) => t.changes.length === 0)).toBe(true);
  });

  it('an edited seed updates exactly the changed rows and columns', async () => {
    const edited = SEED_YAML.replace('{ name: member, description: Everyday access }', '{ name: member, description: Daily access }')
      .replace('theme: light', 'theme: dark')
      .replace('credit: 10.5', 'credit: 12.25');
    const report = await run(f.writeSeed('edited.yaml', edited));
    expect(report.totals).toEqual({ inserted: 0, updated: 2, unchanged: 11, skipped: 0 });
    expect(table(report, 'roles').changes).toEqual([{ action: 'updated', key: 'name=member', columns: ['description'] }]);
    expect(table(report, 'organizations').changes).toEqual([{ action: 'updated', key: 'slug=default', columns: ['settings', 'credit'] }]);
    const again = await run(f.writeSeed('edited.yaml', edited));
    expect(again.changed).toBe(false);
    // And back: the original seed is a change again, then stable.
    expect((await run(seedFile)).totals.updated).toBe(2);
  });

  it('a change made in the database is put back by the seed', async () => {
    await f.engine.query("UPDATE roles SET description = 'tampered' WHERE name = 'owner'");
    const report = await run(seedFile);
    expect(table(report, 'roles').changes).toEqual([{ action: 'updated', key: 'name=owner', columns: ['description'] }]);
  });

  it('updateExisting: false inserts missing rows and leaves existing ones alone', async () => {
    const keep = `tables:\n  - table: roles\n    key: [name]\n    updateExisting: false\n    rows:\n      - { name: owner, description: Something else }\n      - { name: auditor, description: Reads the audit log }\n`;
    const report = await run(f.writeSeed('keep.yaml', keep));
    expect(table(report, 'roles')).toMatchObject({ inserted: 1, updated: 0, unchanged: 1 });
    const { rows } = await f.engine.query("SELECT description FROM roles WHERE name = 'owner'");
    expect(rows[0]!.description).toBe('Full access');
    await f.engine.query("DELETE FROM roles WHERE name = 'auditor'");
  });

  it('an admin whose password differs is kept unless resetAdminPassword', async () => {
    const otherPassword = 'Nebula-Orchard-Fjord-77';
    const env = { ADMIN_BOOTSTRAP_EMAIL: ADMIN_EMAIL.toLowerCase(), ADMIN_BOOTSTRAP_PASSWORD: otherPassword };
    const kept = await run(seedFile, { env });
    expect(kept.admin).toMatchObject({ action: 'unchanged', passwordStatus: 'kept' });
    expect(kept.changed).toBe(false);
    expect(kept.warnings.join('\n')).toMatch(/does not match ADMIN_BOOTSTRAP_PASSWORD; it was kept/);
    expect(JSON.stringify(kept)).not.toContain(otherPassword);
    const sql = `SELECT password_hash FROM users WHERE email = ${kind === 'postgres' ? '$1' : '?'}`;
    expect(await verifyPassword((await f.engine.query(sql, [ADMIN_EMAIL])).rows[0]!.password_hash, ADMIN_PASSWORD)).toBe(true);

    const dry = await run(seedFile, { env, resetAdminPassword: true, dryRun: true });
    expect(dry.admin).toMatchObject({ action: 'updated', passwordStatus: 'reset' });
    expect(await verifyPassword((await f.engine.query(sql, [ADMIN_EMAIL])).rows[0]!.password_hash, ADMIN_PASSWORD)).toBe(true);

    const reset = await run(seedFile, { env, resetAdminPassword: true });
    expect(reset.admin).toMatchObject({ action: 'updated', passwordStatus: 'reset', columns: ['password_hash'] });
    expect(await verifyPassword((await f.engine.query(sql, [ADMIN_EMAIL])).rows[0]!.password_hash, otherPassword)).toBe(true);
    expect((await run(seedFile, { env })).admin).toMatchObject({ action: 'unchanged', passwordStatus: 'verified' });
    await run(seedFile, { resetAdminPassword: true });
  });

  it('timestamps round-trip as unchanged (zone-less on DATETIME/TIMESTAMP, with an offset on timestamptz; Date from TS seeds)', async () => {
    const at = kind === 'postgres' ? '2024-03-01T12:30:00Z' : '2024-03-01 12:30:00';
    const seed = (value: string | Date): SeedFile => ({ tables: [{ table: 'users', key: ['email'], rows: [{ email: 'gone@example.com', status: 'deleted', deleted_at: value }] }] });
    const opts = { environment: 'test' as const };
    expect((await applySeed(f.engine, seed(at), opts)).totals.inserted).toBe(1);
    expect((await applySeed(f.engine, seed(at), opts)).changed).toBe(false);
    const later = kind === 'postgres' ? '2024-03-01T12:31:00Z' : '2024-03-01 12:31:00';
    expect((await applySeed(f.engine, seed(later), opts)).tables[0]!.changes).toEqual([{ action: 'updated', key: 'email=gone@example.com', columns: ['deleted_at'] }]);
    const asDate = new Date(kind === 'postgres' ? '2024-03-01T12:31:00Z' : '2024-03-01T12:31:00');
    expect((await applySeed(f.engine, seed(asDate), opts)).changed).toBe(false);
    await f.engine.query("DELETE FROM users WHERE email = 'gone@example.com'");
  });

  it('a missing table or column is a clear error naming it, and nothing is written', async () => {
    const before = await counts(f);
    const bad = `tables:
  - table: permissions
    key: [code]
    rows: [{ code: billing.read }]
  - table: rolez
    key: [name]
    rows: [{ name: x }]
  - table: roles
    key: [name]
    rows: [{ name: viewer, descriptoin: typo }]
  - table: role_permissions
    key: [role_id, permission_id]
    rows:
      - role_id: { ref: roles, where: { nmae: owner } }
        permission_id: { ref: permission, where: { code: users.read } }
`;
    const err = await thrown(() => run(f.writeSeed('bad.yaml', bad)));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain('nothing was written');
    expect(err.message).toContain('tables.1.table: table "rolez" does not exist (did you mean');
    expect(err.message).toContain('tables.2.rows.0.descriptoin: column "descriptoin" does not exist in table "roles" (did you mean "description"?)');
    expect(err.message).toContain('tables.3.rows.0.role_id.where.nmae: column "nmae" does not exist in table "roles"');
    expect(err.message).toContain('tables.3.rows.0.permission_id.ref: table "permission" does not exist (did you mean "permissions"?)');
    expect(await counts(f)).toEqual(before);
  });

  it('a reference that matches no row rolls everything back', async () => {
    const before = await counts(f);
    const bad = `tables:
  - table: roles
    key: [name]
    rows: [{ name: viewer, description: Read only }]
  - table: role_permissions
    key: [role_id, permission_id]
    rows:
      - role_id: { ref: roles, where: { name: viewer } }
        permission_id: { ref: permissions, where: { code: no.such.permission } }
`;
    const err = await thrown(() => run(f.writeSeed('badref.yaml', bad)));
    expect(err.message).toContain('The reference permissions(code=no.such.permission) matches no row; nothing was written.');
    expect(err.exitCode).toBe(2);
    expect(await counts(f)).toEqual(before);
  });
});

describe.each(ALL_ENGINES)('seed environments on %s', (kind: TestEngine) => {
  let f: SeedFixture;
  beforeAll(async () => {
    f = await seedFixture(kind);
  });
  afterAll(() => f.close());

  it('production skips dev-only blocks and rows; development then adds them', async () => {
    const docs = await loadSeed(f.writeSeed('seed.yaml', SEED_YAML));
    const prod = await applySeed(f.engine, docs, { environment: 'production', env: ADMIN_ENV });
    expect(prod.totals).toEqual({ inserted: 10, updated: 0, unchanged: 0, skipped: 3 });
    expect(prod.summary).toBe('Seeded: 10 inserted, 0 updated, 0 unchanged; 3 rows skipped in production.');
    expect(table(prod, 'organizations')).toMatchObject({ inserted: 1, skipped: 1 });
    expect(table(prod, 'users')).toMatchObject({ inserted: 1, skipped: 1 });
    expect(table(prod, 'memberships')).toMatchObject({ inserted: 1, skipped: 1 });
    expect(await f.count('organizations')).toBe(1);
    expect(await f.count('users')).toBe(1);

    const again = await applySeed(f.engine, docs, { environment: 'production', env: ADMIN_ENV });
    expect(again.summary).toBe('Nothing to change: 10 rows already up to date; 3 rows skipped in production.');

    const dev = await applySeed(f.engine, docs, { environment: 'development', env: ADMIN_ENV });
    expect(dev.totals).toEqual({ inserted: 3, updated: 0, unchanged: 10, skipped: 0 });
    expect(await f.count('organizations')).toBe(2);
    expect(await f.count('memberships')).toBe(2);
  });

  it('a dev-only file is skipped in production (and its missing tables are not checked)', async () => {
    const file = f.writeSeed('demo.yaml', 'environments: [development]\ntables:\n  - table: demo_only_table\n    key: [id]\n    rows: [{ id: 1 }]\n');
    const report = await applySeed(f.engine, await loadSeed(file), { environment: 'production' });
    expect(report.files).toEqual([{ source: file, applied: false }]);
    expect(report.notes[0]).toContain('skipped in production (only for development)');
    expect(report.totals.skipped).toBe(1);
    await expect(applySeed(f.engine, await loadSeed(file), { environment: 'development' })).rejects.toThrow(/table "demo_only_table" does not exist/);
  });
});

describe.each(ALL_ENGINES)('admin bootstrap with bcrypt on %s', (kind: TestEngine) => {
  let f: SeedFixture;
  beforeAll(async () => {
    f = await seedFixture(kind);
  });
  afterAll(() => f.close());

  it('stores a bcrypt (cost 12) hash that verifies, and is idempotent', async () => {
    const file = f.writeSeed('admin.yaml', 'admin:\n  table: users\n  hash: bcrypt\n  values: { is_admin: true }\n');
    const first = await applySeed(f.engine, await loadSeed(file), { environment: 'production', env: ADMIN_ENV });
    expect(first.admin).toMatchObject({ action: 'inserted', passwordStatus: 'set', hash: 'bcrypt' });
    const { rows } = await f.engine.query('SELECT password_hash FROM users');
    expect(String(rows[0]!.password_hash)).toMatch(/^\$2[ab]\$12\$/);
    expect(await verifyPassword(rows[0]!.password_hash, ADMIN_PASSWORD)).toBe(true);
    const second = await applySeed(f.engine, await loadSeed(file), { environment: 'production', env: ADMIN_ENV });
    expect(second.admin).toMatchObject({ action: 'unchanged', passwordStatus: 'verified' });
    expect(second.changed).toBe(false);
  });

  it('missing or bad admin variables are all reported at once, before the database is touched, without the password', async () => {
    const file = f.writeSeed('admin.yaml', 'admin:\n  table: users\n');
    const before = await f.count('users');
    const docs = await loadSeed(file);
    const err = await thrown(() => applySeed(f.engine, docs, { environment: 'production', env: {} }));
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain('ADMIN_BOOTSTRAP_EMAIL is not set');
    expect(err.message).toContain('ADMIN_BOOTSTRAP_PASSWORD is not set');
    const weak = 'letmein2024';
    const bad = await thrown(() =>
      applySeed(f.engine, docs, { environment: 'production', env: { ADMIN_BOOTSTRAP_EMAIL: 'opsteam@', ADMIN_BOOTSTRAP_PASSWORD: weak } }),
    );
    expect(bad.message).toContain('ADMIN_BOOTSTRAP_EMAIL is malformed');
    expect(bad.message).toContain('ADMIN_BOOTSTRAP_PASSWORD is malformed');
    expect(`${bad.message}\n${inspect(bad)}`).not.toContain(weak);
    expect(await f.count('users')).toBe(before);
  });
});

describe('docs/seed.md', () => {
  it('its complete example applies as the document says (production, then again)', async () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs/seed.md'), 'utf8');
    const yaml = /```yaml\n([\s\S]*?)```/.exec(doc)![1]!;
    const f = await seedFixture('sqlite');
    try {
      const docs = await loadSeed(f.writeSeed('seed.yaml', yaml));
      const env = { ADMIN_BOOTSTRAP_EMAIL: 'ops@example.com', ADMIN_BOOTSTRAP_PASSWORD: ADMIN_PASSWORD };
      const first = await applySeed(f.engine, docs, { environment: 'production', env });
      expect(doc).toContain(first.summary);
      const second = await applySeed(f.engine, docs, { environment: 'production', env });
      expect(doc).toContain(second.summary);
      expect(second.changed).toBe(false);
    } finally {
      await f.close();
    }
  });
});
