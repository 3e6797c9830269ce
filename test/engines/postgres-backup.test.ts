import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OperationError, UsageError, VerificationError } from '../../src/core/errors.js';
import { findOnPath, versionIn } from '../../src/core/tools.js';
import type { ConnectionTarget } from '../../src/core/url.js';
import type { DumpInfo, DumpOptions } from '../../src/engines/backup-driver.js';
import { connect, type Engine } from '../../src/engines/index.js';
import { postgresBackup as driver } from '../../src/engines/postgres/backup.js';
import { locateTool } from '../../src/engines/postgres/native.js';
import { createChinook, createDatabase, pgAdmin, runSql, tempDir, uniqueName, type TestDatabase } from '../helpers/databases.js';

const CHINOOK_ROWS: Record<string, number> = {
  album: 347, artist: 275, customer: 59, employee: 8, genre: 25, invoice: 412,
  invoice_line: 2240, media_type: 5, playlist: 18, playlist_track: 8715, track: 3503,
};

const work = tempDir('dbward-pg-backup-');
const engines: Engine[] = [];
const databases: TestDatabase[] = [];
/** Databases created through the driver, dropped by name at the end. */
const created: string[] = [];
const roles: string[] = [];

async function open(url: string | ConnectionTarget): Promise<Engine> {
  const engine = await connect(url);
  engines.push(engine);
  return engine;
}

async function chinook(): Promise<Engine> {
  const db = await createChinook('postgres');
  databases.push(db);
  return open(db.url);
}

async function dumpToFile(engine: Engine, options: Partial<DumpOptions> = {}): Promise<{ file: string; info: DumpInfo }> {
  const file = path.join(work, `${uniqueName('dump')}.pgdump`);
  const fd = fs.openSync(file, 'w');
  try {
    return { file, info: await driver.dump(engine, fd, { kind: 'full', workDir: work, ...options }) };
  } finally {
    fs.closeSync(fd);
  }
}

/** Restore a dump file into a new database beside `near` and open it. */
async function restoreBeside(near: Engine, files: string[], tables?: string[]): Promise<Engine> {
  const target = await driver.createDatabase(near, uniqueName('dbward_restored'));
  created.push((target as { database: string }).database);
  for (const file of files) await driver.restore(target, fs.createReadStream(file), { tables, workDir: work });
  return open(target);
}

async function failure<E extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => E): Promise<E> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(type);
  return err as E;
}

/** Command lines of running processes that mention `text`. */
function processesMentioning(text: string): string[] {
  return fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).flatMap((pid) => {
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      return cmdline.includes(text) ? [cmdline] : [];
    } catch {
      return [];
    }
  });
}

async function createRole(options: string): Promise<{ name: string; password: string }> {
  const name = uniqueName('dbward_role');
  const password = `s3cret-${randomBytes(6).toString('hex')}`;
  await pgAdmin((c) => c.query(`CREATE ROLE ${name} LOGIN ${options} PASSWORD '${password}'`));
  roles.push(name);
  return { name, password };
}

const withCredentials = (url: string, role: { name: string; password: string }) =>
  url.replace('postgres://postgres@', `postgres://${role.name}:${encodeURIComponent(role.password)}@`);

const originalPath = process.env.PATH;
afterEach(() => {
  process.env.PATH = originalPath;
});

afterAll(async () => {
  await Promise.allSettled(engines.map((e) => e.close()));
  await pgAdmin(async (c) => {
    for (const name of created) await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });
  await Promise.all(databases.map((d) => d.drop()));
  await pgAdmin(async (c) => {
    for (const role of roles) await c.query(`DROP ROLE IF EXISTS ${role}`);
  });
  fs.rmSync(work, { recursive: true, force: true });
});

describe('postgres backup: Chinook round trip', () => {
  let source: Engine;
  let full: { file: string; info: DumpInfo };
  beforeAll(async () => {
    source = await chinook();
    full = await dumpToFile(source);
  });

  it('dumps in pg_dump custom format with per-table counts and checksums from the same snapshot', () => {
    expect(full.info.tool.name).toBe('pg_dump');
    // Read from the archive's header: the version of the pg_dump that ran, as it reports itself.
    const reported = spawnSync(locateTool('pg_dump').path, ['--version'], { encoding: 'utf8' }).stdout;
    expect(full.info.tool.version).toMatch(/^\d+\.\d+/);
    expect(full.info.tool.version).toBe(versionIn(reported).version);
    expect(full.info.format).toBe('pg_dump-custom');
    expect(full.info.sameSnapshot).toBe(true);
    expect(Object.fromEntries(full.info.tables.map((t) => [t.name, t.rows]))).toEqual(CHINOOK_ROWS);
    expect(full.info.tables.every((t) => t.schema === 'public' && /^[0-9a-f]{32}$/.test(t.checksum))).toBe(true);
    expect(full.info.contentMethod).toBe(driver.contentMethod);
    expect(full.info.bytes).toBe(fs.statSync(full.file).size);
    expect(fs.readFileSync(full.file).subarray(0, 5).toString()).toBe('PGDMP');
  });

  it('passes the structural check and leaves no temporary file', async () => {
    const summary = await driver.checkStructure(fs.createReadStream(full.file), { workDir: work });
    expect(summary).toMatch(/^pg_restore --list: \d+ entries/);
    expect(Number(/(\d+) entries/.exec(summary)?.[1])).toBeGreaterThan(30);
    expect(fs.readdirSync(work).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('restores into a new database with identical contents and schema fingerprint', async () => {
    const restored = await restoreBeside(source, [full.file]);
    expect(await driver.tableContents(restored)).toEqual(full.info.tables);
    expect((await restored.introspect()).fingerprint).toBe((await source.introspect()).fingerprint);
  });

  it('dumps the schema only, and the data only on top of it', async () => {
    const schema = await dumpToFile(source, { kind: 'schema-only' });
    const data = await dumpToFile(source, { kind: 'data-only' });
    expect(schema.info.tables).toEqual([]);
    expect(data.info.tables).toEqual(full.info.tables);

    const empty = await restoreBeside(source, [schema.file]);
    expect((await empty.introspect()).fingerprint).toBe((await source.introspect()).fingerprint);
    expect((await driver.tableContents(empty)).every((t) => t.rows === 0)).toBe(true);

    const both = await restoreBeside(source, [schema.file, data.file]);
    expect(await driver.tableContents(both)).toEqual(full.info.tables);
  });

  it('dumps and restores chosen tables, by name or schema.name', async () => {
    const some = await dumpToFile(source, { tables: ['public.genre', 'artist'] });
    expect(some.info.tables.map((t) => t.name)).toEqual(['artist', 'genre']);
    const restored = await restoreBeside(source, [some.file]);
    expect(await driver.tableContents(restored)).toEqual(some.info.tables);

    const one = await restoreBeside(source, [full.file], ['public.media_type', 'genre']);
    expect(await driver.tableContents(one)).toEqual(full.info.tables.filter((t) => ['genre', 'media_type'].includes(t.name)));
  });

  it('refuses unknown tables before running pg_dump', async () => {
    const file = path.join(work, `${uniqueName('never')}.pgdump`);
    const out = fs.openSync(file, 'w');
    const err = await failure(driver.dump(source, out, { kind: 'full', tables: ['no_such_table'], workDir: work }), UsageError);
    fs.closeSync(out);
    expect(err.message).toContain('"no_such_table"');
    expect(fs.statSync(file).size).toBe(0);
  });

  it('writes restore steps that need no password on the command line', () => {
    const steps = driver.manualRestoreSteps('backup 1.pgdump', source.target);
    const name = (source.target as { database: string }).database;
    expect(steps).toEqual([
      expect.stringMatching(/^# .*PGPASSWORD/),
      `createdb --host=127.0.0.1 --port=5432 --username=postgres --template=template0 ${name}`,
      `pg_restore --no-owner --no-acl --exit-on-error --host=127.0.0.1 --port=5432 --username=postgres --dbname=${name} 'backup 1.pgdump'`,
    ]);
  });

  it('restores by hand with the written steps', async () => {
    const target = (await driver.createDatabase(source, uniqueName('dbward_manual'))) as Extract<ConnectionTarget, { engine: 'postgres' | 'mysql' }>;
    await driver.dropDatabase(source, target);
    created.push(target.database);
    const steps = driver.manualRestoreSteps(full.file, target).filter((s) => !s.startsWith('#'));
    const res = spawnSync('bash', ['-euo', 'pipefail', '-c', steps.join('\n')], { encoding: 'utf8' });
    expect(res.status, res.stderr).toBe(0);
    expect(await driver.tableContents(await open(target))).toEqual(full.info.tables);
  });
});

describe('postgres backup: table checksums', () => {
  it('change when one value changes and do not depend on row order', async () => {
    const engine = await chinook();
    const before = await driver.tableContents(engine, ['track']);

    // An update writes a new row version at the end of the heap; reverting it keeps the new order.
    await engine.query("UPDATE track SET name = name || '!' WHERE track_id = 1");
    const changed = await driver.tableContents(engine, ['track']);
    expect(changed[0]?.rows).toBe(before[0]?.rows);
    expect(changed[0]?.checksum).not.toBe(before[0]?.checksum);

    await engine.query("UPDATE track SET name = left(name, -1) WHERE track_id = 1");
    await engine.query('CREATE INDEX track_id_desc ON track (track_id DESC)');
    await engine.query('CLUSTER track USING track_id_desc');
    const { rows } = await engine.query<{ track_id: number }>('SELECT track_id FROM track LIMIT 1');
    expect(rows[0]?.track_id).not.toBe(1);
    expect(await driver.tableContents(engine, ['track'])).toEqual(before);
  });

  it('are computed the same whatever the session settings', async () => {
    const db = await createDatabase('postgres');
    databases.push(db);
    runSql(db, `CREATE TABLE kinds (t timestamptz, d date, i interval, f float8, r real, b bytea, m money, j jsonb);
      INSERT INTO kinds VALUES ('2024-03-01 12:34:56.789+02', '2024-03-01', '1 day 2 hours', 0.1, 1.1, '\\x00ff', 12.5, '{"a": [1, 2.5]}')`);
    const engine = await open(db.url);
    const plain = await driver.tableContents(engine);
    await engine.query(`ALTER DATABASE "${db.name}" SET TimeZone = 'Asia/Kathmandu'`);
    await engine.query(`ALTER DATABASE "${db.name}" SET DateStyle = 'German, DMY'`);
    await engine.query(`ALTER DATABASE "${db.name}" SET IntervalStyle = 'sql_standard'`);
    await engine.query(`ALTER DATABASE "${db.name}" SET extra_float_digits = -3`);
    await engine.query(`ALTER DATABASE "${db.name}" SET bytea_output = 'escape'`);
    const other = await open(db.url);
    expect(await driver.tableContents(other)).toEqual(plain);
  });
});

describe('postgres backup: consistency under concurrent writes', () => {
  it('reports exactly what the dump holds while another session keeps inserting', async () => {
    const db = await createDatabase('postgres');
    databases.push(db);
    runSql(db, `CREATE TABLE events (id bigserial PRIMARY KEY, payload text NOT NULL);
      CREATE TABLE counters (id int PRIMARY KEY, n bigint NOT NULL); INSERT INTO counters VALUES (1, 0);
      INSERT INTO events (payload) SELECT md5(g::text) FROM generate_series(1, 300000) g;`);
    const engine = await open(db.url);

    const writer = new pg.Client({ connectionString: db.url });
    await writer.connect();
    let stop = false;
    let inserted = 0;
    const writing = (async () => {
      while (!stop) {
        await writer.query("WITH e AS (INSERT INTO events (payload) VALUES ('late')) UPDATE counters SET n = n + 1 WHERE id = 1");
        inserted++;
      }
    })();
    try {
      while (inserted < 20) await new Promise((r) => setTimeout(r, 10));
      const atStart = inserted;
      const { file, info } = await dumpToFile(engine);
      const duringDump = inserted - atStart;
      stop = true;
      await writing;
      expect(duringDump).toBeGreaterThan(0);

      const restored = await restoreBeside(engine, [file]);
      expect(await driver.tableContents(restored)).toEqual(info.tables);
      const { rows } = await restored.query<{ events: string; n: string }>('SELECT (SELECT count(*) FROM events) AS events, n FROM counters');
      // Both tables come from one snapshot: every late event is counted, and no counter step is missing its event.
      expect(Number(rows[0]?.events)).toBe(300000 + Number(rows[0]?.n));
      expect(info.tables.find((t) => t.name === 'events')?.rows).toBe(Number(rows[0]?.events));
    } finally {
      stop = true;
      await writing.catch(() => undefined);
      await writer.end();
    }
  });
});

describe('postgres backup: damaged dumps', () => {
  let good: Buffer;
  beforeAll(async () => {
    const { file } = await dumpToFile(await chinook());
    good = fs.readFileSync(file);
  });

  const check = (bytes: Buffer) => {
    const file = path.join(work, `${uniqueName('damaged')}.pgdump`);
    fs.writeFileSync(file, bytes);
    return driver.checkStructure(fs.createReadStream(file), { workDir: work });
  };

  it('fails the structural check when truncated', async () => {
    for (const length of [good.length - 100, Math.floor(good.length / 2), 200]) {
      const err = await failure(check(good.subarray(0, length)), VerificationError);
      expect(err.message).toMatch(/damaged.*pg_restore/s);
    }
  });

  it('fails the structural check when a header byte is flipped', async () => {
    const flipped = Buffer.from(good);
    flipped[5] = (flipped[5] as number) ^ 0xff;
    await failure(check(flipped), VerificationError);
    expect(fs.readdirSync(work).filter((f) => f.startsWith('.'))).toEqual([]);
  });
});

describe('postgres backup: failures', () => {
  it('kills pg_dump and rejects when the output fails (full disk)', async () => {
    const engine = await chinook();
    const database = (engine.target as { database: string }).database;
    // /dev/full: every write fails with ENOSPC, as on a full disk.
    const out = fs.openSync('/dev/full', 'w');
    const err = await failure(driver.dump(engine, out, { kind: 'full', workDir: work }), OperationError);
    fs.closeSync(out);
    expect(err.message).toContain('ENOSPC');
    expect(processesMentioning(`--dbname=${database}`)).toEqual([]);
  });

  it('says how to install pg_dump when it is missing', async () => {
    const engine = await chinook();
    process.env.PATH = tempDir('dbward-empty-path-');
    const err = await failure(driver.dump(engine, fs.openSync('/dev/null', 'w'), { kind: 'full', workDir: work }), OperationError);
    expect(err.message).toContain('pg_dump was not found');
    expect(err.hint).toContain('postgresql-client');
  });

  it('reports a pg_dump failure with its message and without the password', async () => {
    const db = await createChinook('postgres');
    databases.push(db);
    const role = await createRole('NOSUPERUSER');
    const engine = await open(withCredentials(db.url, role));
    const err = await failure(dumpToFile(engine, { kind: 'schema-only' }), OperationError);
    expect(err.message).toMatch(/pg_dump exited with code 1: .*permission denied/s);
    expect(err.message).not.toContain(role.password);
  });

  it('creates only valid database names, and never drops the connected one or one on another server', async () => {
    const engine = await chinook();
    await failure(driver.createDatabase(engine, 'Bad-Name; DROP'), UsageError);
    await failure(driver.dropDatabase(engine, engine.target), UsageError);
    const elsewhere = { ...(engine.target as Extract<ConnectionTarget, { engine: 'postgres' | 'mysql' }>), port: 5433, database: 'other' };
    await failure(driver.dropDatabase(engine, elsewhere), UsageError);
  });
});

describe('postgres backup: passwords never in argv', () => {
  it('gives pg_dump and pg_restore the password through PGPASSWORD only', async () => {
    const db = await createChinook('postgres');
    databases.push(db);
    const role = await createRole('SUPERUSER');
    const url = withCredentials(db.url, role);

    // Wrappers first on PATH record each tool's argv and environment, then run the real tool.
    const bin = tempDir('dbward-wrappers-');
    const argvLog = path.join(bin, 'argv.log');
    const envLog = path.join(bin, 'env.log');
    for (const tool of ['pg_dump', 'pg_restore']) {
      const real = findOnPath(tool);
      fs.writeFileSync(
        path.join(bin, tool),
        `#!/bin/sh\nprintf '%s\\n' "$0" "$@" >> '${argvLog}'\nprintf 'PGPASSWORD=%s\\n' "$PGPASSWORD" >> '${envLog}'\nexec '${real}' "$@"\n`,
        { mode: 0o755 },
      );
    }
    process.env.PATH = `${bin}:${originalPath}`;

    const engine = await open(url);
    const { file, info } = await dumpToFile(engine);
    const restored = await restoreBeside(engine, [file]);
    expect(await driver.tableContents(restored)).toEqual(info.tables);

    const argv = fs.readFileSync(argvLog, 'utf8');
    // pg_dump takes its own snapshot: the counts and checksums are read from what it writes.
    expect(argv).not.toContain('--snapshot=');
    expect(argv).toContain('--compress=0');
    expect(argv).toContain('--jobs=2');
    expect(argv).toContain(`--username=${role.name}`);
    expect(argv).not.toContain(role.password);
    expect(argv).not.toContain('postgres://');
    const withPassword = fs.readFileSync(envLog, 'utf8').split('\n').filter((l) => l === `PGPASSWORD=${role.password}`);
    expect(withPassword.length).toBeGreaterThanOrEqual(2);
    for (const step of driver.manualRestoreSteps(file, restored.target)) expect(step).not.toContain(role.password);
  });
});

describe('postgres backup: swapIn', () => {
  it('swaps the restored database in, ends sessions on the old one and keeps it under a new name', async () => {
    const db = await createDatabase('postgres');
    databases.push(db);
    runSql(db, `CREATE TABLE notes (body text); INSERT INTO notes VALUES ('old');`);
    const current = await connect(db.url);
    const replacement = await driver.createDatabase(current, uniqueName('dbward_restored'));
    const replacementName = (replacement as { database: string }).database;
    created.push(replacementName);
    const filler = await open(replacement);
    await filler.query(`CREATE TABLE notes (body text); INSERT INTO notes VALUES ('new')`);

    const bystander = new pg.Client({ connectionString: db.url });
    bystander.on('error', () => undefined);
    await bystander.connect();
    try {
      const swap = await driver.swapIn(current, replacement);
      created.push(swap.keptAs);
      expect(swap.replacedBy).toBe(replacementName);
      expect(swap.keptAs).toMatch(new RegExp(`^${db.name}__replaced_\\d{14}$`));

      const now = await open(db.url);
      expect((await now.query('SELECT body FROM notes')).rows).toEqual([{ body: 'new' }]);
      const kept = await open(db.url.replace(`/${db.name}`, `/${swap.keptAs}`));
      expect((await kept.query('SELECT body FROM notes')).rows).toEqual([{ body: 'old' }]);
      await expect(bystander.query('SELECT 1')).rejects.toThrow();
      const names = await pgAdmin((c) => c.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname = $1', [replacementName]));
      expect(names.rows).toEqual([]);
    } finally {
      await bystander.end().catch(() => undefined);
    }
  });
});
