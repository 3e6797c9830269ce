/**
 * `dbward guard -- COMMAND` end to end with the real database clients (psql, mariadb, sqlite3):
 * harmless invocations pass through unchanged; destructive ones are stopped (exit 3, nothing run),
 * and run only as an approved plan, after a verified backup.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJson, runCli } from '../helpers/cli.js';
import { ALL_ENGINES, createDatabase, runSql, tempDir, type TestDatabase, type TestEngine } from '../helpers/databases.js';
import { runCliTty } from '../helpers/tty.js';

/** The engine's own client running SQL against the test database. */
function client(engine: TestEngine, db: TestDatabase, sql: string): string[] {
  if (engine === 'postgres') return ['psql', '-X', '-q', '-d', db.url, '-c', sql];
  if (engine === 'mysql') return ['mariadb', '-h', '127.0.0.1', '-P', '3306', '-u', 'root', db.name, '-e', sql];
  return ['sqlite3', db.name, sql];
}

describe.each(ALL_ENGINES)('dbward guard on %s', (engine) => {
  let db: TestDatabase;
  let cwd: string;
  beforeAll(async () => {
    db = await createDatabase(engine);
    runSql(db, 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body VARCHAR(40) NOT NULL); INSERT INTO notes (id, body) VALUES (1, \'a\'), (2, \'b\'), (3, \'c\');');
    cwd = tempDir();
  });
  afterAll(async () => {
    await db.drop();
    fs.rmSync(cwd, { recursive: true, force: true });
  });

  const env = (extra: Record<string, string> = {}) => ({ DATABASE_URL: db.url, ...extra });
  const guard = (argv: string[], extra: Record<string, string> = {}, global: string[] = []) => runCli([...global, 'guard', '--', ...argv], { cwd, env: env(extra) });
  const rows = async () => {
    const r = await runCli(['exec', '--json', 'SELECT COUNT(*) AS n FROM notes'], { cwd, env: env() });
    return Number(parseJson<{ results: Array<{ rows: Array<{ n: unknown }> }> }>(r).results[0]!.rows[0]!.n);
  };

  it('passes a read through: the client output and exit code are unchanged', async () => {
    const r = await guard(client(engine, db, 'SELECT body FROM notes WHERE id = 2'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\bb\b/);
  });

  it('stops a destructive statement in the client command: exit 3, a plan, nothing run', async () => {
    const r = await guard(client(engine, db, 'DELETE FROM notes'), {}, ['--json']);
    expect(r.status, r.stderr + r.stdout).toBe(3);
    const out = parseJson<{ status: string; plan: string; runCommand: string; notice: { assessment: { rowsAtRisk: number } } }>(r);
    expect(out.status).toBe('approval-required');
    expect(out.notice.assessment.rowsAtRisk).toBe(3);
    expect(out.runCommand).toMatch(/^dbward guard --plan plan-[0-9a-f]{12} -- /);
    expect(await rows()).toBe(3);
  });

  it('refuses a client command aimed at another database than the one it would back up', async () => {
    const other = engine === 'sqlite' ? ['sqlite3', path.join(cwd, 'elsewhere.db'), 'DROP TABLE notes'] : client(engine, { ...db, name: 'some_other_db', url: db.url.replace(/[^/]+$/, 'some_other_db') }, 'DROP TABLE notes');
    const r = await guard(other);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/works on .*but dbward's database is/);
    expect(await rows()).toBe(3);
  });

  it('runs the approved plan once, after a verified backup, and passes the exit code through', async () => {
    const argv = client(engine, db, 'DELETE FROM notes WHERE id >= 2');
    const planned = await guard(argv, { CLAUDECODE: '1' }, ['--json']);
    expect(planned.status).toBe(3);
    const plan = parseJson<{ plan: string }>(planned).plan;
    expect((await runCliTty(['approve', plan], { cwd, env: env(), input: `${db.name}\n` })).status).toBe(0);
    // Another command with this plan is refused.
    const other = await runCli(['guard', '--plan', plan, '--', ...client(engine, db, 'DELETE FROM notes')], { cwd, env: env({ CLAUDECODE: '1' }) });
    expect(other.status).toBe(3);
    expect(await rows()).toBe(3);
    const ran = await runCli(['guard', '--plan', plan, '--', ...argv], { cwd, env: env({ CLAUDECODE: '1' }) });
    expect(ran.status, ran.stderr).toBe(0);
    expect(await rows()).toBe(1);
    const again = await runCli(['guard', '--plan', plan, '--', ...argv], { cwd, env: env({ CLAUDECODE: '1' }) });
    expect(again.status).toBe(3);
    const audit = fs.readFileSync(path.join(cwd, '.dbward', 'audit.log'), 'utf8');
    expect(audit).toMatch(new RegExp(`"operation":"guard.command".*"outcome":"ok".*"plan":"${plan}"|"plan":"${plan}".*"outcome":"ok"`));
  });
});

describe('dbward guard, whole-database commands', () => {
  it('stops dropdb-style commands before they run and never runs them without approval', async () => {
    const db = await createDatabase('sqlite');
    const cwd = tempDir();
    try {
      runSql(db, 'CREATE TABLE t (id INTEGER PRIMARY KEY); INSERT INTO t VALUES (1), (2);');
      // A stand-in `prisma` on PATH that would leave a mark if it ran.
      const bin = path.join(cwd, 'bin');
      fs.mkdirSync(bin);
      const mark = path.join(cwd, 'prisma-ran');
      fs.writeFileSync(path.join(bin, 'prisma'), `#!/bin/sh\ntouch ${mark}\n`, { mode: 0o755 });
      const r = await runCli(['--json', 'guard', '--', 'prisma', 'migrate', 'reset', '--force'], { cwd, env: { DATABASE_URL: db.url, PATH: `${bin}:${process.env.PATH}` } });
      expect(r.status, r.stderr).toBe(3);
      const out = parseJson<{ notice: { assessment: { rowsAtRisk: number; risk: string } } }>(r);
      expect(out.notice.assessment).toMatchObject({ rowsAtRisk: 2, risk: 'HIGH' });
      expect(fs.existsSync(mark)).toBe(false);
      // Harmless prisma commands pass straight through.
      const status = await runCli(['guard', '--', 'prisma', 'migrate', 'status'], { cwd, env: { DATABASE_URL: db.url, PATH: `${bin}:${process.env.PATH}` } });
      expect(status.status).toBe(0);
      expect(fs.existsSync(mark)).toBe(true);
    } finally {
      await db.drop();
      fs.rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('passes exit codes through and needs -- before the command', async () => {
    const cwd = tempDir();
    try {
      expect((await runCli(['guard', '--', 'sh', '-c', 'echo out; echo err >&2; exit 42'], { cwd })).status).toBe(42);
      const r = await runCli(['guard', '--', 'sh', '-c', 'echo out; exit 0'], { cwd });
      expect(r.stdout).toBe('out\n');
      expect((await runCli(['guard', 'prisma', '--force-reset'], { cwd })).status).toBe(2);
    } finally {
      fs.rmSync(cwd, { recursive: true, force: true });
    }
  });
});
