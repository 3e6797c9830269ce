/** `dbward seed` end to end on the SaaS example (SQLite and PostgreSQL): idempotent, policy-checked, secret-free. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJson, runCli } from '../helpers/cli.js';
import { ROOT, createDatabase, runSql, tempDir, type TestDatabase, type TestEngine } from '../helpers/databases.js';

const PASSWORD = `Seed-${Math.random().toString(36).slice(2, 10)}-Quartz!`;
const ADMIN = { ADMIN_BOOTSTRAP_EMAIL: 'ops@example.com', ADMIN_BOOTSTRAP_PASSWORD: PASSWORD };
const SEED = path.join(ROOT, 'examples', 'saas', 'seed.yaml');

describe.each(['sqlite', 'postgres'] as TestEngine[])('dbward seed on %s', (engine) => {
  let db: TestDatabase;
  let cwd: string;
  beforeAll(async () => {
    cwd = tempDir();
    db = await createDatabase(engine);
    const dir = path.join(ROOT, 'examples', 'saas', engine, 'migrations');
    const sql = fs.readdirSync(dir).filter((d) => /^\d+_/.test(d)).sort().map((d) => fs.readFileSync(path.join(dir, d, 'migration.sql'), 'utf8')).join('\n');
    runSql(db, sql);
  });
  afterAll(async () => {
    await db.drop();
    fs.rmSync(cwd, { recursive: true, force: true });
  });

  const cli = (args: string[], env: Record<string, string> = ADMIN) => runCli(['seed', SEED, ...args], { cwd, env: { DATABASE_URL: db.url, ...env } });

  it('inserts once, then has nothing to change; the password appears nowhere', async () => {
    const first = await cli(['--json']);
    expect(first.status, first.stderr).toBe(0);
    expect(parseJson<{ changed: boolean; admin: { passwordStatus: string } }>(first)).toMatchObject({ changed: true, admin: { passwordStatus: 'set' } });
    const second = await cli([]);
    expect(second.status).toBe(0);
    expect(second.stdout).toMatch(/Nothing to change/);
    expect(second.stdout).toMatch(/password verified/);
    const audit = fs.readFileSync(path.join(cwd, '.dbward', 'audit.log'), 'utf8');
    for (const text of [first.stdout, first.stderr, second.stdout, second.stderr, audit]) expect(text).not.toContain(PASSWORD);
    expect(audit).toContain('"operation":"seed"');
  });

  it('skips development-only rows in production', async () => {
    const fresh = await createDatabase(engine);
    try {
      const dir = path.join(ROOT, 'examples', 'saas', engine, 'migrations');
      runSql(fresh, fs.readdirSync(dir).filter((d) => /^\d+_/.test(d)).sort().map((d) => fs.readFileSync(path.join(dir, d, 'migration.sql'), 'utf8')).join('\n'));
      const r = await runCli(['seed', SEED, '--json'], { cwd, env: { DATABASE_URL: fresh.url, NODE_ENV: 'production', ...ADMIN } });
      expect(r.status, r.stderr).toBe(0);
      const report = parseJson<{ totals: { skipped: number } }>(r);
      expect(report.totals.skipped).toBeGreaterThanOrEqual(2);
    } finally {
      await fresh.drop();
    }
  });

  it('rejects weak admin credentials all at once, without echoing them, and writes nothing', async () => {
    const r = await cli([], { ADMIN_BOOTSTRAP_EMAIL: 'not-an-email', ADMIN_BOOTSTRAP_PASSWORD: 'password1234' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/ADMIN_BOOTSTRAP_EMAIL is malformed/);
    expect(r.stderr).toMatch(/ADMIN_BOOTSTRAP_PASSWORD is malformed: .*common/);
    expect(r.stderr).not.toContain('password1234');
    const missing = await cli([], {});
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/ADMIN_BOOTSTRAP_EMAIL is not set[\s\S]*ADMIN_BOOTSTRAP_PASSWORD is not set/);
  });
});
