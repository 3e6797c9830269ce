/**
 * The SQLite backup driver against real database files: Chinook round trips, dump options, content
 * checksums, one snapshot under concurrent writes from another process, damaged dumps, restore and
 * swap safety, and an output that fails midway.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError, VerificationError } from '../../src/core/errors.js';
import type { SqliteTarget } from '../../src/core/url.js';
import type { DumpInfo, DumpOptions } from '../../src/engines/backup-driver.js';
import { connect, type Engine } from '../../src/engines/index.js';
import { sqliteBackup as driver } from '../../src/engines/sqlite/backup.js';
import { contentsOf, splitRows } from '../../src/engines/sqlite/content-hash.js';
import { ROOT, createChinook, createDatabase, runSql, tempDir, type TestDatabase } from '../helpers/databases.js';

const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn();
});

async function open(db: TestDatabase): Promise<Engine> {
  const engine = await connect(db.url);
  cleanup.push(() => engine.close());
  return engine;
}

async function chinook(): Promise<{ db: TestDatabase; engine: Engine }> {
  const db = await createChinook('sqlite');
  cleanup.push(() => db.drop());
  return { db, engine: await open(db) };
}

async function fresh(sql: string): Promise<{ db: TestDatabase; engine: Engine }> {
  const db = await createDatabase('sqlite');
  cleanup.push(() => db.drop());
  runSql(db, sql);
  return { db, engine: await open(db) };
}

function workDir(): string {
  const dir = tempDir('dbward-work-');
  cleanup.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Dump into a file beside `work`; the work directory must be left empty. */
async function dumpToFile(engine: Engine, options: Partial<DumpOptions> = {}): Promise<{ info: DumpInfo; file: string }> {
  const work = workDir();
  const file = path.join(tempDir('dbward-dump-'), 'dump.db');
  cleanup.push(async () => fs.rmSync(path.dirname(file), { recursive: true, force: true }));
  const fd = fs.openSync(file, 'w');
  const info = await driver.dump(engine, fd, { kind: 'full', workDir: work, ...options }).finally(() => fs.closeSync(fd));
  expect(fs.readdirSync(work)).toEqual([]);
  return { info, file };
}

/** Restore a dump file into a new database beside `near` and open it. */
async function restoreBeside(near: Engine, file: string, tables?: string[]): Promise<Engine> {
  const target = (await driver.createDatabase(near, `restored_${Math.random().toString(36).slice(2)}`)) as SqliteTarget;
  await driver.restore(target, fs.createReadStream(file), { tables, workDir: workDir() });
  const engine = await connect(target);
  cleanup.push(() => engine.close());
  return engine;
}

const fileOf = (engine: Engine) => (engine.target as SqliteTarget).path;

function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function copyWith(file: string, change: (bytes: Buffer) => Buffer): string {
  const damaged = path.join(path.dirname(file), `damaged-${Math.random().toString(36).slice(2)}.db`);
  fs.writeFileSync(damaged, change(fs.readFileSync(file)));
  return damaged;
}

function flip(bytes: Buffer, offset: number): Buffer {
  bytes.writeUInt8(bytes.readUInt8(offset) ^ 0xff, offset);
  return bytes;
}

/** The byte offset of a table's root page in a database file. */
function rootPageOffset(file: string, table: string): number {
  const db = new Database(file, { readonly: true });
  try {
    const root = db.prepare('SELECT rootpage FROM sqlite_schema WHERE name = ?').pluck().get(table) as number;
    return (root - 1) * (db.pragma('page_size', { simple: true }) as number);
  } finally {
    db.close();
  }
}

describe('sqlite backup: round trip', () => {
  it('dumps Chinook, checks it, restores it beside, with equal contents and fingerprint', async () => {
    const { engine } = await chinook();
    const { info, file } = await dumpToFile(engine);

    expect(info.format).toBe('sqlite-db');
    expect(info.tool).toEqual({ name: 'sqlite backup API', version: expect.stringMatching(/^3\.\d+\.\d+$/) });
    expect(info.sameSnapshot).toBe(true);
    expect(info.tables).toHaveLength(11);
    expect(info.tables.find((t) => t.name === 'Track')).toMatchObject({ schema: 'main', rows: 3503, checksum: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(await driver.tableContents(engine)).toEqual(info.tables);

    const work = workDir();
    expect(await driver.checkStructure(fs.createReadStream(file), { workDir: work })).toBe('integrity_check ok, 11 tables');
    expect(fs.readdirSync(work)).toEqual([]);

    const restored = await restoreBeside(engine, file);
    expect(await driver.tableContents(restored)).toEqual(info.tables);
    expect((await restored.introspect()).fingerprint).toBe((await engine.introspect()).fingerprint);
    expect(fs.readdirSync(path.dirname(fileOf(restored))).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('restores selected tables of a full dump with their indexes', async () => {
    const { engine } = await chinook();
    const { info, file } = await dumpToFile(engine);
    const restored = await restoreBeside(engine, file, ['track', 'main.Genre']);
    const model = await restored.introspect();
    expect(model.tables.map((t) => t.name).sort()).toEqual(['Genre', 'Track']);
    const source = (await engine.introspect()).tables.find((t) => t.name === 'Track')!;
    expect(model.tables.find((t) => t.name === 'Track')!.indexes).toEqual(source.indexes);
    expect(await driver.tableContents(restored)).toEqual(info.tables.filter((t) => t.name === 'Genre' || t.name === 'Track'));
    await expect(restoreBeside(engine, file, ['NoSuchTable'])).rejects.toThrow(UsageError);
  });
});

describe('sqlite backup: dump options', () => {
  const SCHEMA = `
    CREATE TABLE author (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL);
    CREATE TABLE book (id INTEGER PRIMARY KEY, author_id INTEGER REFERENCES author (id), title TEXT);
    CREATE TABLE log (what TEXT);
    CREATE INDEX book_title ON book (title);
    CREATE VIEW author_books AS SELECT a.name, b.title FROM author a JOIN book b ON b.author_id = a.id;
    CREATE VIEW author_names AS SELECT name FROM author;
    CREATE TRIGGER author_gone AFTER DELETE ON author BEGIN INSERT INTO log VALUES ('deleted ' || old.name); END;
    INSERT INTO author (name) VALUES ('Ann'), ('Bob');
    INSERT INTO book (author_id, title) VALUES (1, 'One'), (2, 'Two');
    ANALYZE;`;

  it('schema-only keeps the whole schema and no rows, without firing triggers', async () => {
    const { engine } = await fresh(SCHEMA);
    const { info, file } = await dumpToFile(engine, { kind: 'schema-only' });
    expect(info.tables).toEqual([]);
    const copy = new Database(file, { readonly: true });
    try {
      for (const table of ['author', 'book', 'log', 'sqlite_sequence', 'sqlite_stat1']) {
        expect(copy.prepare(`SELECT count(*) FROM ${table}`).pluck().get()).toBe(0);
      }
    } finally {
      copy.close();
    }
    const restored = await restoreBeside(engine, file);
    expect((await restored.introspect()).fingerprint).toBe((await engine.introspect()).fingerprint);
  });

  it('schema-only builds a new file from the schema: header settings, WAL, virtual tables, any creation order, no rows', async () => {
    const { engine } = await fresh(`
      PRAGMA encoding = 'UTF-16le';
      PRAGMA page_size = 8192;
      PRAGMA auto_vacuum = INCREMENTAL;
      PRAGMA journal_mode = WAL;
      PRAGMA user_version = 42;
      PRAGMA application_id = 1234567;
      CREATE VIEW early AS SELECT body FROM later;
      CREATE TABLE later (id INTEGER PRIMARY KEY, body TEXT);
      CREATE VIRTUAL TABLE notes USING fts5(body);
      CREATE TRIGGER later_notes AFTER INSERT ON later BEGIN INSERT INTO notes (body) VALUES (new.body); END;
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
        INSERT INTO later (body) SELECT 'word' || i || ' ' || hex(randomblob(100)) FROM n;`);
    const { info, file } = await dumpToFile(engine, { kind: 'schema-only' });
    expect(info.tables).toEqual([]);
    expect(info.tool.name).toBe('sqlite schema SQL');
    // A few pages, not the 5,000 rows and their full-text index.
    expect(info.bytes).toBeLessThan(16 * 8192);
    expect(fs.statSync(fileOf(engine)).size).toBeGreaterThan(100 * 8192);
    const head = fs.readFileSync(file).subarray(0, 20);
    expect(head.readUInt16BE(16)).toBe(8192);
    expect([head[18], head[19]]).toEqual([2, 2]); // WAL
    const copy = new Database(file, { readonly: true });
    try {
      expect(copy.pragma('encoding', { simple: true })).toBe('UTF-16le');
      expect(copy.pragma('auto_vacuum', { simple: true })).toBe(2);
      expect(copy.pragma('user_version', { simple: true })).toBe(42);
      expect(copy.pragma('application_id', { simple: true })).toBe(1234567);
      expect(copy.prepare('SELECT count(*) FROM later').pluck().get()).toBe(0);
      expect(copy.prepare('SELECT count(*) FROM notes').pluck().get()).toBe(0);
    } finally {
      copy.close();
    }
    const restored = await restoreBeside(engine, file);
    expect((await restored.introspect()).fingerprint).toBe((await engine.introspect()).fingerprint);
    // The full-text table, its shadow tables and the trigger feeding it work in the restored file.
    await restored.query(`INSERT INTO later (body) VALUES ('needle in a haystack')`);
    expect((await restored.query(`SELECT body FROM notes WHERE notes MATCH 'needle'`)).rows).toEqual([{ body: 'needle in a haystack' }]);
    expect((await restored.query('SELECT body FROM early')).rows).toEqual([{ body: 'needle in a haystack' }]);
  });

  it('tables keeps only those tables and the views that still work', async () => {
    const { engine } = await fresh(SCHEMA);
    const { info, file } = await dumpToFile(engine, { tables: ['AUTHOR', 'log'] });
    expect(info.tables.map((t) => [t.name, t.rows])).toEqual([['author', 2], ['log', 0]]);
    const model = await (await restoreBeside(engine, file)).introspect();
    expect(model.tables.map((t) => t.name)).toEqual(['author', 'log']);
    expect(model.views.map((v) => v.name)).toEqual(['author_names']);
  });

  it('restoring selected tables keeps their AUTOINCREMENT counters and triggers', async () => {
    const { engine } = await fresh(SCHEMA);
    await engine.query(`INSERT INTO author (name) VALUES ('Cy')`);
    await engine.query(`DELETE FROM author WHERE name = 'Cy'`);
    const { file } = await dumpToFile(engine);
    const restored = await restoreBeside(engine, file, ['author', 'log']);
    expect((await restored.query('SELECT name, seq FROM sqlite_sequence')).rows).toEqual([{ name: 'author', seq: 3 }]);
    expect((await restored.query('SELECT * FROM log')).rows).toEqual([{ what: 'deleted Cy' }]);
    expect((await restored.introspect()).tables.find((t) => t.name === 'author')!.triggers.map((t) => t.name)).toEqual(['author_gone']);
  });

  it('refuses data-only and unknown tables, writing nothing', async () => {
    const { engine } = await fresh(SCHEMA);
    const never = path.join(workDir(), 'never.db');
    const output = fs.openSync(never, 'w');
    await expect(driver.dump(engine, output, { kind: 'data-only', workDir: workDir() })).rejects.toThrow(/no data-only dump/);
    fs.closeSync(output);
    expect(fs.statSync(never).size).toBe(0);
    await expect(dumpToFile(engine, { tables: ['author', 'nope'] })).rejects.toThrow(UsageError);
  });
});

describe('sqlite backup: content checksums', () => {
  it('change with one value and not with row order, rowids or VACUUM; big integers keep full precision', async () => {
    const { engine } = await fresh(`
      CREATE TABLE v (k INTEGER, r REAL, t TEXT, b BLOB, n);
      INSERT INTO v VALUES (9007199254740993, 1.5, 'a', x'00ff', NULL), (9223372036854775807, -0.25, '', x'', 'x'), (1, 2.0, 'dup', NULL, 1);
      INSERT INTO v VALUES (1, 2.0, 'dup', NULL, 1);`);
    const [before] = await driver.tableContents(engine, ['v']);
    expect(before!.rows).toBe(4);

    await engine.query('CREATE TABLE w AS SELECT * FROM v ORDER BY rowid DESC');
    await engine.query('DELETE FROM v');
    await engine.query('INSERT INTO v SELECT * FROM w');
    await engine.query('DROP TABLE w');
    await engine.query('VACUUM');
    expect(await driver.tableContents(engine, ['v'])).toEqual([before]);

    await engine.query('UPDATE v SET k = 9007199254740992 WHERE k = 9007199254740993');
    const [changed] = await driver.tableContents(engine, ['v']);
    expect(changed!.checksum).not.toBe(before!.checksum);

    await engine.query('UPDATE v SET k = 9007199254740993 WHERE k = 9007199254740992');
    await engine.query(`DELETE FROM v WHERE rowid = (SELECT max(rowid) FROM v WHERE t = 'dup')`);
    const [oneDuplicate] = await driver.tableContents(engine, ['v']);
    expect(oneDuplicate!.checksum).not.toBe(before!.checksum);

    await expect(driver.tableContents(engine, ['missing'])).rejects.toThrow(UsageError);
  });

  it('are sqlite-row-sha256/1 as first defined, so earlier manifests still verify (every type, long and multi-byte values)', async () => {
    const { db, engine } = await fresh(`
      CREATE TABLE v (k INTEGER, r REAL, t TEXT, b BLOB, n);
      INSERT INTO v VALUES (-9223372036854775808, -0.0, 'naïve – 日本語 😀', x'00ff10', NULL), (9223372036854775807, 1e308, '', x'', 'x'),
        (NULL, NULL, NULL, NULL, NULL), (42, 0.1, replace(hex(zeroblob(60000)), '0', 'é'), zeroblob(70000), 3.5);`);
    // The first implementation: one SHA-256 per row over one Buffer per value; the first 128 bits summed.
    const reference = new Database(db.url.replace(/^file:/, ''), { readonly: true });
    let sum = 0n;
    for (const row of reference.prepare('SELECT k, r, t, b, n FROM v').raw().safeIntegers().iterate() as Iterable<unknown[]>) {
      const hash = createHash('sha256');
      for (const value of row) {
        if (value === null) hash.update('n');
        else if (typeof value === 'bigint') hash.update('i').update(((b) => (b.writeBigInt64BE(value), b))(Buffer.alloc(8)));
        else if (typeof value === 'number') hash.update('r').update(((b) => (b.writeDoubleBE(value), b))(Buffer.alloc(8)));
        else {
          const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : (value as Buffer);
          const head = Buffer.alloc(5, typeof value === 'string' ? 't' : 'b');
          head.writeUInt32BE(bytes.length, 1);
          hash.update(head).update(bytes);
        }
      }
      const digest = hash.digest();
      sum = (sum + ((digest.readBigUInt64BE(0) << 64n) | digest.readBigUInt64BE(8))) & ((1n << 128n) - 1n);
    }
    reference.close();
    expect(await driver.tableContents(engine, ['v'])).toEqual([{ schema: 'main', name: 'v', rows: 4, checksum: sum.toString(16).padStart(32, '0') }]);
  });
});

describe('sqlite backup: contents digested in two halves', () => {
  it('splits large rowid tables at the middle and adds the halves up to the one-piece contents', async () => {
    const { db } = await fresh(`
      CREATE TABLE big (id INTEGER PRIMARY KEY, t TEXT, r REAL);
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 120001)
        INSERT INTO big SELECT i * 3 + (i % 7), hex(randomblob(8)), i / 7.0 FROM n;
      INSERT INTO big VALUES (9000000000000000000, 'far', NULL);
      CREATE TABLE shadow (rowid TEXT, v INTEGER);
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60000) INSERT INTO shadow SELECT 'r' || i, i FROM n;
      INSERT INTO shadow SELECT * FROM shadow LIMIT 5;
      CREATE TABLE hidden (rowid INTEGER, _rowid_ INTEGER, oid INTEGER);
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60000) INSERT INTO hidden SELECT i, i, i FROM n;
      CREATE TABLE norow (k INTEGER PRIMARY KEY, v TEXT) WITHOUT ROWID;
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60000) INSERT INTO norow SELECT i, 'v' || i FROM n;
      CREATE TABLE small (v);
      INSERT INTO small VALUES (1), (2);`);
    const file = db.url.replace(/^file:/, '');
    const conn = new Database(file, { readonly: true });
    try {
      const tables = ['big', 'hidden', 'norow', 'shadow', 'small'];
      // Which tables are split, and through which rowid alias.
      expect(splitRows(conn, 'big')?.map((h) => h.key)).toEqual(['rowid', 'rowid']);
      expect(splitRows(conn, 'shadow')?.map((h) => h.key)).toEqual(['_rowid_', '_rowid_']);
      for (const unsplit of ['hidden', 'norow', 'small']) expect(splitRows(conn, unsplit)).toBeNull();
      const [first, second] = splitRows(conn, 'big')!;
      expect(second!.from).toBe(first!.to + 1n);
      const halves = await contentsOf(conn, tables, file);
      const whole = await contentsOf(conn, tables, null);
      expect(halves).toEqual(whole);
      expect(halves.map((t) => t.rows)).toEqual([120002, 60000, 60000, 60005, 2]);
    } finally {
      conn.close();
    }
  });
});

describe('sqlite backup: one snapshot', () => {
  it('contents of the dump equal what it reports while another process keeps writing', async () => {
    const { db, engine } = await chinook();
    await engine.query('PRAGMA journal_mode = WAL');
    await engine.query('CREATE TABLE filler (id INTEGER PRIMARY KEY, pad BLOB)');
    await engine.query('WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) INSERT INTO filler SELECT i, randomblob(300) FROM n');

    const script = `const D = require('better-sqlite3'); const d = new D(process.argv[1], { timeout: 5000 });
      const ins = d.prepare("INSERT INTO Genre (Name) VALUES ('concurrent')");
      for (let i = 0; ; i++) { ins.run(); if (i === 50) process.stdout.write('ready\\n'); }`;
    const writer = spawn(process.execPath, ['-e', script, db.name], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    cleanup.push(async () => void writer.kill('SIGKILL'));
    await new Promise((resolve) => writer.stdout.once('data', resolve));

    const { info, file } = await dumpToFile(engine);
    const genresAfterDump = (await engine.query<{ n: number }>('SELECT count(*) AS n FROM Genre')).rows[0]!.n;
    writer.kill('SIGKILL');

    const dumped = info.tables.find((t) => t.name === 'Genre')!;
    expect(dumped.rows).toBeGreaterThan(25 + 50);
    expect(genresAfterDump).toBeGreaterThan(dumped.rows); // the writer went on during the dump
    const restored = await restoreBeside(engine, file);
    expect(await driver.tableContents(restored)).toEqual(info.tables);
  });
});

describe('sqlite backup: damaged dumps', () => {
  it('fail checkStructure with VerificationError and leave nothing in workDir', async () => {
    const { engine } = await chinook();
    const { file } = await dumpToFile(engine);
    const trackRoot = rootPageOffset(file, 'Track');
    const damaged = {
      truncated: copyWith(file, (b) => b.subarray(0, Math.floor(b.length / 2))),
      'flipped byte': copyWith(file, (b) => flip(b, trackRoot)),
      'bad header': copyWith(file, (b) => flip(b, 0)),
      empty: copyWith(file, () => Buffer.alloc(0)),
    };
    for (const [what, bad] of Object.entries(damaged)) {
      const work = workDir();
      const check = driver.checkStructure(fs.createReadStream(bad), { workDir: work });
      await expect(check, what).rejects.toThrow(VerificationError);
      expect(fs.readdirSync(work), what).toEqual([]);
    }
  });
});

describe('sqlite backup: restore safety', () => {
  it('a damaged dump leaves the target byte-for-byte untouched; a non-empty target is refused', async () => {
    const { engine } = await chinook();
    const { file } = await dumpToFile(engine);
    const truncated = copyWith(file, (b) => b.subarray(0, b.length - 4096));

    const emptyFile = (await driver.createDatabase(engine, 'empty_file')) as SqliteTarget;
    const emptyDb = (await driver.createDatabase(engine, 'empty_db')) as SqliteTarget;
    const setup = new Database(emptyDb.path);
    setup.pragma('user_version = 7');
    setup.close();

    for (const target of [emptyFile, emptyDb]) {
      const dir = fs.readdirSync(path.dirname(target.path)).sort();
      const before = sha256(target.path);
      await expect(driver.restore(target, fs.createReadStream(truncated), { workDir: workDir() })).rejects.toThrow(VerificationError);
      expect(sha256(target.path)).toBe(before);
      expect(fs.readdirSync(path.dirname(target.path)).sort()).toEqual(dir);
    }

    const before = sha256(fileOf(engine));
    await expect(driver.restore(engine.target, fs.createReadStream(file), { workDir: workDir() })).rejects.toThrow(/not an empty SQLite database/);
    expect(sha256(fileOf(engine))).toBe(before);
  });

  it('a failing output rejects the dump and leaves no temporary file', async () => {
    const { engine } = await chinook();
    const work = workDir();
    // /dev/full: every write fails with ENOSPC, as on a full disk.
    const full = fs.openSync('/dev/full', 'w');
    await expect(driver.dump(engine, full, { kind: 'full', workDir: work })).rejects.toThrow(/no space left/);
    fs.closeSync(full);
    expect(fs.readdirSync(work)).toEqual([]);
  });
});

describe('sqlite backup: swap, create, drop', () => {
  it('swapIn replaces the file atomically and keeps the old one, WAL contents included', async () => {
    const { db, engine } = await fresh('CREATE TABLE item (id INTEGER PRIMARY KEY, label TEXT);');
    await engine.query('PRAGMA journal_mode = WAL');
    await engine.query(`INSERT INTO item (label) VALUES ('old')`);
    const { file } = await dumpToFile(engine);
    const replacement = (await driver.createDatabase(engine, 'replacement')) as SqliteTarget;
    await driver.restore(replacement, fs.createReadStream(file), { workDir: workDir() });
    const restoredSum = sha256(replacement.path);
    await engine.query(`INSERT INTO item (label) VALUES ('only in the old one')`); // still in the -wal

    const swap = await driver.swapIn(engine, replacement);
    expect(swap).toEqual({ replacedBy: replacement.path, keptAs: expect.stringMatching(/\.replaced-\d{14}$/) });
    expect(swap.keptAs.startsWith(`${db.name}.replaced-`)).toBe(true);
    expect(sha256(db.name)).toBe(restoredSum);
    expect(fs.existsSync(replacement.path)).toBe(false);
    expect(['-wal', '-shm'].filter((s) => fs.existsSync(db.name + s))).toEqual([]);

    const kept = new Database(swap.keptAs, { readonly: true });
    try {
      expect(kept.prepare('SELECT count(*) FROM item').pluck().get()).toBe(2);
    } finally {
      kept.close();
    }
    const now = await connect(db.url);
    cleanup.push(() => now.close());
    expect((await now.query('SELECT label FROM item')).rows).toEqual([{ label: 'old' }]);
    await driver.dropDatabase(now, { ...replacement, path: swap.keptAs });
    expect(fs.readdirSync(path.dirname(db.name)).filter((f) => f.includes('.replaced-'))).toEqual([]);
  });

  it('createDatabase validates names and never reuses a file; dropDatabase refuses the connected one', async () => {
    const { db, engine } = await fresh('CREATE TABLE item (id INTEGER PRIMARY KEY);');
    const created = (await driver.createDatabase(engine, 'scratch')) as SqliteTarget;
    expect(created).toEqual({ engine: 'sqlite', path: path.join(path.dirname(db.name), 'scratch.db'), params: {}, redacted: `file:${created.path}` });
    expect(fs.statSync(created.path).size).toBe(0);
    await expect(driver.createDatabase(engine, 'scratch')).rejects.toThrow(/already exists/);
    await expect(driver.createDatabase(engine, '../escape')).rejects.toThrow(UsageError);
    await expect(driver.createDatabase(engine, '')).rejects.toThrow(UsageError);

    await expect(driver.dropDatabase(engine, engine.target)).rejects.toThrow(/connected database/);
    fs.writeFileSync(`${created.path}-wal`, '');
    await driver.dropDatabase(engine, created);
    expect(fs.existsSync(created.path) || fs.existsSync(`${created.path}-wal`)).toBe(false);
    expect(fs.existsSync(db.name)).toBe(true);
  });

  it('manualRestoreSteps copies the file back and checks it', () => {
    const target: SqliteTarget = { engine: 'sqlite', path: "/srv/app's.db", params: {}, redacted: "file:/srv/app's.db" };
    expect(driver.manualRestoreSteps('/backups/raw.db', target)).toEqual([
      "# stop the application first; remove /srv/app's.db-wal and /srv/app's.db-shm",
      "cp '/backups/raw.db' '/srv/app'\\''s.db'",
      "sqlite3 '/srv/app'\\''s.db' 'PRAGMA integrity_check'",
    ]);
  });
});
