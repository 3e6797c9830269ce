import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionError, LockBusyError, UsageError } from '../../src/core/errors.js';
import { connect, type Engine } from '../../src/engines/index.js';
import type { Table } from '../../src/schema/model.js';
import { createChinook, createDatabase, pgAdmin, runSql, type TestDatabase } from '../helpers/databases.js';

/** Every feature the introspection reads, as independent blocks that can be applied in other orders. */
const FEATURES = {
  enum: `CREATE SCHEMA app; CREATE TYPE app.mood AS ENUM ('happy', 'sad', 'meh');`,
  sequence: `CREATE SEQUENCE public.invoice_no AS integer START 1000 INCREMENT 5 MINVALUE 1000 MAXVALUE 999999 CYCLE;`,
  authors: `CREATE TABLE public.authors (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      email text NOT NULL,
      name varchar(100),
      CONSTRAINT authors_email_key UNIQUE (email));`,
  posts: `CREATE TABLE app.posts (
      id serial PRIMARY KEY,
      author_id integer NOT NULL REFERENCES public.authors (id) ON DELETE CASCADE,
      editor_id integer REFERENCES public.authors (id) ON DELETE SET NULL,
      title text NOT NULL,
      body jsonb NOT NULL DEFAULT '{}',
      tags text[],
      mood app.mood,
      price numeric(10,2) CONSTRAINT posts_price_positive CHECK (price > 0),
      published boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      title_length integer GENERATED ALWAYS AS (length(title)) STORED);`,
  indexes: `CREATE INDEX posts_published_idx ON app.posts (created_at) WHERE published;
    CREATE INDEX posts_lower_title_idx ON app.posts (lower(title), author_id);
    CREATE INDEX posts_body_gin ON app.posts USING gin (body);`,
  trigger: `CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.created_at := now(); RETURN NEW; END $$;
    CREATE TRIGGER posts_touch BEFORE INSERT OR UPDATE ON app.posts FOR EACH ROW EXECUTE FUNCTION app.touch();`,
  views: `CREATE VIEW app.published_posts AS SELECT id, title FROM app.posts WHERE published;
    CREATE MATERIALIZED VIEW app.post_counts AS SELECT author_id, count(*) AS n FROM app.posts GROUP BY author_id;`,
  rls: `ALTER TABLE app.posts ENABLE ROW LEVEL SECURITY;
    ALTER TABLE app.posts FORCE ROW LEVEL SECURITY;
    CREATE POLICY posts_read ON app.posts FOR SELECT TO PUBLIC USING (published);
    CREATE POLICY posts_write ON app.posts FOR INSERT TO postgres WITH CHECK (author_id > 0);`,
  comment: `COMMENT ON TABLE app.posts IS 'Blog posts';`,
};
const ORDER_A: (keyof typeof FEATURES)[] = ['enum', 'sequence', 'authors', 'posts', 'indexes', 'trigger', 'views', 'rls', 'comment'];
const ORDER_B: (keyof typeof FEATURES)[] = ['sequence', 'authors', 'enum', 'posts', 'comment', 'rls', 'views', 'trigger', 'indexes'];
const applyFeatures = (db: TestDatabase, order: (keyof typeof FEATURES)[]) => runSql(db, order.map((k) => FEATURES[k]).join('\n'));

function table(tables: Table[], schema: string, name: string): Table {
  const found = tables.find((t) => t.schema === schema && t.name === name);
  if (!found) throw new Error(`no table ${schema}.${name}`);
  return found;
}

async function failure(promise: Promise<unknown>): Promise<ConnectionError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConnectionError);
  return err as ConnectionError;
}

async function unusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const engines: Engine[] = [];
async function open(url: string): Promise<Engine> {
  const engine = await connect(url);
  engines.push(engine);
  return engine;
}

const databases: TestDatabase[] = [];
afterAll(async () => {
  await Promise.allSettled(engines.map((e) => e.close()));
  await Promise.all(databases.map((d) => d.drop()));
});

describe('postgres introspection: Chinook', () => {
  let db: Engine;
  beforeAll(async () => {
    const chinook = await createChinook('postgres');
    databases.push(chinook);
    db = await open(chinook.url);
  });

  it('reads 11 tables in public with their keys', async () => {
    const model = await db.introspect();
    expect(model.engine).toBe('postgres');
    expect(model.schemas).toEqual(['public']);
    expect(model.tables.map((t) => t.name)).toEqual([
      'album', 'artist', 'customer', 'employee', 'genre', 'invoice', 'invoice_line', 'media_type', 'playlist', 'playlist_track', 'track',
    ]);
    expect(model.tables.every((t) => t.schema === 'public')).toBe(true);
    expect(model.serverVersion).toMatch(/^15\./);
    expect(model.fingerprint).toMatch(/^[0-9a-f]{64}$/);

    expect(table(model.tables, 'public', 'playlist_track').primaryKey).toEqual({ name: 'playlist_track_pkey', columns: ['playlist_id', 'track_id'] });
    const lineFks = table(model.tables, 'public', 'invoice_line').foreignKeys;
    expect(lineFks.map((f) => [f.columns, f.referencedSchema, f.referencedTable, f.referencedColumns])).toEqual([
      [['invoice_id'], 'public', 'invoice', ['invoice_id']],
      [['track_id'], 'public', 'track', ['track_id']],
    ]);
    expect(lineFks[0]).toMatchObject({ name: 'invoice_line_invoice_id_fkey', onDelete: 'NO ACTION', onUpdate: 'NO ACTION' });

    const album = table(model.tables, 'public', 'album');
    expect(album.columns[1]).toEqual({
      name: 'title', position: 2, type: 'character varying(160)', typeCategory: 'text', nullable: false, default: null, autoIncrement: false, generated: null,
    });
    expect(album.indexes.find((i) => i.name === 'album_pkey')).toMatchObject({ backsConstraint: true, unique: true, method: 'btree' });
    expect(album.indexes.find((i) => i.name === 'album_artist_id_idx')).toMatchObject({ columns: ['artist_id'], backsConstraint: false, unique: false });
    expect(table(model.tables, 'public', 'track').stats.sizeBytes).toBeGreaterThan(0);
  });

  it('introspects one table by name or schema.name, and names an unknown one', async () => {
    const one = await db.introspect({ table: 'invoice_line' });
    expect(one.tables.map((t) => t.name)).toEqual(['invoice_line']);
    expect(one.schemas).toEqual(['public']);
    expect((await db.introspect({ table: 'public.track' })).tables.map((t) => t.name)).toEqual(['track']);
    await expect(db.introspect({ table: 'public.nope' })).rejects.toThrow(UsageError);
    await expect(db.introspect({ table: 'public.nope' })).rejects.toThrow(/"public\.nope"/);
  });
});

describe('postgres introspection: every feature', () => {
  let url: string;
  let db: Engine;
  beforeAll(async () => {
    const created = await createDatabase('postgres');
    databases.push(created);
    applyFeatures(created, ORDER_A);
    url = created.url;
    db = await open(url);
  });

  it('reads schemas, columns, constraints, indexes, triggers, RLS, views, sequences, enums and comments', async () => {
    const model = await db.introspect();
    expect(model.schemas).toEqual(['app', 'public']);
    expect(model.tables.map((t) => `${t.schema}.${t.name}`)).toEqual(['app.posts', 'public.authors']);

    const authors = table(model.tables, 'public', 'authors');
    expect(authors.columns[0]).toMatchObject({ name: 'id', type: 'integer', typeCategory: 'integer', autoIncrement: true, default: null, nullable: false });
    expect(authors.uniqueConstraints).toEqual([{ name: 'authors_email_key', columns: ['email'] }]);
    expect(authors.indexes.find((i) => i.name === 'authors_email_key')?.backsConstraint).toBe(true);

    const posts = table(model.tables, 'app', 'posts');
    const col = (name: string) => posts.columns.find((c) => c.name === name);
    expect(col('id')).toMatchObject({ position: 1, autoIncrement: true, default: "nextval('app.posts_id_seq'::regclass)" });
    expect(col('body')).toMatchObject({ type: 'jsonb', typeCategory: 'json', default: "'{}'::jsonb" });
    expect(col('tags')).toMatchObject({ type: 'text[]', typeCategory: 'array', nullable: true });
    expect(col('mood')).toMatchObject({ type: 'app.mood', typeCategory: 'enum' });
    expect(col('price')).toMatchObject({ type: 'numeric(10,2)', typeCategory: 'decimal' });
    expect(col('created_at')).toMatchObject({ type: 'timestamp with time zone', typeCategory: 'timestamp', default: 'now()' });
    expect(col('title_length')).toMatchObject({ generated: 'length(title)', default: null, autoIncrement: false });
    expect(posts.primaryKey).toEqual({ name: 'posts_pkey', columns: ['id'] });

    expect(posts.foreignKeys.map((f) => [f.name, f.referencedSchema, f.referencedTable, f.onDelete])).toEqual([
      ['posts_author_id_fkey', 'public', 'authors', 'CASCADE'],
      ['posts_editor_id_fkey', 'public', 'authors', 'SET NULL'],
    ]);
    expect(posts.checks).toEqual([{ name: 'posts_price_positive', expression: 'CHECK (price > 0::numeric)' }]);

    const index = (name: string) => posts.indexes.find((i) => i.name === name);
    expect(index('posts_published_idx')).toMatchObject({ columns: ['created_at'], expressions: [false], where: 'published', method: 'btree' });
    expect(index('posts_lower_title_idx')).toMatchObject({ columns: ['lower(title)', 'author_id'], expressions: [true, false], where: null });
    expect(index('posts_body_gin')).toMatchObject({ columns: ['body'], method: 'gin', unique: false, backsConstraint: false });
    expect(index('posts_pkey')).toMatchObject({ unique: true, backsConstraint: true });

    expect(posts.triggers).toEqual([
      {
        name: 'posts_touch', timing: 'BEFORE', events: ['INSERT', 'UPDATE'], level: 'ROW',
        definition: 'CREATE TRIGGER posts_touch BEFORE INSERT OR UPDATE ON app.posts FOR EACH ROW EXECUTE FUNCTION app.touch()',
      },
    ]);
    expect(posts.rowLevelSecurity).toEqual({
      enabled: true,
      forced: true,
      policies: [
        { name: 'posts_read', kind: 'PERMISSIVE', command: 'SELECT', roles: ['public'], using: 'published', withCheck: null },
        { name: 'posts_write', kind: 'PERMISSIVE', command: 'INSERT', roles: ['postgres'], using: null, withCheck: 'author_id > 0' },
      ],
    });
    expect(authors.rowLevelSecurity).toEqual({ enabled: false, forced: false, policies: [] });
    expect(posts.comment).toBe('Blog posts');
    expect(authors.comment).toBeNull();
    expect(posts.stats.rowEstimate).toBeNull();

    expect(model.views.map((v) => [v.name, v.materialized, v.columns])).toEqual([
      ['post_counts', true, ['author_id', 'n']],
      ['published_posts', false, ['id', 'title']],
    ]);
    expect(model.views[1]?.definition).toContain('FROM app.posts');

    expect(model.sequences).toEqual([
      { schema: 'app', name: 'posts_id_seq', type: 'integer', start: '1', increment: '1', min: '1', max: '2147483647', cycle: false, ownedBy: 'app.posts.id' },
      { schema: 'public', name: 'authors_id_seq', type: 'integer', start: '1', increment: '1', min: '1', max: '2147483647', cycle: false, ownedBy: 'public.authors.id' },
      { schema: 'public', name: 'invoice_no', type: 'integer', start: '1000', increment: '5', min: '1000', max: '999999', cycle: true, ownedBy: null },
    ]);
    expect(model.enums).toEqual([{ schema: 'app', name: 'mood', values: ['happy', 'sad', 'meh'] }]);
  });

  it('fingerprints structure only: stable, order-independent, blind to data, sensitive to changes', async () => {
    const first = (await db.introspect()).fingerprint;
    expect((await db.introspect()).fingerprint).toBe(first);

    const other = await createDatabase('postgres');
    databases.push(other);
    applyFeatures(other, ORDER_B);
    const db2 = await open(other.url);
    expect((await db2.introspect()).fingerprint).toBe(first);

    await db2.query("INSERT INTO public.authors (email) VALUES ('a@example.com'), ('b@example.com')");
    await db2.query("INSERT INTO app.posts (author_id, title, price) SELECT id, 'hello', 9.5 FROM public.authors");
    await db2.query('ANALYZE');
    const analyzed = await db2.introspect();
    expect(table(analyzed.tables, 'public', 'authors').stats.rowEstimate).toBe(2);
    expect(analyzed.fingerprint).toBe(first);

    await db2.query('CREATE INDEX authors_name_idx ON public.authors (name)');
    const indexed = (await db2.introspect()).fingerprint;
    expect(indexed).not.toBe(first);
    await db2.query('DROP INDEX public.authors_name_idx');
    expect((await db2.introspect()).fingerprint).toBe(first);

    await db2.query("ALTER TYPE app.mood ADD VALUE 'angry'");
    expect((await db2.introspect()).fingerprint).not.toBe(first);
  });

  it('ignores the search_path, including the one Prisma\'s schema parameter sets', async () => {
    const prisma = await open(`${url}?schema=app`);
    expect((await prisma.query("SELECT current_setting('search_path') AS path")).rows).toEqual([{ path: '"app"' }]);
    const model = await prisma.introspect();
    expect(model.schemas).toEqual(['app', 'public']);
    expect(model.fingerprint).toBe((await db.introspect()).fingerprint);
  });
});

describe('postgres engine', () => {
  let url: string;
  let db: Engine;
  beforeAll(async () => {
    const created = await createDatabase('postgres');
    databases.push(created);
    url = created.url;
    db = await open(url);
    await db.query('CREATE TABLE items (id int PRIMARY KEY)');
  });

  it('reports version, capabilities, privileges and application_name', async () => {
    expect(await db.serverVersion()).toMatchObject({ product: 'PostgreSQL', major: 15, patch: 0 });
    expect(db.capabilities()).toMatchObject({ transactionalDdl: true, rowLevelSecurity: true, onlineIndexBuild: true });
    const privileges = await db.privileges();
    expect(privileges).toMatchObject({ user: 'postgres', superuser: true, canCreateDatabase: true, canCreateRole: true });
    expect(privileges.notes[0]).toMatch(/^connected to database dbward_test_\w+ as its owner$/);
    expect((await db.query('SELECT current_setting($1) AS name', ['application_name'])).rows).toEqual([{ name: 'dbward' }]);
  });

  it('commits a transaction, and rolls it back when fn throws', async () => {
    await db.transaction((tx) => tx.query('INSERT INTO items VALUES (1)'));
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO items VALUES (2)');
        await tx.query('CREATE TABLE rolled_back (x int)');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect((await db.query('SELECT id FROM items ORDER BY id')).rows).toEqual([{ id: 1 }]);
    expect((await db.query("SELECT to_regclass('rolled_back') AS t")).rows).toEqual([{ t: null }]);
  });

  it('holds an advisory lock until release, names the holder, and waits when asked', async () => {
    const other = await open(url);
    const held = await db.lock('migrate');
    const busy = await other.lock('migrate').catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(LockBusyError);
    expect((busy as Error).message).toMatch(/"migrate".*held by server process \d+ \(dbward\)/);

    const start = Date.now();
    await expect(other.lock('migrate', { waitMs: 300 })).rejects.toThrow(LockBusyError);
    expect(Date.now() - start).toBeGreaterThanOrEqual(250);

    await (await other.lock('another-name')).release();
    setTimeout(() => void held.release(), 200);
    const waited = await other.lock('migrate', { waitMs: 5_000 });
    await expect(db.lock('migrate')).rejects.toThrow(LockBusyError);
    await waited.release();
    await waited.release();
    await (await db.lock('migrate')).release();
  });

  it('frees a lock when the holder closes, or when its session is killed, without crashing', async () => {
    const holder = await connect(url);
    await holder.lock('closing');
    await expect(db.lock('closing')).rejects.toThrow(LockBusyError);
    await holder.close();
    await (await db.lock('closing')).release();

    const victim = await open(url);
    const handle = await victim.lock('killed');
    const busy = (await db.lock('killed').catch((e: unknown) => e)) as Error;
    const pid = Number(/server process (\d+)/.exec(busy.message)?.[1]);
    await pgAdmin((c) => c.query('SELECT pg_terminate_backend($1)', [pid]));
    await (await db.lock('killed', { waitMs: 5_000 })).release();
    await handle.release();

    // An idle pooled connection killed by the server is replaced on the next query.
    const { rows } = await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    await pgAdmin((c) => c.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await victim.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });
});

describe('postgres connection failures', () => {
  const secret = 'S3cret-pa55word';

  // pg_hba.conf here trusts every local connection, so a wrong password is accepted: authentication
  // failure is exercised with a role that does not exist (SQLSTATE 28000).
  it('classifies an unknown role as auth, at once and without the password', async () => {
    const start = Date.now();
    const err = await failure(connect(`postgres://no_such_role_dbward:${secret}@127.0.0.1:5432/postgres`));
    expect(err.kind).toBe('auth');
    expect(Date.now() - start).toBeLessThan(2_000);
    expect(err.message).toContain('postgres no_such_role_dbward@127.0.0.1:5432/postgres');
    expect(err.message).toContain('role "no_such_role_dbward" does not exist');
    expect(err.hint).toContain('pg_hba.conf');
    expect(`${err.message} ${err.hint}`).not.toContain(secret);
  });

  it('classifies an unknown database', async () => {
    const start = Date.now();
    const err = await failure(connect(`postgres://postgres:${secret}@127.0.0.1:5432/dbward_missing_db`));
    expect(err.kind).toBe('unknown-database');
    expect(Date.now() - start).toBeLessThan(2_000);
    expect(err.hint).toContain('dbward_missing_db');
    expect(`${err.message} ${err.hint}`).not.toContain(secret);
  });

  it('retries a refused connection as transient until the deadline', async () => {
    const port = await unusedPort();
    const err = await failure(connect(`postgres://postgres:${secret}@127.0.0.1:${port}/postgres`, { deadlineMs: 1_500 }));
    expect(err.kind).toBe('transient');
    expect(err.message).toContain('ECONNREFUSED');
    expect(err.message).toMatch(/gave up after/);
    expect(`${err.message} ${err.hint}`).not.toContain(secret);
  });

  it('fails sslmode=require clearly on this server (ssl is off); prefer falls back to plain text', async () => {
    const err = await failure(connect(`postgres://postgres:${secret}@127.0.0.1:5432/postgres?sslmode=require`));
    expect(err.kind).toBe('other');
    expect(err.message).toContain('The server does not support SSL connections');
    expect(err.hint).toContain('sslmode=disable');
    const prefer = await open('postgres://postgres@127.0.0.1:5432/postgres?sslmode=prefer');
    expect((await prefer.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).rows).toEqual([{ ssl: false }]);
  });
});
