/**
 * The MySQL/MariaDB BackupDriver: mariadb-dump (MariaDB) or mysqldump (MySQL) SQL dumps, restored with
 * the mariadb/mysql client. Credentials reach the tools through a 0600 option file (client-tools.ts).
 *
 * Per-table row counts and content checksums come from the dump itself (dump-digest.ts): the tuples
 * of each table's INSERT statements are counted and hashed as the dump streams past, so they describe
 * exactly what the dump holds, from the dump's own consistent snapshot (--single-transaction), without
 * a second pass over the data, a second session or a global read lock. On a restored database,
 * tableContents() digests a fresh data-only dump made with the same tool and options.
 *
 * What the dump-based checksum cannot see: what the dump tool itself writes inexactly. MariaDB writes
 * FLOAT values with 6 significant digits, so a FLOAT that needs more is rounded in the dump and comes
 * back rounded after a restore, and the checksums of the dump and of the restore agree; the manifest
 * says so (contentNote) when a dumped table has FLOAT columns. Tables without transactions (MyISAM,
 * Aria…) are not covered by the dump's snapshot: their rows are read while the dump runs (snapshotNote).
 * TableContent.schema is '': MySQL's schema is the database, whose name differs between a database and
 * its restored copy, and the contents must compare equal (introspect()'s fingerprint leaves it out too).
 */
import type { Readable, Writable } from 'node:stream';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { OperationError, UsageError, errorMessage } from '../../core/errors.js';
import { redactText } from '../../core/redact.js';
import { describeTarget, type ConnectionTarget, type ServerTarget } from '../../core/url.js';
import type { BackupDriver, BackupKind, DumpInfo, DumpOptions, TableContent } from '../backup-driver.js';
import { digestToolOutput } from '../backup-driver-digest.js';
import type { Engine, Queryable, Row } from '../engine.js';
import { findClientTool, runTool, withOptionFile, type ClientTool } from './client-tools.js';
import { TableSectionFilter, checkDump } from './dump-file.js';
import { quoteIdent, mysqlTarget, sameServer, str, withSession } from './sql.js';
import { swapDatabases } from './swap.js';

const DATABASE_NAME = /^[a-z0-9_]{1,64}$/;
const SYSTEM_DATABASES = new Set(['mysql', 'information_schema', 'performance_schema', 'sys']);
const CONTENT_METHOD = 'mysql-dump-insert-rows/1';

interface BaseTable {
  name: string;
  engine: string;
}

export const mysqlBackup: BackupDriver = {
  contentMethod: CONTENT_METHOD,

  async dump(engine: Engine, output: number, options: DumpOptions): Promise<DumpInfo> {
    const target = mysqlTarget(engine.target);
    const [tool, tables] = await Promise.all([
      engine.serverVersion().then((v) => findClientTool('dump', v)),
      baseTables(engine, target.database, options.tables),
    ]);
    const names = options.tables?.length ? tables.map((t) => t.name) : [];
    const args = dumpArgs(tool, options.kind, target.database, names);
    // Asked while the dump runs rather than after it.
    const floats = options.kind === 'schema-only' ? null : floatColumns(engine, target.database);
    floats?.catch(() => undefined);
    const dumped = await withOptionFile(target, tool, options.workDir, (file) => dumpDigested(tool, file, args, output, options.onProgress));
    const contents = options.kind === 'schema-only' ? [] : dumped.tables;
    const notes = floats === null ? {} : contentNotes(tables, contents, await floats);
    return { tool: { name: tool.name, version: tool.version }, format: 'mysql-sql', tables: contents, contentMethod: CONTENT_METHOD, sameSnapshot: true, bytes: dumped.bytes, ...notes };
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
    const target = mysqlTarget(engine.target);
    const [tool, selected] = await Promise.all([
      engine.serverVersion().then((v) => findClientTool('dump', v)),
      baseTables(engine, target.database, tables),
    ]);
    const args = dumpArgs(tool, 'data-only', target.database, tables?.length ? selected.map((t) => t.name) : []);
    // The option file holds the password: a private directory of our own, removed afterwards.
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'dbward-'));
    try {
      return (await withOptionFile(target, tool, dir, (file) => dumpDigested(tool, file, args, null))).tables;
    } finally {
      await fs.promises.rm(dir, { recursive: true, force: true });
    }
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
    '--single-transaction', '--quick', '--hex-blob', '--default-character-set=utf8mb4',
    '--skip-dump-date', '--no-tablespaces', '--max-allowed-packet=1G',
    // MySQL with GTIDs would otherwise write SET @@GLOBAL.GTID_PURGED, which fails on restore into a live server.
    ...(tool.mariadb ? [] : ['--set-gtid-purged=OFF']),
    ...byKind[kind], '--', database, ...tables,
  ];
}

/**
 * Run the dump tool into the descriptor `output` (or nowhere, when null) while a worker thread digests
 * what it writes: per-table row counts and checksums of exactly the dumped rows, and the byte count.
 */
async function dumpDigested(tool: ClientTool, file: string, args: string[], output: number | null, onProgress?: (bytes: number) => void) {
  return digestToolOutput(
    'mysql-sql',
    (stdoutFd) => runTool(tool, file, args, 'Dump', { stdin: false, stdoutFd, bufferStdout: '64K' }).exited,
    output,
    onProgress,
    (err) => new OperationError(`${tool.name} wrote a dump dbward cannot read: ${err.message}`, undefined, err),
  );
}

/** The FLOAT columns of `database`'s tables: table and column names. */
async function floatColumns(q: Queryable, database: string): Promise<{ t: string; c: string }[]> {
  const { rows } = await q.query<Row>(
    `SELECT TABLE_NAME AS t, COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND DATA_TYPE = 'float' ORDER BY TABLE_NAME, ORDINAL_POSITION`,
    [database],
  );
  return rows.map((r) => ({ t: str(r.t), c: str(r.c) }));
}

/**
 * What the manifest should say about the snapshot and the checksums: tables without transactions are
 * outside the dump's snapshot; FLOAT columns are written rounded by MariaDB's dump tool.
 */
function contentNotes(tables: BaseTable[], dumped: TableContent[], floatColumns: { t: string; c: string }[]): Pick<DumpInfo, 'snapshotNote' | 'contentNote'> {
  const notes: Pick<DumpInfo, 'snapshotNote' | 'contentNote'> = {};
  const names = new Set(dumped.map((t) => t.name));
  const nonTransactional = tables.filter((t) => names.has(t.name) && t.engine.toLowerCase() !== 'innodb');
  if (nonTransactional.length) {
    const list = nonTransactional.map((t) => `${t.name} (${t.engine})`).join(', ');
    notes.snapshotNote = `Tables without transactions are not covered by the dump's consistent snapshot and were read while the dump ran: ${list}; their counts and checksums describe exactly what the dump holds.`;
  }
  const floats = floatColumns.filter((r) => names.has(r.t));
  if (floats.length) {
    const list = floats.map((r) => `${r.t}.${r.c}`).join(', ');
    notes.contentNote = `FLOAT columns (${list}) are written by the dump tool with limited precision (MariaDB: 6 significant digits); a value that needs more is rounded in the dump, and the checksums, computed from the dump, cannot show it.`;
  }
  return notes;
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

