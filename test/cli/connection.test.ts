/**
 * Connection handling end to end through the CLI: secrets never reach stdout, stderr, the audit log or
 * error text; transient failures are retried until the server appears; auth and unknown-database
 * failures fail at once.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../src/core/audit.js';
import { parseJson, runCli } from '../helpers/cli.js';
import { createDatabase, mysqlAdmin, pgAdmin, tempDir, uniqueName, type TestDatabase } from '../helpers/databases.js';

const SECRET = `Zx9-${uniqueName('pw').slice(-12)}-Qv`;
const pgRole = uniqueName('dbw_role');
const myUser = uniqueName('dbw_u').slice(0, 30);
let pgDb: TestDatabase;
let myDb: TestDatabase;
let cwd: string;

beforeAll(async () => {
  cwd = tempDir();
  [pgDb, myDb] = await Promise.all([createDatabase('postgres'), createDatabase('mysql')]);
  await pgAdmin(async (c) => {
    await c.query(`CREATE ROLE "${pgRole}" LOGIN PASSWORD '${SECRET}'`);
    await c.query(`GRANT ALL ON DATABASE "${pgDb.name}" TO "${pgRole}"`);
  });
  await mysqlAdmin(async (c) => {
    for (const host of ['%', 'localhost', '127.0.0.1']) {
      await c.query(`CREATE USER '${myUser}'@'${host}' IDENTIFIED BY '${SECRET}'`);
      await c.query(`GRANT ALL ON \`${myDb.name}\`.* TO '${myUser}'@'${host}'`);
    }
  });
});

afterAll(async () => {
  await Promise.all([pgDb.drop(), myDb.drop()]);
  await pgAdmin((c) => c.query(`DROP ROLE IF EXISTS "${pgRole}"`));
  await mysqlAdmin(async (c) => {
    for (const host of ['%', 'localhost', '127.0.0.1']) await c.query(`DROP USER IF EXISTS '${myUser}'@'${host}'`);
  });
  fs.rmSync(cwd, { recursive: true, force: true });
});

const auditText = () => fs.readFileSync(path.join(cwd, '.dbward', 'audit.log'), 'utf8');

function expectNoSecret(...texts: string[]) {
  for (const text of texts) {
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(encodeURIComponent(SECRET));
  }
}

describe('redaction', () => {
  it('keeps the password out of output, errors and the audit log, for succeeding and failing commands', async () => {
    const pgUrl = `postgres://${pgRole}:${SECRET}@127.0.0.1:5432/${pgDb.name}`;
    const myUrl = `mysql://${myUser}:${SECRET}@127.0.0.1:3306/${myDb.name}`;
    const runs = [
      // succeeding
      await runCli(['inspect'], { cwd, env: { DATABASE_URL: pgUrl } }),
      await runCli(['doctor', '--json'], { cwd, env: { DATABASE_URL: myUrl } }),
      await runCli(['--url', myUrl, 'inspect', '--json'], { cwd }),
      // failing: unknown database, wrong password, bad parameter
      await runCli(['inspect'], { cwd, env: { DATABASE_URL: `${pgUrl}_missing` } }),
      await runCli(['doctor'], { cwd, env: { DATABASE_URL: `mysql://${myUser}:${SECRET}x@127.0.0.1:3306/${myDb.name}` } }),
      await runCli(['inspect', '--json'], { cwd, env: { DATABASE_URL: `${myUrl}?sslmode=sometimes` } }),
    ];
    expect(runs.map((r) => r.status)).toEqual([0, runs[1]!.status === 0 ? 0 : 1, 0, 1, 1, 2]);
    for (const r of runs) expectNoSecret(r.stdout, r.stderr);
    // The failures said something useful without the secret.
    expect(runs[3]!.stderr).toMatch(/does not exist/);
    expect(runs[3]!.stderr).toContain(`postgres ${pgRole}@127.0.0.1:5432/${pgDb.name}_missing`);
    expect(runs[4]!.stdout).toMatch(/Access denied/);
    // The password in --url is flagged as visible in the process list.
    expect(runs[2]!.stderr).toMatch(/process list/);
    // Every operation that reached the database was recorded, without the secret.
    const audit = auditText();
    expectNoSecret(audit);
    expect(audit.split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(5);
    expect(audit).toContain('"outcome":"failed"');
    expect(verifyAuditLog(path.join(cwd, '.dbward', 'audit.log')).ok).toBe(true);
  });
});

describe('retry', () => {
  it('reaches a server that starts listening after 2 s', async () => {
    // A port that is free now; after 2 s a proxy to the real PostgreSQL starts listening on it.
    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (probe.address() as net.AddressInfo).port;
        probe.close(() => resolve(p));
      });
    });
    const proxy = net.createServer((client) => {
      const upstream = net.connect(5432, '127.0.0.1');
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    const timer = setTimeout(() => proxy.listen(port, '127.0.0.1'), 2_000);
    try {
      const r = await runCli(['inspect', '--json'], { cwd, env: { DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/${pgDb.name}` } });
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(r.durationMs).toBeGreaterThanOrEqual(2_000);
      expect(parseJson<{ engine: string }>(r).engine).toBe('postgres');
      const human = await runCli(['inspect'], { cwd, env: { DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/${pgDb.name}` } });
      expect(human.status).toBe(0);
    } finally {
      clearTimeout(timer);
      proxy.close();
    }
  });

  it('tells a human it is waiting, then gives up at the deadline', async () => {
    const dir = tempDir();
    try {
      fs.writeFileSync(path.join(dir, 'dbward.config.json'), JSON.stringify({ connect: { deadlineSeconds: 2 } }));
      const r = await runCli(['inspect'], { cwd: dir, env: { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/db' } });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/waiting for the database/);
      expect(r.stderr).toMatch(/gave up after \d+\.\ds of retries/);
      expect(r.durationMs).toBeLessThan(10_000);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails at once on a wrong password, an unknown role or an unknown database', async () => {
    const cases = [
      `mysql://${myUser}:wrong-password@127.0.0.1:3306/${myDb.name}`,
      `postgres://no_such_role_${Date.now()}@127.0.0.1:5432/${pgDb.name}`,
      `postgres://postgres@127.0.0.1:5432/no_such_db_${Date.now()}`,
      `mysql://root@127.0.0.1:3306/no_such_db_${Date.now()}`,
    ];
    for (const url of cases) {
      const r = await runCli(['inspect'], { cwd, env: { DATABASE_URL: url } });
      expect(r.status, url).toBe(1);
      expect(r.stderr).not.toMatch(/waiting for the database/);
      expect(r.durationMs).toBeLessThan(5_000);
      expect(r.stderr).toMatch(/hint:/);
    }
  });
});
