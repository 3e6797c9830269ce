/**
 * Open a PostgreSQL pool from a parsed target and classify connection failures.
 *
 * The pool is configured field by field (never from the URL string), so the password only travels
 * as a config field and never ends up in application_name, options or a message.
 *
 * sslmode: disable (and no sslmode at all, as node-postgres does) → no TLS; require and no-verify →
 * TLS without certificate checks; verify-ca → the chain is checked against sslrootcert (or the
 * system CAs) but not the host name; verify-full → chain and host name. pg cannot fall back between
 * plain and TLS inside one attempt, so prefer and allow both try TLS first and reconnect without it
 * when the server says it does not support SSL (libpq's allow would try plain text first).
 */
import fs from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import { ConnectionError, UsageError, errorMessage, type ConnectionFailureKind } from '../../core/errors.js';
import { redactText } from '../../core/redact.js';
import { describeTarget, type ServerTarget } from '../../core/url.js';
import type { Engine } from '../engine.js';
import { PostgresEngine } from './engine.js';

const NO_SSL_SUPPORT = 'The server does not support SSL connections';

export async function connectPostgres(target: ServerTarget, opts: { timeoutMs: number }): Promise<Engine> {
  const config = poolConfig(target, opts.timeoutMs);
  const sslmode = target.params.sslmode?.toLowerCase();
  try {
    return new PostgresEngine(await openPool(config), target);
  } catch (err) {
    if ((sslmode === 'prefer' || sslmode === 'allow') && errorMessage(err) === NO_SSL_SUPPORT) {
      try {
        return new PostgresEngine(await openPool({ ...config, ssl: false }), target);
      } catch (retryErr) {
        throw classify(retryErr, target);
      }
    }
    throw classify(err, target);
  }
}

/** Open a pool and prove it works with one round trip. */
async function openPool(config: pg.PoolConfig): Promise<pg.Pool> {
  const pool = new pg.Pool(config);
  // An idle client whose connection dies is already removed from the pool; the next query reports
  // the problem. Without a listener the 'error' event would crash the process.
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    try {
      await client.query('SELECT 1');
      client.release();
    } catch (err) {
      client.release(err instanceof Error ? err : true);
      throw err;
    }
    return pool;
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
}

function poolConfig(target: ServerTarget, timeoutMs: number): pg.PoolConfig {
  const { params } = target;
  const connectTimeoutMs = Number(params.connect_timeout ?? 0) * 1000;
  return {
    host: target.socket ?? target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database,
    ssl: sslConfig(target),
    // libpq: connect_timeout 0 (or absent) means no limit of its own; ours is the caller's deadline.
    connectionTimeoutMillis: connectTimeoutMs > 0 ? Math.min(connectTimeoutMs, timeoutMs) : timeoutMs,
    application_name: params.application_name ?? 'dbward',
    options: startupOptions(params),
    max: poolSize(target),
  };
}

/** Prisma's connection_limit sizes the pool; pg's default (10) otherwise. */
function poolSize(target: ServerTarget): number | undefined {
  const limit = target.params.connection_limit;
  if (limit === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(limit)) throw new UsageError(`connection_limit must be a positive whole number in ${target.redacted}`);
  return Number(limit);
}

/**
 * The `options` startup parameter. Prisma's `schema` parameter sets the search_path, as Prisma does,
 * so that unqualified names in migrations land in the same schema Prisma would use.
 */
function startupOptions(params: Readonly<Record<string, string>>): string | undefined {
  const parts = params.options ? [params.options] : [];
  if (params.schema) {
    const quoted = `"${params.schema.replace(/"/g, '""')}"`;
    parts.push(`-c search_path=${quoted.replace(/[\\ ]/g, '\\$&')}`);
  }
  return parts.length ? parts.join(' ') : undefined;
}

function sslConfig(target: ServerTarget): boolean | ConnectionOptions {
  const { params } = target;
  switch (params.sslmode?.toLowerCase()) {
    case undefined:
    case 'disable':
      return false;
    case 'verify-ca':
    case 'verify-full':
      return {
        rejectUnauthorized: true,
        ca: readSslFile(params, 'sslrootcert'),
        cert: readSslFile(params, 'sslcert'),
        key: readSslFile(params, 'sslkey'),
        passphrase: params.sslpassword,
        ...(params.sslmode.toLowerCase() === 'verify-ca' ? { checkServerIdentity: () => undefined } : {}),
      };
    default:
      return { rejectUnauthorized: false, cert: readSslFile(params, 'sslcert'), key: readSslFile(params, 'sslkey'), passphrase: params.sslpassword };
  }
}

function readSslFile(params: Readonly<Record<string, string>>, name: 'sslrootcert' | 'sslcert' | 'sslkey'): string | undefined {
  const file = params[name];
  if (file === undefined) return undefined;
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`Cannot read ${name} file "${file}": ${errorMessage(err)}`, `Check the ${name} parameter of the database URL.`);
  }
}

const TRANSIENT_NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'EAI_AGAIN']);
// cannot_connect_now (starting up / shutting down), too_many_connections, connection failures, admin/crash shutdown.
const TRANSIENT_SQLSTATE = new Set(['57P01', '57P02', '57P03', '53300', '08000', '08001', '08006']);
const TIMEOUT_MESSAGES = ['timeout exceeded when trying to connect', 'Connection terminated due to connection timeout', 'Connection terminated unexpectedly'];

/** Turn a driver error into a ConnectionError whose kind tells connect() whether retrying helps. */
export function classify(err: unknown, target: ServerTarget): ConnectionError {
  if (err instanceof ConnectionError) return err;
  const code = (err as { code?: unknown }).code;
  const text = errorMessage(err);
  const where = describeTarget(target);
  const message = redactText(`Cannot connect to ${where}: ${text}`);
  const fail = (kind: ConnectionFailureKind, hint: string) => new ConnectionError(kind, message, hint, err);

  if (code === '28P01' || code === '28000' || /password must be a string/i.test(text)) {
    return fail('auth', 'Check the user name and password in the database URL, and that pg_hba.conf allows this user from this host.');
  }
  if (code === '3D000') {
    return fail('unknown-database', `Create the database "${target.database}" (e.g. createdb) or check the database name in the URL.`);
  }
  if (code === 'ENOTFOUND') return fail('other', `The host name "${target.host}" does not resolve; check the host in the URL.`);
  if (text === NO_SSL_SUPPORT) {
    return fail('other', 'The server has SSL turned off. Use sslmode=disable or sslmode=prefer, or enable ssl on the server.');
  }
  if (typeof code === 'string' && (code.startsWith('ERR_TLS') || /CERT|SELF_SIGNED/.test(code))) {
    return fail('other', 'The server certificate was rejected. Check sslrootcert, the host name (verify-full) or use sslmode=require.');
  }
  if ((typeof code === 'string' && (TRANSIENT_NETWORK.has(code) || TRANSIENT_SQLSTATE.has(code))) || TIMEOUT_MESSAGES.some((m) => text.includes(m))) {
    return fail('transient', 'Is the server running and reachable on this host and port? dbward retries until the connect deadline.');
  }
  return fail('other', 'Check the database URL and the server log.');
}
