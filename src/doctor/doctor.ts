/**
 * doctor: a checklist of everything dbward needs from this machine and this database — engine,
 * reachability, server version, privileges, native tools and (SQLite) file permissions.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DbwardError, errorMessage } from '../core/errors.js';
import { formatMode, modeOf } from '../core/fsx.js';
import { probeTool } from '../core/tools.js';
import { describeTarget, type ConnectionTarget, type SqliteTarget } from '../core/url.js';
import type { Engine, ServerVersion } from '../engines/engine.js';
import { connect, type ConnectOptions } from '../engines/index.js';
import { checkEngineTools } from '../engines/tools.js';
import type { Check } from './checks.js';

export type { Check, CheckStatus } from './checks.js';

export interface DoctorReport {
  target: string;
  engine: ConnectionTarget['engine'];
  /** False when any check failed. */
  ok: boolean;
  checks: Check[];
}

export interface DoctorOptions {
  /** Where the URL came from, for the report (e.g. "environment"). */
  urlSource?: string;
  connect?: ConnectOptions;
}

const ENGINE_LABEL = { sqlite: 'SQLite', postgres: 'PostgreSQL', mysql: 'MySQL/MariaDB' } as const;

export async function runDoctor(target: ConnectionTarget, options: DoctorOptions = {}): Promise<DoctorReport> {
  const checks: Check[] = [
    {
      id: 'engine',
      title: 'engine',
      status: 'pass',
      detail: `${ENGINE_LABEL[target.engine]} — ${describeTarget(target)}${options.urlSource ? ` (URL from ${options.urlSource})` : ''}`,
    },
  ];
  if (target.engine === 'sqlite') checks.push(...sqlitePermissionChecks(target));

  let engine: Engine | null = null;
  let server: ServerVersion | null = null;
  const started = Date.now();
  try {
    engine = await connect(target, options.connect);
    checks.push({ id: 'connection', title: 'reachable', status: 'pass', detail: `connected in ${Date.now() - started} ms` });
  } catch (err) {
    checks.push({
      id: 'connection',
      title: 'reachable',
      status: 'fail',
      detail: errorMessage(err),
      ...(err instanceof DbwardError && err.hint ? { hint: err.hint } : {}),
    });
  }

  try {
    if (engine) {
      server = await engine.serverVersion();
      checks.push({ id: 'server.version', title: 'server version', status: 'pass', detail: `${server.product} ${server.full}` });
      checks.push(...(await privilegeChecks(engine)));
    } else {
      for (const [id, title] of [['server.version', 'server version'], ['privileges', 'privileges']] as const) {
        checks.push({ id, title, status: 'skip', detail: 'not reachable' });
      }
    }
  } finally {
    await engine?.close();
  }

  checks.push(...(await checkEngineTools(target.engine, server)));
  checks.push(...(await compressionAndEncryptionTools()));
  return { target: describeTarget(target), engine: target.engine, ok: checks.every((c) => c.status !== 'fail'), checks };
}

async function privilegeChecks(engine: Engine): Promise<Check[]> {
  const p = await engine.privileges();
  const notes = p.notes.length ? `; ${p.notes.join('; ')}` : '';
  return [
    {
      id: 'privileges.user',
      title: 'connecting user',
      status: 'pass',
      detail: `${p.user}${p.superuser ? ' (superuser)' : ''}${notes}`,
      ...(p.superuser ? { hint: 'Fine for operations; give the application itself a least-privilege role.' } : {}),
    },
    p.canCreateDatabase
      ? { id: 'privileges.create-database', title: 'can create databases', status: 'pass', detail: 'yes (scratch databases for restore checks and drift)' }
      : {
          id: 'privileges.create-database',
          title: 'can create databases',
          status: 'warn',
          detail: 'no: restore verification and drift checks need a scratch database',
          hint: engine.name === 'sqlite' ? 'Make the directory writable.' : 'Grant CREATE DATABASE (PostgreSQL: ALTER ROLE … CREATEDB; MySQL: GRANT CREATE ON *.*) or configure a scratch database URL.',
        },
  ];
}

async function compressionAndEncryptionTools(): Promise<Check[]> {
  const [zstd, gzip, age] = await Promise.all([probeTool('zstd'), probeTool('gzip'), probeTool('age')]);
  return [
    zstd
      ? { id: 'tool.zstd', title: 'zstd', status: 'pass', detail: `${zstd.version ?? zstd.versionText} (${zstd.path})` }
      : { id: 'tool.zstd', title: 'zstd', status: 'fail', detail: 'not found on PATH (default backup compression)', hint: 'Install zstd (Debian: apt-get install zstd).' },
    gzip
      ? { id: 'tool.gzip', title: 'gzip', status: 'pass', detail: `${gzip.version ?? gzip.versionText} (${gzip.path})` }
      : { id: 'tool.gzip', title: 'gzip', status: 'warn', detail: 'not found on PATH (needed only for backup.compression: gzip)', hint: 'Install gzip (Debian: apt-get install gzip).' },
    age
      ? { id: 'tool.age', title: 'age', status: 'pass', detail: `${age.version ?? age.versionText} (${age.path})` }
      : { id: 'tool.age', title: 'age', status: 'warn', detail: 'not found on PATH (needed only for encrypted backups)', hint: 'Install age (Debian: apt-get install age).' },
  ];
}

/** Warn when the database file (or -wal/-shm) is wider than 0640 or its directory wider than 0750. */
function sqlitePermissionChecks(target: SqliteTarget): Check[] {
  if (target.path === ':memory:') return [];
  const checks: Check[] = [];
  const dir = path.dirname(target.path);
  const dirMode = modeOf(dir);
  if (dirMode === null) {
    return [{ id: 'sqlite.directory', title: 'database directory', status: 'fail', detail: `${dir} does not exist` }];
  }
  checks.push(
    dirMode & ~0o750
      ? { id: 'sqlite.directory', title: 'database directory', status: 'warn', detail: `${dir} is ${formatMode(dirMode)}, wider than 0750`, hint: `chmod 750 ${dir}` }
      : { id: 'sqlite.directory', title: 'database directory', status: 'pass', detail: `${dir} is ${formatMode(dirMode)}` },
  );
  for (const suffix of ['', '-wal', '-shm']) {
    const file = `${target.path}${suffix}`;
    const mode = modeOf(file);
    const id = `sqlite.file${suffix}`;
    const title = suffix ? `database ${suffix.slice(1)} file` : 'database file';
    if (mode === null) {
      if (!suffix) checks.push({ id, title, status: 'fail', detail: `${file} does not exist` });
      continue;
    }
    if (!fs.statSync(file).isFile()) checks.push({ id, title, status: 'fail', detail: `${file} is not a regular file` });
    else if (mode & ~0o640) checks.push({ id, title, status: 'warn', detail: `${file} is ${formatMode(mode)}, wider than 0640`, hint: `chmod 640 ${file}` });
    else checks.push({ id, title, status: 'pass', detail: `${file} is ${formatMode(mode)}` });
  }
  return checks;
}
