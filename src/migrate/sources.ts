/**
 * Load migrations from a folder in one of two layouts:
 *
 *   prisma  <dir>/<YYYYMMDDHHMMSS>_<name>/migration.sql and <dir>/migration_lock.toml. Like Prisma,
 *           any folder holding a migration.sql is a migration, ordered by folder name (so
 *           Prisma's `0_init` baseline sorts first). An optional down.sql beside migration.sql
 *           (e.g. from `prisma migrate diff --script`) is the down script.
 *   sql     <version>_<name>.sql (or .up.sql, with an optional .down.sql) files, or
 *           <version>_<name>/ folders with up.sql and an optional down.sql; ordered by version
 *           as a number.
 *
 * Problems that do not stop a run (gaps in numbering, stray files, a missing lock file) are
 * findings; ambiguous input (two migrations with one version, a bad lock file) is a UsageError.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { UsageError, errorMessage } from '../core/errors.js';
import type { EngineName } from '../core/url.js';
import { sha256Hex } from './checksum.js';

export type Layout = 'prisma' | 'sql';

/** A line of its own with this comment runs the script outside a transaction, statement by statement. */
export const NO_TRANSACTION_MARKER = '-- dbward:no-transaction';
export const PRISMA_LOCK_FILE = 'migration_lock.toml';

export interface Script {
  path: string;
  /** The file's text (UTF-8), byte for byte. */
  text: string;
  noTransaction: boolean;
}

export interface Migration {
  /** The key in the history table: Prisma's folder name, or the plain layout's version. */
  id: string;
  version: string;
  name: string;
  up: Script;
  down: Script | null;
  /** Lowercase hex SHA-256 of the up script's bytes (Prisma's checksum). */
  checksum: string;
}

export interface Finding {
  level: 'error' | 'warning' | 'info';
  code: 'gap' | 'out-of-order' | 'edited' | 'missing' | 'failed' | 'pending' | 'ignored' | 'no-lock-file';
  message: string;
  migration?: string;
}

export interface MigrationSource {
  dir: string;
  layout: Layout;
  migrations: Migration[];
  /** The provider in Prisma's migration_lock.toml, or null (plain layout, or no lock file). */
  provider: string | null;
  findings: Finding[];
}

/** Prisma's provider names for each engine (MariaDB is `mysql` to Prisma). */
const PRISMA_PROVIDERS: Record<EngineName, readonly string[]> = {
  postgres: ['postgresql', 'postgres'],
  mysql: ['mysql'],
  sqlite: ['sqlite'],
};

export function prismaProvider(engine: EngineName): string {
  return PRISMA_PROVIDERS[engine][0]!;
}

const PLAIN_NAME = /^(\d+)_(.+)$/;
/** Versions with fewer digits are sequence numbers (1, 2, 3 or 0001…), checked for gaps; longer ones are timestamps. */
const SEQUENCE_DIGITS = 8;

export function loadMigrations(dir: string, options: { layout?: Layout } = {}): MigrationSource {
  const stat = fs.statSync(dir, { throwIfNoEntry: false });
  if (!stat?.isDirectory()) {
    throw new UsageError(`The migrations folder does not exist: ${dir}`, 'Set migrations.dir in the config file, or create a first migration with `dbward migrate new NAME`.');
  }
  const layout = options.layout ?? detectLayout(dir);
  return layout === 'prisma' ? loadPrisma(dir) : loadPlain(dir);
}

export function detectLayout(dir: string): Layout {
  if (fs.existsSync(path.join(dir, PRISMA_LOCK_FILE))) return 'prisma';
  return entries(dir).some((e) => e.isDirectory() && fs.existsSync(path.join(dir, e.name, 'migration.sql'))) ? 'prisma' : 'sql';
}

/** Refuse a Prisma migrations folder whose lock file names another database. */
export function checkProvider(source: MigrationSource, engine: EngineName): void {
  if (source.provider === null || PRISMA_PROVIDERS[engine].includes(source.provider)) return;
  throw new UsageError(
    `${path.join(source.dir, PRISMA_LOCK_FILE)} says provider = "${source.provider}", but the database is ${engine === 'postgres' ? 'PostgreSQL' : engine === 'mysql' ? 'MySQL/MariaDB' : 'SQLite'} (provider "${prismaProvider(engine)}").`,
    'These migrations were written for another database. Point DATABASE_URL at the right database, or use the migrations folder made for this one.',
  );
}

function entries(dir: string): fs.Dirent[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.'))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function readScript(file: string): Script {
  const text = fs.readFileSync(file, 'utf8');
  return { path: file, text, noTransaction: text.split(/\r?\n/).some((line) => line.trim().toLowerCase() === NO_TRANSACTION_MARKER) };
}

function optionalScript(file: string): Script | null {
  return fs.existsSync(file) ? readScript(file) : null;
}

function migration(id: string, version: string, name: string, upPath: string, downPath: string): Migration {
  const up = readScript(upPath);
  return { id, version, name, up, down: optionalScript(downPath), checksum: sha256Hex(fs.readFileSync(upPath)) };
}

function loadPrisma(dir: string): MigrationSource {
  const findings: Finding[] = [];
  const migrations: Migration[] = [];
  for (const e of entries(dir)) {
    if (!e.isDirectory()) continue;
    const folder = path.join(dir, e.name);
    if (!fs.existsSync(path.join(folder, 'migration.sql'))) {
      findings.push({ level: 'warning', code: 'ignored', message: `${folder} has no migration.sql; skipped.`, migration: e.name });
      continue;
    }
    const underscore = e.name.indexOf('_');
    const [version, name] = underscore === -1 ? [e.name, e.name] : [e.name.slice(0, underscore), e.name.slice(underscore + 1)];
    migrations.push(migration(e.name, version, name, path.join(folder, 'migration.sql'), path.join(folder, 'down.sql')));
  }
  const provider = readLockFile(dir, findings);
  return { dir, layout: 'prisma', migrations, provider, findings };
}

function readLockFile(dir: string, findings: Finding[]): string | null {
  const file = path.join(dir, PRISMA_LOCK_FILE);
  if (!fs.existsSync(file)) {
    findings.push({ level: 'info', code: 'no-lock-file', message: `${file} is missing, so the database provider cannot be checked.` });
    return null;
  }
  let parsed: Record<string, unknown>;
  try {
    parsed = parseToml(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`${file} is not valid TOML: ${errorMessage(err).split('\n')[0]}`);
  }
  if (typeof parsed.provider !== 'string') {
    findings.push({ level: 'info', code: 'no-lock-file', message: `${file} names no provider, so the database provider cannot be checked.` });
    return null;
  }
  return parsed.provider;
}

function loadPlain(dir: string): MigrationSource {
  const findings: Finding[] = [];
  const byVersion = new Map<string, Migration>();
  const add = (m: Migration) => {
    const other = byVersion.get(BigInt(m.version).toString());
    if (other) {
      throw new UsageError(`Two migrations have version ${m.version}: ${other.up.path} and ${m.up.path}.`, 'Give one of them a new version number.');
    }
    byVersion.set(BigInt(m.version).toString(), m);
  };
  for (const e of entries(dir)) {
    const full = path.join(dir, e.name);
    const folder = e.isDirectory() && PLAIN_NAME.exec(e.name);
    if (folder && fs.existsSync(path.join(full, 'up.sql'))) {
      add(migration(folder[1]!, folder[1]!, folder[2]!, path.join(full, 'up.sql'), path.join(full, 'down.sql')));
      continue;
    }
    const file = e.isFile() && /^(\d+)_(.+?)(\.up|\.down)?\.sql$/.exec(e.name);
    if (file) {
      if (file[3] !== '.down') add(migration(file[1]!, file[1]!, file[2]!, full, path.join(dir, `${file[1]}_${file[2]}.down.sql`)));
      continue;
    }
    if (e.isDirectory() || e.name.endsWith('.sql')) {
      findings.push({ level: 'warning', code: 'ignored', message: `${full} is not a migration (expected <version>_<name>.sql or <version>_<name>/up.sql); skipped.` });
    }
  }
  const migrations = [...byVersion.values()].sort((a, b) => compareVersions(a.version, b.version));
  findings.push(...gaps(migrations));
  return { dir, layout: 'sql', migrations, provider: null, findings };
}

export function compareVersions(a: string, b: string): number {
  const d = BigInt(a) - BigInt(b);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/** The order of migration ids in a layout: Prisma's folder names as text, plain versions as numbers. */
export function compareIds(layout: Layout): (a: string, b: string) => number {
  return layout === 'sql' ? compareVersions : (a, b) => (a < b ? -1 : a > b ? 1 : 0);
}

/** Missing sequence numbers between consecutive plain versions (1, 2, 4 → 3 is missing). */
function gaps(migrations: Migration[]): Finding[] {
  const numbers = migrations.filter((m) => m.version.length < SEQUENCE_DIGITS).map((m) => Number(m.version));
  const found: Finding[] = [];
  for (let k = 1; k < numbers.length; k++) {
    const [a, b] = [numbers[k - 1]!, numbers[k]!];
    if (b - a > 1) {
      const missing = b - a === 2 ? `${a + 1}` : `${a + 1}–${b - 1}`;
      found.push({ level: 'warning', code: 'gap', message: `Version ${missing} is missing between ${a} and ${b}.` });
    }
  }
  return found;
}
