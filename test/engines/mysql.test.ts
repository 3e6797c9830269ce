import net from 'node:net';
import { randomBytes } from 'node:crypto';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionError, LockBusyError, UsageError } from '../../src/core/errors.js';
import { connect, type Engine } from '../../src/engines/index.js';
import { lockName, stripCredentials } from '../../src/engines/mysql/engine.js';
import type { Table } from '../../src/schema/model.js';
import { createChinook, createDatabase, mysqlAdmin, runSql, type TestDatabase } from '../helpers/databases.js';

const AUTHOR = `CREATE TABLE author (
  id INT AUTO_INCREMENT PRIMARY KEY,
  email VARCHAR(200) NOT NULL,
  name VARCHAR(100) NOT NULL DEFAULT 'anon',
  status ENUM('active', 'banned') NOT NULL DEFAULT 'active',
  tags SET('a', 'b', 'c'),
  profile JSON,
  active TINYINT(1) NOT NULL DEFAULT 1,
  age INT,
  label VARCHAR(320) AS (CONCAT(name, ' <', email, '>')) STORED,
  bio TEXT,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT uq_author_email UNIQUE (email),
  CONSTRAINT chk_age CHECK (age >= 0),
  FULLTEXT INDEX ft_bio (bio)
) COMMENT = 'People who write';`;
const POST = `CREATE TABLE post (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  author_id INT NOT NULL,
  editor_id INT NULL,
  title VARCHAR(200) NOT NULL,
  CONSTRAINT fk_post_author FOREIGN KEY (author_id) REFERENCES author (id) ON DELETE CASCADE,
  CONSTRAINT fk_post_editor FOREIGN KEY (editor_id) REFERENCES author (id) ON DELETE SET NULL
);`;
const TRIGGER = 'CREATE TRIGGER post_title_upper BEFORE INSERT ON post FOR EACH ROW SET NEW.title = UPPER(NEW.title);';
const VIEW = 'CREATE VIEW author_posts AS SELECT a.name, p.title FROM author a JOIN post p ON p.author_id = a.id;';
const SEQUENCE = 'CREATE SEQUENCE invoice_seq START WITH 100 INCREMENT BY 10 MAXVALUE 100000 CYCLE;';

const databases: TestDatabase[] = [];
const engines: Engine[] = [];

async function open(db: TestDatabase): Promise<Engine> {
  const engine = await connect(db.url, { deadlineMs: 10_000 });
  engines.push(engine);
  return engine;
}

async function fresh(sql?: string): Promise<TestDatabase> {
  const db = await createDatabase('mysql');
  databases.push(db);
  if (sql) runSql(db, sql);
  return db;
}

function table(tables: Table[], name: string): Table {
  const found = tables.find((t) => t.name === name);
  if (!found) throw new Error(`no table ${name}`);
  return found;
}

async function connectError(url: string, deadlineMs = 10_000): Promise<ConnectionError> {
  const err = await connect(url, { deadlineMs, initialDelayMs: 100 }).then(
    async (engine) => {
      await engine.close();
      throw new Error('connected unexpectedly');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConnectionError);
  return err as ConnectionError;
}

afterAll(async () => {
  await Promise.all(engines.map((e) => e.close()));
  await Promise.all(databases.map((d) => d.drop()));
});

describe('mysql engine: Chinook', () => {
  it('introspects the 11 tables with their keys', async () => {
    const db = await createChinook('mysql');
    databases.push(db);
    const model = await (await open(db)).introspect();
    expect(model.engine).toBe('mysql');
    expect(model.database).toBe(db.name);
    expect(model.schemas).toEqual([db.name]);
    expect(model.tables).toHaveLength(11);
    expect(table(model.tables, 'PlaylistTrack').primaryKey).toEqual({ name: 'PRIMARY', columns: ['PlaylistId', 'TrackId'] });
    expect(table(model.tables, 'Album').columns[0]).toMatchObject({ name: 'AlbumId', type: 'int', typeCategory: 'integer' });
    const lineFks = table(model.tables, 'InvoiceLine').foreignKeys;
    expect(lineFks.map((f) => [f.columns, f.referencedTable, f.referencedColumns])).toEqual([
      [['InvoiceId'], 'Invoice', ['InvoiceId']],
      [['TrackId'], 'Track', ['TrackId']],
    ]);
    expect(lineFks.every((f) => f.referencedSchema === db.name && f.onDelete === 'NO ACTION')).toBe(true);
    expect(table(model.tables, 'Track').stats.rowEstimate).toBeGreaterThan(0);
    expect(model.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('mysql engine: introspection of every feature', () => {
  let db: TestDatabase;
  let engine: Engine;
  beforeAll(async () => {
    db = await fresh([AUTHOR, POST, TRIGGER, VIEW, SEQUENCE].join('\n'));
    engine = await open(db);
  });

  it('reads columns, keys, indexes, checks, triggers, views and sequences', async () => {
    const model = await engine.introspect();
    expect(model.tables.map((t) => t.name)).toEqual(['author', 'post']);
    const author = table(model.tables, 'author');
    expect(author.comment).toBe('People who write');
    expect(author.rowLevelSecurity).toBeNull();
    const col = (name: string) => author.columns.find((c) => c.name === name);
    expect(col('id')).toMatchObject({ position: 1, type: 'int', typeCategory: 'integer', autoIncrement: true, nullable: false, default: null });
    expect(col('name')).toMatchObject({ type: 'varchar(100)', typeCategory: 'text', default: "'anon'" });
    expect(col('status')).toMatchObject({ type: "enum('active','banned')", typeCategory: 'enum', default: "'active'" });
    expect(col('tags')).toMatchObject({ type: "set('a','b','c')", typeCategory: 'other', nullable: true, default: null });
    expect(col('profile')).toMatchObject({ type: 'json', typeCategory: 'json' });
    expect(col('active')).toMatchObject({ type: 'tinyint(1)', typeCategory: 'boolean', default: '1' });
    expect(col('age')).toMatchObject({ default: null, generated: null });
    expect(col('label')?.generated).toMatch(/concat/i);
    expect(col('created_at')).toMatchObject({ typeCategory: 'timestamp', autoIncrement: false });
    expect(col('created_at')?.default).toMatch(/current_timestamp/i);

    expect(author.primaryKey).toEqual({ name: 'PRIMARY', columns: ['id'] });
    expect(author.uniqueConstraints).toEqual([{ name: 'uq_author_email', columns: ['email'] }]);
    expect(author.indexes.map((i) => [i.name, i.method, i.unique, i.backsConstraint])).toEqual([
      ['PRIMARY', 'btree', true, true],
      ['ft_bio', 'fulltext', false, false],
      ['uq_author_email', 'btree', true, true],
    ]);
    // The automatic json_valid check behind the JSON column is not a user check.
    expect(author.checks).toEqual([{ name: 'chk_age', expression: expect.stringMatching(/age.*>=\s*0/) }]);

    const post = table(model.tables, 'post');
    expect(post.foreignKeys.map((f) => [f.name, f.columns, f.referencedSchema, f.referencedTable, f.onDelete, f.onUpdate])).toEqual([
      ['fk_post_author', ['author_id'], db.name, 'author', 'CASCADE', 'RESTRICT'],
      ['fk_post_editor', ['editor_id'], db.name, 'author', 'SET NULL', 'RESTRICT'],
    ]);
    // InnoDB creates an index for each foreign key; it is an ordinary index.
    expect(post.indexes.find((i) => i.name === 'fk_post_author')).toMatchObject({ columns: ['author_id'], backsConstraint: false });
    expect(post.triggers).toEqual([
      { name: 'post_title_upper', timing: 'BEFORE', events: ['INSERT'], level: 'ROW', definition: expect.stringMatching(/UPPER/i) },
    ]);

    expect(model.views).toEqual([
      { schema: db.name, name: 'author_posts', materialized: false, columns: ['name', 'title'], definition: expect.any(String) },
    ]);
    expect(model.views[0]?.definition).not.toContain(db.name);
    expect(model.sequences).toEqual([
      { schema: db.name, name: 'invoice_seq', type: 'bigint', start: '100', increment: '10', min: '1', max: '100000', cycle: true, ownedBy: null },
    ]);
    expect(model.enums).toEqual([]);
  });

  it('introspects one table, and names an unknown one', async () => {
    const one = await engine.introspect({ table: 'post' });
    expect(one.tables.map((t) => t.name)).toEqual(['post']);
    expect(one.views).toEqual([]);
    expect((await engine.introspect({ table: `${db.name}.post` })).fingerprint).toBe(one.fingerprint);
    await expect(engine.introspect({ table: 'nope' })).rejects.toThrow(UsageError);
    await expect(engine.introspect({ table: 'nope' })).rejects.toThrow(/"nope"/);
  });

  it('keeps the fingerprint stable until the schema changes', async () => {
    const first = await engine.introspect();
    expect((await engine.introspect()).fingerprint).toBe(first.fingerprint);

    const reordered = await fresh(['SET FOREIGN_KEY_CHECKS = 0;', SEQUENCE, POST, AUTHOR, VIEW, TRIGGER].join('\n'));
    expect((await (await open(reordered)).introspect()).fingerprint).toBe(first.fingerprint);

    await engine.query("INSERT INTO author (email, name) VALUES ('a@example.com', 'A'), ('b@example.com', 'B')");
    await engine.query("INSERT INTO post (author_id, title) VALUES (1, 'hello')");
    expect((await engine.introspect()).fingerprint).toBe(first.fingerprint);

    await engine.query('CREATE INDEX ix_post_title ON post (title)');
    const changed = await engine.introspect();
    expect(changed.fingerprint).not.toBe(first.fingerprint);
    expect(table(changed.tables, 'post').indexes.find((i) => i.name === 'ix_post_title')?.columns).toEqual(['title']);
  });
});

describe('mysql engine: queries, transactions, version, privileges', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await open(await fresh('CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10));'));
  });

  it('reports rows read and rows changed', async () => {
    expect((await engine.query('INSERT INTO t VALUES (?, ?), (?, ?)', [1, 'a', 2, 'b'])).rowCount).toBe(2);
    const read = await engine.query<{ id: number; v: string }>('SELECT id, v FROM t ORDER BY id');
    expect(read).toEqual({ rows: [{ id: 1, v: 'a' }, { id: 2, v: 'b' }], rowCount: 2 });
    expect((await engine.query('DELETE FROM t')).rowCount).toBe(2);
  });

  it('commits or rolls back a transaction', async () => {
    await expect(
      engine.transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES (10, ?)', ['x']);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect((await engine.query('SELECT * FROM t WHERE id = 10')).rowCount).toBe(0);
    const inserted = await engine.transaction((tx) => tx.query('INSERT INTO t VALUES (11, ?)', ['y']));
    expect(inserted.rowCount).toBe(1);
    expect((await engine.query('SELECT * FROM t WHERE id = 11')).rowCount).toBe(1);
  });

  it('reports version, capabilities and privileges', async () => {
    const version = await engine.serverVersion();
    expect(version.product).toBe('MariaDB');
    expect(version.major).toBeGreaterThanOrEqual(10);
    expect(engine.capabilities()).toMatchObject({ transactionalDdl: false, sequences: true, expressionIndexes: false, checkConstraints: true });
    const privileges = await engine.privileges();
    expect(privileges).toMatchObject({ superuser: true, canCreateDatabase: true, canCreateRole: true });
    expect(privileges.user).toMatch(/^root@/);
    expect(privileges.notes.length).toBeGreaterThan(0);
  });
});

describe('mysql engine: locks', () => {
  it('scopes locks to the database and releases them', async () => {
    const [db1, db2] = [await fresh(), await fresh()];
    const [a, b, other] = [await open(db1), await open(db1), await open(db2)];
    const held = await a.lock('migrate');
    const busy = await b.lock('migrate', { waitMs: 0 }).catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(LockBusyError);
    expect((busy as Error).message).toMatch(/"migrate".*held by connection \d+/);
    const elsewhere = await other.lock('migrate');
    await elsewhere.release();
    await held.release();
    await held.release();
    const again = await b.lock('migrate', { waitMs: 1000 });
    expect(again.name).toBe('migrate');
    await again.release();
  });

  it('survives the server killing a lock’s connection', async () => {
    const db = await fresh();
    const engine = await open(db);
    const held = await engine.lock('backup');
    const { rows } = await engine.query<{ id: number }>('SELECT IS_USED_LOCK(?) AS id', [lockName(db.name, 'backup')]);
    await mysqlAdmin((c) => c.query(`KILL ${Number(rows[0]?.id)}`));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await expect(held.release()).resolves.toBeUndefined();
    expect((await engine.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await (await engine.lock('backup')).release();
  });

  it('shortens long lock names to MySQL’s 64 characters', () => {
    const long = lockName('d'.repeat(64), 'x');
    expect(long).toHaveLength(64);
    expect(long).not.toBe(lockName('d'.repeat(64), 'y'));
    expect(lockName('app', 'migrate')).toBe('dbward:app:migrate');
  });
});

describe('mysql engine: connection failures', () => {
  const user = `dbw_x_${randomBytes(3).toString('hex')}`;
  const password = `S3cret-${randomBytes(6).toString('hex')}`;
  let db: TestDatabase;
  beforeAll(async () => {
    db = await fresh();
    await mysqlAdmin((c) => c.query(`CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'; GRANT SELECT ON \`${db.name}\`.* TO '${user}'@'%';`));
  });
  afterAll(() => mysqlAdmin((c) => c.query(`DROP USER IF EXISTS '${user}'@'%'`)));

  it('classifies a wrong password as auth, at once, without the password', async () => {
    const wrong = `Wr0ng-${randomBytes(6).toString('hex')}`;
    const started = Date.now();
    const err = await connectError(`mysql://${user}:${wrong}@127.0.0.1:3306/${db.name}`);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(err.kind).toBe('auth');
    expect(err.message).toContain(`mysql ${user}@127.0.0.1:3306/${db.name}`);
    expect(err.message).toContain('(using password: YES)');
    expect(err.message).not.toContain(wrong);
    expect(err.hint).toMatch(/password/);
  });

  it('connects with the right password and never shows the password hash in grants', async () => {
    const engine = await open({ ...db, url: `mysql://${user}:${password}@127.0.0.1:3306/${db.name}` });
    const [rows] = await mysqlAdmin((c) => c.query<RowDataPacket[]>('SELECT PASSWORD(?) AS hash', [password]));
    const hash = String(rows[0]?.hash);
    expect(hash).toMatch(/^\*[0-9A-F]{40}$/);
    const privileges = await engine.privileges();
    expect(privileges).toMatchObject({ superuser: false, canCreateDatabase: false, canCreateRole: false });
    expect(privileges.notes.join('\n')).toContain('GRANT SELECT');
    expect(privileges.notes.join('\n')).not.toContain(hash);
  });

  it('strips credentials from grant lines', () => {
    expect(stripCredentials("GRANT USAGE ON *.* TO `u`@`%` IDENTIFIED BY PASSWORD '*AB12' WITH MAX_QUERIES_PER_HOUR 5")).toBe(
      'GRANT USAGE ON *.* TO `u`@`%` WITH MAX_QUERIES_PER_HOUR 5',
    );
    expect(stripCredentials("GRANT USAGE ON *.* TO `u`@`%` IDENTIFIED VIA ed25519 USING 'x y' OR unix_socket")).toBe('GRANT USAGE ON *.* TO `u`@`%`');
  });

  it('applies TLS and pool settings from the URL', async () => {
    // The test server has TLS off: `preferred` connects in plain text, `required` fails clearly.
    await open({ ...db, url: `${db.url}?sslmode=preferred` });
    expect((await connectError(`${db.url}?sslmode=required`)).kind).toBe('other');
    await expect(connect(`${db.url}?sslmode=verify_ca&sslca=/nonexistent/ca.pem`)).rejects.toThrow(/sslca file/);
    await expect(connect(`${db.url}?sslaccept=maybe`)).rejects.toThrow(UsageError);
    await expect(connect(`${db.url}?connection_limit=lots`)).rejects.toThrow(UsageError);
  });

  it('classifies an unknown database', async () => {
    const err = await connectError(`mysql://root@127.0.0.1:3306/dbward_missing_${randomBytes(4).toString('hex')}`);
    expect(err.kind).toBe('unknown-database');
    expect(err.hint).toMatch(/CREATE DATABASE/);
  });

  it('classifies a refused connection as transient and retries until the deadline', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = server.address() as net.AddressInfo;
        server.close(() => resolve(free));
      });
    });
    const err = await connectError(`mysql://root@127.0.0.1:${port}/x`, 1500);
    expect(err.kind).toBe('transient');
    expect(err.message).toMatch(/gave up after/);
  });
});
