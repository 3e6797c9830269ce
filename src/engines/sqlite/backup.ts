/**
 * Backup, verification and restore for SQLite. A dump is a copy of the database file made with the
 * online backup API of the embedded library ('sqlite-db'), so it restores by hand with `cp`.
 *
 * - dump: the copy is taken inside one read transaction on the engine's connection, so it is one
 *   snapshot even while other connections write (in WAL mode they carry on meanwhile). Options are
 *   applied to the copy, and table contents are computed on the copy, so they describe exactly it.
 *   A schema-only dump is a new file built from the schema's SQL instead (schema-copy.ts).
 *   Data-only dumps are refused: a SQLite dump is a database file, which always holds the schema.
 * - Table contents cover ordinary tables (not virtual tables, whose data lives in shadow tables) and
 *   their declared columns; the implicit rowid is left out because VACUUM may renumber it.
 * - restore: a full restore lands beside the target under a temporary name, is checked, then renamed
 *   onto the target. With `tables`, those tables (schema, rows, indexes, triggers) are copied into the
 *   target through ATTACH; rows get new implicit rowids unless the table declares its key.
 * - createDatabase creates an empty (zero-byte) file, which SQLite treats as an empty database.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import Database from 'better-sqlite3';
import { DbwardError, OperationError, UsageError, VerificationError, errorMessage } from '../../core/errors.js';
import { FILE_MODE, fsyncDir } from '../../core/fsx.js';
import type { ConnectionTarget } from '../../core/url.js';
import type { BackupDriver, DumpInfo, DumpOptions } from '../backup-driver.js';
import { digestDump } from '../backup-driver-digest.js';
import { CONTENT_METHOD, SCAN_CACHE_KIB, columnsOf, contentsOf, quoteIdent } from './content-hash.js';
import type { Engine } from '../engine.js';
import { SqliteEngine } from './engine.js';
import { copySchema } from './schema-copy.js';

const MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const SIDE_FILES = ['-wal', '-shm', '-journal'];
const ATTACHED = 'dbward_restore';
const NAME = /^[A-Za-z0-9_.-]{1,100}$/;

export const sqliteBackup: BackupDriver = {
  contentMethod: CONTENT_METHOD,

  async dump(engine, fd, options) {
    const temp = tempPath(options.workDir);
    try {
      if (options.kind === 'data-only') {
        throw new UsageError(
          'SQLite has no data-only dump: a SQLite backup is a copy of the database file, which always holds the schema.',
          'Take a full backup; restoring selected tables copies their rows into the target.',
        );
      }
      // Schema-only: the schema alone, built from its SQL; otherwise a copy of every page. Either
      // reads in a transaction of its own, which an open one would swallow.
      await asSqliteEngine(engine).withConnection((db) => {
        if (db.inTransaction) throw new OperationError('Cannot back up a SQLite database from inside a transaction.');
        return options.kind === 'schema-only' ? copySchema(db, temp) : snapshotTo(db, temp);
      });
      const { info, tables } = prepareCopy(temp, options);
      // The copy goes to the compressor from a worker thread while SQLite digests its rows here: the two
      // take about as long as each other on the benchmark's large database. Reading the copy writes
      // nothing to its file (a read-only connection never checkpoints).
      const total = fs.statSync(temp).size;
      const onProgress = options.onProgress && ((bytes: number) => options.onProgress!(bytes, total));
      const copied = digestDump({ format: null, input: fs.openSync(temp, 'r'), output: fd }, onProgress);
      const digested = options.kind === 'schema-only' ? Promise.resolve([]) : withReadOnlyCopy(temp, (db) => contentsOf(db, tables, temp));
      // Both settle before anything fails: the worker must be done with `fd` before the caller closes it.
      const [contents, copy] = await Promise.allSettled([digested, copied]);
      if (copy.status === 'rejected') throw copy.reason;
      if (contents.status === 'rejected') throw contents.reason;
      return { ...info, tables: contents.value, bytes: copy.value.bytes };
    } catch (err) {
      throw wrap('SQLite backup', err);
    } finally {
      removeDatabaseFiles(temp);
    }
  },

  async checkStructure(input, { workDir }) {
    const temp = tempPath(workDir);
    try {
      await writeFile(input, temp, { flush: false });
      return `integrity_check ok, ${checkDatabaseFile(temp)} tables`;
    } catch (err) {
      throw wrap('Checking the SQLite dump', err);
    } finally {
      removeDatabaseFiles(temp);
    }
  },

  async restore(target, input, { tables }) {
    const file = filePath(target);
    checkRestoreTarget(file);
    const temp = tempPath(path.dirname(file));
    try {
      await writeFile(input, temp, { flush: true });
      checkDatabaseFile(temp);
      if (tables?.length) {
        copyTables(temp, file, tables);
      } else {
        fs.renameSync(temp, file);
        fsyncDir(path.dirname(file));
      }
    } catch (err) {
      throw wrap('SQLite restore', err);
    } finally {
      removeDatabaseFiles(temp);
    }
  },

  tableContents(engine, tables) {
    return asSqliteEngine(engine).withConnection((db) => contentsOf(db, resolveTables(db, tables), filePath(engine.target)));
  },

  async createDatabase(near, name) {
    if (!NAME.test(name)) throw new UsageError(`Invalid database name "${name}"`, 'Use 1 to 100 letters, digits, "_", "." or "-".');
    const file = path.join(path.dirname(filePath(near.target)), `${name}.db`);
    try {
      fs.writeFileSync(file, '', { flag: 'wx', mode: FILE_MODE });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`The file ${file} already exists.`);
      throw wrap(`Creating ${file}`, err);
    }
    return { engine: 'sqlite', path: file, params: {}, redacted: `file:${file}` };
  },

  async dropDatabase(near, target) {
    const own = filePath(near.target);
    const file = filePath(target);
    if (file === own) throw new UsageError(`Refusing to drop the connected database ${own}.`);
    if (path.dirname(file) !== path.dirname(own)) throw new UsageError(`Refusing to drop ${file}: it is not beside ${own}.`);
    if (!isSqliteFile(file)) throw new UsageError(`Refusing to drop ${file}: it is not a SQLite database.`);
    removeDatabaseFiles(file);
  },

  async swapIn(current, restored) {
    const file = filePath(current.target);
    const replacement = filePath(restored);
    if (!isSqliteFile(replacement)) throw new UsageError(`The restored database ${replacement} does not exist or is not a SQLite database.`);
    if (SIDE_FILES.some((s) => fs.existsSync(replacement + s))) {
      throw new UsageError(`The restored database ${replacement} is in use (a -wal, -shm or -journal file exists).`);
    }
    const keptAs = `${file}.replaced-${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}`;
    if (fs.existsSync(keptAs)) throw new UsageError(`${keptAs} already exists; retry in a second.`);

    // Move everything in the WAL into the file, so the file alone holds the replaced data.
    const [checkpoint] = (await current.query<{ busy: number }>('PRAGMA wal_checkpoint(TRUNCATE)')).rows;
    if (checkpoint?.busy) {
      throw new OperationError(`Another connection is using ${file}; cannot take it out of use.`, 'Stop the application first.');
    }
    await current.close();

    const moveAside = SIDE_FILES.filter((s) => fs.existsSync(file + s));
    fs.renameSync(file, keptAs);
    for (const s of moveAside) fs.renameSync(file + s, keptAs + s);
    try {
      fs.renameSync(replacement, file);
    } catch (err) {
      fs.renameSync(keptAs, file);
      for (const s of moveAside) fs.renameSync(keptAs + s, file + s);
      throw wrap(`Moving ${replacement} into place`, err);
    }
    fsyncDir(path.dirname(file));
    return { replacedBy: replacement, keptAs };
  },

  manualRestoreSteps(dumpFile, target) {
    const file = filePath(target);
    return [
      `# stop the application first; remove ${file}-wal and ${file}-shm`,
      `cp ${shellQuote(dumpFile)} ${shellQuote(file)}`,
      `sqlite3 ${shellQuote(file)} 'PRAGMA integrity_check'`,
    ];
  },
};

// ---------------------------------------------------------------------------------------------
// Dump

/** Copy the database with the backup API inside one read transaction, so the copy is one snapshot. */
async function snapshotTo(db: Database.Database, file: string): Promise<void> {
  db.exec('BEGIN');
  try {
    db.prepare('SELECT count(*) FROM main.sqlite_schema').get(); // starts the read transaction
    await db.backup(file);
  } finally {
    db.exec('COMMIT');
  }
}

/** Apply the dump options to the copy and describe what it holds (but its rows' checksums); returns the tables it keeps. */
function prepareCopy(file: string, options: DumpOptions): { info: Omit<DumpInfo, 'tables' | 'bytes'>; tables: string[] } {
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma('foreign_keys = OFF');
    const keep = resolveTables(db, options.tables);
    if (options.tables?.length) {
      dropTablesExcept(db, keep);
      db.exec('VACUUM');
    }
    const version = db.prepare('SELECT sqlite_version()').pluck().get() as string;
    return {
      info: { tool: { name: options.kind === 'schema-only' ? 'sqlite schema SQL' : 'sqlite backup API', version }, format: 'sqlite-db', contentMethod: CONTENT_METHOD, sameSnapshot: true },
      tables: keep,
    };
  } finally {
    db.close();
  }
}

async function withReadOnlyCopy<T>(file: string, fn: (db: Database.Database) => Promise<T>): Promise<T> {
  const db = new Database(file, { fileMustExist: true, readonly: true });
  db.pragma(`cache_size = ${SCAN_CACHE_KIB}`);
  try {
    return await fn(db);
  } finally {
    db.close();
  }
}

/** Drop every other table, then the views that no longer work because they read a dropped table. */
function dropTablesExcept(db: Database.Database, keep: string[]): void {
  const kept = new Set(keep);
  for (const name of resolveTables(db, undefined)) {
    if (!kept.has(name)) db.exec(`DROP TABLE main.${quoteIdent(name)}`);
  }
  const views = db.prepare(`SELECT name FROM main.sqlite_schema WHERE type = 'view'`).pluck().all() as string[];
  for (const view of views) {
    try {
      db.prepare(`SELECT * FROM main.${quoteIdent(view)} LIMIT 0`);
    } catch {
      db.exec(`DROP VIEW main.${quoteIdent(view)}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Table contents

/** The ordinary tables of `schema`, or (when some are given) the requested ones (name or main.name, any case); unknown names are an error. */
function resolveTables(db: Database.Database, requested: string[] | undefined, schema = 'main'): string[] {
  const all = db
    .prepare(`SELECT name FROM pragma_table_list WHERE schema = ? AND type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`)
    .pluck()
    .all(schema) as string[];
  if (!requested?.length) return all;
  const byName = new Map(all.map((name) => [name.toLowerCase(), name]));
  const unknown = requested.filter((r) => !byName.has(bare(r)));
  if (unknown.length) {
    throw new UsageError(`Unknown table${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`, `Tables: ${all.join(', ') || '(none)'}.`);
  }
  return [...new Set(requested.map((r) => byName.get(bare(r))!))];
}

const bare = (name: string) => name.replace(/^main\./i, '').toLowerCase();

// ---------------------------------------------------------------------------------------------
// Files: structure check and restore

/** Header and PRAGMA integrity_check; returns the number of tables. Throws VerificationError when damaged. */
function checkDatabaseFile(file: string): number {
  if (!readHead(file, MAGIC.length).equals(MAGIC)) {
    throw new VerificationError('The SQLite dump is damaged: it does not start with the SQLite header.');
  }
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const problems = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).filter((m) => m !== 'ok');
    if (problems.length) throw new VerificationError(`The SQLite dump is damaged: integrity_check: ${problems.slice(0, 5).join('; ')}`);
    return resolveTables(db, undefined).length;
  } catch (err) {
    if (err instanceof VerificationError) throw err;
    throw new VerificationError(`The SQLite dump is damaged: ${errorMessage(err)}`);
  } finally {
    db?.close();
  }
}

/** A restore target must be a file path (existing or not) holding no schema, and not in use. */
function checkRestoreTarget(file: string): void {
  if (!fs.existsSync(path.dirname(file))) throw new UsageError(`The directory of the restore target does not exist: ${path.dirname(file)}`);
  if (SIDE_FILES.some((s) => fs.existsSync(file + s))) {
    throw new UsageError(`The restore target ${file} is in use (a -wal or -journal file exists).`);
  }
  if (fs.existsSync(file) && !isEmptyDatabase(file)) throw new UsageError(`The restore target ${file} is not an empty SQLite database.`);
}

/** Zero bytes, or a database whose schema table (page 1, a leaf) holds no entries. */
function isEmptyDatabase(file: string): boolean {
  const head = readHead(file, 105);
  if (head.length === 0) return true;
  return head.subarray(0, 16).equals(MAGIC) && head[100] === 0x0d && head.readUInt16BE(103) === 0;
}

/** Zero bytes or the SQLite header. */
function isSqliteFile(file: string): boolean {
  if (!fs.existsSync(file)) return false;
  const head = readHead(file, MAGIC.length);
  return head.length === 0 || head.equals(MAGIC);
}

function readHead(file: string, length: number): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(length);
    return buffer.subarray(0, fs.readSync(fd, buffer, 0, length, 0));
  } finally {
    fs.closeSync(fd);
  }
}

/** Copy the requested tables (schema, rows, AUTOINCREMENT counters, then indexes and triggers) from `source`. */
function copyTables(source: string, file: string, requested: string[]): void {
  const db = new Database(file);
  try {
    db.pragma('foreign_keys = OFF');
    db.prepare(`ATTACH DATABASE ? AS ${ATTACHED}`).run(source);
    const tables = resolveTables(db, requested, ATTACHED);
    const placeholders = tables.map(() => '?').join(', ');
    const objects = db
      .prepare(`SELECT type, sql FROM ${ATTACHED}.sqlite_schema WHERE type IN ('table', 'index', 'trigger') AND sql IS NOT NULL AND tbl_name IN (${placeholders}) ORDER BY type = 'table' DESC, type = 'index' DESC, rowid`)
      .all(...tables) as { type: string; sql: string }[];
    db.transaction(() => {
      for (const { sql } of objects.filter((o) => o.type === 'table')) db.exec(sql);
      for (const name of tables) {
        const columns = columnsOf(db, name, ATTACHED).map(quoteIdent).join(', ');
        db.exec(`INSERT INTO main.${quoteIdent(name)} (${columns}) SELECT ${columns} FROM ${ATTACHED}.${quoteIdent(name)}`);
      }
      if (bothHaveSequence(db)) {
        db.prepare(`DELETE FROM main.sqlite_sequence WHERE name IN (${placeholders})`).run(...tables);
        db.prepare(`INSERT INTO main.sqlite_sequence (name, seq) SELECT name, seq FROM ${ATTACHED}.sqlite_sequence WHERE name IN (${placeholders})`).run(...tables);
      }
      for (const { sql } of objects.filter((o) => o.type !== 'table')) db.exec(sql);
    })();
    db.exec(`DETACH DATABASE ${ATTACHED}`);
  } finally {
    db.close();
  }
}

/** Whether both databases have an AUTOINCREMENT counter table. */
function bothHaveSequence(db: Database.Database): boolean {
  const count = db.prepare(`SELECT count(*) FROM pragma_table_list WHERE name = 'sqlite_sequence' AND schema IN ('main', ?)`).pluck().get(ATTACHED);
  return count === 2;
}

/** Write a stream to a new file (0640); `flush` fsyncs it before closing, for a file to be renamed into place. */
async function writeFile(input: Readable, file: string, { flush }: { flush: boolean }): Promise<void> {
  await pipeline(input, fs.createWriteStream(file, { flags: 'wx', mode: FILE_MODE, flush }));
}

function removeDatabaseFiles(file: string): void {
  for (const suffix of ['', ...SIDE_FILES]) fs.rmSync(file + suffix, { force: true });
}

function tempPath(dir: string): string {
  return path.join(dir, `.dbward-sqlite-${process.pid}-${randomBytes(6).toString('hex')}.db`);
}

// ---------------------------------------------------------------------------------------------

function asSqliteEngine(engine: Engine): SqliteEngine {
  if (!(engine instanceof SqliteEngine)) throw new UsageError(`The SQLite backup driver cannot back up a ${engine.name} database.`);
  return engine;
}

function filePath(target: ConnectionTarget): string {
  if (target.engine !== 'sqlite') throw new UsageError(`Expected a SQLite database, got ${target.redacted}.`);
  if (target.path === ':memory:') throw new UsageError('An in-memory SQLite database has no file to create, restore, drop or swap.');
  return target.path;
}

function wrap(what: string, err: unknown): DbwardError {
  return err instanceof DbwardError ? err : new OperationError(`${what} failed: ${errorMessage(err)}`, undefined, err);
}


function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
