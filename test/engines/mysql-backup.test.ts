import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import mysql from 'mysql2/promise';
import { openPipe } from '../../src/core/pipe.js';
import { afterAll, describe, expect, it } from 'vitest';
import { OperationError, UsageError, VerificationError } from '../../src/core/errors.js';
import type { ConnectionTarget, ServerTarget } from '../../src/core/url.js';
import type { DumpInfo, DumpOptions, TableContent } from '../../src/engines/backup-driver.js';
import { connect, type Engine } from '../../src/engines/index.js';
import { mysqlBackup } from '../../src/engines/mysql/backup.js';
import { DumpScanner } from '../../src/engines/mysql/dump-scanner.js';
import { createChinook, createDatabase, mysqlAdmin, runSql, tempDir, uniqueName, type TestDatabase } from '../helpers/databases.js';

const databases: TestDatabase[] = [];
const engines: Engine[] = [];
const dirs: string[] = [];
const extraDatabases: string[] = [];

afterAll(async () => {
  await Promise.all(engines.map((e) => e.close().catch(() => undefined)));
  await Promise.all(databases.map((d) => d.drop()));
  await mysqlAdmin(async (c) => {
    for (const name of extraDatabases) await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
  });
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

async function open(target: string | ConnectionTarget): Promise<Engine> {
  const engine = await connect(target, { deadlineMs: 10_000 });
  engines.push(engine);
  return engine;
}

async function chinook(): Promise<{ db: TestDatabase; engine: Engine }> {
  const db = await createChinook('mysql');
  databases.push(db);
  return { db, engine: await open(db.url) };
}

function workDir(): string {
  const dir = tempDir('dbward-mysql-backup-');
  dirs.push(dir);
  return dir;
}

async function dumpToFile(engine: Engine, options: Partial<DumpOptions> = {}, dir = workDir()): Promise<{ file: string; info: DumpInfo }> {
  const file = path.join(dir, 'dump.sql');
  const fd = fs.openSync(file, 'w');
  const info = await mysqlBackup.dump(engine, fd, { kind: 'full', workDir: dir, ...options }).finally(() => fs.closeSync(fd));
  return { file, info };
}

/** A new empty database beside `near`, restored from `file`, and an engine on it. */
async function restoreBeside(near: Engine, file: string, tables?: string[]): Promise<{ target: ConnectionTarget; engine: Engine }> {
  const name = uniqueName('dbward_restore');
  extraDatabases.push(name);
  const target = await mysqlBackup.createDatabase(near, name);
  await mysqlBackup.restore(target, fs.createReadStream(file), { workDir: workDir(), ...(tables ? { tables } : {}) });
  return { target, engine: await open(target) };
}

const byName = (contents: TableContent[]) => contents.map(({ name, rows, checksum }) => ({ name, rows, checksum }));

async function checkText(text: string | Buffer): Promise<string> {
  return mysqlBackup.checkStructure(Readable.from([Buffer.from(text)]), { workDir: workDir() });
}

describe('mysql backup: dump, check and restore', () => {
  it('round-trips Chinook with equal contents and schema fingerprint, from the same snapshot', async () => {
    const { engine } = await chinook();
    const { file, info } = await dumpToFile(engine);
    expect(info).toMatchObject({ format: 'mysql-sql', sameSnapshot: true, tool: { name: 'mariadb-dump' } });
    const reported = spawnSync('mariadb-dump', ['--version'], { encoding: 'utf8' }).stdout;
    expect(info.tool.version).toBe(/Distrib ([\d.]+)/.exec(reported)?.[1]);
    expect(info.snapshotNote).toBeUndefined();
    expect(info.tables.map((t) => t.name)).toHaveLength(11);
    expect(info.tables.find((t) => t.name === 'Track')?.rows).toBe(3503);

    const summary = await mysqlBackup.checkStructure(fs.createReadStream(file), { workDir: workDir() });
    expect(summary).toMatch(/^MariaDB dump .*: \d+ statements, 11 CREATE TABLE, \d+ INSERT, complete$/);

    const restored = await restoreBeside(engine, file);
    expect(await mysqlBackup.tableContents(restored.engine)).toEqual(info.tables);
    expect((await restored.engine.introspect()).fingerprint).toBe((await engine.introspect()).fingerprint);
  });

  it('dumps schema only, data only and chosen tables', async () => {
    const { engine } = await chinook();
    const schema = await dumpToFile(engine, { kind: 'schema-only' });
    expect(schema.info.tables).toEqual([]);
    expect(await mysqlBackup.checkStructure(fs.createReadStream(schema.file), { workDir: workDir() })).toMatch(/11 CREATE TABLE, 0 INSERT/);
    const restored = await restoreBeside(engine, schema.file);
    expect((await restored.engine.introspect()).fingerprint).toBe((await engine.introspect()).fingerprint);
    expect((await mysqlBackup.tableContents(restored.engine)).every((t) => t.rows === 0)).toBe(true);

    const data = await dumpToFile(engine, { kind: 'data-only' });
    expect(fs.readFileSync(data.file, 'utf8')).not.toMatch(/CREATE TABLE/);
    await mysqlBackup.restore(restored.target, fs.createReadStream(data.file), { workDir: workDir() });
    expect(byName(await mysqlBackup.tableContents(restored.engine))).toEqual(byName(data.info.tables));

    const some = await dumpToFile(engine, { tables: ['Genre', `${(engine.target as { database: string }).database}.MediaType`] });
    expect(some.info.tables.map((t) => t.name)).toEqual(['Genre', 'MediaType']);
    const two = await restoreBeside(engine, some.file);
    expect(byName(await mysqlBackup.tableContents(two.engine))).toEqual(byName(some.info.tables));

    await expect(dumpToFile(engine, { tables: ['NoSuchTable'] })).rejects.toBeInstanceOf(UsageError);
  });

  it('restores only the named tables from a full dump', async () => {
    const { engine } = await chinook();
    const { file, info } = await dumpToFile(engine);
    const restored = await restoreBeside(engine, file, ['Genre', 'x.Artist']);
    const contents = await mysqlBackup.tableContents(restored.engine);
    expect(byName(contents)).toEqual(byName(info.tables.filter((t) => t.name === 'Genre' || t.name === 'Artist')));
    await expect(restoreBeside(engine, file, ['Nope'])).rejects.toThrow(/no table "Nope"/);
  });

  it('reports a failing restore as an OperationError', async () => {
    const { engine } = await chinook();
    const { file } = await dumpToFile(engine, { kind: 'data-only' });
    const name = uniqueName('dbward_restore');
    extraDatabases.push(name);
    const target = await mysqlBackup.createDatabase(engine, name);
    // Data without its tables: the client stops at the first INSERT.
    const err = await mysqlBackup.restore(target, fs.createReadStream(file), { workDir: workDir() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationError);
    expect(String((err as Error).message)).toMatch(/doesn't exist/);
  });
});

describe('mysql backup: table contents', () => {
  it('changes with one changed row and ignores row order; tells NULL from empty', async () => {
    const db = await createDatabase('mysql');
    databases.push(db);
    const columns = `(id INT, f FLOAT, d DOUBLE, n DECIMAL(10,2), s VARCHAR(20), b VARBINARY(8), t TIMESTAMP(3) NULL, j JSON, e ENUM('x','y'), bits BIT(5))`;
    const rows = [
      `(1, 0.1, 1e300, 12.50, 'héllo', 0x00ff, '2024-03-31 01:30:00.123', '{"a": 1}', 'x', b'101')`,
      `(2, NULL, -0.5, NULL, '', NULL, NULL, NULL, NULL, NULL)`,
      `(3, 3.25, 2.5, 0.01, NULL, X'', '1999-12-31 23:59:59', '[]', 'y', b'0')`,
    ];
    runSql(db, `CREATE TABLE a ${columns}; CREATE TABLE b ${columns};
      INSERT INTO a VALUES ${rows.join(', ')}; INSERT INTO b VALUES ${[...rows].reverse().join(', ')};`);
    const engine = await open(db.url);
    const [a, b] = await mysqlBackup.tableContents(engine);
    expect(a?.rows).toBe(3);
    expect(a?.checksum).toBe(b?.checksum);

    const contentOfB = async () => (await mysqlBackup.tableContents(engine, ['b']))[0]?.checksum;
    await engine.query(`UPDATE b SET s = NULL WHERE id = 2`);
    expect(await contentOfB()).not.toBe(a?.checksum);
    await engine.query(`UPDATE b SET s = '' WHERE id = 2`);
    expect(await contentOfB()).toBe(a?.checksum);
    await engine.query(`UPDATE b SET d = 1.0000000000000002e300 WHERE id = 1`);
    expect(await contentOfB()).not.toBe(a?.checksum);
    await engine.query(`UPDATE b SET d = 1e300, b = 0x00fe WHERE id = 1`);
    expect(await contentOfB()).not.toBe(a?.checksum);
    await engine.query(`UPDATE b SET b = 0x00ff, s = 'it\\'s (a), b' WHERE id = 1`);
    expect(await contentOfB()).not.toBe(a?.checksum);
  });

  it('says in the manifest that FLOAT values the dump tool rounds cannot show in the checksums', async () => {
    const db = await createDatabase('mysql');
    databases.push(db);
    runSql(db, 'CREATE TABLE m (id INT PRIMARY KEY, f FLOAT, d DOUBLE); INSERT INTO m VALUES (1, 0.1, 0.1); CREATE TABLE plain (id INT);');
    const engine = await open(db.url);
    const { info } = await dumpToFile(engine);
    expect(info.contentNote).toMatch(/FLOAT columns \(m\.f\)/);
    // MariaDB writes FLOAT with 6 significant digits: 0.1000001 is dumped as 0.1, so the dump-based checksum cannot tell.
    const before = (await mysqlBackup.tableContents(engine, ['m']))[0]?.checksum;
    await engine.query('UPDATE m SET f = 0.1000001');
    expect((await mysqlBackup.tableContents(engine, ['m']))[0]?.checksum).toBe(before);
    await engine.query('UPDATE m SET f = 0.2');
    expect((await mysqlBackup.tableContents(engine, ['m']))[0]?.checksum).not.toBe(before);
  });

  it('leaves out views and sequences', async () => {
    const db = await createDatabase('mysql');
    databases.push(db);
    runSql(db, 'CREATE TABLE t (id INT); CREATE VIEW v AS SELECT id FROM t; CREATE SEQUENCE s;');
    const engine = await open(db.url);
    expect((await mysqlBackup.tableContents(engine)).map((t) => t.name)).toEqual(['t']);
  });
});

describe('mysql backup: same snapshot under concurrent writes', () => {
  it('reports exactly what the dump contains while another session keeps inserting', async () => {
    const { db, engine } = await chinook();
    runSql(db, 'CREATE TABLE hits (id INT AUTO_INCREMENT PRIMARY KEY, at DATETIME(6) NOT NULL, note VARCHAR(40)) ENGINE=InnoDB;');
    const writer = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', database: db.name });
    let writing = true;
    let inserted = 0;
    const loop = (async () => {
      while (writing) {
        await writer.query('INSERT INTO hits (at, note) VALUES (NOW(6), ?)', [`n${inserted}`]);
        await writer.query('UPDATE Track SET Milliseconds = Milliseconds + 1 WHERE TrackId = ?', [1 + (inserted % 3503)]);
        inserted++;
      }
    })();
    try {
      await new Promise((r) => setTimeout(r, 200));
      const before = inserted;
      const { file, info } = await dumpToFile(engine);
      await new Promise((r) => setTimeout(r, 100));
      expect(inserted).toBeGreaterThan(before);
      expect(info.sameSnapshot).toBe(true);
      const restored = await restoreBeside(engine, file);
      expect(byName(await mysqlBackup.tableContents(restored.engine))).toEqual(byName(info.tables));
      expect(info.tables.find((t) => t.name === 'hits')?.rows).toBeGreaterThan(0);
    } finally {
      writing = false;
      await loop;
      await writer.end();
    }
  });

  it('says why when a table is not transactional', async () => {
    const db = await createDatabase('mysql');
    databases.push(db);
    runSql(db, 'CREATE TABLE m (id INT) ENGINE=MyISAM; INSERT INTO m VALUES (1); CREATE TABLE i (id INT) ENGINE=InnoDB;');
    const { info } = await dumpToFile(await open(db.url));
    // The counts come from the dump itself, so they describe it exactly; the dump's snapshot does not cover MyISAM.
    expect(info.sameSnapshot).toBe(true);
    expect(info.snapshotNote).toMatch(/not covered by the dump's consistent snapshot.*m \(MyISAM\)/);
    expect(info.tables.map((t) => [t.name, t.rows])).toEqual([['i', 0], ['m', 1]]);
  });
});

describe('mysql backup: structural check', () => {
  it('rejects truncated and damaged dumps', async () => {
    const { engine } = await chinook();
    const { file } = await dumpToFile(engine);
    const bytes = fs.readFileSync(file);
    await expect(checkText(bytes)).resolves.toMatch(/complete$/);

    for (const cut of [bytes.length - 5, Math.floor(bytes.length / 2), 2000]) {
      await expect(checkText(bytes.subarray(0, cut))).rejects.toBeInstanceOf(VerificationError);
    }
    const middle = bytes.indexOf("'", Math.floor(bytes.length / 2));
    for (const [at, change] of [[Math.floor(bytes.length / 3), 0x80], [middle, 0x01]] as const) {
      const flipped = Buffer.from(bytes);
      flipped[at] = (flipped[at] as number) ^ change;
      await expect(checkText(flipped)).rejects.toBeInstanceOf(VerificationError);
    }
    const insert = bytes.indexOf('INSERT INTO');
    const keyword = Buffer.from(bytes);
    keyword[insert + 2] = 'X'.charCodeAt(0);
    await expect(checkText(keyword)).rejects.toThrow(/starts with something no dump tool writes/);
    await expect(checkText('CREATE TABLE t (id int);\n-- Dump completed\n')).rejects.toThrow(/header/);
  });

  it('splits statements as the client does: quotes, comments, executable comments, DELIMITER', () => {
    const statements: string[] = [];
    const comments: string[] = [];
    const scanner = new DumpScanner({ statement: (h) => statements.push(h), comment: (c) => comments.push(c) });
    const text = [
      "/*M!999999\\- enable the sandbox mode */ ",
      '-- MariaDB dump 10.19',
      "INSERT INTO `a;b` VALUES ('it''s; -- not a comment', 'x\\';', '/* no */'),\n(0x0A, NULL, -1.5e-3);",
      'SET @x = "a\\";";',
      '/*!40101 SET NAMES utf8mb4 */;',
      '# hash comment; with semicolon',
      'DELIMITER ;;',
      '/*!50003 CREATE*/ /*!50003 TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN SET @a = 1; SET @b = \'*/;;\'; END */;;',
      'DELIMITER ;',
      'SELECT 1-1, 2--1;',
      '-- Dump completed',
    ].join('\n');
    // Feed one character at a time: every lookahead crosses a chunk boundary.
    for (const c of text) scanner.feed(c);
    scanner.finish();
    expect(statements).toEqual([
      "INSERT INTO `a;b` VALUES ('it''s; -- not a comment', 'x\\';', '/* no */'), (0x0A, NULL, -1.5e-3)",
      'SET @x = "a\\";"',
      'SET NAMES utf8mb4',
      "CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN SET @a = 1; SET @b = '*/;;'; END",
      'SELECT 1-1, 2--1',
    ]);
    expect(comments).toEqual(['-- MariaDB dump 10.19', '# hash comment; with semicolon', '-- Dump completed']);
  });
});

describe('mysql backup: databases and swap', () => {
  it('creates and drops databases beside the connected one, and refuses bad names', async () => {
    const { engine } = await chinook();
    const name = uniqueName('dbward_new');
    extraDatabases.push(name);
    const target = await mysqlBackup.createDatabase(engine, name);
    expect(target).toMatchObject({ engine: 'mysql', database: name, redacted: `mysql://root@127.0.0.1:3306/${name}` });
    await expect(mysqlBackup.createDatabase(engine, 'Bad-Name')).rejects.toBeInstanceOf(UsageError);
    await expect(mysqlBackup.dropDatabase(engine, engine.target)).rejects.toBeInstanceOf(UsageError);
    await mysqlBackup.dropDatabase(engine, target);
    const { rows } = await engine.query('SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [name]);
    expect(rows).toEqual([]);
  });

  it('swaps the restored database in and keeps the replaced data with its triggers, views and routines', async () => {
    const { db, engine } = await chinook();
    runSql(db, `CREATE TABLE audit (id INT AUTO_INCREMENT PRIMARY KEY, genre VARCHAR(120));
      CREATE TRIGGER genre_audit AFTER INSERT ON Genre FOR EACH ROW INSERT INTO audit (genre) VALUES (NEW.Name);
      CREATE VIEW genre_names AS SELECT Name FROM Genre;
      CREATE VIEW genre_count AS SELECT COUNT(*) AS n FROM genre_names;
      CREATE FUNCTION genre_total() RETURNS INT READS SQL DATA RETURN (SELECT COUNT(*) FROM Genre);`);
    const { file, info } = await dumpToFile(engine);
    const restored = await restoreBeside(engine, file);
    await engine.query("INSERT INTO Genre (GenreId, Name) VALUES (99, 'After the backup')");
    const before = await mysqlBackup.tableContents(engine);

    const { keptAs, replacedBy } = await mysqlBackup.swapIn(engine, restored.target);
    extraDatabases.push(keptAs);
    expect(replacedBy).toBe((restored.target as { database: string }).database);
    expect(keptAs).toMatch(/__replaced_\d{14}$/);

    expect(byName(await mysqlBackup.tableContents(engine))).toEqual(byName(info.tables));
    await engine.query("INSERT INTO Genre (GenreId, Name) VALUES (100, 'After the swap')");
    expect((await engine.query('SELECT genre FROM audit')).rows).toEqual([{ genre: 'After the swap' }]);
    expect((await engine.query('SELECT n FROM genre_count')).rows).toEqual([{ n: '26' }]);
    expect((await engine.query('SELECT genre_total() AS n')).rows).toEqual([{ n: 26 }]);

    const kept = await open({ ...(engine.target as ServerTarget), database: keptAs });
    expect(byName(await mysqlBackup.tableContents(kept))).toEqual(byName(before));
    expect((await kept.query('SELECT n FROM genre_count')).rows).toEqual([{ n: '26' }]);
    await kept.query("INSERT INTO Genre (GenreId, Name) VALUES (101, 'Kept')");
    expect((await kept.query('SELECT genre FROM audit')).rows).toEqual([{ genre: 'After the backup' }, { genre: 'Kept' }]);

    const { rows } = await engine.query('SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [replacedBy]);
    expect(rows).toEqual([]);
  });

  it('writes manual restore steps without the password', () => {
    const steps = mysqlBackup.manualRestoreSteps('/backups/my dump.sql', {
      engine: 'mysql', host: 'db.example', port: 3307, socket: undefined, user: 'app', password: 'hunter22',
      database: 'shop', params: {}, redacted: 'mysql://app:***@db.example:3307/shop',
    });
    expect(steps).toEqual([
      "mysql -h db.example -P 3307 -u app -p -e 'CREATE DATABASE `shop` CHARACTER SET utf8mb4'",
      "mysql -h db.example -P 3307 -u app -p --database=shop < '/backups/my dump.sql'",
    ]);
  });
});

describe('mysql backup: secrets', () => {
  const password = `pw-${randomBytes(6).toString('hex')}#"\\ '`;

  async function userDatabase(grants: string): Promise<{ db: TestDatabase; url: string }> {
    const { db } = await chinook();
    const user = `dbward_u_${randomBytes(4).toString('hex')}`;
    await mysqlAdmin(async (c) => {
      await c.query(`CREATE USER ?@'%' IDENTIFIED BY ?`, [user, password]);
      await c.query(`GRANT ${grants} ON \`${db.name}\`.* TO ?@'%'`, [user]);
    });
    databases.push({ ...db, drop: () => mysqlAdmin((c) => c.query(`DROP USER IF EXISTS ?@'%'`, [user])).then(() => undefined) });
    return { db, url: `mysql://${user}:${encodeURIComponent(password)}@127.0.0.1:3306/${db.name}` };
  }

  function dumpProcesses(): { cmdline: string; environ: string }[] {
    const found: { cmdline: string; environ: string }[] = [];
    for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      try {
        const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        // Leave out the `mariadb-dump --version` probes.
        if (!cmdline.includes('mariadb-dump') || cmdline.includes('--version')) continue;
        found.push({ cmdline, environ: fs.readFileSync(`/proc/${pid}/environ`, 'utf8') });
      } catch {
        // gone already
      }
    }
    return found;
  }

  it('never puts the password in argv or the environment, and removes the option file', async () => {
    const { url } = await userDatabase('SELECT, SHOW VIEW, TRIGGER, EVENT, LOCK TABLES');
    const engine = await open(url);
    const dir = workDir();
    const seen: { cmdline: string; environ: string }[] = [];
    // A slow consumer keeps the dump tool running while /proc is watched.
    const pipe = openPipe();
    const reader = fs.createReadStream('', { fd: pipe.readFd, highWaterMark: 16 * 1024 });
    reader.on('data', () => {
      reader.pause();
      setTimeout(() => reader.resume(), 15);
    });
    const dumping = mysqlBackup.dump(engine, pipe.writeFd, { kind: 'full', workDir: dir }).finally(() => fs.closeSync(pipe.writeFd));
    let done = false;
    void dumping.finally(() => (done = true)).catch(() => undefined);
    while (!done) {
      seen.push(...dumpProcesses());
      await new Promise((r) => setTimeout(r, 5));
    }
    const info = await dumping;
    expect(seen.length).toBeGreaterThan(0);
    for (const p of seen) {
      expect(p.cmdline).toMatch(/--defaults-file=/);
      expect(p.cmdline).not.toContain(password);
      expect(p.environ).not.toContain(password);
    }
    // No global read lock (RELOAD) is needed: the counts come from the dump itself.
    expect(info.sameSnapshot).toBe(true);
    expect(info.snapshotNote).toBeUndefined();
    expect(info.tables.find((t) => t.name === 'Track')?.rows).toBe(3503);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('reports a failing dump as an OperationError without the password and removes the option file', async () => {
    // Without SHOW VIEW, mariadb-dump cannot dump the view and fails.
    const { db, url } = await userDatabase('SELECT, LOCK TABLES, TRIGGER, EVENT');
    runSql(db, 'CREATE VIEW album_titles AS SELECT Title FROM Album;');
    const engine = await open(url);
    const dir = workDir();
    const output = fs.openSync('/dev/null', 'w');
    const err = await mysqlBackup.dump(engine, output, { kind: 'full', workDir: dir }).catch((e: unknown) => e);
    fs.closeSync(output);
    expect(err).toBeInstanceOf(OperationError);
    expect((err as Error).message).toMatch(/mariadb-dump exited with status \d+/);
    expect((err as Error).message).not.toContain(password);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('rejects when the output fails, and stops the dump tool', async () => {
    const { engine } = await chinook();
    const dir = workDir();
    // /dev/full: every write fails with ENOSPC, as on a full disk.
    const output = fs.openSync('/dev/full', 'w');
    await expect(mysqlBackup.dump(engine, output, { kind: 'full', workDir: dir })).rejects.toThrow(/Writing the dump failed: ENOSPC/);
    fs.closeSync(output);
    await new Promise((r) => setTimeout(r, 100));
    expect(dumpProcesses().filter((p) => p.cmdline.includes(dir))).toEqual([]);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
