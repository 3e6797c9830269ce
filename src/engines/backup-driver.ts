/**
 * What each engine provides for backup, verification and restore. Implementations live in
 * src/engines/<name>/backup.ts; src/backup/ composes them with compression, encryption, hashing,
 * storage and manifests and never runs an engine's native tool itself.
 *
 * Secrets: a native tool gets the password through its environment (PGPASSWORD) or a 0600 option file
 * (MySQL --defaults-file, so a user's ~/.my.cnf cannot redirect the tool), never argv.
 */
import type { Readable } from 'node:stream';
import type { ConnectionTarget } from '../core/url.js';
import type { Engine } from './engine.js';

export type BackupKind = 'full' | 'schema-only' | 'data-only';

export interface TableContent {
  schema: string;
  name: string;
  rows: number;
  /**
   * Hex digest of the table's content. Independent of row order, computed the same way at dump time and
   * on a restored database of the same engine (see the driver's contentMethod); not comparable across
   * engines.
   */
  checksum: string;
}

export interface DumpOptions {
  kind: BackupKind;
  /** Only these tables (name or schema.name); all when absent. */
  tables?: string[];
  /** A private directory for temporary files on the repository's file system. */
  workDir: string;
  /** Called now and then with the number of raw dump bytes written so far, and their total when the driver knows it. */
  onProgress?: (bytes: number, totalBytes?: number) => void;
}

export interface DumpInfo {
  /** The tool that wrote the dump, e.g. { name: 'pg_dump', version: '15.20' }. */
  tool: { name: string; version: string };
  /** Format of the raw dump: 'pg_dump-custom' | 'mysql-sql' | 'sqlite-db'. */
  format: string;
  /** Per-table counts and checksums of what the dump contains ([] for schema-only). */
  tables: TableContent[];
  /** How `tables` were computed: the driver's contentMethod. */
  contentMethod: string;
  /** What the checksums cannot see, when something (e.g. a dump tool rounds some values). */
  contentNote?: string;
  /** True when `tables` were computed in the same snapshot as the dump. */
  sameSnapshot: boolean;
  /** Why not, when sameSnapshot is false; a caveat about the snapshot otherwise. */
  snapshotNote?: string;
  /** Raw dump bytes written to the output. */
  bytes: number;
}

export interface BackupDriver {
  /**
   * How this driver computes table contents, e.g. 'pg_dump-copy-rows/1'. Checksums compare only when
   * computed by the same method: a manifest records the method its checksums come from.
   */
  readonly contentMethod: string;
  /**
   * Write a consistent dump (the engine's own format, uncompressed) into the file descriptor `output`
   * (blocking: the write end of a pipe into the compressor, or a file), which stays open (the caller
   * closes it). Resolves after the dump tool exited successfully and everything was written; rejects on
   * any failure.
   */
  dump(engine: Engine, output: number, options: DumpOptions): Promise<DumpInfo>;
  /**
   * The engine's own structural check of a raw dump read from `input` (pg_restore --list, PRAGMA
   * integrity_check on the file, a full parse of the SQL). Resolves to a one-line summary; throws
   * VerificationError when the dump is damaged.
   */
  checkStructure(input: Readable, options: { workDir: string }): Promise<string>;
  /**
   * Restore a raw dump read from `input` into the existing, empty database `target`. With
   * preserveOwnership (restoring on the source's own server), owners and privileges are restored as
   * dumped; otherwise they are left to the connecting user, since the roles may not exist there.
   */
  restore(target: ConnectionTarget, input: Readable, options: { tables?: string[]; workDir: string; preserveOwnership?: boolean }): Promise<void>;
  /**
   * Per-table counts and checksums of a database that nothing writes to meanwhile (a restored copy),
   * computed exactly as at dump time (PostgreSQL and MySQL: from a fresh data-only dump of it, digested
   * the same way; SQLite: large tables in two halves on two connections).
   */
  tableContents(engine: Engine, tables?: string[]): Promise<TableContent[]>;
  /** Create an empty database beside `near` (same server, or a file in the same directory). */
  createDatabase(near: Engine, name: string): Promise<ConnectionTarget>;
  /** Drop a database created by createDatabase (or left by a restore). Never the connected one. */
  dropDatabase(near: Engine, target: ConnectionTarget): Promise<void>;
  /**
   * Swap the restored database in place of `current`'s database, atomically where the engine allows.
   * The replaced data is kept under a new name, which is returned, so the caller can drop it once done.
   * `current` may be closed by this call (connections to the database are ended).
   */
  swapIn(current: Engine, restored: ConnectionTarget): Promise<{ replacedBy: string; keptAs: string }>;
  /** Shell commands (one per line) that restore the raw dump file `dumpFile` by hand into `target`. */
  manualRestoreSteps(dumpFile: string, target: ConnectionTarget): string[];
}
