/**
 * Open a MySQL/MariaDB pool from a parsed target and classify driver errors.
 *
 * TLS (`sslmode` or `ssl-mode`):
 *   disabled, preferred  no TLS. mysql2 cannot try TLS and fall back to plain text the way the mysql
 *                        client does, so `preferred` (also the default) means plain text; ask for
 *                        `required` or stronger to get encryption.
 *   required             TLS without certificate checks (`sslaccept=strict` turns the checks on).
 *   verify_ca            TLS, certificate checked against the CA, host name not checked.
 *   verify_identity      TLS, certificate and host name checked.
 * Giving any of sslca, sslcert, sslkey, sslidentity or sslaccept without a mode means `required`.
 * Files: sslca → CA, sslcert/sslkey → client certificate and key (PEM), sslidentity → PKCS#12
 * bundle with `sslpassword` as its passphrase.
 */
import fs from 'node:fs';
import mysql from 'mysql2/promise';
import { ConnectionError, UsageError, errorMessage, type ConnectionFailureKind } from '../../core/errors.js';
import { redactText, registerSecret } from '../../core/redact.js';
import { describeTarget, type ServerTarget } from '../../core/url.js';
import type { Engine } from '../engine.js';
import { MysqlEngine } from './engine.js';

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const TLS_FILE_PARAMS = { sslca: 'ca', sslcert: 'cert', sslkey: 'key', sslidentity: 'pfx' } as const;

export async function connectMysql(target: ServerTarget, opts: { timeoutMs: number }): Promise<Engine> {
  registerSecret(target.password);
  const pool = mysql.createPool(poolOptions(target, opts.timeoutMs));
  // An idle connection dropped by the server emits 'error'; the next query reports the failure instead.
  pool.on('connection', (conn) => conn.on('error', () => undefined));
  try {
    const [rows] = await pool.query<mysql.RowDataPacket[]>('SELECT VERSION() AS version');
    return new MysqlEngine(target, pool, String(rows[0]?.version));
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw classifyError(target, err);
  }
}

function poolOptions(target: ServerTarget, timeoutMs: number): mysql.PoolOptions {
  const { params } = target;
  const connectTimeout = Math.min(
    params.connect_timeout ? Number(params.connect_timeout) * 1000 : DEFAULT_CONNECT_TIMEOUT_MS,
    timeoutMs,
  );
  return {
    ...(target.socket ? { socketPath: target.socket } : { host: target.host, port: target.port }),
    user: target.user,
    password: target.password,
    database: target.database,
    connectTimeout,
    connectionLimit: connectionLimit(target),
    charset: params.charset ?? 'utf8mb4',
    timezone: params.timezone ?? 'local',
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    ssl: tlsOptions(target),
  };
}

function connectionLimit(target: ServerTarget): number {
  const limit = target.params.connection_limit;
  if (limit === undefined) return 10;
  if (!/^[1-9]\d*$/.test(limit)) throw new UsageError(`connection_limit must be a positive whole number in ${target.redacted}`);
  return Number(limit);
}

function tlsOptions(target: ServerTarget): mysql.SslOptions | undefined {
  const { params } = target;
  const hasTlsParams = Object.keys(TLS_FILE_PARAMS).some((p) => params[p] !== undefined) || params.sslaccept !== undefined;
  if (params.sslaccept !== undefined && !['strict', 'accept_invalid_certs'].includes(params.sslaccept)) {
    throw new UsageError(`Unsupported sslaccept "${params.sslaccept}" in ${target.redacted}`, 'Accepted: strict, accept_invalid_certs.');
  }
  const mode = (params.sslmode ?? params['ssl-mode'] ?? (hasTlsParams ? 'required' : 'preferred')).toLowerCase();
  if (mode === 'disabled' || mode === 'preferred') return undefined;
  const ssl: mysql.SslOptions = {
    rejectUnauthorized: mode !== 'required' || params.sslaccept === 'strict',
    verifyIdentity: mode === 'verify_identity',
    ...(params.sslpassword !== undefined ? { passphrase: params.sslpassword } : {}),
  };
  for (const [param, option] of Object.entries(TLS_FILE_PARAMS)) {
    const file = params[param];
    if (file === undefined) continue;
    try {
      Object.assign(ssl, { [option]: fs.readFileSync(file) });
    } catch (err) {
      throw new UsageError(`Cannot read ${param} file "${file}" for ${describeTarget(target)}: ${errorMessage(err)}`);
    }
  }
  return ssl;
}

const TRANSIENT = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST', 'ER_CON_COUNT_ERROR', 'ER_SERVER_SHUTDOWN',
]);
const TRANSIENT_ERRNO = new Set([1040, 1053]);
const AUTH_ERRNO = new Set([1044, 1045, 1698]);
const UNKNOWN_DATABASE_ERRNO = 1049;

function kindOf(err: { code?: unknown; errno?: unknown }): ConnectionFailureKind {
  const errno = typeof err.errno === 'number' ? err.errno : undefined;
  if (errno !== undefined && AUTH_ERRNO.has(errno)) return 'auth';
  if (errno === UNKNOWN_DATABASE_ERRNO) return 'unknown-database';
  if ((errno !== undefined && TRANSIENT_ERRNO.has(errno)) || TRANSIENT.has(String(err.code))) return 'transient';
  return 'other';
}

const HINTS: Record<ConnectionFailureKind, (target: ServerTarget) => string> = {
  transient: () => 'Is the server running and reachable at that address? dbward retries this kind of failure.',
  auth: (t) =>
    `Check the user name and password in the URL, and that the server grants ${t.user ?? 'this user'} access from this host (SHOW GRANTS; a user is matched by user@host).`,
  'unknown-database': (t) => `Create it first (CREATE DATABASE \`${t.database}\`) or fix the database name in the URL.`,
  other: () => 'Check the host name, port and TLS settings in the URL.',
};

/** Turn a driver error into a ConnectionError whose message names the redacted target and never the password. */
function classifyError(target: ServerTarget, err: unknown): unknown {
  if (err instanceof UsageError || !(err instanceof Error)) return err;
  const kind = kindOf(err as { code?: unknown; errno?: unknown });
  const detail = redactText(err.message || String((err as { code?: unknown }).code));
  return new ConnectionError(kind, `Cannot connect to ${describeTarget(target)}: ${detail}`, HINTS[kind](target), err);
}
