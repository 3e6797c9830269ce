/** What only one engine does: PostgreSQL's CONCURRENTLY and lost connections, MySQL's bodies and kills, SQLite's foreign keys. */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MigrationEvent } from '../../src/migrate/index.js';
import { loadMigrations, migrateUp, migrationStatus, MigrationFailedError, resolveMigration } from '../../src/migrate/index.js';
import { mysqlAdmin, pgAdmin } from '../helpers/databases.js';
import { prismaFolder, rejection, setup, writeTree, type Setup } from './fixtures.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('PostgreSQL', () => {
  let s: Setup;
  beforeEach(async () => {
    s = await setup('postgres');
  });
  afterEach(async () => {
    await s.close();
  });

  it('runs a migration with the no-transaction marker statement by statement (CREATE INDEX CONCURRENTLY)', async () => {
    const concurrently = 'SET lock_timeout = \'5s\';\nCREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n';
    const dir = prismaFolder('postgres', {
      '20240101000000_init': 'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\n',
      '20240102000000_index': concurrently,
    });
    const err = await rejection(migrateUp(s.engine, loadMigrations(dir)));
    expect((err as MigrationFailedError).failure.error).toMatch(/cannot run inside a transaction block/);
    await resolveMigration(s.engine, loadMigrations(dir), { rolledBack: '20240102000000_index' });

    fs.writeFileSync(path.join(dir, '20240102000000_index', 'migration.sql'), `-- dbward:no-transaction\n${concurrently}`);
    const events: MigrationEvent[] = [];
    const result = await migrateUp(s.engine, loadMigrations(dir), { onEvent: (e) => events.push(e) });
    expect(result.plan).toEqual([{ id: '20240102000000_index', name: 'index', mode: 'statements', statements: 2 }]);
    expect(events.filter((e) => e.type === 'statement').map((e) => e.type === 'statement' && e.text)).toEqual([
      "SET lock_timeout = '5s'",
      'CREATE INDEX CONCURRENTLY users_email_idx ON users (email)',
    ]);
    const { rows } = await s.engine.query<{ indisvalid: boolean }>("SELECT indisvalid FROM pg_index WHERE indexrelid = 'users_email_idx'::regclass");
    expect(rows).toEqual([{ indisvalid: true }]);
    const history = await s.engine.query<{ logs: string | null; applied_steps_count: number; finished_at: Date | null }>(
      "SELECT logs, applied_steps_count, finished_at FROM _prisma_migrations WHERE migration_name = '20240102000000_index' AND rolled_back_at IS NULL",
    );
    expect(history.rows).toEqual([{ logs: null, applied_steps_count: 1, finished_at: expect.any(Date) }]);
  });

  it('retries a migration whose connection was lost, at the migration boundary', async () => {
    const dir = prismaFolder('postgres', { '20240101000000_slow': 'CREATE TABLE t (id INTEGER);\nSELECT pg_sleep(1.5);\n' });
    const events: MigrationEvent[] = [];
    const run = migrateUp(s.engine, loadMigrations(dir), { onEvent: (e) => events.push(e), retryDeadlineMs: 20_000 });
    let killed = 0;
    for (let i = 0; i < 50 && !killed; i++) {
      await sleep(100);
      killed = await pgAdmin(async (c) => {
        const res = await c.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND query LIKE '%pg_sleep(1.5)%' AND pid <> pg_backend_pid()", [
          s.db.name,
        ]);
        return res.rowCount ?? 0;
      });
    }
    expect(killed).toBe(1);
    expect((await run).applied.map((a) => a.id)).toEqual(['20240101000000_slow']);
    expect(events.some((e) => e.type === 'retry')).toBe(true);
    const { rows } = await s.engine.query('SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL');
    expect(rows).toHaveLength(1);
  });
});

describe('MySQL', () => {
  let s: Setup;
  beforeEach(async () => {
    s = await setup('mysql');
  });
  afterEach(async () => {
    await s.close();
  });

  it('applies triggers and procedures written with or without DELIMITER', async () => {
    const dir = writeTree({
      '1_init.sql': `CREATE TABLE t (a INT, b INT);
CREATE TRIGGER t_bi BEFORE INSERT ON t FOR EACH ROW
BEGIN
  IF NEW.a > 10 THEN SET NEW.b = 1; ELSE SET NEW.b = 2; END IF;
END;
DELIMITER $$
CREATE PROCEDURE p(IN x INT) BEGIN INSERT INTO t (a) VALUES (x); SELECT COUNT(*) FROM t; END $$
DELIMITER ;
CALL p(20);
`,
    });
    const result = await migrateUp(s.engine, loadMigrations(dir));
    expect(result.plan).toEqual([{ id: '1', name: 'init', mode: 'statements', statements: 4 }]);
    expect((await s.engine.query('SELECT a, b FROM t')).rows).toEqual([{ a: 20, b: 1 }]);
  });

  it('a connection killed mid-migration is reported with the exact statement and what stayed applied', async () => {
    const dir = prismaFolder('mysql', { '20240101000000_slow': 'CREATE TABLE first_one (id INT);\nSELECT SLEEP(5);\nCREATE TABLE never (id INT);\n' });
    const run = rejection(migrateUp(s.engine, loadMigrations(dir), { retryDeadlineMs: 1_000 }));
    let killed = false;
    for (let i = 0; i < 50 && !killed; i++) {
      await sleep(100);
      killed = await mysqlAdmin(async (c) => {
        const [rows] = await c.query("SELECT id FROM information_schema.processlist WHERE db = ? AND info LIKE 'SELECT SLEEP(5)%'", [s.db.name]);
        const ids = (rows as { id: number }[]).map((r) => r.id);
        for (const id of ids) await c.query(`KILL ${id}`);
        return ids.length > 0;
      });
    }
    const err = (await run) as MigrationFailedError;
    expect(err).toBeInstanceOf(MigrationFailedError);
    expect(err.failure).toMatchObject({ statementsApplied: 1, rolledBack: false, recorded: true, statement: { number: 2, total: 3, text: 'SELECT SLEEP(5)' } });
    const status = await migrationStatus(s.engine, loadMigrations(dir));
    expect(status.failed).toEqual([expect.objectContaining({ id: '20240101000000_slow', error: expect.stringMatching(/Failed statement: #2 of 3 \(line 2\): SELECT SLEEP\(5\)/) })]);
  });
});

describe('SQLite', () => {
  let s: Setup;
  beforeEach(async () => {
    s = await setup('sqlite');
  });
  afterEach(async () => {
    await s.close();
  });

  const INIT = `CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent (id) ON DELETE CASCADE);
INSERT INTO parent VALUES (1, 'one');
INSERT INTO child VALUES (10, 1);
`;
  /** What `prisma migrate dev` writes to redefine a table on SQLite. */
  const REDEFINE = (select: string) => `-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_parent" ("id" INTEGER NOT NULL PRIMARY KEY, "name" TEXT NOT NULL DEFAULT '');
INSERT INTO "new_parent" ("id", "name") ${select};
DROP TABLE "parent";
ALTER TABLE "new_parent" RENAME TO "parent";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
`;

  // With foreign keys on, DROP TABLE "parent" would cascade-delete every child row.
  it("runs Prisma's table redefinitions with foreign keys off (no cascade), checked before commit", async () => {
    const dir = prismaFolder('sqlite', {
      '20240101000000_init': INIT,
      '20240102000000_redefine': REDEFINE('SELECT "id", coalesce("name", \'\') FROM "parent"'),
    });
    await migrateUp(s.engine, loadMigrations(dir));
    expect((await s.engine.query('SELECT c.id, p.name FROM child c JOIN parent p ON p.id = c.parent_id')).rows).toEqual([{ id: 10, name: 'one' }]);
    expect((await s.engine.query('PRAGMA foreign_keys')).rows).toEqual([{ foreign_keys: 1 }]);
  });

  it('rolls back a redefinition that would leave dangling foreign keys', async () => {
    const dir = prismaFolder('sqlite', {
      '20240101000000_init': INIT,
      '20240102000000_redefine': REDEFINE('SELECT "id" + 100, "name" FROM "parent"'),
    });
    const err = await rejection(migrateUp(s.engine, loadMigrations(dir)));
    expect((err as MigrationFailedError).failure).toMatchObject({ rolledBack: true, error: expect.stringMatching(/1 foreign key violation\(s\) \(child → parent\)/) });
    expect((await s.engine.query('SELECT id FROM parent')).rows).toEqual([{ id: 1 }]);
    expect((await s.engine.query('PRAGMA foreign_keys')).rows).toEqual([{ foreign_keys: 1 }]);
  });
});
