/**
 * The MySQL/MariaDB BackupDriver: mariadb-dump (MariaDB) or mysqldump (MySQL) SQL dumps, restored with
 * the mariadb/mysql client. Credentials reach the tools through a 0600 option file (client-tools.ts).
 *
 * Same snapshot: the per-table counts and checksums must describe exactly what the dump contains, while
 * other sessions keep writing. On a session of our own we take FLUSH TABLES WITH READ LOCK (commits
 * wait), start our consistent-snapshot transaction (the global read lock stays held; starting a
 * transaction does not release it) and start the dump, which opens its own consistent snapshot. No
 * commit can happen between the two snapshots, so they see the same data. The lock is released as soon
 * as the dump's transaction has started, which we know from its --verbose progress on stderr: it prints
 * "-- Starting transaction..." before START TRANSACTION WITH CONSISTENT SNAPSHOT and its next line only
 * after that statement returned. (Watching information_schema.INNODB_TRX instead needs the PROCESS
 * privilege and cannot tell the dump's session from another new session of the same user.) The counts
 * are then computed inside our snapshot while the dump runs. Writers wait only for the moment between
 * the lock and the dump's snapshot.
 * When that cannot be done, the dump still runs and sameSnapshot is false with the reason: the user
 * lacks RELOAD (needed for the lock), the lock waited more than LOCK_WAIT_SECONDS for long-running
 * statements, the dump's transaction was not seen within SNAPSHOT_WAIT_MS, or tables use an engine
 * without transactions (MyISAM, Aria…), which no snapshot covers.
 *
 * Checksums are computed in the server: the sum over rows of the first 64 bits of MD5 over the row's
 * columns (each NULL-safe and exact: text as its length-prefixed bytes, binary as HEX, numbers and dates as text,
 * FLOAT widened to DOUBLE, TIMESTAMP as its time-zone-free UNIX_TIMESTAMP), so row order does not matter.
 * TableContent.schema is '': MySQL's schema is the database, whose name differs between a database and
 * its restored copy, and the contents must compare equal (introspect()'s fingerprint leaves it out too).
 */
import type { Readable, Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { OperationError, UsageError, errorMessage } from '../../core/errors.js';
import { redactText } from '../../core/redact.js';
import { describeTarget, type ConnectionTarget, type ServerTarget } from '../../core/url.js';
import type { BackupDriver, BackupKind, DumpInfo, DumpOptions, TableContent } from '../backup-driver.js';
import type { Engine, Queryable, Row } from '../engine.js';
import { findClientTool, runTool, withOptionFile, type ClientTool } from './client-tools.js';
import { TableSectionFilter, checkDump } from './dump-file.js';
import { quoteIdent, mysqlTarget, sameServer, str, withSession } from './sql.js';
import { swapDatabases } from './swap.js';

const LOCK_WAIT_SECONDS = 5;
const SNAPSHOT_WAIT_MS = 30_000;
const DATABASE_NAME = /^[a-z0-9_]{1,64}$/;
const SYSTEM_DATABASES = new Set(['mysql', 'information_schema', 'performance_schema', 'sys']);
/** Column types whose text form is exact; character types see CHARACTER; everything else (binary, enum, set, bit, json, geometry…) is hashed as HEX of its bytes. */
const AS_TEXT = new Set([
  'tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint', 'decimal', 'numeric', 'double', 'real',
  'year', 'date', 'time', 'datetime',
]);

/** Character column types: hashed as their own bytes, length-prefixed. */
const CHARACTER = new Set(['char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext']);

interface BaseTable {
  name: string;
  engine: string;
}

type SnapshotInfo = Pick<DumpInfo, 'tables' | 'sameSnapshot' | 'snapshotNote'>;

export const mysqlBackup: BackupDriver = {
  async dump(engine: Engine, output: Writable, options: DumpOptions): Promise<DumpInfo> {
    try {
      const target = mysqlTarget(engine.target);
      const tool = await findClientTool('dump', await engine.serverVersion());
      const tables = await baseTables(engine, target.database, options.tables);
      const names = options.tables?.length ? tables.map((t) => t.name) : [];
      const args = dumpArgs(tool, options.kind, target.database, names);
      const snapshot = await withOptionFile(target, tool, options.workDir, async (file) => {
        if (options.kind !== 'schema-only') return dumpInSnapshot(target, tool, file, args, output, tables);
        await startDump(tool, file, args, output).done;
        return { tables: [], sameSnapshot: true };
      });
      return { tool: { name: tool.name, version: tool.version }, format: 'mysql-sql', ...snapshot };
    } catch (err) {
      output.destroy();
      throw err;
    }
  },

  checkStructure(input: Readable): Promise<string> {
    return checkDump(input);
  },

  async restore(target: ConnectionTarget, input: Readable, options: { tables?: string[]; workDir: string }): Promise<void> {
    const t = mysqlTarget(target);
    const tool = await findClientTool('client', await withSession(t, (s) => s.serverVersion()));
    // The schema part of "schema.name" is the dumped database's name, which the dump does not record.
    const wanted = options.tables?.length ? new Set(options.tables.map((n) => n.slice(n.indexOf('.') + 1))) : undefined;
    const filter = wanted && new TableSectionFilter(wanted);
    await withOptionFile(t, tool, options.workDir, async (file) => {
      // --binary-mode: no \r\n translation and no client commands but DELIMITER from the dump.
      const args = ['--binary-mode', '--max-allowed-packet=1G', '--', t.database];
      const run = runTool(tool, file, args, `Restore into ${describeTarget(t)}`, { stdin: true });
      try {
        await pipeline([input, ...(filter ? [filter] : []), run.child.stdin as Writable]);
      } catch (err) {
        // When the client stops on a failed statement, writing to it fails too: its own error says why.
        await run.exited;
        throw new OperationError(`Restore into ${describeTarget(t)}: reading the dump failed: ${redactText(errorMessage(err))}`, undefined, err);
      }
      await run.exited;
    });
    const missing = wanted && filter ? [...wanted].filter((n) => !filter.found.has(n)) : [];
    if (missing.length) throw new OperationError(`The dump has no table ${missing.map((n) => `"${n}"`).join(', ')}.`);
  },

  async tableContents(engine: Engine, tables?: string[]): Promise<TableContent[]> {
    const { database } = mysqlTarget(engine.target);
    return contentsOf(engine, database, await baseTables(engine, database, tables));
  },

  async createDatabase(near: Engine, name: string): Promise<ConnectionTarget> {
    const target = mysqlTarget(near.target);
    if (!DATABASE_NAME.test(name)) {
      throw new UsageError(`Invalid database name "${name}".`, 'Use 1 to 64 lower-case letters, digits and underscores.');
    }
    try {
      await near.query(`CREATE DATABASE ${quoteIdent(name)} CHARACTER SET utf8mb4`);
    } catch (err) {
      throw new OperationError(`Cannot create database ${name} on ${describeTarget(target)}: ${redactText(errorMessage(err))}`);
    }
    return withDatabase(target, name);
  },

  async dropDatabase(near: Engine, target: ConnectionTarget): Promise<void> {
    const n = mysqlTarget(near.target);
    const t = mysqlTarget(target);
    if (!sameServer(n, t)) throw new UsageError(`${t.redacted} is not on the server of ${n.redacted}.`);
    if (t.database === n.database || SYSTEM_DATABASES.has(t.database.toLowerCase())) {
      throw new UsageError(`Refusing to drop database ${t.database}: it is the connected database or a system database.`);
    }
    await near.query(`DROP DATABASE IF EXISTS ${quoteIdent(t.database)}`);
  },

  swapIn(current: Engine, restored: ConnectionTarget): Promise<{ replacedBy: string; keptAs: string }> {
    return swapDatabases(mysqlTarget(current.target), mysqlTarget(restored));
  },

  manualRestoreSteps(dumpFile: string, target: ConnectionTarget): string[] {
    const t = mysqlTarget(target);
    const client = t.redacted.startsWith('mariadb:') ? 'mariadb' : 'mysql';
    const conn = [
      ...(t.socket ? [sh(`--socket=${t.socket}`)] : [`-h ${sh(t.host)}`, `-P ${t.port}`]),
      ...(t.user ? [`-u ${sh(t.user)}`] : []),
      ...(t.password ? ['-p'] : []),
    ].join(' ');
    return [
      `${client} ${conn} -e ${sh(`CREATE DATABASE ${quoteIdent(t.database)} CHARACTER SET utf8mb4`)}`,
      `${client} ${conn} ${sh(`--database=${t.database}`)} < ${sh(dumpFile)}`,
    ];
  },
};

function dumpArgs(tool: ClientTool, kind: BackupKind, database: string, tables: string[]): string[] {
  // Routines and events belong to the database, not to tables: only in whole-database dumps.
  const databaseObjects = tables.length ? [] : ['--routines', '--events'];
  const byKind: Record<BackupKind, string[]> = {
    full: ['--triggers', ...databaseObjects],
    'schema-only': ['--no-data', '--triggers', ...databaseObjects],
    'data-only': ['--no-create-info', '--skip-triggers'],
  };
  return [
    '--verbose', '--single-transaction', '--quick', '--hex-blob', '--default-character-set=utf8mb4',
    '--skip-dump-date', '--no-tablespaces', '--max-allowed-packet=1G',
    // MySQL with GTIDs would otherwise write SET @@GLOBAL.GTID_PURGED, which fails on restore into a live server.
    ...(tool.mariadb ? [] : ['--set-gtid-purged=OFF']),
    ...byKind[kind], '--', database, ...tables,
  ];
}

interface DumpRun {
  /** Resolves when the tool exited successfully and `output` was ended and flushed. */
  done: Promise<void>;
  stop(): void;
}

/** Run the dump tool into `output`, which is ended only after the tool exited successfully. */
function startDump(tool: ClientTool, file: string, args: string[], output: Writable, onProgress?: (line: string) => void): DumpRun {
  const run = runTool(tool, file, args, 'Dump', { stdin: false, onProgress });
  const done = (async () => {
    try {
      await pipeline(run.child.stdout as Readable, output, { end: false });
    } catch (err) {
      run.stop();
      throw new OperationError(`Writing the dump failed: ${redactText(errorMessage(err))}`, undefined, err);
    }
    await run.exited;
    output.end();
    await finished(output);
  })();
  done.catch(() => undefined);
  return { done, stop: run.stop };
}

async function dumpInSnapshot(
  target: ServerTarget, tool: ClientTool, file: string, args: string[], output: Writable, tables: BaseTable[],
): Promise<SnapshotInfo> {
  return withSession(target, async (session) => {
    await session.query(`SET SESSION lock_wait_timeout = ${LOCK_WAIT_SECONDS}`);
    await session.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    const notes: string[] = [];
    const lockProblem = await globalReadLock(session);
    await session.query('START TRANSACTION WITH CONSISTENT SNAPSHOT');
    let dumpSnapshotStarted = () => {};
    const dumpSnapshot = new Promise<void>((resolve) => (dumpSnapshotStarted = resolve));
    let starting = false;
    const run = startDump(tool, file, args, output, (line) => {
      if (starting) dumpSnapshotStarted();
      if (line.startsWith('-- Starting transaction')) starting = true;
    });
    try {
      if (lockProblem) notes.push(lockProblem);
      else {
        const confirmed = await settlesWithin(Promise.race([dumpSnapshot, run.done]), SNAPSHOT_WAIT_MS);
        await session.query('UNLOCK TABLES');
        if (!confirmed) notes.push(`the dump's transaction was not seen to start within ${SNAPSHOT_WAIT_MS / 1000}s, so the counts come from a snapshot taken just before it`);
      }
      const nonTransactional = tables.filter((t) => t.engine.toLowerCase() !== 'innodb');
      if (nonTransactional.length) {
        const list = nonTransactional.map((t) => `${t.name} (${t.engine})`).join(', ');
        notes.push(`tables without transactions are not covered by any snapshot and were counted while the dump ran: ${list}`);
      }
      const contents = await contentsOf(session, target.database, tables);
      await run.done;
      await session.query('COMMIT');
      if (!notes.length) return { tables: contents, sameSnapshot: true };
      const note = notes.join('; ');
      return { tables: contents, sameSnapshot: false, snapshotNote: note[0]?.toUpperCase() + note.slice(1) + '.' };
    } finally {
      run.stop();
    }
  });
}

/** FLUSH TABLES WITH READ LOCK; the reason when it cannot be taken (and the dump goes on without it). */
async function globalReadLock(session: Queryable): Promise<string | undefined> {
  try {
    await session.query('FLUSH TABLES WITH READ LOCK');
    return undefined;
  } catch (err) {
    const errno = (err as { errno?: unknown }).errno;
    const fallback = 'so the counts come from a snapshot of their own taken just before the dump';
    if (errno === 1227) return `the user lacks the RELOAD privilege that FLUSH TABLES WITH READ LOCK needs, ${fallback}`;
    if (errno === 1205) return `FLUSH TABLES WITH READ LOCK waited more than ${LOCK_WAIT_SECONDS}s for running statements, ${fallback}`;
    throw err;
  }
}

function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const settled = promise.then(() => true, () => true);
  return Promise.race([settled, timeout]).finally(() => clearTimeout(timer));
}

/** Base tables of the database (not views, not sequences), all or the named ones ("name" or "database.name"). */
async function baseTables(q: Queryable, database: string, requested?: string[]): Promise<BaseTable[]> {
  const { rows } = await q.query<Row>(
    `SELECT TABLE_NAME AS name, ENGINE AS engine FROM information_schema.TABLES
      WHERE TABLE_SCHEMA = ? AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED')`,
    [database],
  );
  const all = rows.map((r) => ({ name: str(r.name), engine: str(r.engine) })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (!requested?.length) return all;
  const names = new Set(requested.map((n) => (n.startsWith(`${database}.`) ? n.slice(database.length + 1) : n)));
  return [...names].map((name) => {
    const table = all.find((t) => t.name === name);
    if (!table) throw new UsageError(`No table "${name}" in database ${database}.`, 'Name base tables of the database (not views or sequences).');
    return table;
  });
}

async function contentsOf(q: Queryable, database: string, tables: BaseTable[]): Promise<TableContent[]> {
  const { rows } = await q.query<Row>(
    'SELECT TABLE_NAME AS t, COLUMN_NAME AS c, DATA_TYPE AS type FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY ORDINAL_POSITION',
    [database],
  );
  const contents: TableContent[] = [];
  for (const table of tables) {
    const columns = rows.filter((r) => str(r.t) === table.name).map((r) => `IFNULL(${columnText(str(r.c), str(r.type).toLowerCase())}, 0x1f)`);
    const digest = `CAST(CONV(SUBSTRING(MD5(CONCAT_WS(0x1e, ${columns.join(', ')})), 1, 16), 16, 10) AS UNSIGNED)`;
    const { rows: result } = await q.query<Row>(
      `SELECT COUNT(*) AS n, SUM(${digest}) AS s FROM ${quoteIdent(database)}.${quoteIdent(table.name)}`,
    );
    const sum = result[0]?.s;
    contents.push({
      schema: '',
      name: table.name,
      rows: Number(result[0]?.n),
      checksum: BigInt(sum === null || sum === undefined ? 0 : str(sum)).toString(16),
    });
  }
  return contents;
}

function columnText(column: string, type: string): string {
  const c = quoteIdent(column);
  if (AS_TEXT.has(type)) return `CAST(${c} AS CHAR)`;
  // Character columns as they are, prefixed by their byte length so no separator inside a value can
  // make two rows collide: cheaper than HEX of every byte (measured: HEX was 1.6 s of a 5.7 s pass).
  if (CHARACTER.has(type)) return `CONCAT(OCTET_LENGTH(${c}), ':', ${c})`;
  if (type === 'float') return `CAST(CAST(${c} AS DOUBLE) AS CHAR)`;
  if (type === 'timestamp') return `CAST(UNIX_TIMESTAMP(${c}) AS CHAR)`;
  return `HEX(${c})`;
}

/** The target with another database, and its redacted URL rebuilt with that name. */
function withDatabase(target: ServerTarget, database: string): ServerTarget {
  const end = target.redacted.search(/[?#]|$/);
  const head = target.redacted.slice(0, end);
  const redacted = head.slice(0, head.lastIndexOf('/') + 1) + database + target.redacted.slice(end);
  return { ...target, database, redacted };
}

/** Quote for a POSIX shell when needed. */
function sh(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

