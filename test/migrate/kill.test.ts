/**
 * kill -9 in the middle of `dbward migrate up`: on PostgreSQL and SQLite the migration's transaction
 * dies with the process (nothing half-applied, the next run applies it); on MySQL, where DDL commits
 * statement by statement, the run is recorded as started-and-unfinished and blocks later runs until
 * resolved — never silently half-applied.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/engines/index.js';
import { runCli } from '../helpers/cli.js';
import { ALL_ENGINES, ROOT, createDatabase, tempDir, type TestDatabase, type TestEngine } from '../helpers/databases.js';

const SLOW: Record<TestEngine, string> = {
  postgres: 'CREATE TABLE first_half (id int PRIMARY KEY);\nSELECT pg_sleep(30);\nCREATE TABLE second_half (id int PRIMARY KEY);\n',
  mysql: 'CREATE TABLE first_half (id int PRIMARY KEY);\nDO SLEEP(30);\nCREATE TABLE second_half (id int PRIMARY KEY);\n',
  // SQLite has no sleep: a recursive CTE that counts long enough.
  sqlite:
    'CREATE TABLE first_half (id INTEGER PRIMARY KEY);\nWITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000000) SELECT count(*) FROM n;\nCREATE TABLE second_half (id INTEGER PRIMARY KEY);\n',
};

describe.each(ALL_ENGINES)('kill -9 during migrate up on %s', (engine) => {
  let db: TestDatabase;
  let cwd: string;
  beforeAll(async () => {
    cwd = tempDir();
    db = await createDatabase(engine);
    if (engine === 'sqlite') fs.writeFileSync(db.name, '');
    const dir = path.join(cwd, 'migrations', '001_slow');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'up.sql'), SLOW[engine]);
    fs.writeFileSync(path.join(cwd, 'dbward.config.json'), JSON.stringify({ migrations: { dir: 'migrations', layout: 'sql' } }));
  });
  afterAll(async () => {
    await db.drop();
    fs.rmSync(cwd, { recursive: true, force: true });
  });

  async function tables(): Promise<string[]> {
    const e = await connect(db.url);
    try {
      return (await e.introspect()).tables.map((t) => t.name).filter((n) => !n.startsWith('_dbward')).sort();
    } finally {
      await e.close();
    }
  }

  it('never leaves the migration silently half-applied', async () => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'dbward.js'), 'migrate', 'up'], { cwd, env: { PATH: process.env.PATH, DATABASE_URL: db.url } });
    // Wait until the first statement has run (MySQL: committed; others: inside the open transaction).
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const deadline = Date.now() + 20_000;
    while (!stderr.includes('up 001') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 1_000));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));

    const status = await runCli(['migrate', 'status', '--json'], { cwd, env: { DATABASE_URL: db.url } });
    expect(status.status).toBe(1);
    const report = JSON.parse(status.stdout) as { applied: unknown[]; pending: { id: string }[]; failed: { id: string }[] };
    expect(report.applied).toEqual([]);
    if (engine === 'mysql') {
      // The first statement committed; the run is recorded as unfinished and blocks until resolved.
      expect(report.failed.map((f) => f.id)).toEqual(['001']);
      expect(await tables()).toEqual(['first_half']);
      const blocked = await runCli(['migrate', 'up'], { cwd, env: { DATABASE_URL: db.url } });
      expect(blocked.status).toBe(1);
      expect(blocked.stderr).toMatch(/resolve/);
    } else {
      // The transaction died with the process: nothing of the migration exists.
      expect(report.pending.map((p) => p.id)).toEqual(['001']);
      expect(report.failed).toEqual([]);
      expect(await tables()).toEqual([]);
    }
  }, 60_000);
});
