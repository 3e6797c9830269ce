/**
 * Prisma's layout on every engine: `_prisma_migrations` exactly as Prisma Migrate keeps it, tamper
 * detection, failures, resolve, the lock and dry runs.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import {
  loadMigrations,
  migrateDown,
  migrateUp,
  migrationStatus,
  MigrationBlockedError,
  MigrationFailedError,
  resolveMigration,
} from '../../src/migrate/index.js';
import { ALL_ENGINES, type TestEngine } from '../helpers/databases.js';
import { openEngine, prismaFolder, rejection, setup, tableNames, type Setup } from './fixtures.js';

const INIT = 'CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(200) NOT NULL);\n';
const ADD_NAME = '-- AlterTable\nALTER TABLE users ADD COLUMN name VARCHAR(100);\n\n-- CreateIndex\nCREATE INDEX users_email_idx ON users (email);\n';
const FAILING = 'CREATE TABLE posts (id INTEGER PRIMARY KEY);\nINSERT INTO missing_table VALUES (1);\n';
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The columns of _prisma_migrations as each engine's catalog describes them (Prisma's documented DDL). */
const EXPECTED_COLUMNS: Record<TestEngine, string[]> = {
  postgres: [
    'id character varying(36) NOT NULL',
    'checksum character varying(64) NOT NULL',
    'finished_at timestamp with time zone NULL',
    'migration_name character varying(255) NOT NULL',
    'logs text NULL',
    'rolled_back_at timestamp with time zone NULL',
    'started_at timestamp with time zone NOT NULL default now()',
    'applied_steps_count integer NOT NULL default 0',
  ],
  mysql: [
    'id varchar(36) NOT NULL PRI',
    'checksum varchar(64) NOT NULL',
    'finished_at datetime(3) NULL',
    'migration_name varchar(255) NOT NULL',
    'logs text NULL',
    'rolled_back_at datetime(3) NULL',
    'started_at datetime(3) NOT NULL default current_timestamp(3)',
    'applied_steps_count int(10) unsigned NOT NULL default 0',
  ],
  sqlite: [
    'id TEXT NOT NULL PRI',
    'checksum TEXT NOT NULL',
    'finished_at DATETIME NULL',
    'migration_name TEXT NOT NULL',
    'logs TEXT NULL',
    'rolled_back_at DATETIME NULL',
    'started_at DATETIME NOT NULL default current_timestamp',
    'applied_steps_count INTEGER UNSIGNED NOT NULL default 0',
  ],
};

async function describeColumns(s: Setup): Promise<string[]> {
  const kind = s.db.engine;
  if (kind === 'sqlite') {
    const { rows } = await s.engine.query<{ name: string; type: string; notnull: number; dflt_value: string | null; pk: number }>(
      "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info('_prisma_migrations') ORDER BY cid",
    );
    return rows.map((r) => `${r.name} ${r.type} ${r.notnull ? 'NOT NULL' : 'NULL'}${r.dflt_value ? ` default ${r.dflt_value}` : ''}${r.pk ? ' PRI' : ''}`);
  }
  if (kind === 'postgres') {
    const { rows } = await s.engine.query<{ column_name: string; data_type: string; len: number | null; is_nullable: string; column_default: string | null }>(
      `SELECT column_name, data_type, character_maximum_length AS len, is_nullable, column_default
         FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '_prisma_migrations' ORDER BY ordinal_position`,
    );
    return rows.map(
      (r) => `${r.column_name} ${r.data_type}${r.len ? `(${r.len})` : ''} ${r.is_nullable === 'YES' ? 'NULL' : 'NOT NULL'}${r.column_default ? ` default ${r.column_default}` : ''}`,
    );
  }
  const { rows } = await s.engine.query<{ name: string; type: string; nullable: string; def: string | null; k: string }>(
    `SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type, IS_NULLABLE AS nullable, COLUMN_DEFAULT AS def, COLUMN_KEY AS k
       FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = '_prisma_migrations' ORDER BY ORDINAL_POSITION`,
  );
  // MariaDB reports a NULL default as the string 'NULL'.
  return rows.map((r) => `${r.name} ${r.type} ${r.nullable === 'YES' ? 'NULL' : 'NOT NULL'}${r.def && r.def !== 'NULL' ? ` default ${r.def}` : ''}${r.k ? ` ${r.k}` : ''}`);
}

type PrismaRow = {
  id: string;
  checksum: string;
  finished_at: unknown;
  migration_name: string;
  logs: string | null;
  rolled_back_at: unknown;
  started_at: unknown;
  applied_steps_count: number | string;
};

const rowsOf = async (s: Setup) => (await s.engine.query<PrismaRow>('SELECT * FROM _prisma_migrations ORDER BY started_at, migration_name')).rows;
const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const time = (value: unknown) => (typeof value === 'number' ? value : new Date(value instanceof Date ? value : `${String(value).replace(' ', 'T')}Z`).getTime());

describe.each(ALL_ENGINES)('Prisma layout on %s', (kind) => {
  let s: Setup;
  beforeEach(async () => {
    s = await setup(kind);
  });
  afterEach(async () => {
    await s.close();
  });

  it('applies migrations and keeps _prisma_migrations exactly as Prisma does; a second run applies nothing', async () => {
    const dir = prismaFolder(kind, { '20240101000000_init': INIT, '20240102000000_add_name': ADD_NAME });
    const source = loadMigrations(dir);
    expect(source.layout).toBe('prisma');
    expect(source.provider).toBe(kind === 'postgres' ? 'postgresql' : kind);

    const result = await migrateUp(s.engine, source);
    expect(result.applied.map((a) => a.id)).toEqual(['20240101000000_init', '20240102000000_add_name']);
    expect(await describeColumns(s)).toEqual(EXPECTED_COLUMNS[kind]);
    if (kind === 'mysql') {
      const { rows } = await s.engine.query<{ c: string }>(
        "SELECT TABLE_COLLATION AS c FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = '_prisma_migrations'",
      );
      expect(rows[0]?.c).toBe('utf8mb4_unicode_ci');
    }

    const rows = await rowsOf(s);
    expect(rows.map((r) => r.migration_name)).toEqual(['20240101000000_init', '20240102000000_add_name']);
    for (const row of rows) {
      expect(row.id).toMatch(UUID_V4);
      expect(row.checksum).toBe(sha256(path.join(dir, row.migration_name, 'migration.sql')));
      expect(row.logs).toBeNull();
      expect(row.rolled_back_at).toBeNull();
      expect(Number(row.applied_steps_count)).toBe(1);
      expect(row.finished_at).not.toBeNull();
      expect(time(row.finished_at)).toBeGreaterThanOrEqual(time(row.started_at));
      expect(Math.abs(time(row.started_at) - Date.now())).toBeLessThan(60_000);
      // SQLite: milliseconds since the epoch, as Prisma's SQLite driver writes them.
      if (kind === 'sqlite') expect(typeof row.started_at).toBe('number');
    }
    expect(await tableNames(s.engine)).toEqual(['_prisma_migrations', 'users']);

    const again = await migrateUp(s.engine, loadMigrations(dir));
    expect(again.applied).toEqual([]);
    expect(await rowsOf(s)).toEqual(rows);
    const status = await migrationStatus(s.engine, loadMigrations(dir));
    expect(status.upToDate).toBe(true);
    expect(status.applied.map((a) => a.id)).toEqual(['20240101000000_init', '20240102000000_add_name']);
  });

  it('hashes the file bytes as they are (CRLF included) and treats a line-ending-only change as unchanged', async () => {
    const dir = prismaFolder(kind, { '20240101000000_init': INIT.replaceAll('\n', '\r\n'), '20240102000000_add_name': ADD_NAME });
    await migrateUp(s.engine, loadMigrations(dir));
    const initFile = path.join(dir, '20240101000000_init', 'migration.sql');
    expect((await rowsOf(s))[0]?.checksum).toBe(createHash('sha256').update(INIT.replaceAll('\n', '\r\n')).digest('hex'));

    fs.writeFileSync(initFile, INIT); // git checkout on another OS: LF only
    fs.writeFileSync(path.join(dir, '20240102000000_add_name', 'migration.sql'), ADD_NAME.replaceAll('\n', '\r\n'));
    let status = await migrationStatus(s.engine, loadMigrations(dir));
    expect(status.applied.map((a) => a.edited)).toEqual([false, false]);
    expect(status.upToDate).toBe(true);

    fs.writeFileSync(initFile, INIT.replace('200', '255'));
    status = await migrationStatus(s.engine, loadMigrations(dir));
    expect(status.applied.find((a) => a.id === '20240101000000_init')?.edited).toBe(true);
    expect(status.findings).toContainEqual(expect.objectContaining({ code: 'edited', level: 'error', migration: '20240101000000_init' }));
    expect(status.upToDate).toBe(false);
  });

  it('reports applied migrations whose folder is gone, pending ones and out-of-order ones', async () => {
    const dir = prismaFolder(kind, { '20240101000000_init': INIT, '20240103000000_add_name': ADD_NAME });
    await migrateUp(s.engine, loadMigrations(dir));
    fs.rmSync(path.join(dir, '20240103000000_add_name'), { recursive: true });
    fs.mkdirSync(path.join(dir, '20240102000000_late'));
    fs.writeFileSync(path.join(dir, '20240102000000_late', 'migration.sql'), 'CREATE TABLE late (id INTEGER PRIMARY KEY);\n');
    fs.mkdirSync(path.join(dir, '20240104000000_next'));
    fs.writeFileSync(path.join(dir, '20240104000000_next', 'migration.sql'), 'CREATE TABLE next_one (id INTEGER PRIMARY KEY);\n');

    const status = await migrationStatus(s.engine, loadMigrations(dir));
    expect(status.applied.find((a) => a.id === '20240103000000_add_name')?.missing).toBe(true);
    expect(status.pending).toEqual([
      { id: '20240102000000_late', name: 'late', outOfOrder: true },
      { id: '20240104000000_next', name: 'next', outOfOrder: false },
    ]);
    expect(status.findings.map((f) => f.code).sort()).toEqual(['missing', 'out-of-order']);
  });

  it('records a failed migration, leaves the database as it was where DDL is transactional, and blocks until resolved', async () => {
    const dir = prismaFolder(kind, { '20240101000000_init': INIT });
    await migrateUp(s.engine, loadMigrations(dir));
    const before = (await s.engine.introspect()).fingerprint;
    fs.mkdirSync(path.join(dir, '20240102000000_posts'));
    const failingFile = path.join(dir, '20240102000000_posts', 'migration.sql');
    fs.writeFileSync(failingFile, FAILING);

    const err = await rejection(migrateUp(s.engine, loadMigrations(dir)));
    expect(err).toBeInstanceOf(MigrationFailedError);
    const { failure } = err as MigrationFailedError;
    expect(failure).toMatchObject({ migration: '20240102000000_posts', direction: 'up', recorded: true });
    expect(failure.error).toMatch(/missing_table/);
    if (kind === 'mysql') {
      // No transactional DDL: statement 1 stayed applied, statement 2 failed, and the error says so.
      expect(failure).toMatchObject({ rolledBack: false, statementsApplied: 1, reason: 'mysql' });
      expect(failure.statement).toEqual({ number: 2, total: 2, line: 2, text: 'INSERT INTO missing_table VALUES (1)' });
      expect(err.message).toMatch(/at statement #2 of 2 \(line 2\): INSERT INTO missing_table/);
      expect(err.message).toMatch(/Statements 1–1 were applied and remain/);
      expect(await tableNames(s.engine)).toContain('posts');
    } else {
      expect(failure.rolledBack).toBe(true);
      expect((await s.engine.introspect()).fingerprint).toBe(before);
      if (kind === 'postgres') expect(failure.statement).toMatchObject({ number: 2, line: 2 });
    }
    const failedRow = (await rowsOf(s)).find((r) => r.migration_name === '20240102000000_posts')!;
    expect(failedRow).toMatchObject({ finished_at: null, rolled_back_at: null, checksum: sha256(failingFile) });
    expect(Number(failedRow.applied_steps_count)).toBe(0);
    expect(failedRow.logs).toMatch(/missing_table/);
    expect(failedRow.id).toMatch(UUID_V4);

    // Blocked, even for a run that has nothing to do with it.
    const blocked = await rejection(migrateUp(s.engine, loadMigrations(dir)));
    expect(blocked).toBeInstanceOf(MigrationBlockedError);
    expect(blocked.message).toMatch(/20240102000000_posts/);
    expect((await migrationStatus(s.engine, loadMigrations(dir))).failed.map((f) => f.id)).toEqual(['20240102000000_posts']);
    await expect(resolveMigration(s.engine, loadMigrations(dir), { rolledBack: '20240101000000_init' })).rejects.toThrow(/not recorded as failed/);

    // Undo by hand (MySQL), mark it rolled back, fix the file, run again.
    if (kind === 'mysql') await s.engine.query('DROP TABLE posts');
    await resolveMigration(s.engine, loadMigrations(dir), { rolledBack: '20240102000000_posts' });
    fs.writeFileSync(failingFile, 'CREATE TABLE posts (id INTEGER PRIMARY KEY);\n');
    const result = await migrateUp(s.engine, loadMigrations(dir));
    expect(result.applied.map((a) => a.id)).toEqual(['20240102000000_posts']);
    const rows = await rowsOf(s);
    expect(rows).toHaveLength(3);
    expect(rows.filter((r) => r.migration_name === '20240102000000_posts').map((r) => [r.rolled_back_at !== null, r.finished_at !== null])).toEqual([
      [true, false],
      [false, true],
    ]);
    expect((await migrationStatus(s.engine, loadMigrations(dir))).upToDate).toBe(true);
  });

  it('resolve --applied records a failed migration as applied the way Prisma does', async () => {
    const dir = prismaFolder(kind, { '20240101000000_init': INIT, '20240102000000_posts': FAILING });
    await rejection(migrateUp(s.engine, loadMigrations(dir)));
    await s.engine.query(kind === 'mysql' ? 'CREATE TABLE IF NOT EXISTS posts (id INTEGER PRIMARY KEY)' : 'CREATE TABLE posts (id INTEGER PRIMARY KEY)');

    expect(await resolveMigration(s.engine, loadMigrations(dir), { applied: '20240102000000_posts' })).toEqual({
      migration: '20240102000000_posts',
      resolvedAs: 'applied',
    });
    const rows = (await rowsOf(s)).filter((r) => r.migration_name === '20240102000000_posts');
    expect(rows).toHaveLength(2);
    const [failed, resolved] = [rows.find((r) => r.rolled_back_at !== null)!, rows.find((r) => r.rolled_back_at === null)!];
    expect(failed.finished_at).toBeNull();
    expect(resolved).toMatchObject({ logs: '', rolled_back_at: null });
    expect(resolved.finished_at).not.toBeNull();
    expect(Number(resolved.applied_steps_count)).toBe(0);
    expect((await migrationStatus(s.engine, loadMigrations(dir))).upToDate).toBe(true);
    await expect(resolveMigration(s.engine, loadMigrations(dir), { applied: '20240102000000_posts' })).rejects.toThrow(/already recorded as applied/);
    await expect(resolveMigration(s.engine, loadMigrations(dir), { applied: 'nope' })).rejects.toThrow(UsageError);
  });

  it('down runs a down.sql beside migration.sql and marks the row rolled back, so up (or prisma migrate deploy) applies it again', async () => {
    const dir = prismaFolder(kind, { '20240101000000_init': INIT, '20240102000000_add_name': ADD_NAME });
    fs.writeFileSync(path.join(dir, '20240102000000_add_name', 'down.sql'), `DROP INDEX users_email_idx${kind === 'mysql' ? ' ON users' : ''};\nALTER TABLE users DROP COLUMN name;\n`);
    await migrateUp(s.engine, loadMigrations(dir));
    const before = await rowsOf(s);
    expect((await migrateDown(s.engine, loadMigrations(dir))).reverted.map((r) => r.id)).toEqual(['20240102000000_add_name']);
    const after = await rowsOf(s);
    expect(after.map((r) => [r.migration_name, r.rolled_back_at !== null, r.finished_at !== null])).toEqual([
      ['20240101000000_init', false, true],
      ['20240102000000_add_name', true, true],
    ]);
    expect(after[1]?.id).toBe(before[1]?.id);
    expect((await migrationStatus(s.engine, loadMigrations(dir))).pending.map((p) => p.id)).toEqual(['20240102000000_add_name']);
    await expect(migrateDown(s.engine, loadMigrations(dir))).rejects.toThrow(/no down script for 20240101000000_init/);
    expect((await migrateUp(s.engine, loadMigrations(dir))).applied.map((a) => a.id)).toEqual(['20240102000000_add_name']);
    expect(await rowsOf(s)).toHaveLength(3);
  });

  it('applies once when two runs start at the same time from two connections', async () => {
    const sleep = { postgres: 'SELECT pg_sleep(0.3);', mysql: 'SELECT SLEEP(0.3);', sqlite: 'SELECT 1;' }[kind];
    const dir = prismaFolder(kind, { '20240101000000_init': INIT, '20240102000000_slow': `${sleep}\n${ADD_NAME}` });
    const other = await openEngine(s.db);
    try {
      const results = await Promise.all([migrateUp(s.engine, loadMigrations(dir)), migrateUp(other, loadMigrations(dir))]);
      expect(results.flatMap((r) => r.applied.map((a) => a.id)).sort()).toEqual(['20240101000000_init', '20240102000000_slow']);
    } finally {
      await other.close();
    }
    expect(await rowsOf(s)).toHaveLength(2);
  });

  it('dry run plans and changes nothing, not even the history table', async () => {
    const dir = prismaFolder(kind, { '20240101000000_init': INIT, '20240102000000_add_name': ADD_NAME });
    const before = (await s.engine.introspect()).fingerprint;
    const result = await migrateUp(s.engine, loadMigrations(dir), { dryRun: true });
    expect(result.dryRun).toBe(true);
    expect(result.applied).toEqual([]);
    expect(result.plan).toEqual([
      { id: '20240101000000_init', name: 'init', mode: kind === 'mysql' ? 'statements' : 'transaction', statements: 1 },
      { id: '20240102000000_add_name', name: 'add_name', mode: kind === 'mysql' ? 'statements' : 'transaction', statements: 2 },
    ]);
    expect((await s.engine.introspect()).fingerprint).toBe(before);
    expect(await tableNames(s.engine)).toEqual([]);
  });

  it('refuses a migrations folder whose migration_lock.toml names another provider; a missing lock file is a note', async () => {
    const other = kind === 'postgres' ? 'mysql' : 'postgresql';
    const wrong = loadMigrations(prismaFolder(kind, { '20240101000000_init': INIT }, other));
    for (const run of [() => migrateUp(s.engine, wrong), () => migrationStatus(s.engine, wrong)]) {
      const err = await rejection(run());
      expect(err).toBeInstanceOf(UsageError);
      expect(err.message).toContain(`provider = "${other}"`);
    }
    expect(await tableNames(s.engine)).toEqual([]);

    const unlocked = loadMigrations(prismaFolder(kind, { '20240101000000_init': INIT }, null));
    expect(unlocked.findings).toEqual([expect.objectContaining({ level: 'info', code: 'no-lock-file' })]);
    expect((await migrateUp(s.engine, unlocked)).applied).toHaveLength(1);
  });

  it('refuses to start a history on a database that already has tables (baseline with resolve --applied)', async () => {
    await s.engine.query('CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(200) NOT NULL)');
    const dir = prismaFolder(kind, { '20240101000000_init': INIT, '20240102000000_add_name': ADD_NAME });
    const err = await rejection(migrateUp(s.engine, loadMigrations(dir)));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toMatch(/not empty .*users/);
    await resolveMigration(s.engine, loadMigrations(dir), { applied: '20240101000000_init' });
    expect((await migrateUp(s.engine, loadMigrations(dir))).applied.map((a) => a.id)).toEqual(['20240102000000_add_name']);
  });
});
