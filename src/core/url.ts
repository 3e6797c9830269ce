/**
 * Database URLs: detect the engine from the scheme, parse, validate parameters and redact.
 * Accepted schemes: file: and sqlite: (SQLite), postgres:// and postgresql:// (PostgreSQL),
 * mysql:// and mariadb:// (MySQL/MariaDB). Anything else is a usage error naming these.
 */
import path from 'node:path';
import { UsageError } from './errors.js';
import { redactText, registerSecret } from './redact.js';

export type EngineName = 'sqlite' | 'postgres' | 'mysql';

export const ACCEPTED_SCHEMES = ['file:', 'sqlite:', 'postgres://', 'postgresql://', 'mysql://', 'mariadb://'] as const;

interface TargetBase {
  /** The URL as given, with every secret replaced by ***: the only form that may be printed. */
  readonly redacted: string;
  /** Query parameters, validated against the engine's accepted list. */
  readonly params: Readonly<Record<string, string>>;
}

export interface SqliteTarget extends TargetBase {
  readonly engine: 'sqlite';
  /** Absolute path of the database file, or ':memory:'. */
  readonly path: string;
}

export interface ServerTarget extends TargetBase {
  readonly engine: 'postgres' | 'mysql';
  readonly host: string;
  readonly port: number;
  /** Unix socket path (PostgreSQL: the socket directory), when connecting over a socket. */
  readonly socket: string | undefined;
  readonly user: string | undefined;
  /** Never print this; use `redacted`. */
  readonly password: string | undefined;
  readonly database: string;
}

export type ConnectionTarget = SqliteTarget | ServerTarget;

/** Parameters each engine accepts. Prisma's pool parameters are accepted because the same DATABASE_URL serves Prisma. */
const PRISMA_POOL_PARAMS = ['connection_limit', 'pool_timeout', 'socket_timeout', 'pgbouncer', 'statement_cache_size', 'schema'];
const ACCEPTED_PARAMS: Record<EngineName, readonly string[]> = {
  sqlite: ['mode', 'connection_limit', 'socket_timeout'],
  postgres: [
    'sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'sslpassword', 'sslaccept',
    'connect_timeout', 'application_name', 'options', 'host', 'port', 'user', 'password', 'target_session_attrs',
    ...PRISMA_POOL_PARAMS,
  ],
  mysql: [
    'sslmode', 'ssl-mode', 'sslca', 'sslcert', 'sslkey', 'sslidentity', 'sslpassword', 'sslaccept',
    'connect_timeout', 'charset', 'timezone', 'socket',
    ...PRISMA_POOL_PARAMS,
  ],
};

const PG_SSLMODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify'];
const MYSQL_SSLMODES = ['disabled', 'preferred', 'required', 'verify_ca', 'verify_identity'];

function schemeError(raw: string): UsageError {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(raw)?.[1];
  const what = scheme ? `Unsupported database URL scheme "${scheme}:"` : 'Not a database URL';
  return new UsageError(
    `${what}: ${redactText(raw)}`,
    `Accepted schemes: ${ACCEPTED_SCHEMES.join(', ')} (e.g. file:./dev.db, postgres://user@host:5432/db, mysql://user@host:3306/db).`,
  );
}

export function detectEngine(raw: string): EngineName {
  const lower = raw.trim().toLowerCase();
  if (lower.startsWith('file:') || lower.startsWith('sqlite:')) return 'sqlite';
  if (lower.startsWith('postgres://') || lower.startsWith('postgresql://')) return 'postgres';
  if (lower.startsWith('mysql://') || lower.startsWith('mariadb://')) return 'mysql';
  throw schemeError(raw);
}

export function parseDatabaseUrl(raw: string, options: { cwd?: string } = {}): ConnectionTarget {
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw new UsageError('The database URL is empty.', 'Set DATABASE_URL (environment or .env) or pass --url.');
  }
  const url = raw.trim();
  const engine = detectEngine(url);
  return engine === 'sqlite' ? parseSqlite(url, options.cwd ?? process.cwd()) : parseServer(url, engine);
}

function splitQuery(rest: string): [string, URLSearchParams] {
  const q = rest.indexOf('?');
  return q === -1 ? [rest, new URLSearchParams()] : [rest.slice(0, q), new URLSearchParams(rest.slice(q + 1))];
}

function collectParams(engine: EngineName, search: URLSearchParams, redacted: string): Record<string, string> {
  const params: Record<string, string> = {};
  const unknown: string[] = [];
  for (const [key, value] of search) {
    if (!ACCEPTED_PARAMS[engine].includes(key)) unknown.push(key);
    params[key] = value;
  }
  if (unknown.length) {
    throw new UsageError(
      `Unsupported parameter${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')} in ${redacted}`,
      `Accepted for ${engine}: ${ACCEPTED_PARAMS[engine].join(', ')}.`,
    );
  }
  return params;
}

function parseSqlite(url: string, cwd: string): SqliteTarget {
  const redacted = redactText(url);
  const rest = url.slice(url.indexOf(':') + 1);
  const [rawPath, search] = splitQuery(rest);
  // sqlite:///abs/path and file:///abs/path keep one slash; sqlite://./rel keeps the relative path.
  let p = rawPath.startsWith('//') ? rawPath.slice(2) : rawPath;
  try {
    p = decodeURIComponent(p);
  } catch {
    throw new UsageError(`Malformed percent-encoding in SQLite path: ${redacted}`);
  }
  if (p === '') throw new UsageError(`No file path in SQLite URL: ${redacted}`, 'Example: file:./dev.db or file:/var/lib/app/app.db');
  if (p.includes('\0')) throw new UsageError(`SQLite path contains a NUL character: ${redacted}`);
  const params = collectParams('sqlite', search, redacted);
  if (params.mode !== undefined && !['ro', 'rw', 'rwc'].includes(params.mode)) {
    throw new UsageError(`Unsupported SQLite mode "${params.mode}" in ${redacted}`, 'Accepted modes: ro, rw, rwc.');
  }
  const resolved = p === ':memory:' ? p : path.resolve(cwd, p);
  return { engine: 'sqlite', path: resolved, params, redacted };
}

function parseServer(url: string, engine: 'postgres' | 'mysql'): ServerTarget {
  const redacted = redactText(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`Malformed database URL: ${redacted}`, 'Expected scheme://user:password@host:port/database?param=value (percent-encode special characters in the password).');
  }
  let password: string | undefined;
  let user: string | undefined;
  let database: string;
  try {
    password = parsed.password ? decodeURIComponent(parsed.password) : undefined;
    user = parsed.username ? decodeURIComponent(parsed.username) : undefined;
    database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  } catch {
    throw new UsageError(`Malformed percent-encoding in database URL: ${redacted}`);
  }
  registerSecret(password);
  const params = collectParams(engine, parsed.searchParams, redacted);
  registerSecret(params.password);
  registerSecret(params.sslpassword);
  password = password ?? params.password;
  user = user ?? params.user;

  const defaultPort = engine === 'postgres' ? 5432 : 3306;
  const portText = parsed.port || params.port;
  const port = portText ? Number(portText) : defaultPort;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`Invalid port "${portText}" in ${redacted}`);

  const socket = engine === 'postgres' ? (params.host?.startsWith('/') ? params.host : undefined) : params.socket;
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1') || (engine === 'postgres' ? (params.host && !params.host.startsWith('/') ? params.host : '') : '');
  if (!host && !socket) throw new UsageError(`No host in database URL: ${redacted}`, 'Give a host (postgres://user@localhost:5432/db) or a socket parameter.');

  if (database.includes('/')) throw new UsageError(`Invalid database name "${database}" in ${redacted}`);
  if (!database) {
    if (engine === 'mysql') throw new UsageError(`No database name in ${redacted}`, 'Example: mysql://user@localhost:3306/app');
    database = user ?? 'postgres';
  }

  const sslmode = params.sslmode ?? params['ssl-mode'];
  if (sslmode !== undefined) {
    const allowed = engine === 'postgres' ? PG_SSLMODES : MYSQL_SSLMODES;
    if (!allowed.includes(sslmode.toLowerCase())) {
      throw new UsageError(`Unsupported sslmode "${sslmode}" in ${redacted}`, `Accepted: ${allowed.join(', ')}.`);
    }
  }
  if (params.connect_timeout !== undefined && !/^\d+$/.test(params.connect_timeout)) {
    throw new UsageError(`connect_timeout must be a whole number of seconds in ${redacted}`);
  }
  return { engine, host, port, socket, user, password, database, params, redacted };
}

/** A short description for output: engine, user, host:port and database — never the password. */
export function describeTarget(target: ConnectionTarget): string {
  if (target.engine === 'sqlite') return `sqlite ${target.path}`;
  const where = target.socket ? target.socket : `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
  return `${target.engine} ${target.user ? `${target.user}@` : ''}${where}/${target.database}`;
}

/** The database's name: the file path for SQLite, the database name on a server. */
export function databaseName(target: ConnectionTarget): string {
  return target.engine === 'sqlite' ? target.path : target.database;
}
