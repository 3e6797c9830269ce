/**
 * Drift checks for a user who may not create databases: a clear refusal naming SHADOW_DATABASE_URL, and
 * with a shadow database: the check runs, the shadow is emptied afterwards, and a non-empty shadow is
 * refused untouched.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/engines/index.js';
import { runCli } from '../helpers/cli.js';
import { ROOT, createDatabase, mysqlAdmin, pgAdmin, runSql, tempDir, uniqueName, type TestDatabase, type TestEngine } from '../helpers/databases.js';

describe.each(['postgres', 'mysql'] as TestEngine[])('migrate verify with a shadow database on %s', (engine) => {
  const user = uniqueName('dbw_nocreate').slice(0, 30);
  const password = `Sh-${Math.random().toString(36).slice(2)}-dw`;
  let live: TestDatabase;
  let shadow: TestDatabase;
  let cwd: string;
  const urlFor = (db: TestDatabase) =>
    engine === 'postgres' ? `postgres://${user}:${password}@127.0.0.1:5432/${db.name}` : `mysql://${user}:${password}@127.0.0.1:3306/${db.name}`;

  beforeAll(async () => {
    cwd = tempDir();
    fs.writeFileSync(path.join(cwd, 'dbward.config.json'), JSON.stringify({ migrations: { dir: path.join(ROOT, 'examples', 'saas', engine, 'migrations') } }));
    [live, shadow] = await Promise.all([createDatabase(engine), createDatabase(engine)]);
    if (engine === 'postgres') {
      await pgAdmin(async (c) => {
        await c.query(`CREATE ROLE "${user}" LOGIN NOCREATEDB PASSWORD '${password}'`);
        for (const db of [live, shadow]) await c.query(`ALTER DATABASE "${db.name}" OWNER TO "${user}"`);
      });
    } else {
      await mysqlAdmin(async (c) => {
        for (const host of ['%', 'localhost', '127.0.0.1']) {
          await c.query(`CREATE USER '${user}'@'${host}' IDENTIFIED BY '${password}'`);
          for (const db of [live, shadow]) await c.query(`GRANT ALL ON \`${db.name}\`.* TO '${user}'@'${host}'`);
        }
      });
    }
    const applied = await runCli(['migrate', 'up'], { cwd, env: { DATABASE_URL: urlFor(live) } });
    expect(applied.status, applied.stderr).toBe(0);
  });
  afterAll(async () => {
    await Promise.all([live.drop(), shadow.drop()]);
    if (engine === 'postgres') await pgAdmin((c) => c.query(`DROP ROLE IF EXISTS "${user}"`));
    else await mysqlAdmin(async (c) => {
      for (const host of ['%', 'localhost', '127.0.0.1']) await c.query(`DROP USER IF EXISTS '${user}'@'${host}'`);
    });
    fs.rmSync(cwd, { recursive: true, force: true });
  });

  const verify = (env: Record<string, string> = {}) => runCli(['migrate', 'verify'], { cwd, env: { DATABASE_URL: urlFor(live), ...env } });

  it('says it cannot create a scratch database and how to point at a shadow one', async () => {
    const r = await verify();
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/Cannot create a scratch database/);
    expect(r.stderr).toMatch(/SHADOW_DATABASE_URL/);
    expect(r.stderr + r.stdout).not.toContain(password);
  });

  it('checks drift in the shadow database and empties it afterwards', async () => {
    const r = await verify({ SHADOW_DATABASE_URL: urlFor(shadow) });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/no drift/);
    runSql(live, engine === 'postgres' ? 'ALTER TABLE users ADD COLUMN nickname text;' : 'ALTER TABLE users ADD COLUMN nickname VARCHAR(20);');
    const drift = await verify({ SHADOW_DATABASE_URL: urlFor(shadow) });
    expect(drift.status).toBe(1);
    expect(drift.stdout).toMatch(/\+ column .*users\.nickname/);
    // emptied again: a third run is accepted
    expect((await verify({ SHADOW_DATABASE_URL: urlFor(shadow) })).status).toBe(1);
  });

  it('refuses a shadow database that holds anything, and leaves it untouched', async () => {
    runSql(shadow, 'CREATE TABLE keep_me (id INT PRIMARY KEY); INSERT INTO keep_me VALUES (42);');
    const r = await verify({ SHADOW_DATABASE_URL: urlFor(shadow) });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/is not empty/);
    const refusedSelf = await verify({ SHADOW_DATABASE_URL: urlFor(live) });
    expect(refusedSelf.status).toBe(2);
    expect(refusedSelf.stderr).toMatch(/is the database itself/);
    const admin = await connect(shadow.url);
    try {
      expect((await admin.query('SELECT id FROM keep_me')).rows).toEqual([{ id: 42 }]);
    } finally {
      await admin.close();
    }
  });
});
