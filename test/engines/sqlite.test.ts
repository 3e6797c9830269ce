/**
 * The SQLite engine against real database files: Chinook, a schema that uses every model feature,
 * fingerprint stability, transactions, inter-process locks (including a kill -9'd holder) and
 * connection failures.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { ConnectionError, LockBusyError, OperationError, UsageError } from '../../src/core/errors.js';
import { connect, type Engine } from '../../src/engines/index.js';
import type { Table } from '../../src/schema/model.js';
import { ROOT, createChinook, createDatabase, runSql, tempDir, type TestDatabase } from '../helpers/databases.js';

const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn();
});

async function fresh(sql?: string): Promise<{ db: TestDatabase; engine: Engine }> {
  const db = await createDatabase('sqlite');
  runSql(db, sql ?? 'CREATE TABLE item (id INTEGER PRIMARY KEY, label TEXT NOT NULL);');
  const engine = await connect(db.url);
  cleanup.push(async () => {
    await engine.close();
    await db.drop();
  });
  return { db, engine };
}

function table(tables: Table[], name: string): Table {
  const found = tables.find((t) => t.name === name);
  if (!found) throw new Error(`table ${name} missing`);
  return found;
}

// Every feature of the model, in one order...
const AUTHOR = `CREATE TABLE author (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  email TEXT NOT NULL COLLATE NOCASE,
  name VARCHAR(100) NOT NULL DEFAULT 'anon',
  born DATE,
  score REAL CHECK (score >= 0),
  CONSTRAINT email_unique UNIQUE (email)
);`;
const BOOK = `CREATE TABLE book (
  id INTEGER PRIMARY KEY,
  author_id INTEGER REFERENCES author (id) ON DELETE CASCADE,
  editor_id INTEGER,
  title TEXT NOT NULL,
  price NUMERIC(10,2) NOT NULL DEFAULT 0,
  price_cents INTEGER GENERATED ALWAYS AS (CAST(price * 100 AS INTEGER)) STORED,
  title_lower TEXT AS (lower(title)) VIRTUAL,
  meta JSON,
  published BOOLEAN NOT NULL DEFAULT 0,
  created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
  cover BLOB,
  CONSTRAINT price_positive CHECK (price >= 0),
  CONSTRAINT fk_book_editor FOREIGN KEY (editor_id) REFERENCES author ON DELETE SET NULL ON UPDATE CASCADE
);`;
const TAG = `CREATE TABLE "tag list" (
  book_id INTEGER NOT NULL REFERENCES book,
  label TEXT NOT NULL CHECK (label NOT IN ('a,b', ')')),
  PRIMARY KEY (book_id, label)
) WITHOUT ROWID;`;
const PARTIAL_INDEX = 'CREATE INDEX book_published ON book (author_id) WHERE published = 1;';
const EXPRESSION_INDEX = 'CREATE UNIQUE INDEX book_title_ci ON book (lower(title) COLLATE NOCASE, price DESC);';
const TRIGGER = `CREATE TRIGGER book_touch AFTER UPDATE OF title ON book FOR EACH ROW
BEGIN UPDATE book SET created_at = CURRENT_TIMESTAMP WHERE id = NEW.id; END;`;
const VIEW = `CREATE VIEW published_books AS SELECT b.id, b.title, a.name AS author
FROM book b JOIN author a ON a.id = b.author_id WHERE b.published = 1;`;
const FEATURES = [AUTHOR, BOOK, TAG, PARTIAL_INDEX, EXPRESSION_INDEX, TRIGGER, VIEW].join('\n');
// ...and the same schema in another order, with the partial index formatted differently.
const FEATURES_REORDERED = [
  VIEW,
  TAG,
  BOOK,
  TRIGGER,
  EXPRESSION_INDEX,
  'CREATE INDEX book_published ON book (author_id)\n  -- only the published ones\n  WHERE   published = 1;',
  AUTHOR,
].join('\n');

describe('sqlite engine: Chinook', () => {
  it('introspects the 11 tables with their keys and foreign keys', async () => {
    const db = await createChinook('sqlite');
    const engine = await connect(db.url);
    cleanup.push(async () => {
      await engine.close();
      await db.drop();
    });
    const model = await engine.introspect();

    expect(model.engine).toBe('sqlite');
    expect(model.schemas).toEqual(['main']);
    expect(model.database).toBe(path.basename(db.name));
    expect(model.tables.map((t) => t.name)).toEqual([
      'Album', 'Artist', 'Customer', 'Employee', 'Genre', 'Invoice', 'InvoiceLine', 'MediaType', 'Playlist', 'PlaylistTrack', 'Track',
    ]);
    expect(model.views).toEqual([]);
    expect(model.fingerprint).toMatch(/^[0-9a-f]{64}$/);

    const album = table(model.tables, 'Album');
    expect(album.primaryKey).toEqual({ name: null, columns: ['AlbumId'] });
    expect(album.columns[0]).toMatchObject({ name: 'AlbumId', type: 'integer', typeCategory: 'integer', nullable: false, autoIncrement: true });
    expect(album.columns[1]).toMatchObject({ name: 'Title', type: 'nvarchar(160)', typeCategory: 'text', position: 2 });
    expect(album.stats.rowEstimate).toBe(347);
    expect(album.stats.sizeBytes).toBeGreaterThan(0);

    const line = table(model.tables, 'InvoiceLine');
    expect(line.foreignKeys).toEqual([
      { name: null, columns: ['InvoiceId'], referencedSchema: 'main', referencedTable: 'Invoice', referencedColumns: ['InvoiceId'], onDelete: 'NO ACTION', onUpdate: 'NO ACTION' },
      { name: null, columns: ['TrackId'], referencedSchema: 'main', referencedTable: 'Track', referencedColumns: ['TrackId'], onDelete: 'NO ACTION', onUpdate: 'NO ACTION' },
    ]);
    expect(line.columns.find((c) => c.name === 'UnitPrice')).toMatchObject({ type: 'numeric(10,2)', typeCategory: 'decimal' });
    expect(line.indexes.map((i) => i.name)).toEqual(['IFK_InvoiceLineInvoiceId', 'IFK_InvoiceLineTrackId']);

    const playlistTrack = table(model.tables, 'PlaylistTrack');
    expect(playlistTrack.primaryKey).toEqual({ name: null, columns: ['PlaylistId', 'TrackId'] });
    expect(playlistTrack.columns.every((c) => !c.autoIncrement)).toBe(true);
    expect(playlistTrack.indexes.find((i) => i.name === 'sqlite_autoindex_PlaylistTrack_1')).toMatchObject({
      columns: ['PlaylistId', 'TrackId'],
      unique: true,
      backsConstraint: true,
    });
    expect(playlistTrack.foreignKeys.map((f) => f.referencedTable)).toEqual(['Playlist', 'Track']);

    const employee = table(model.tables, 'Employee');
    expect(employee.foreignKeys[0]).toMatchObject({ columns: ['ReportsTo'], referencedTable: 'Employee', referencedColumns: ['EmployeeId'] });
    expect(employee.columns.find((c) => c.name === 'HireDate')?.typeCategory).toBe('timestamp');

    const only = await engine.introspect({ table: 'invoiceline' });
    expect(only.tables.map((t) => t.name)).toEqual(['InvoiceLine']);
    expect(only.fingerprint).not.toBe(model.fingerprint);
    await expect(engine.introspect({ table: 'main.InvoiceLine' })).resolves.toMatchObject({ fingerprint: only.fingerprint });
    await expect(engine.introspect({ table: 'Nope' })).rejects.toThrow(UsageError);
    await expect(engine.introspect({ table: 'Nope' })).rejects.toThrow(/Nope/);
  });
});

describe('sqlite engine: every model feature', () => {
  it('reads columns, keys, indexes, checks, triggers and views', async () => {
    const { engine } = await fresh(FEATURES);
    const model = await engine.introspect();
    expect(model.tables.map((t) => t.name)).toEqual(['author', 'book', 'tag list']); // sqlite_sequence is data, not schema
    expect(model.sequences).toEqual([]);
    expect(model.enums).toEqual([]);

    const author = table(model.tables, 'author');
    expect(author.columns.map((c) => [c.name, c.type, c.typeCategory, c.nullable, c.default, c.autoIncrement])).toEqual([
      ['id', 'integer', 'integer', false, null, true],
      ['email', 'text', 'text', false, null, false],
      ['name', 'varchar(100)', 'text', false, "'anon'", false],
      ['born', 'date', 'date', true, null, false],
      ['score', 'real', 'float', true, null, false],
    ]);
    expect(author.uniqueConstraints).toEqual([{ name: 'sqlite_autoindex_author_1', columns: ['email'] }]);
    expect(author.checks).toEqual([{ name: null, expression: 'score >= 0' }]);
    expect(author.indexes).toEqual([
      { name: 'sqlite_autoindex_author_1', columns: ['email'], expressions: [false], unique: true, where: null, method: 'btree', backsConstraint: true },
    ]);

    const book = table(model.tables, 'book');
    expect(book.primaryKey).toEqual({ name: null, columns: ['id'] });
    expect(book.columns.find((c) => c.name === 'id')?.autoIncrement).toBe(true);
    expect(book.columns.map((c) => c.position)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(book.columns.map((c) => c.typeCategory)).toEqual([
      'integer', 'integer', 'integer', 'text', 'decimal', 'integer', 'text', 'json', 'boolean', 'timestamp', 'binary',
    ]);
    expect(book.columns.find((c) => c.name === 'price_cents')?.generated).toBe('CAST(price * 100 AS INTEGER)');
    expect(book.columns.find((c) => c.name === 'title_lower')?.generated).toBe('lower(title)');
    expect(book.columns.find((c) => c.name === 'title')?.generated).toBeNull();
    expect(book.columns.find((c) => c.name === 'created_at')?.default).toBe('CURRENT_TIMESTAMP');
    expect(book.checks).toEqual([{ name: 'price_positive', expression: 'price >= 0' }]);
    expect(book.foreignKeys).toEqual([
      { name: null, columns: ['author_id'], referencedSchema: 'main', referencedTable: 'author', referencedColumns: ['id'], onDelete: 'CASCADE', onUpdate: 'NO ACTION' },
      // REFERENCES author without columns: the parent's primary key.
      { name: 'fk_book_editor', columns: ['editor_id'], referencedSchema: 'main', referencedTable: 'author', referencedColumns: ['id'], onDelete: 'SET NULL', onUpdate: 'CASCADE' },
    ]);
    expect(book.indexes).toEqual([
      { name: 'book_published', columns: ['author_id'], expressions: [false], unique: false, where: 'published = 1', method: 'btree', backsConstraint: false },
      { name: 'book_title_ci', columns: ['lower(title)', 'price'], expressions: [true, false], unique: true, where: null, method: 'btree', backsConstraint: false },
    ]);
    expect(book.uniqueConstraints).toEqual([]);
    expect(book.triggers).toHaveLength(1);
    expect(book.triggers[0]).toMatchObject({ name: 'book_touch', timing: 'AFTER', events: ['UPDATE'], level: 'ROW' });
    expect(book.triggers[0]?.definition).toMatch(/^CREATE TRIGGER book_touch AFTER UPDATE OF title ON book FOR EACH ROW BEGIN UPDATE book SET/);
    expect(book.rowLevelSecurity).toBeNull();

    const tag = table(model.tables, 'tag list');
    expect(tag.primaryKey).toEqual({ name: null, columns: ['book_id', 'label'] });
    expect(tag.columns.every((c) => !c.autoIncrement && !c.nullable)).toBe(true);
    expect(tag.checks).toEqual([{ name: null, expression: "label NOT IN ('a,b', ')')" }]);
    expect(tag.foreignKeys).toMatchObject([{ columns: ['book_id'], referencedTable: 'book', referencedColumns: ['id'] }]);
    expect(tag.indexes).toMatchObject([{ name: 'sqlite_autoindex_tag list_1', unique: true, backsConstraint: true }]);

    expect(model.views).toEqual([
      {
        schema: 'main',
        name: 'published_books',
        materialized: false,
        definition: 'SELECT b.id, b.title, a.name AS author FROM book b JOIN author a ON a.id = b.author_id WHERE b.published = 1',
        columns: ['id', 'title', 'author'],
      },
    ]);
  });
});

describe('sqlite engine: fingerprint', () => {
  it('is stable across runs, statement order, formatting and data, and changes with the schema', async () => {
    const { db, engine } = await fresh(FEATURES);
    const { engine: other } = await fresh(FEATURES_REORDERED);
    const first = await engine.introspect();
    expect((await engine.introspect()).fingerprint).toBe(first.fingerprint);
    expect((await other.introspect()).fingerprint).toBe(first.fingerprint);

    await engine.query("INSERT INTO author (email, name) VALUES ('a@example.com', 'A')");
    await engine.query("INSERT INTO book (author_id, title, price) VALUES (1, 'T', 9.5)");
    const withData = await engine.introspect();
    expect(withData.fingerprint).toBe(first.fingerprint);
    expect(table(withData.tables, 'book').stats.rowEstimate).toBe(1);

    runSql(db, 'CREATE INDEX book_editor ON book (editor_id);');
    expect((await engine.introspect()).fingerprint).not.toBe(first.fingerprint);
  });
});

describe('sqlite engine: queries and transactions', () => {
  it('returns rows for reads and changed-row counts for writes', async () => {
    const { engine } = await fresh();
    expect(await engine.query('INSERT INTO item (label) VALUES (?), (?)', ['a', true])).toEqual({ rows: [], rowCount: 2 });
    expect(await engine.query('UPDATE item SET label = ? WHERE id > ?', ['z', 0])).toEqual({ rows: [], rowCount: 2 });
    const read = await engine.query<{ id: number; label: string }>('SELECT id, label FROM item ORDER BY id');
    expect(read).toEqual({ rows: [{ id: 1, label: 'z' }, { id: 2, label: 'z' }], rowCount: 2 });
    await expect(engine.query('SELECT * FROM missing')).rejects.toThrow(OperationError);
  });

  it('commits, rolls back on throw, and serializes concurrent transactions', async () => {
    const { engine } = await fresh();
    await expect(
      engine.transaction(async (tx) => {
        await tx.query("INSERT INTO item (label) VALUES ('lost')");
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect((await engine.query('SELECT count(*) AS n FROM item')).rows[0]).toEqual({ n: 0 });

    const committed = await engine.transaction(async (tx) => (await tx.query("INSERT INTO item (label) VALUES ('kept')")).rowCount);
    expect(committed).toBe(1);

    // The failing transaction waits before throwing; the other must not run inside it.
    const failing = engine.transaction(async (tx) => {
      await tx.query("INSERT INTO item (label) VALUES ('rolled back')");
      await new Promise((resolve) => setTimeout(resolve, 50));
      throw new Error('late failure');
    });
    const succeeding = engine.transaction((tx) => tx.query("INSERT INTO item (label) VALUES ('second')"));
    // A plain query waits for both instead of reading the first one's uncommitted row.
    const outside = engine.query<{ label: string }>('SELECT label FROM item ORDER BY id');
    await expect(failing).rejects.toThrow('late failure');
    await expect(succeeding).resolves.toMatchObject({ rowCount: 1 });
    expect((await outside).rows.map((r) => r.label)).toEqual(['kept', 'second']);
  });

  it('runs a nested transaction as a savepoint', async () => {
    const { engine } = await fresh();
    await engine.transaction(async (tx) => {
      await tx.query("INSERT INTO item (label) VALUES ('outer')");
      await expect(
        engine.transaction(async (inner) => {
          await inner.query("INSERT INTO item (label) VALUES ('inner')");
          throw new Error('inner failure');
        }),
      ).rejects.toThrow('inner failure');
    });
    const labels = (await engine.query<{ label: string }>('SELECT label FROM item')).rows.map((r) => r.label);
    expect(labels).toEqual(['outer']);
  });
});

/**
 * A child process that takes the lock and keeps it (hold: output is its first line) or tries to take
 * it and exits (try: output is everything it printed, once it has exited and released the lock).
 */
function lockChild(url: string, mode: 'hold' | 'try'): { child: ChildProcess; output: Promise<string> } {
  const dir = tempDir('dbward-lock-child-');
  cleanup.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
  const script = path.join(dir, 'child.ts');
  fs.writeFileSync(
    script,
    `import { connect } from ${JSON.stringify(path.join(ROOT, 'src/engines/index.ts'))};
const engine = await connect(${JSON.stringify(url)});
try {
  await engine.lock('migrate');
  console.log('locked');
  if (${JSON.stringify(mode)} === 'hold') await new Promise(() => setInterval(() => {}, 1000));
} catch (err) {
  console.log((err as Error).name);
}
await engine.close();
`,
  );
  const child = spawn(process.execPath, [path.join(ROOT, 'node_modules/jiti/lib/jiti-cli.mjs'), script], { stdio: ['ignore', 'pipe', 'inherit'] });
  cleanup.push(async () => {
    child.kill('SIGKILL');
  });
  const output = new Promise<string>((resolve) => {
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (mode === 'hold' && text.includes('\n')) resolve(text.trim());
    });
    child.on('exit', () => resolve(text.trim()));
  });
  return { child, output };
}

describe('sqlite engine: locks', () => {
  it('excludes a second holder in this process and in another one, until released', async () => {
    const { db, engine } = await fresh();
    const second = await connect(db.url);
    cleanup.push(() => second.close());

    const lock = await engine.lock('migrate');
    expect(fs.existsSync(`${db.name}.dbward-migrate.lock`)).toBe(true);
    await expect(engine.lock('migrate')).rejects.toThrow(LockBusyError);
    await expect(second.lock('migrate', { waitMs: 150 })).rejects.toThrow(LockBusyError);
    expect(await lockChild(db.url, 'try').output).toBe('LockBusyError');
    const otherName = await second.lock('backup');
    await otherName.release();

    await lock.release();
    expect(fs.existsSync(`${db.name}.dbward-migrate.lock`)).toBe(false);
    expect(await lockChild(db.url, 'try').output).toBe('locked');
    const again = await second.lock('migrate');
    await again.release();
  });

  it("takes over the lock of a kill -9'd holder", async () => {
    const { db, engine } = await fresh();
    const { child, output } = lockChild(db.url, 'hold');
    expect(await output).toBe('locked');
    await expect(engine.lock('migrate')).rejects.toThrow(LockBusyError);

    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    expect(fs.existsSync(`${db.name}.dbward-migrate.lock`)).toBe(true); // left behind
    const lock = await engine.lock('migrate');
    expect(lock.name).toBe('migrate');
    await lock.release();
  });

  it('locks an in-memory database within the process', async () => {
    const engine = await connect('file::memory:');
    cleanup.push(() => engine.close());
    const lock = await engine.lock('migrate');
    await expect(engine.lock('migrate', { waitMs: 50 })).rejects.toThrow(LockBusyError);
    const waiting = engine.lock('migrate', { waitMs: 2_000 });
    await lock.release();
    await (await waiting).release();
  });
});

describe('sqlite engine: connecting', () => {
  it('fails fast on a missing file or directory and creates nothing', async () => {
    const dir = tempDir();
    cleanup.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    for (const file of [path.join(dir, 'missing.db'), path.join(dir, 'no-such-dir', 'x.db')]) {
      const start = Date.now();
      const err = await connect(`file:${file}`).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectionError);
      expect((err as ConnectionError).kind).toBe('unknown-database');
      expect((err as ConnectionError).message).toContain('does not exist');
      expect(Date.now() - start).toBeLessThan(2_000);
      expect(fs.existsSync(file)).toBe(false);
    }
    expect((await connect(`file:${path.join(dir, 'missing.db')}?mode=ro`).catch((e: ConnectionError) => e.kind))).toBe('unknown-database');
    expect(fs.readdirSync(dir)).toEqual([]);

    const created = await connect(`file:${path.join(dir, 'new.db')}?mode=rwc`);
    await created.close();
    expect(fs.existsSync(path.join(dir, 'new.db'))).toBe(true);
  });

  it('reports a database locked by another connection as transient', async () => {
    const { db } = await fresh();
    const holder = new Database(db.name);
    holder.exec('BEGIN EXCLUSIVE'); // blocks readers too (rollback journal)
    try {
      // One attempt waits out the 5 s busy timeout, then the retry deadline is already spent.
      const err = await connect(db.url, { deadlineMs: 1_000 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectionError);
      expect((err as ConnectionError).kind).toBe('transient');
      expect((err as ConnectionError).message).toContain('is locked');
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  });

  it('refuses a file that is not a database', async () => {
    const dir = tempDir();
    cleanup.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'junk.db');
    fs.writeFileSync(file, 'this is not a database, just some text that is long enough to be a header'.repeat(10));
    const err = await connect(`file:${file}`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as ConnectionError).kind).toBe('other');
    expect((err as ConnectionError).message).toContain('not a SQLite database');
  });

  it('reports version, capabilities and privileges; read-only mode refuses writes', async () => {
    const { db, engine } = await fresh();
    const version = await engine.serverVersion();
    expect(version.product).toBe('SQLite');
    expect(version.full).toMatch(/^3\.\d+\.\d+$/);
    expect(`${version.major}.${version.minor}.${version.patch}`).toBe(version.full);
    expect(version.major).toBe(3);

    expect(engine.capabilities()).toEqual({
      transactionalDdl: true,
      rowLevelSecurity: false,
      schemas: false,
      partialIndexes: true,
      expressionIndexes: true,
      sequences: false,
      enumTypes: false,
      checkConstraints: true,
      materializedViews: false,
      onlineIndexBuild: false,
    });

    const privileges = await engine.privileges();
    expect(privileges).toMatchObject({ user: os.userInfo().username, superuser: false, canCreateDatabase: true, canCreateRole: false });
    expect(privileges.notes).toContain(`file ${db.name} is readable by ${privileges.user}`);

    const readonly = await connect(`${db.url}?mode=ro`);
    cleanup.push(() => readonly.close());
    await expect(readonly.query("INSERT INTO item (label) VALUES ('x')")).rejects.toThrow(/readonly/);
    expect((await readonly.privileges()).notes).toContain('opened read-only (mode=ro)');
    expect(await readonly.query('PRAGMA foreign_keys')).toEqual({ rows: [{ foreign_keys: 1 }], rowCount: 1 });
  });
});
