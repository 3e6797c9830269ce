/**
 * `dbward init` and `dbward migrate` end to end on the SaaS example, on every engine: bootstrap,
 * idempotency, tamper detection, drift after a manual ALTER TABLE, lint, and no password anywhere.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJson, runCli } from '../helpers/cli.js';
import { ALL_ENGINES, ROOT, createDatabase, runSql, tempDir, type TestDatabase, type TestEngine } from '../helpers/databases.js';

const PASSWORD = `Init-${Math.random().toString(36).slice(2, 10)}-Harbor!`;

interface Report {
  ok: boolean;
  changed: boolean;
  steps: { id: string; status: string; detail: string }[];
}

describe.each(ALL_ENGINES)('init and migrate on %s', (engine: TestEngine) => {
  let db: TestDatabase;
  let cwd: string;
  let url: string;
  const migrations = () => path.join(cwd, 'migrations');
  const cli = (args: string[], env: Record<string, string> = {}) =>
    runCli(args, { cwd, env: { DATABASE_URL: url, ADMIN_BOOTSTRAP_EMAIL: 'ops@example.com', ADMIN_BOOTSTRAP_PASSWORD: PASSWORD, ...env } });

  beforeAll(async () => {
    cwd = tempDir();
    fs.cpSync(path.join(ROOT, 'examples', 'saas', engine, 'migrations'), migrations(), { recursive: true });
    fs.copyFileSync(path.join(ROOT, 'examples', 'saas', 'seed.yaml'), path.join(cwd, 'seed.yaml'));
    fs.writeFileSync(path.join(cwd, 'dbward.config.json'), JSON.stringify({ migrations: { dir: 'migrations' }, seed: { file: 'seed.yaml' } }));
    db = await createDatabase(engine);
    // SQLite: a file in a directory that does not exist yet (init creates both).
    url = engine === 'sqlite' ? `file:${path.join(cwd, 'data', 'app.db')}` : db.url;
  });
  afterAll(async () => {
    await db.drop();
    fs.rmSync(cwd, { recursive: true, force: true });
  });

  it('dry-runs without changing anything, then bootstraps, then has nothing to do', async () => {
    const dry = parseJson<Report>(await cli(['init', '--dry-run', '--json']));
    expect(dry.ok).toBe(true);
    expect(dry.steps.find((s) => s.id === 'migrate')!.status).toBe('planned');
    if (engine === 'sqlite') expect(fs.existsSync(path.join(cwd, 'data'))).toBe(false);

    const first = await cli(['init', '--json']);
    expect(first.status, first.stdout + first.stderr).toBe(0);
    const report = parseJson<Report>(first);
    expect(report.changed).toBe(true);
    expect(report.steps.map((s) => s.id)).toEqual(['detect', 'environment', 'directory', 'connect', 'migrate', 'seed', 'harden', 'verify']);
    expect(report.steps.find((s) => s.id === 'verify')!.status).toBe('done');
    if (engine === 'sqlite') {
      expect(fs.statSync(path.join(cwd, 'data')).mode & 0o777).toBe(0o750);
      expect(fs.statSync(path.join(cwd, 'data', 'app.db')).mode & 0o777).toBe(0o640);
    }

    const second = parseJson<Report>(await cli(['init', '--json']));
    expect(second.ok).toBe(true);
    expect(second.changed).toBe(false);
    const hardened = engine === 'sqlite' ? 'unchanged' : 'skipped'; // file modes exist for SQLite only
    expect(second.steps.filter((s) => ['migrate', 'seed', 'harden'].includes(s.id)).map((s) => s.status)).toEqual(['unchanged', 'unchanged', hardened]);

    const audit = fs.readFileSync(path.join(cwd, '.dbward', 'audit.log'), 'utf8');
    for (const text of [first.stdout, first.stderr, audit, JSON.stringify(second)]) expect(text).not.toContain(PASSWORD);
  });

  it('reports status, detects an edited migration (but not a CRLF-only change)', async () => {
    const ok = await cli(['migrate', 'status', '--json']);
    expect(ok.status).toBe(0);
    const file = path.join(migrations(), '20260115000000_audit', 'migration.sql');
    const original = fs.readFileSync(file, 'utf8');
    try {
      fs.writeFileSync(file, original.replace(/\n/g, '\r\n'));
      expect((await cli(['migrate', 'status'])).status).toBe(0);
      fs.writeFileSync(file, `${original}\n-- an edit after it was applied\n`);
      const edited = await cli(['migrate', 'status']);
      expect(edited.status).toBe(1);
      expect(edited.stdout).toMatch(/EDITED\s+20260115000000_audit/);
    } finally {
      fs.writeFileSync(file, original);
    }
  });

  it('applies a new migration, and finds drift after a manual ALTER TABLE', async () => {
    expect((await cli(['migrate', 'verify'])).status).toBe(0);
    const created = parseJson<{ id: string; files: string[] }>(await cli(['migrate', 'new', 'add_locale', '--json']));
    fs.writeFileSync(created.files[0]!, 'ALTER TABLE users ADD COLUMN locale VARCHAR(10);\n');
    const pending = await cli(['migrate', 'status']);
    expect(pending.status).toBe(1);
    expect(pending.stdout).toMatch(/pending .*add_locale/);
    expect((await cli(['migrate', 'up'])).status).toBe(0);
    expect((await cli(['migrate', 'verify'])).status).toBe(0);

    runSql({ ...db, url, name: engine === 'sqlite' ? url.slice('file:'.length) : db.name }, 'ALTER TABLE organizations ADD COLUMN plan VARCHAR(20);');
    const drift = await cli(['migrate', 'verify']);
    expect(drift.status).toBe(1);
    expect(drift.stdout).toMatch(/DRIFT/);
    expect(drift.stdout).toMatch(/\+ column .*organizations\.plan/);
    const initAfterDrift = parseJson<Report>(await cli(['init', '--json']));
    expect(initAfterDrift.ok).toBe(false);
    expect(initAfterDrift.steps.at(-1)).toMatchObject({ id: 'verify', status: 'failed' });
  });

  it('lints: unsafe migrations fail, the example is clean of errors', async () => {
    const dir = tempDir();
    try {
      const unsafe = engine === 'mysql' ? 'ALTER TABLE users DROP COLUMN email;\n' : 'DROP TABLE users;\n';
      fs.writeFileSync(path.join(dir, 'unsafe.sql'), unsafe);
      const bad = await cli(['migrate', 'lint', path.join(dir, 'unsafe.sql'), '--json']);
      expect(bad.status).toBe(1);
      expect(parseJson<{ rule: string; line: number }[]>(bad).map((f) => f.rule)).toContain(engine === 'mysql' ? 'drop-column' : 'drop-table');
      const example = await cli(['migrate', 'lint', path.join(ROOT, 'examples', 'saas', engine, 'migrations', '20260101000000_init')]);
      expect(example.status, example.stdout).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('init hardens an existing SQLite database', () => {
  it('narrows the file, -wal and directory modes and says so', async () => {
    const cwd = tempDir();
    try {
      fs.writeFileSync(path.join(cwd, 'dbward.config.json'), JSON.stringify({ migrations: { dir: path.join(ROOT, 'examples', 'saas', 'sqlite', 'migrations') } }));
      const dir = path.join(cwd, 'data');
      fs.mkdirSync(dir, { mode: 0o755 });
      fs.chmodSync(dir, 0o755);
      const env = { DATABASE_URL: 'file:./data/app.db' };
      fs.writeFileSync(path.join(dir, 'app.db'), '');
      fs.chmodSync(path.join(dir, 'app.db'), 0o666);
      const r = await runCli(['init', '--json'], { cwd, env });
      expect(r.status, r.stdout + r.stderr).toBe(0);
      const harden = parseJson<Report>(r).steps.find((s) => s.id === 'harden')!;
      expect(harden.status).toBe('done');
      expect(harden.detail).toMatch(/app\.db 0666 → 0640/);
      expect(fs.statSync(path.join(dir, 'app.db')).mode & 0o777).toBe(0o640);
      expect(fs.statSync(dir).mode & 0o777).toBe(0o750);
    } finally {
      fs.rmSync(cwd, { recursive: true, force: true });
    }
  });
});
