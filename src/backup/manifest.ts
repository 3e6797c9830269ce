/**
 * The manifest: the last file written into a backup, atomically. A backup without a valid manifest
 * does not exist (it is never listed, restored or counted by retention).
 */
import type { BackupKind, TableContent } from '../engines/backup-driver.js';
import type { EngineName } from '../core/url.js';

/**
 * 2: table checksums of PostgreSQL and MySQL/MariaDB backups are read from the dump itself (contentMethod
 * says how); 1: they were computed by queries on the server. Format 1 manifests are still read:
 * their files can be checked and restored, but their PostgreSQL and MySQL checksums cannot be
 * recomputed by this version (see contentMethodOf).
 */
export const MANIFEST_FORMAT = 2;
const KNOWN_FORMATS: readonly number[] = [1, 2];
/** How format 1 manifests' checksums were computed (SQLite's method has not changed since). */
const FORMAT_1_METHODS: Record<EngineName, string> = {
  sqlite: 'sqlite-row-sha256/1',
  postgres: 'postgres-server-query (dbward 0.1, format 1)',
  mysql: 'mysql-server-query (dbward 0.1, format 1)',
};
export const MANIFEST_FILE = 'manifest.json';
export const RESTORE_NOTE_FILE = 'RESTORE.txt';
export const VERIFICATION_FILE = 'verification.json';

export type Compression = 'zstd' | 'gzip';

export interface StoredFile {
  name: string;
  size: number;
  sha256: string;
}

export interface Manifest {
  formatVersion: 1 | 2;
  dbwardVersion: string;
  name: string;
  databaseId: string;
  engine: EngineName;
  server: { product: string; version: string };
  /** Redacted description of the source (never credentials). */
  source: string;
  database: string;
  kind: BackupKind;
  /** Tables the backup was limited to, or null for all. */
  tablesFilter: string[] | null;
  dump: { tool: string; toolVersion: string; format: string };
  /** Row counts and content checksums per table, from the dump's snapshot where sameSnapshot is true. */
  tables: TableContent[];
  /** How the checksums were computed (format 2; see contentMethodOf for format 1). */
  contentMethod?: string;
  /** What the checksums cannot see, if anything (format 2). */
  contentNote?: string | null;
  sameSnapshot: boolean;
  snapshotNote: string | null;
  schemaFingerprint: string;
  sizes: { raw: number; stored: number };
  /** Every stored file of the backup except the manifest itself. */
  files: StoredFile[];
  /** The data file's name among `files`. */
  dataFile: string;
  compression: Compression;
  /** age encryption: SHA-256 fingerprints of the recipients (never keys), or null when not encrypted. */
  encryption: { format: 'age'; recipientFingerprints: string[] } | null;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
}

export interface VerificationRecord {
  level: VerifyLevel;
  ok: boolean;
  at: string;
  durationMs: number;
  /** What was checked, and every difference found. */
  details: string[];
}

export type VerifyLevel = 'checksum' | 'structure' | 'restore';

/** Parse a manifest; null when it is missing or not a manifest of a format we know. */
export function parseManifest(text: string | null): Manifest | null {
  if (text === null) return null;
  try {
    const m = JSON.parse(text) as Manifest;
    if (!KNOWN_FORMATS.includes(m.formatVersion) || typeof m.name !== 'string' || !Array.isArray(m.files)) return null;
    return m;
  } catch {
    return null;
  }
}

/** The method a manifest's table checksums were computed with. */
export function contentMethodOf(manifest: Manifest): string {
  return manifest.contentMethod ?? FORMAT_1_METHODS[manifest.engine];
}
