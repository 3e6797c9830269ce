/** The plain SQL layout on every engine: both variants, dbward's history table, down, failures. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { connect } from '../../src/engines/index.js';
import { loadMigrations, migrateDown, migrateUp, migrationStatus, MigrationBlockedError, MigrationFailedError, resolveMigration } from '../../src/migrate/index.js';
import { ALL_ENGINES } from '../helpers/databases.js';
import { rejection, setup, tableNames, writeTree, type Setup } from './fixtures.js';

const TREE = {
  '1_users.sql': 'CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(200) NOT NULL);\n',
  '2_posts/up.sql': 'CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL);\nCREATE INDEX posts_user_idx ON posts (user_id);\n',
  '2_posts/down.sql': 'DROP INDEX posts_user_idx{ON};\nDROP TABLE posts;\n',
  '3_tags.up.sql': 'CREATE TABLE tags (id INTEGER PRIMARY KEY);\n',
  '3_tags.down.sql': 'DROP TABLE tags;\n',
  'README.md': 'not a migration\n',
};

type DbwardRow = {
  version: string;
  name: string;
  checksum: string;
  status: string;
  applied_at: unknown;
  duration_ms: number | null;
  statements_applied: number;
  failed_statement: string | null;
  error: string | null;
  applied_by: string;
};

describe.each(ALL_ENGINES)('plain SQL layout on %s', (kind) => {
  let s: Setup;
  let dir: string;
  const rows = async () => (await s.engine.query<DbwardRow>('SELECT * FROM _dbward_migrations ORDER BY version')).rows;

  beforeEach(async () => {
    s = await setup(kind);
    // MySQL's DROP INDEX names the table.
    dir = writeTree({ ...TREE, '2_posts/down.sql': TREE['2_posts/down.sql'].replace('{ON}', kind === 'mysql' ? ' ON posts' : '') });
  });
  afterEach(async () => {
    await s.close();
  });

  it('applies .sql files, .up.sql files and folders in version order and records them in _dbward_migrations', async () => {
    const source = loadMigrations(dir);
    expect(source.layout).toBe('sql');
    expect(source.migrations.map((m) => [m.id, m.name, m.down !== null])).toEqual([
      ['1', 'users', false],
      ['2', 'posts', true],
      ['3', 'tags', true],
    ]);
    const result = await migrateUp(s.engine, source);
    expect(result.applied.map((a) => a.id)).toEqual(['1', '2', '3']);
    expect(await tableNames(s.engine)).toEqual(['_dbward_migrations', 'posts', 'tags', 'users']);
    const recorded = await rows();
    expect(recorded.map((r) => [r.version, r.name, r.status, Number(r.statements_applied), r.error])).toEqual([
      ['1', 'users', 'applied', 1, null],
      ['2', 'posts', 'applied', 2, null],
      ['3', 'tags', 'applied', 1, null],
    ]);
    expect(recorded[1]?.checksum).toBe(createHash('sha256').update(fs.readFileSync(path.join(dir, '2_posts/up.sql'))).digest('hex'));
    expect(recorded[0]?.applied_by).toMatch(/@.*\(dbward /);
    expect((await migrateUp(s.engine, loadMigrations(dir))).applied).toEqual([]);
    expect((await migrationStatus(s.engine, loadMigrations(dir))).upToDate).toBe(true);
  });

  it('down runs down scripts newest first, refuses to pass a migration without one, and up re-applies', async () => {
    await migrateUp(s.engine, loadMigrations(dir));
    const dry = await migrateDown(s.engine, loadMigrations(dir), { to: '1', dryRun: true });
    expect(dry.plan.map((p) => p.id)).toEqual(['3', '2']);
    expect(await tableNames(s.engine)).toContain('tags');

    expect((await migrateDown(s.engine, loadMigrations(dir))).reverted.map((r) => r.id)).toEqual(['3']);
    expect((await migrateDown(s.engine, loadMigrations(dir), { to: '1' })).reverted.map((r) => r.id)).toEqual(['2']);
    expect(await tableNames(s.engine)).toEqual(['_dbward_migrations', 'users']);
    expect((await rows()).map((r) => [r.version, r.status])).toEqual([
      ['1', 'applied'],
      ['2', 'rolled_back'],
      ['3', 'rolled_back'],
    ]);
    const status = await migrationStatus(s.engine, loadMigrations(dir));
    expect(status.pending.map((p) => p.id)).toEqual(['2', '3']);

    const err = await rejection(migrateDown(s.engine, loadMigrations(dir)));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toMatch(/no down script for 1\b/);
    expect(await tableNames(s.engine)).toContain('users');

    expect((await migrateUp(s.engine, loadMigrations(dir))).applied.map((a) => a.id)).toEqual(['2', '3']);
    expect((await rows()).map((r) => r.status)).toEqual(['applied', 'applied', 'applied']);
    // A down script without statements counts as none.
    fs.writeFileSync(path.join(dir, '3_tags.down.sql'), '-- nothing to undo\n');
    await expect(migrateDown(s.engine, loadMigrations(dir))).rejects.toThrow(/no down script for 3/);
    await expect(migrateDown(s.engine, loadMigrations(dir), { to: '9' })).rejects.toThrow(/9 is not an applied migration/);
  });

  it('records a failure with the failing statement and blocks until resolved', async () => {
    fs.writeFileSync(path.join(dir, '4_bad.sql'), 'CREATE TABLE bad_one (id INTEGER PRIMARY KEY);\n\nUPDATE nope SET x = 1;\nCREATE TABLE never (id INTEGER);\n');
    const err = await rejection(migrateUp(s.engine, loadMigrations(dir)));
    expect(err).toBeInstanceOf(MigrationFailedError);
    const { failure } = err as MigrationFailedError;
    expect(failure.completed).toEqual(['1', '2', '3']);
    expect(err.message).toMatch(/Completed before it in this run: 1, 2, 3/);
    const row = (await rows()).find((r) => r.version === '4')!;
    expect(row.status).toBe('failed');
    expect(row.error).toMatch(/nope/);
    if (kind === 'mysql') {
      expect(row.failed_statement).toBe('#2 of 3 (line 3): UPDATE nope SET x = 1');
      expect(Number(row.statements_applied)).toBe(1);
      expect(await tableNames(s.engine)).toContain('bad_one');
      await s.engine.query('DROP TABLE bad_one');
    } else {
      expect(await tableNames(s.engine)).not.toContain('bad_one');
    }
    await expect(migrateDown(s.engine, loadMigrations(dir))).rejects.toBeInstanceOf(MigrationBlockedError);
    await resolveMigration(s.engine, loadMigrations(dir), { rolledBack: '4_bad' });
    expect((await rows()).find((r) => r.version === '4')?.status).toBe('rolled_back');
    fs.writeFileSync(path.join(dir, '4_bad.sql'), 'CREATE TABLE bad_one (id INTEGER PRIMARY KEY);\n');
    expect((await migrateUp(s.engine, loadMigrations(dir))).applied.map((a) => a.id)).toEqual(['4']);
  });
});

describe('connection pool', () => {
  it.each(['postgres', 'mysql'] as const)('refuses connection_limit=1 on %s instead of waiting forever for a second connection', async (kind) => {
    const s = await setup(kind);
    const engine = await connect(`${s.db.url}?connection_limit=1`);
    try {
      const err = await rejection(migrateUp(engine, loadMigrations(writeTree({ '1_a.sql': 'CREATE TABLE a (id INT);' }))));
      expect(err).toBeInstanceOf(UsageError);
      expect(err.message).toMatch(/connection_limit=1/);
    } finally {
      await engine.close();
      await s.close();
    }
  });
});
