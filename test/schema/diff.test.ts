import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/engines/index.js';
import { diffSchemas, type SchemaDifference } from '../../src/schema/diff.js';
import { finalizeModel, type SchemaParts } from '../../src/schema/fingerprint.js';
import type { Column, SchemaModel, Table } from '../../src/schema/model.js';
import { renderDiff, renderDifference } from '../../src/schema/render-diff.js';
import { ALL_ENGINES, createDatabase, runSql, type TestDatabase, type TestEngine } from '../helpers/databases.js';

// ---------------------------------------------------------------------------------------------
// Synthetic models

const column = (name: string, position: number, more: Partial<Column> = {}): Column => ({
  name,
  position,
  type: 'integer',
  typeCategory: 'integer',
  nullable: false,
  default: null,
  autoIncrement: false,
  generated: null,
  ...more,
});

function users(): Table {
  return {
    schema: 'public',
    name: 'users',
    columns: [
      column('id', 1, { autoIncrement: true, default: "nextval('users_id_seq'::regclass)" }),
      column('email', 2, { type: 'character varying(100)', typeCategory: 'text' }),
      column('nickname', 3, { type: 'text', typeCategory: 'text', nullable: true }),
    ],
    primaryKey: { name: 'users_pkey', columns: ['id'] },
    uniqueConstraints: [{ name: 'users_email_key', columns: ['email'] }],
    indexes: [
      { name: 'users_pkey', columns: ['id'], expressions: [false], unique: true, where: null, method: 'btree', backsConstraint: true },
      { name: 'users_email_key', columns: ['email'], expressions: [false], unique: true, where: null, method: 'btree', backsConstraint: true },
      { name: 'users_nick_idx', columns: ['nickname'], expressions: [false], unique: false, where: null, method: 'btree', backsConstraint: false },
    ],
    foreignKeys: [],
    checks: [{ name: 'users_email_check', expression: "CHECK ((email)::text <> ''::text)" }],
    triggers: [{ name: 'users_touch', timing: 'BEFORE', events: ['INSERT', 'UPDATE'], level: 'ROW', definition: 'CREATE TRIGGER users_touch …' }],
    rowLevelSecurity: { enabled: false, forced: false, policies: [] },
    comment: null,
    stats: { rowEstimate: 10, sizeBytes: 8192 },
  };
}

function posts(): Table {
  return {
    schema: 'app',
    name: 'posts',
    columns: [column('id', 1, { autoIncrement: true }), column('author_id', 2), column('title', 3, { type: 'text', typeCategory: 'text' })],
    primaryKey: { name: 'posts_pkey', columns: ['id'] },
    uniqueConstraints: [],
    indexes: [{ name: 'posts_pkey', columns: ['id'], expressions: [false], unique: true, where: null, method: 'btree', backsConstraint: true }],
    foreignKeys: [
      {
        name: 'posts_author_fk',
        columns: ['author_id'],
        referencedSchema: 'public',
        referencedTable: 'users',
        referencedColumns: ['id'],
        onDelete: 'CASCADE',
        onUpdate: 'NO ACTION',
      },
    ],
    checks: [],
    triggers: [],
    rowLevelSecurity: {
      enabled: true,
      forced: false,
      policies: [{ name: 'posts_read', kind: 'PERMISSIVE', command: 'SELECT', roles: ['reader', 'writer'], using: 'true', withCheck: null }],
    },
    comment: 'Blog posts',
    stats: { rowEstimate: 100, sizeBytes: 16384 },
  };
}

function base(): SchemaParts {
  return {
    engine: 'postgres',
    database: 'app_db',
    serverVersion: '16.4',
    schemas: ['app', 'public'],
    tables: [users(), posts()],
    views: [{ schema: 'app', name: 'published', materialized: false, definition: 'SELECT id FROM app.posts', columns: ['id'] }],
    sequences: [
      { schema: 'public', name: 'invoice_no', type: 'integer', start: '1000', increment: '5', min: '1000', max: '999999', cycle: true, ownedBy: null },
    ],
    enums: [{ schema: 'app', name: 'mood', values: ['happy', 'sad'] }],
  };
}

const tableOf = (p: SchemaParts, name: string): Table => p.tables.find((t) => t.name === name)!;
const u = (p: SchemaParts) => tableOf(p, 'users');
const col = (p: SchemaParts, name: string) => u(p).columns.find((c) => c.name === name)!;
const idx = (p: SchemaParts, name: string) => u(p).indexes.find((i) => i.name === name)!;

type Mutation = [string, (p: SchemaParts) => void, SchemaDifference[]];

/** Each mutation of the base model and the exact diff from the base to the mutated model. */
const MUTATIONS: Mutation[] = [
  ['schema added', (p) => p.schemas.push('audit'), [{ kind: 'added', object: 'schema', path: 'audit' }]],
  ['schema removed', (p) => (p.schemas = ['public']), [{ kind: 'removed', object: 'schema', path: 'app' }]],
  ['table added', (p) => p.tables.push({ ...users(), name: 'audit' }), [{ kind: 'added', object: 'table', path: 'public.audit' }]],
  ['table removed', (p) => (p.tables = [users()]), [{ kind: 'removed', object: 'table', path: 'app.posts' }]],
  ['column added', (p) => u(p).columns.push(column('age', 4)), [{ kind: 'added', object: 'column', path: 'public.users.age' }]],
  // Later columns move up a place, which is the removal itself, not a move.
  [
    'column removed',
    (p) => (u(p).columns = [col(p, 'id'), { ...col(p, 'nickname'), position: 2 }]),
    [{ kind: 'removed', object: 'column', path: 'public.users.email' }],
  ],
  [
    'column type',
    (p) => (col(p, 'email').type = 'text'),
    [{ kind: 'changed', object: 'column', path: 'public.users.email', details: ['type: character varying(100) → text'] }],
  ],
  [
    'column nullability and default',
    (p) => Object.assign(col(p, 'email'), { nullable: true, default: "'x'::text" }),
    [{ kind: 'changed', object: 'column', path: 'public.users.email', details: ['nullable: false → true', "default: none → 'x'::text"] }],
  ],
  [
    'column identity and generation',
    (p) => Object.assign(col(p, 'nickname'), { autoIncrement: true, generated: 'lower(email)' }),
    [{ kind: 'changed', object: 'column', path: 'public.users.nickname', details: ['auto increment: false → true', 'generated: none → lower(email)'] }],
  ],
  [
    'column type category only',
    (p) => (col(p, 'nickname').typeCategory = 'other'),
    [{ kind: 'changed', object: 'column', path: 'public.users.nickname', details: ['type category: text → other'] }],
  ],
  [
    'column order',
    (p) => {
      col(p, 'email').position = 3;
      col(p, 'nickname').position = 2;
    },
    [
      { kind: 'changed', object: 'column', path: 'public.users.email', details: ['position: 2 → 3'] },
      { kind: 'changed', object: 'column', path: 'public.users.nickname', details: ['position: 3 → 2'] },
    ],
  ],
  [
    // With its backing index gone too, as the engines do: the constraint is reported, not the index.
    'primary key removed',
    (p) => Object.assign(u(p), { primaryKey: null, indexes: u(p).indexes.filter((i) => i.name !== 'users_pkey') }),
    [{ kind: 'removed', object: 'primary key', path: 'public.users primary key' }],
  ],
  [
    'primary key changed',
    (p) => (u(p).primaryKey = { name: 'users_pk', columns: ['id', 'email'] }),
    [{ kind: 'changed', object: 'primary key', path: 'public.users primary key', details: ['name: users_pkey → users_pk', 'columns: (id) → (id, email)'] }],
  ],
  [
    'unique constraint removed',
    (p) => Object.assign(u(p), { uniqueConstraints: [], indexes: u(p).indexes.filter((i) => i.name !== 'users_email_key') }),
    [{ kind: 'removed', object: 'unique constraint', path: 'public.users unique constraint users_email_key' }],
  ],
  [
    'unique constraint added',
    (p) => {
      u(p).uniqueConstraints.push({ name: 'users_nick_key', columns: ['nickname'] });
      u(p).indexes.push({ ...idx(p, 'users_nick_idx'), name: 'users_nick_key', unique: true, backsConstraint: true });
    },
    [{ kind: 'added', object: 'unique constraint', path: 'public.users unique constraint users_nick_key' }],
  ],
  [
    'unique constraint changed',
    (p) => (u(p).uniqueConstraints[0]!.columns = ['email', 'nickname']),
    [{ kind: 'changed', object: 'unique constraint', path: 'public.users unique constraint users_email_key', details: ['columns: (email) → (email, nickname)'] }],
  ],
  [
    'index added',
    (p) => u(p).indexes.push({ ...idx(p, 'users_nick_idx'), name: 'users_lower_email', columns: ['lower(email)'], expressions: [true] }),
    [{ kind: 'added', object: 'index', path: 'public.users index users_lower_email' }],
  ],
  [
    'index removed',
    (p) => (u(p).indexes = u(p).indexes.filter((i) => i.name !== 'users_nick_idx')),
    [{ kind: 'removed', object: 'index', path: 'public.users index users_nick_idx' }],
  ],
  [
    'index changed',
    (p) => Object.assign(idx(p, 'users_nick_idx'), { unique: true, where: '(nickname IS NOT NULL)', method: 'hash' }),
    [
      {
        kind: 'changed',
        object: 'index',
        path: 'public.users index users_nick_idx',
        details: ['unique: false → true', 'where: none → (nickname IS NOT NULL)', 'method: btree → hash'],
      },
    ],
  ],
  [
    'index expression flag',
    (p) => (idx(p, 'users_nick_idx').expressions = [true]),
    [{ kind: 'changed', object: 'index', path: 'public.users index users_nick_idx', details: ['expressions: (false) → (true)'] }],
  ],
  [
    'foreign key removed',
    (p) => (tableOf(p, 'posts').foreignKeys = []),
    [{ kind: 'removed', object: 'foreign key', path: 'app.posts foreign key posts_author_fk' }],
  ],
  [
    'foreign key changed',
    (p) => Object.assign(tableOf(p, 'posts').foreignKeys[0]!, { onDelete: 'SET NULL', onUpdate: 'CASCADE', referencedSchema: 'app' }),
    [
      {
        kind: 'changed',
        object: 'foreign key',
        path: 'app.posts foreign key posts_author_fk',
        details: ['references: public.users(id) → app.users(id)', 'on delete: CASCADE → SET NULL', 'on update: NO ACTION → CASCADE'],
      },
    ],
  ],
  [
    'unnamed foreign key added',
    (p) => tableOf(p, 'posts').foreignKeys.push({ ...tableOf(p, 'posts').foreignKeys[0]!, name: null, columns: ['id'] }),
    [{ kind: 'added', object: 'foreign key', path: 'app.posts foreign key (id) → public.users(id)' }],
  ],
  [
    'check removed',
    (p) => (u(p).checks = []),
    [{ kind: 'removed', object: 'check', path: 'public.users check users_email_check' }],
  ],
  [
    'check changed',
    (p) => (u(p).checks[0]!.expression = 'CHECK (length((email)::text) > 3)'),
    [
      {
        kind: 'changed',
        object: 'check',
        path: 'public.users check users_email_check',
        details: ["expression: CHECK ((email)::text <> ''::text) → CHECK (length((email)::text) > 3)"],
      },
    ],
  ],
  [
    'unnamed check added',
    (p) => u(p).checks.push({ name: null, expression: 'id > 0' }),
    [{ kind: 'added', object: 'check', path: 'public.users check (id > 0)' }],
  ],
  [
    'trigger added',
    (p) => u(p).triggers.push({ ...u(p).triggers[0]!, name: 'users_audit' }),
    [{ kind: 'added', object: 'trigger', path: 'public.users trigger users_audit' }],
  ],
  [
    'trigger changed',
    (p) => Object.assign(u(p).triggers[0]!, { timing: 'AFTER', events: ['UPDATE'] }),
    [{ kind: 'changed', object: 'trigger', path: 'public.users trigger users_touch', details: ['timing: BEFORE → AFTER', 'events: (INSERT, UPDATE) → (UPDATE)'] }],
  ],
  [
    'row-level security changed',
    (p) => Object.assign(u(p).rowLevelSecurity!, { enabled: true, forced: true }),
    [{ kind: 'changed', object: 'row-level security', path: 'public.users row-level security', details: ['enabled: false → true', 'forced: false → true'] }],
  ],
  [
    'row-level security removed',
    (p) => (u(p).rowLevelSecurity = null),
    [{ kind: 'removed', object: 'row-level security', path: 'public.users row-level security' }],
  ],
  [
    'policy added',
    (p) => tableOf(p, 'posts').rowLevelSecurity!.policies.push({ ...tableOf(p, 'posts').rowLevelSecurity!.policies[0]!, name: 'posts_write' }),
    [{ kind: 'added', object: 'policy', path: 'app.posts policy posts_write' }],
  ],
  [
    'policy changed',
    (p) => Object.assign(tableOf(p, 'posts').rowLevelSecurity!.policies[0]!, { roles: ['reader'], withCheck: 'false', command: 'ALL' }),
    [
      {
        kind: 'changed',
        object: 'policy',
        path: 'app.posts policy posts_read',
        details: ['command: SELECT → ALL', 'roles: (reader, writer) → (reader)', 'with check: none → false'],
      },
    ],
  ],
  [
    'policy removed',
    (p) => (tableOf(p, 'posts').rowLevelSecurity!.policies = []),
    [{ kind: 'removed', object: 'policy', path: 'app.posts policy posts_read' }],
  ],
  ['comment added', (p) => (u(p).comment = 'People'), [{ kind: 'added', object: 'comment', path: 'public.users comment' }]],
  ['comment removed', (p) => (tableOf(p, 'posts').comment = null), [{ kind: 'removed', object: 'comment', path: 'app.posts comment' }]],
  [
    'comment changed',
    (p) => (tableOf(p, 'posts').comment = 'Posts'),
    [{ kind: 'changed', object: 'comment', path: 'app.posts comment', details: ['comment: Blog posts → Posts'] }],
  ],
  [
    'view added',
    (p) => p.views.push({ ...p.views[0]!, name: 'counts', materialized: true }),
    [{ kind: 'added', object: 'view', path: 'app.counts' }],
  ],
  ['view removed', (p) => (p.views = []), [{ kind: 'removed', object: 'view', path: 'app.published' }]],
  [
    'view changed',
    (p) => Object.assign(p.views[0]!, { definition: 'SELECT id, title FROM app.posts', columns: ['id', 'title'] }),
    [
      {
        kind: 'changed',
        object: 'view',
        path: 'app.published',
        details: ['definition: SELECT id FROM app.posts → SELECT id, title FROM app.posts', 'columns: (id) → (id, title)'],
      },
    ],
  ],
  ['sequence removed', (p) => (p.sequences = []), [{ kind: 'removed', object: 'sequence', path: 'public.invoice_no' }]],
  [
    'sequence added',
    (p) => p.sequences.push({ ...p.sequences[0]!, name: 'order_no', ownedBy: 'public.users.id' }),
    [{ kind: 'added', object: 'sequence', path: 'public.order_no' }],
  ],
  [
    'sequence changed',
    (p) => Object.assign(p.sequences[0]!, { increment: '1', max: null, cycle: false }),
    [{ kind: 'changed', object: 'sequence', path: 'public.invoice_no', details: ['increment: 5 → 1', 'max: 999999 → none', 'cycle: true → false'] }],
  ],
  ['enum added', (p) => p.enums.push({ schema: 'public', name: 'status', values: ['on'] }), [{ kind: 'added', object: 'enum', path: 'public.status' }]],
  ['enum removed', (p) => (p.enums = []), [{ kind: 'removed', object: 'enum', path: 'app.mood' }]],
  [
    'enum value order',
    (p) => (p.enums[0]!.values = ['sad', 'happy']),
    [{ kind: 'changed', object: 'enum', path: 'app.mood', details: ['values: (happy, sad) → (sad, happy)'] }],
  ],
];

/** Changes the fingerprint ignores: the diff must ignore them too. */
const INVISIBLE: [string, (p: SchemaParts) => void][] = [
  ['statistics', (p) => (u(p).stats = { rowEstimate: 1e6, sizeBytes: 1e9 })],
  ['database name and server version', (p) => Object.assign(p, { database: 'scratch', serverVersion: '17.0' })],
  ['object order', (p) => [p.tables, u(p).indexes, u(p).columns, p.schemas].forEach((list) => list.reverse())],
  ['trigger events and policy roles order', (p) => [u(p).triggers[0]!.events, tableOf(p, 'posts').rowLevelSecurity!.policies[0]!.roles].forEach((l) => l.reverse())],
];

function mutated(change: (p: SchemaParts) => void): SchemaModel {
  const parts = base();
  change(parts);
  return finalizeModel(parts);
}

const mirror = (d: SchemaDifference): SchemaDifference => ({
  ...d,
  kind: d.kind === 'added' ? 'removed' : d.kind === 'removed' ? 'added' : 'changed',
  ...(d.details && { details: d.details.map((x) => x.replace(/^([^:]+): (.*) → (.*)$/, '$1: $3 → $2')) }),
});

describe('diffSchemas on synthetic models', () => {
  const original = finalizeModel(base());

  it('is empty for a model and itself', () => {
    expect(diffSchemas(original, original)).toEqual([]);
  });

  it.each(MUTATIONS)('reports %s exactly, and the reverse as its mirror image', (_name, change, expected) => {
    const changed = mutated(change);
    expect(diffSchemas(original, changed)).toEqual(expected);
    expect(diffSchemas(changed, original)).toEqual(expected.map(mirror));
  });

  it.each(INVISIBLE)('ignores %s, as the fingerprint does', (_name, change) => {
    const changed = mutated(change);
    expect(changed.fingerprint).toBe(original.fingerprint);
    expect(diffSchemas(original, changed)).toEqual([]);
  });

  it('is empty exactly when the fingerprints are equal (every pair of variants)', () => {
    const variants = [original, ...MUTATIONS.map(([, change]) => mutated(change)), ...INVISIBLE.map(([, change]) => mutated(change))];
    // Pairs of mutations, so that a diff of two changed models is covered too.
    for (const [i, [, first]] of MUTATIONS.entries()) {
      const [, second] = MUTATIONS[(i + 7) % MUTATIONS.length]!;
      variants.push(mutated((p) => (first(p), second(p))));
    }
    for (const x of variants) {
      for (const y of variants) {
        expect(diffSchemas(x, y).length === 0, `${x.fingerprint} vs ${y.fingerprint}`).toBe(x.fingerprint === y.fingerprint);
      }
    }
  });

  it('sorts its result, whatever the order of the input', () => {
    const some = ['table added', 'column added', 'column type', 'index added', 'foreign key removed', 'policy added', 'view changed', 'enum value order'];
    const all = (p: SchemaParts) => MUTATIONS.filter(([name]) => some.includes(name)).forEach(([, change]) => change(p));
    const diff = diffSchemas(original, mutated(all));
    const keys = diff.map((d) => `${d.path}\0${d.object}\0${d.kind}`);
    expect(keys).toEqual([...keys].sort());
    const shuffled = mutated((p) => (all(p), p.tables.reverse(), u(p).columns.reverse()));
    expect(diffSchemas({ ...original, tables: [...original.tables].reverse() }, shuffled)).toEqual(diff);
  });

  it('matches unnamed foreign keys and checks by content (SQLite)', () => {
    const sqlite = (change: (t: Table) => void = () => undefined): SchemaModel => {
      const t: Table = { ...posts(), schema: 'main', rowLevelSecurity: null, comment: null, primaryKey: { name: null, columns: ['id'] } };
      t.foreignKeys = [
        { ...t.foreignKeys[0]!, name: null, referencedSchema: 'main' },
        { ...t.foreignKeys[0]!, name: null, columns: ['id'], referencedSchema: 'main', referencedTable: 'other' },
      ];
      t.checks = [
        { name: null, expression: 'id > 0' },
        { name: null, expression: 'id > 0' },
      ];
      change(t);
      return finalizeModel({ ...base(), engine: 'sqlite', schemas: ['main'], tables: [t], views: [], sequences: [], enums: [] });
    };
    const before = sqlite();
    expect(diffSchemas(before, sqlite((t) => t.foreignKeys.reverse()))).toEqual([]);
    expect(diffSchemas(before, sqlite((t) => (t.foreignKeys[0]!.onDelete = 'RESTRICT')))).toEqual([
      { kind: 'changed', object: 'foreign key', path: 'main.posts foreign key (author_id) → main.users(id)', details: ['on delete: CASCADE → RESTRICT'] },
    ]);
    expect(diffSchemas(before, sqlite((t) => t.foreignKeys.pop()))).toEqual([
      { kind: 'removed', object: 'foreign key', path: 'main.posts foreign key (id) → main.other(id)' },
    ]);
    // Two identical unnamed checks are two objects: dropping one is one removal.
    expect(diffSchemas(before, sqlite((t) => t.checks.pop()))).toEqual([{ kind: 'removed', object: 'check', path: 'main.posts check (id > 0)' }]);
    expect(diffSchemas(before, sqlite((t) => (t.checks[0]!.expression = 'id >= 0')))).toEqual([
      { kind: 'removed', object: 'check', path: 'main.posts check (id > 0)' },
      { kind: 'added', object: 'check', path: 'main.posts check (id >= 0)' },
    ]);
  });

  it('compares MySQL schemas modulo the database name, keeping references to other databases', () => {
    const mysql = (database: string, otherRef = database): SchemaModel => {
      const t = { ...posts(), schema: database, rowLevelSecurity: null };
      t.foreignKeys = [{ ...t.foreignKeys[0]!, referencedSchema: otherRef }];
      return finalizeModel({ ...base(), engine: 'mysql', database, schemas: [database], tables: [t], views: [], enums: [], sequences: [] });
    };
    expect(diffSchemas(mysql('app'), mysql('dbward_scratch_1'))).toEqual([]);
    expect(diffSchemas(mysql('app'), mysql('scratch', 'app'))).toEqual([
      { kind: 'changed', object: 'foreign key', path: 'posts foreign key posts_author_fk', details: ['references: users(id) → app.users(id)'] },
    ]);
  });

  it('refuses to compare two engines', () => {
    expect(() => diffSchemas(original, { ...original, engine: 'mysql' })).toThrow(/postgres.*mysql/);
  });
});

describe('renderDiff', () => {
  it('writes one line per difference, with the details of a change', () => {
    const diff: SchemaDifference[] = [
      { kind: 'added', object: 'table', path: 'public.audit' },
      { kind: 'removed', object: 'column', path: 'public.users.nickname' },
      { kind: 'changed', object: 'column', path: 'public.users.email', details: ['type: varchar(100) → text', 'nullable: false → true'] },
      { kind: 'added', object: 'index', path: 'public.users index users_email_idx' },
      { kind: 'changed', object: 'foreign key', path: 'app.posts foreign key posts_author_fk', details: ["on delete: CASCADE → SET NULL"] },
    ];
    expect(renderDiff(diff).split('\n')).toEqual([
      '+ table public.audit',
      '- column public.users.nickname',
      '~ column public.users.email: type varchar(100) → text; nullable false → true',
      '+ public.users index users_email_idx',
      '~ app.posts foreign key posts_author_fk: on delete CASCADE → SET NULL',
    ]);
    expect(renderDiff([])).toBe('');
    expect(renderDifference({ kind: 'changed', object: 'column', path: 'x.y', details: ["default: 'a'::text → none"] })).toBe(
      "~ column x.y: default 'a'::text → none",
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Real engines: the same DDL in two databases, then manual changes on one of them.

interface Scenario {
  /** Table path prefix: the schema as the diff shows it. */
  prefix: string;
  ddl: string;
  alter: string;
  /** Details of the two column changes, which are each engine's own type and default text. */
  title: string[];
  status: string[];
}

const SCENARIOS: Record<TestEngine, Scenario> = {
  sqlite: {
    prefix: 'main.',
    ddl: `CREATE TABLE authors (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, name VARCHAR(100));
      CREATE TABLE posts (id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL REFERENCES authors (id) ON DELETE CASCADE,
        title TEXT NOT NULL, price NUMERIC CHECK (price > 0), status TEXT DEFAULT 'draft');`,
    // SQLite drops constraints and changes columns by rebuilding the table.
    alter: `PRAGMA foreign_keys = OFF;
      CREATE TABLE authors_new (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name VARCHAR(100));
      INSERT INTO authors_new SELECT * FROM authors; DROP TABLE authors; ALTER TABLE authors_new RENAME TO authors;
      ALTER TABLE authors ADD COLUMN nickname TEXT;
      CREATE INDEX authors_name_idx ON authors (name);
      CREATE TABLE posts_new (id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL, title VARCHAR(200), price NUMERIC, status TEXT DEFAULT 'published');
      INSERT INTO posts_new SELECT * FROM posts; DROP TABLE posts; ALTER TABLE posts_new RENAME TO posts;`,
    title: ['type: text → varchar(200)', 'nullable: false → true'],
    status: ["default: 'draft' → 'published'"],
  },
  postgres: {
    prefix: 'public.',
    ddl: `CREATE TABLE authors (id serial PRIMARY KEY, email text NOT NULL CONSTRAINT authors_email_key UNIQUE, name varchar(100));
      CREATE TABLE posts (id serial PRIMARY KEY,
        author_id integer NOT NULL CONSTRAINT posts_author_fk REFERENCES authors (id) ON DELETE CASCADE,
        title text NOT NULL, price numeric(10,2) CONSTRAINT posts_price_check CHECK (price > 0), status text DEFAULT 'draft');`,
    alter: `ALTER TABLE authors DROP CONSTRAINT authors_email_key;
      ALTER TABLE authors ADD COLUMN nickname text;
      CREATE INDEX authors_name_idx ON authors (name);
      ALTER TABLE posts DROP CONSTRAINT posts_author_fk, DROP CONSTRAINT posts_price_check;
      ALTER TABLE posts ALTER COLUMN title TYPE varchar(200), ALTER COLUMN title DROP NOT NULL;
      ALTER TABLE posts ALTER COLUMN status SET DEFAULT 'published';`,
    title: ['type: text → character varying(200)', 'nullable: false → true'],
    status: ["default: 'draft'::text → 'published'::text"],
  },
  mysql: {
    prefix: '',
    ddl: `CREATE TABLE authors (id int AUTO_INCREMENT PRIMARY KEY, email varchar(190) NOT NULL, name varchar(100),
        CONSTRAINT authors_email_key UNIQUE (email));
      CREATE TABLE posts (id int AUTO_INCREMENT PRIMARY KEY, author_id int NOT NULL, title varchar(100) NOT NULL,
        price decimal(10,2), status varchar(20) DEFAULT 'draft',
        CONSTRAINT posts_author_fk FOREIGN KEY (author_id) REFERENCES authors (id) ON DELETE CASCADE,
        CONSTRAINT posts_price_check CHECK (price > 0));`,
    // The index InnoDB made for the foreign key stays when the foreign key is dropped.
    alter: `ALTER TABLE authors DROP INDEX authors_email_key;
      ALTER TABLE authors ADD COLUMN nickname varchar(50);
      CREATE INDEX authors_name_idx ON authors (name);
      ALTER TABLE posts DROP FOREIGN KEY posts_author_fk;
      ALTER TABLE posts DROP CONSTRAINT posts_price_check;
      ALTER TABLE posts MODIFY title text NULL;
      ALTER TABLE posts ALTER COLUMN status SET DEFAULT 'published';`,
    title: ['type: varchar(100) → text', 'nullable: false → true'],
    status: ["default: 'draft' → 'published'"],
  },
};

describe.each(ALL_ENGINES)('diffSchemas on %s', (engineName) => {
  const scenario = SCENARIOS[engineName];
  const databases: TestDatabase[] = [];
  let expectedDb: TestDatabase;
  let actualDb: TestDatabase;
  const introspect = async (db: TestDatabase) => {
    const engine = await connect(db.url);
    try {
      return await engine.introspect();
    } finally {
      await engine.close();
    }
  };

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      const db = await createDatabase(engineName);
      databases.push(db);
      runSql(db, scenario.ddl);
    }
    [expectedDb, actualDb] = databases as [TestDatabase, TestDatabase];
  });
  afterAll(async () => {
    await Promise.all(databases.map((d) => d.drop()));
  });

  it('finds no difference between two databases built from the same DDL', async () => {
    expect(expectedDb.name).not.toBe(actualDb.name);
    const [expected, actual] = [await introspect(expectedDb), await introspect(actualDb)];
    expect(diffSchemas(expected, actual)).toEqual([]);
    expect(actual.fingerprint).toBe(expected.fingerprint);
  });

  it('reports each manual change exactly', async () => {
    runSql(actualDb, scenario.alter);
    const [expected, actual] = [await introspect(expectedDb), await introspect(actualDb)];
    const t = (name: string) => `${scenario.prefix}${name}`;
    const fk = engineName === 'sqlite' ? `(author_id) → ${t('authors')}(id)` : 'posts_author_fk';
    const check = engineName === 'sqlite' ? '(price > 0)' : 'posts_price_check';
    const unique = engineName === 'sqlite' ? 'sqlite_autoindex_authors_1' : 'authors_email_key';
    const diff = diffSchemas(expected, actual);
    expect(diff).toEqual([
      { kind: 'added', object: 'index', path: `${t('authors')} index authors_name_idx` },
      { kind: 'removed', object: 'unique constraint', path: `${t('authors')} unique constraint ${unique}` },
      { kind: 'added', object: 'column', path: `${t('authors')}.nickname` },
      { kind: 'removed', object: 'check', path: `${t('posts')} check ${check}` },
      { kind: 'removed', object: 'foreign key', path: `${t('posts')} foreign key ${fk}` },
      { kind: 'changed', object: 'column', path: `${t('posts')}.status`, details: scenario.status },
      { kind: 'changed', object: 'column', path: `${t('posts')}.title`, details: scenario.title },
    ]);
    expect(actual.fingerprint).not.toBe(expected.fingerprint);
    expect(renderDiff(diff)).toContain(`+ column ${t('authors')}.nickname`);
  });
});
