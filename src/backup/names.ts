/** Backup names and database ids: validated before anything is written. */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { UsageError } from '../core/errors.js';
import type { ConnectionTarget } from '../core/url.js';

const NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$/;
/** Names that would be confused with commands or special references. */
const RESERVED = new Set(['latest', 'pin', 'unpin']);

export function validateBackupName(name: string): string {
  if (typeof name !== 'string' || !NAME.test(name) || RESERVED.has(name.toLowerCase())) {
    const shown = JSON.stringify(name).slice(0, 80);
    throw new UsageError(
      `Invalid backup name ${shown}`,
      'A name is 1–64 characters of letters, digits, "-", "_" and ".", not starting with a dot, and not "latest", "pin" or "unpin".',
    );
  }
  return name;
}

/** Default name: the UTC time, e.g. 20261122T031500Z (sortable, valid on every file system). */
export function defaultBackupName(now = new Date()): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

/**
 * A stable, readable id for the database: engine, host, port and database name (SQLite: the file name),
 * plus a short hash of the full identity so that sanitising never makes two databases collide.
 * Never derived from credentials.
 */
export function databaseId(target: ConnectionTarget): string {
  const identity =
    target.engine === 'sqlite'
      ? ['sqlite', target.path]
      : [target.engine, target.socket ?? target.host, String(target.port), target.database];
  const readable =
    target.engine === 'sqlite'
      ? ['sqlite', path.basename(target.path)]
      : [target.engine, target.socket ? 'socket' : target.host, String(target.port), target.database];
  const hash = createHash('sha256').update(identity.join('\0')).digest('hex').slice(0, 8);
  return `${readable.join('_').replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 80)}_${hash}`;
}
