/**
 * connect(): parse the URL, open the engine for its scheme, and retry transient failures with
 * exponential backoff under a total deadline. Authentication and unknown-database errors fail at once.
 */
import { ConnectionError, errorMessage } from '../core/errors.js';
import { redactText } from '../core/redact.js';
import { withRetry } from '../core/retry.js';
import { parseDatabaseUrl, type ConnectionTarget } from '../core/url.js';
import type { Engine } from './engine.js';

export type { Engine } from './engine.js';

export interface ConnectOptions {
  /** Total time allowed for connecting, retries included. Default 30 s. */
  deadlineMs?: number;
  /** First backoff delay. Default 200 ms, doubling up to maxDelayMs. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Called before each retry, e.g. to tell the user we are waiting for the server. */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
  /** Directory relative SQLite paths are resolved against. Default process.cwd(). */
  cwd?: string;
}

async function openOnce(target: ConnectionTarget, deadlineMs: number): Promise<Engine> {
  switch (target.engine) {
    case 'sqlite':
      return (await import('./sqlite/connect.js')).connectSqlite(target);
    case 'postgres':
      return (await import('./postgres/connect.js')).connectPostgres(target, { timeoutMs: deadlineMs });
    case 'mysql':
      return (await import('./mysql/connect.js')).connectMysql(target, { timeoutMs: deadlineMs });
  }
}

export async function connect(url: string | ConnectionTarget, options: ConnectOptions = {}): Promise<Engine> {
  const target = typeof url === 'string' ? parseDatabaseUrl(url, { cwd: options.cwd }) : url;
  const deadlineMs = options.deadlineMs ?? 30_000;
  const start = Date.now();
  try {
    return await withRetry(() => openOnce(target, Math.max(1_000, deadlineMs - (Date.now() - start))), {
      deadlineMs,
      initialDelayMs: options.initialDelayMs ?? 200,
      maxDelayMs: options.maxDelayMs ?? 5_000,
      isTransient: (err) => err instanceof ConnectionError && err.kind === 'transient',
      onRetry: ({ attempt, delayMs, error }) =>
        options.onRetry?.({ attempt, delayMs, reason: redactText(errorMessage(error)) }),
    });
  } catch (err) {
    if (err instanceof ConnectionError && err.kind === 'transient') {
      const waited = ((Date.now() - start) / 1000).toFixed(1);
      throw new ConnectionError('transient', `${err.message} (gave up after ${waited}s of retries)`, err.hint, err);
    }
    throw err;
  }
}
