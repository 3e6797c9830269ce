/**
 * Open a SQLite database file with better-sqlite3 and classify what can go wrong.
 *
 * Opening never creates a file unless the URL asks for it with `?mode=rwc`: inspecting a mistyped
 * path must not leave an empty database behind. `mode=ro` opens read-only, `mode=rw` (and the
 * default) read-write on an existing file.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ConnectionError, errorMessage } from '../../core/errors.js';
import type { SqliteTarget } from '../../core/url.js';
import type { Engine } from '../engine.js';
import { SqliteEngine } from './engine.js';

/** How long a statement waits for another connection's lock before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5_000;

export async function connectSqlite(target: SqliteTarget): Promise<Engine> {
  const memory = target.path === ':memory:';
  const mode = target.params.mode ?? 'rw';
  if (!memory) checkPath(target.path, mode === 'rwc');

  let db: Database.Database | undefined;
  try {
    db = new Database(target.path, { readonly: mode === 'ro', fileMustExist: mode !== 'rwc', timeout: BUSY_TIMEOUT_MS });
    db.pragma('foreign_keys = ON');
    // better-sqlite3 opens lazily: read the schema once so a locked or non-database file fails here.
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
  } catch (err) {
    db?.close();
    throw classify(err, target);
  }
  return new SqliteEngine(db, target);
}

function checkPath(file: string, mayCreate: boolean): void {
  const dir = path.dirname(file);
  if (!fs.existsSync(dir)) {
    throw new ConnectionError(
      'unknown-database',
      `The directory of the SQLite database does not exist: ${dir}`,
      'Check the path in DATABASE_URL (relative paths are resolved against the working directory).',
    );
  }
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (!stat && !mayCreate) {
    throw new ConnectionError(
      'unknown-database',
      `The SQLite database file does not exist: ${file}`,
      'Check the path in DATABASE_URL. To create the database, run `dbward init` (or add ?mode=rwc to the URL).',
    );
  }
  if (stat?.isDirectory()) {
    throw new ConnectionError('other', `The SQLite database path is a directory, not a file: ${file}`);
  }
}

function classify(err: unknown, target: SqliteTarget): ConnectionError {
  const code = (err as { code?: unknown }).code;
  const where = `SQLite database ${target.path}`;
  switch (code) {
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return new ConnectionError('transient', `${where} is locked by another connection.`, 'Retry when the other writer has finished.', err);
    case 'SQLITE_NOTADB':
      return new ConnectionError('other', `${where} is not a SQLite database (or is encrypted).`, 'Check the path in DATABASE_URL.', err);
    case 'SQLITE_CORRUPT':
      return new ConnectionError('other', `${where} is corrupt: ${errorMessage(err)}`, 'Restore it from a backup.', err);
    case 'SQLITE_CANTOPEN':
    case 'SQLITE_PERM':
    case 'SQLITE_READONLY':
      return new ConnectionError(
        'other',
        `Cannot open ${where}: ${errorMessage(err)}`,
        'Check that the file and its directory are readable (and writable unless ?mode=ro) by this user.',
        err,
      );
    default:
      return new ConnectionError('other', `Cannot open ${where}: ${errorMessage(err)}`, undefined, err);
  }
}
