/** Restoring over the source on PostgreSQL brings back owners and privileges as they were. */
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { createDatabase, pgAdmin, runSql, tempDir, uniqueName, type TestDatabase } from '../helpers/databases.js';

const owner = uniqueName('dbw_owner').slice(0, 40);
const reader = uniqueName('dbw_reader').slice(0, 40);
let db: TestDatabase;
let cwd: string;
const kept: string[] = [];

beforeAll(async () => {
  cwd = tempDir();
  fs.writeFileSync(path.join(cwd, 'dbward.config.json'), JSON.stringify({ backup: { repository: 'repo' } }));
  await pgAdmin(async (c) => {
    await c.query(`CREATE ROLE "${owner}"`);
    await c.query(`CREATE ROLE "${reader}"`);
  });
  db = await createDatabase('postgres');
  runSql(db, `CREATE TABLE accounts (id int PRIMARY KEY, email text); ALTER TABLE accounts OWNER TO "${owner}"; GRANT SELECT ON accounts TO "${reader}"; INSERT INTO accounts VALUES (1, 'a@example.com');`);
});

afterAll(async () => {
  await db.drop();
  await pgAdmin(async (c) => {
    for (const name of kept) await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await c.query(`DROP ROLE IF EXISTS "${owner}"`);
    await c.query(`DROP ROLE IF EXISTS "${reader}"`);
  });
  fs.rmSync(cwd, { recursive: true, force: true });
});

async function ownership(): Promise<{ owner: string; readerCanSelect: boolean }> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ tableowner: string; can: boolean }>(
      `SELECT tableowner, has_table_privilege($1, 'public.accounts', 'SELECT') AS can FROM pg_tables WHERE tablename = 'accounts'`,
      [reader],
    );
    return { owner: rows[0]!.tableowner, readerCanSelect: rows[0]!.can };
  } finally {
    await client.end();
  }
}

describe('restore over the source on PostgreSQL', () => {
  it('keeps the table owner and the grants', async () => {
    const cli = (args: string[]) => runCli(args, { cwd, env: { DATABASE_URL: db.url } });
    expect(await ownership()).toEqual({ owner, readerCanSelect: true });
    expect((await cli(['backup', 'owned'])).status).toBe(0);
    const r = await cli(['restore', 'owned', '--confirm', db.name, '--json']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    kept.push((JSON.parse(r.stdout) as { replacedDataKeptAs: string }).replacedDataKeptAs);
    expect(await ownership()).toEqual({ owner, readerCanSelect: true });
  });
});
