/** Loading migration folders, checksums and `migrate new`: no database needed. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { checkProvider, checksumMatches, detectLayout, loadMigrations, newMigration, sha256Hex } from '../../src/migrate/index.js';
import { tempDir } from '../helpers/databases.js';
import { prismaFolder, writeTree } from './fixtures.js';

describe('loadMigrations', () => {
  it('detects the layout: a lock file or migration.sql folders mean Prisma, anything else plain SQL', () => {
    expect(detectLayout(prismaFolder('postgres', { '20240101000000_init': 'SELECT 1;' }))).toBe('prisma');
    expect(detectLayout(prismaFolder('postgres', { '0_init': 'SELECT 1;' }, null))).toBe('prisma');
    expect(detectLayout(writeTree({ '1_init.sql': 'SELECT 1;' }))).toBe('sql');
    expect(() => loadMigrations(path.join(tempDir(), 'nope'))).toThrow(UsageError);
  });

  it("orders Prisma folders by name (Prisma's 0_init baseline first) and notes folders without migration.sql", () => {
    const dir = writeTree({
      '20240102000000_b/migration.sql': 'SELECT 2;',
      '0_init/migration.sql': 'SELECT 0;',
      '20240101000000_a/migration.sql': 'SELECT 1;',
      '20240103000000_empty/notes.txt': '',
      'migration_lock.toml': 'provider = "sqlite"\n',
    });
    const source = loadMigrations(dir);
    expect(source.migrations.map((m) => [m.id, m.version, m.name])).toEqual([
      ['0_init', '0', 'init'],
      ['20240101000000_a', '20240101000000', 'a'],
      ['20240102000000_b', '20240102000000', 'b'],
    ]);
    expect(source.findings).toEqual([expect.objectContaining({ level: 'warning', code: 'ignored', migration: '20240103000000_empty' })]);
  });

  it('refuses a lock file that is not TOML, and a provider that does not match the engine', () => {
    const bad = writeTree({ '1_a/migration.sql': 'SELECT 1;', 'migration_lock.toml': 'provider = "sqlite' });
    expect(() => loadMigrations(bad)).toThrow(/not valid TOML/);
    const source = loadMigrations(prismaFolder('sqlite', { '1_a': 'SELECT 1;' }, 'postgresql'));
    expect(() => checkProvider(source, 'sqlite')).toThrow(/provider = "postgresql".*SQLite/);
    expect(() => checkProvider(source, 'postgres')).not.toThrow();
    expect(() => checkProvider(loadMigrations(prismaFolder('mysql', { '1_a': 'SELECT 1;' })), 'mysql')).not.toThrow();
  });

  it('orders plain versions as numbers and reports gaps in sequence numbers, not between timestamps', () => {
    const source = loadMigrations(
      writeTree({ '1_a.sql': '', '2_b/up.sql': '', '10_c.sql': '', '4_d.sql': '', '7_e.up.sql': '', 'notes.sql': '', 'misc/readme.txt': '' }),
    );
    expect(source.migrations.map((m) => m.id)).toEqual(['1', '2', '4', '7', '10']);
    expect(source.findings.filter((f) => f.code === 'gap').map((f) => f.message)).toEqual([
      'Version 3 is missing between 2 and 4.',
      'Version 5–6 is missing between 4 and 7.',
      'Version 8–9 is missing between 7 and 10.',
    ]);
    expect(source.findings.filter((f) => f.code === 'ignored')).toHaveLength(2);
    const stamps = loadMigrations(writeTree({ '20240101000000_a.sql': '', '20240305120000_b.sql': '' }));
    expect(stamps.findings).toEqual([]);
  });

  it('refuses two migrations with one version', () => {
    expect(() => loadMigrations(writeTree({ '1_a.sql': '', '01_b/up.sql': '' }))).toThrow(/Two migrations have version/);
  });

  it('finds the no-transaction marker only on a line of its own', () => {
    const source = loadMigrations(
      writeTree({ '1_a.sql': '  -- dbward:no-transaction  \r\nSELECT 1;', '2_b.sql': "SELECT '-- dbward:no-transaction';", '3_c/up.sql': 'SELECT 1;', '3_c/down.sql': '-- dbward:no-transaction\nSELECT 1;' }),
    );
    expect(source.migrations.map((m) => [m.up.noTransaction, m.down?.noTransaction ?? null])).toEqual([
      [true, null],
      [false, null],
      [false, true],
    ]);
  });
});

describe('checksums (Prisma checksum.rs)', () => {
  it('is the zero-padded lowercase hex SHA-256 of the script', () => {
    expect(sha256Hex('hello')).toBe('2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
    expect(sha256Hex(Buffer.from('hello'))).toBe(sha256Hex('hello'));
  });

  it('matches across LF/CRLF conversions and not otherwise', () => {
    const scripts = ['ab\ncd\nef\ngh\rab', 'ab\r\ncd\r\nef\r\ngh\rab'];
    for (const a of scripts) for (const b of scripts) expect(checksumMatches(a, sha256Hex(b))).toBe(true);
    expect(checksumMatches('abc', sha256Hex('abcd'))).toBe(false);
    expect(checksumMatches('abc\n', sha256Hex('abc'))).toBe(false);
  });

  it('matches the unpadded checksums an old Prisma stored', () => {
    const digest = [...createHash('sha256').update('SELECT 1;').digest()];
    const old = digest.map((b) => b.toString(16)).join('');
    expect(old.length).toBeLessThan(64);
    expect(checksumMatches('SELECT 1;', old)).toBe(true);
    expect(checksumMatches('SELECT 2;', old)).toBe(false);
  });
});

describe('newMigration', () => {
  const now = new Date('2024-05-06T07:08:09Z');

  it('creates a Prisma migration folder, and the lock file when it is missing', () => {
    const dir = path.join(tempDir(), 'prisma', 'migrations');
    const created = newMigration({ dir, layout: 'prisma' }, 'add_users', { engine: 'postgres', now });
    expect(created.id).toBe('20240506070809_add_users');
    expect(created.files.map((f) => path.relative(dir, f))).toEqual(['20240506070809_add_users/migration.sql', 'migration_lock.toml']);
    expect(fs.readFileSync(path.join(dir, 'migration_lock.toml'), 'utf8')).toMatch(/^provider = "postgresql"$/m);
    const next = newMigration(loadMigrations(dir), 'add_posts', { now });
    expect(next.id).toBe('20240506070810_add_posts');
    expect(loadMigrations(dir).migrations.map((m) => m.id)).toEqual(['20240506070809_add_users', '20240506070810_add_posts']);
  });

  it("continues a plain folder's numbering and style; an empty folder gets a timestamped folder with up.sql and down.sql", () => {
    const empty = path.join(tempDir(), 'migrations');
    expect(newMigration({ dir: empty }, 'init', { now }).files.map((f) => path.relative(empty, f))).toEqual([
      '20240506070809_init/up.sql',
      '20240506070809_init/down.sql',
    ]);
    const numbered = writeTree({ '0001_a.sql': '', '0002_b.sql': '' });
    expect(newMigration(loadMigrations(numbered), 'c', { now })).toMatchObject({ id: '0003', layout: 'sql', files: [path.join(numbered, '0003_c.sql')] });
    const pairs = writeTree({ '1_a.up.sql': '', '1_a.down.sql': '' });
    expect(newMigration({ dir: pairs }, 'b', { now }).files.map((f) => path.basename(f))).toEqual(['2_b.up.sql', '2_b.down.sql']);
  });

  it('accepts only lower-case letters, digits and underscores', () => {
    for (const bad of ['Add', 'add-users', '', 'a b', '../x']) expect(() => newMigration({ dir: tempDir() }, bad)).toThrow(UsageError);
  });
});
