/** Small helpers shared by the MySQL/MariaDB backup code. */
import { UsageError } from '../../core/errors.js';
import type { ConnectionTarget, ServerTarget } from '../../core/url.js';
import type { Engine } from '../engine.js';
import { connectMysql } from './connect.js';

const SESSION_CONNECT_MS = 30_000;

export function quoteIdent(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

/** information_schema text can arrive as a Buffer on MySQL 8 (binary collations); read it as UTF-8. */
export function str(value: unknown): string {
  return Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
}

export function mysqlTarget(target: ConnectionTarget): ServerTarget {
  if (target.engine !== 'mysql') throw new UsageError(`Not a MySQL/MariaDB database: ${target.engine === 'sqlite' ? target.path : target.redacted}`);
  return target;
}

export function sameServer(a: ServerTarget, b: ServerTarget): boolean {
  return a.host === b.host && a.port === b.port && a.socket === b.socket;
}

/**
 * Run fn on a session of its own (a one-connection pool), closed afterwards whatever happens: locks,
 * open transactions and USE never leak into a pool that others share.
 */
export async function withSession<T>(target: ServerTarget, fn: (session: Engine) => Promise<T>): Promise<T> {
  const session = await connectMysql({ ...target, params: { ...target.params, connection_limit: '1' } }, { timeoutMs: SESSION_CONNECT_MS });
  try {
    return await fn(session);
  } finally {
    await session.close().catch(() => undefined);
  }
}
