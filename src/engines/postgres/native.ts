/**
 * Running the PostgreSQL client tools (pg_dump, pg_restore) for a target: connection arguments,
 * the libpq environment that carries the password and TLS settings (never argv), and a runner that
 * streams stdout, keeps the tail of stderr for the error message and kills the tool when aborted.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { OperationError, UsageError } from '../../core/errors.js';
import { redactText, registerSecret } from '../../core/redact.js';
import { findOnPath } from '../../core/tools.js';
import type { ServerTarget } from '../../core/url.js';
import { withBufferedStdout } from '../backup-driver-digest.js';

/** A PostgreSQL client tool and where it is. */
export interface NativeTool {
  name: string;
  path: string;
}

const MAX_STDERR = 16 * 1024;

/** The tool's path; throws a clear error when it is not installed. */
export function locateTool(name: 'pg_dump' | 'pg_restore'): NativeTool {
  const toolPath = findOnPath(name);
  if (!toolPath) {
    throw new OperationError(
      `${name} was not found on PATH.`,
      'Install the PostgreSQL client tools (Debian: apt-get install postgresql-client) matching the server major version or newer.',
    );
  }
  return { name, path: beyondPgWrapper(toolPath, name) };
}

const PG_WRAPPER_BINROOT = '/usr/lib/postgresql';

/**
 * Debian and Ubuntu install pg_dump and pg_restore as links to pg_wrapper, a Perl script that picks a
 * PostgreSQL version and then runs that version's binary (35-50 ms for each run). Given --host on the
 * command line, as dbward always gives it, pg_wrapper runs the newest installed version (and sets
 * PGSYSCONFDIR, see runTool): dbward runs that binary directly.
 */
function beyondPgWrapper(toolPath: string, name: string): string {
  let real: string;
  try {
    real = fs.realpathSync(toolPath);
  } catch {
    return toolPath;
  }
  if (path.basename(real) !== 'pg_wrapper') return toolPath;
  const versions = fs
    .readdirSync(PG_WRAPPER_BINROOT)
    .filter((v) => /^\d+(\.\d+)?$/.test(v) && fs.existsSync(path.join(PG_WRAPPER_BINROOT, v, 'bin', name)))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(PG_WRAPPER_BINROOT, versions[0] as string, 'bin', name) : toolPath;
}

/**
 * A database name for -d. libpq reads a dbname containing "=" or starting with a URI prefix as a
 * whole connection string, so such a name is passed as a quoted `dbname='...'` entry instead.
 */
export function dbnameArg(database: string): string {
  if (!database.includes('=') && !/^postgres(ql)?:\/\//i.test(database)) return database;
  return `dbname='${database.replace(/[\\']/g, '\\$&')}'`;
}

/** Host, port, user and database as separate arguments: never a URL, never the password. */
export function connectionArgs(target: ServerTarget, database = target.database): string[] {
  return [
    `--host=${target.socket ?? target.host}`,
    `--port=${target.port}`,
    ...(target.user === undefined ? [] : [`--username=${target.user}`]),
    `--dbname=${dbnameArg(database)}`,
    '--no-password',
  ];
}

const PARAM_ENV: Record<string, string> = {
  sslrootcert: 'PGSSLROOTCERT',
  sslcert: 'PGSSLCERT',
  sslkey: 'PGSSLKEY',
  connect_timeout: 'PGCONNECT_TIMEOUT',
  application_name: 'PGAPPNAME',
  target_session_attrs: 'PGTARGETSESSIONATTRS',
  options: 'PGOPTIONS',
};

/** The child's environment: the password in PGPASSWORD and the URL's libpq parameters in their PG* variables. */
export function libpqEnv(target: ServerTarget): NodeJS.ProcessEnv {
  const { params } = target;
  if (params.sslpassword !== undefined) {
    throw new UsageError(
      `sslpassword cannot be given to pg_dump or pg_restore without putting it on the command line (${target.redacted}).`,
      'Use a client key without a passphrase for backups, or remove sslpassword from the URL.',
    );
  }
  registerSecret(target.password);
  const env: NodeJS.ProcessEnv = { ...process.env, PGAPPNAME: 'dbward' };
  if (target.password !== undefined) env.PGPASSWORD = target.password;
  // node-postgres' no-verify (TLS without checks) is libpq's require.
  if (params.sslmode !== undefined) env.PGSSLMODE = params.sslmode.toLowerCase() === 'no-verify' ? 'require' : params.sslmode;
  for (const [param, variable] of Object.entries(PARAM_ENV)) {
    const value = params[param];
    if (value !== undefined) env[variable] = value;
  }
  return env;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** Receives the tool's stdout; it is not ended (the caller decides, once the tool succeeded). */
  stdout?: Writable;
  /** Or the tool writes its stdout into this descriptor itself (the caller keeps its own copy). */
  stdoutFd?: number;
  /** Aborting kills the tool. */
  signal?: AbortSignal;
  /** Run the tool with stdout buffered in blocks of this size (withBufferedStdout, e.g. '1M'): for dumps read by node. */
  bufferStdout?: string;
}

/**
 * Run a tool with an argument list (no shell). Resolves when it exited with 0 and stdout was fully
 * written; otherwise kills it if still running and rejects with an OperationError carrying the
 * redacted tail of stderr (or with the stdout destination's own error).
 */
export async function runTool(tool: NativeTool, args: string[], options: RunOptions = {}): Promise<void> {
  const [command, argv] = options.bufferStdout ? withBufferedStdout(tool.path, args, options.bufferStdout) : [tool.path, args];
  const env = { ...(options.env ?? process.env) };
  // What pg_wrapper would have set (beyondPgWrapper): where libpq finds pg_service.conf.
  if (tool.path.startsWith(`${PG_WRAPPER_BINROOT}/`)) env.PGSYSCONFDIR ??= '/etc/postgresql-common';
  const child = spawn(command, argv, {
    env,
    stdio: ['ignore', options.stdoutFd ?? 'pipe', 'pipe'],
    signal: options.signal,
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    stderr = (stderr + text).slice(-MAX_STDERR);
  });
  const gone = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const exited = new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) return resolve();
      const how = code === null ? `was killed by ${signal}` : `exited with code ${code}`;
      reject(new OperationError(redactText(`${tool.name} ${how}: ${stderr.trim() || '(no error output)'}`)));
    });
  });
  try {
    await Promise.all([options.stdout && child.stdout ? pipeline(child.stdout, options.stdout, { end: false }) : child.stdout?.resume(), exited]);
  } catch (err) {
    // Not started (spawn failed) means nothing to wait for; otherwise stop it and wait until it is gone.
    if (child.pid !== undefined) {
      child.kill();
      await gone;
    }
    throw err;
  }
}
