/**
 * Running the MySQL/MariaDB command-line tools (mariadb-dump/mysqldump, mariadb/mysql) without
 * secrets in argv: the connection settings go into a temporary 0600 option file passed with
 * --defaults-file as the first argument.
 *
 * --defaults-file (rather than --defaults-extra-file) makes the tool read that file only: with
 * --defaults-extra-file a user's ~/.my.cnf is read after ours and its [client] host, user or password
 * would win, pointing a dump or a restore at another server than the URL names.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { OperationError, UsageError } from '../../core/errors.js';
import { redactText } from '../../core/redact.js';
import { probeTool, type ToolInfo } from '../../core/tools.js';
import type { ServerTarget } from '../../core/url.js';
import { withBufferedStdout } from '../backup-driver-digest.js';
import type { ServerVersion } from '../engine.js';

export interface ClientTool {
  name: string;
  path: string;
  /** The distribution version, e.g. "10.11.19" for mariadb-dump "Ver 10.19 Distrib 10.11.19-MariaDB". */
  version: string;
  /** From MariaDB (option names differ from MySQL's for TLS). */
  mariadb: boolean;
}

const NAMES = { dump: ['mariadb-dump', 'mysqldump'], client: ['mariadb', 'mysql'] } as const;
const STDERR_TAIL = 4000;

/** The dump tool or the client of the server's own family when installed (mariadb-* for MariaDB, mysql* for MySQL). */
export async function findClientTool(kind: 'dump' | 'client', server: ServerVersion): Promise<ClientTool> {
  const wantMaria = server.product === 'MariaDB';
  // Asked one at a time (each --version is a process start before the dump can start): the first of
  // the server's family wins, so the second name is asked only when the first is missing or foreign.
  const found: ToolInfo[] = [];
  for (const name of NAMES[kind]) {
    const probed = await probeTool(name);
    if (probed) found.push(probed);
    if (probed && /mariadb/i.test(probed.versionText) === wantMaria) break;
  }
  const tool = found.find((t) => /mariadb/i.test(t.versionText) === wantMaria) ?? found[0];
  if (!tool) {
    throw new OperationError(
      `Neither ${NAMES[kind].join(' nor ')} is on PATH.`,
      'Install the client tools: Debian/Ubuntu apt-get install mariadb-client (MariaDB) or mysql-client (MySQL).',
    );
  }
  const version = /Distrib ([\d.]+)/.exec(tool.versionText)?.[1] ?? /Ver ([\d.]+)/.exec(tool.versionText)?.[1] ?? tool.version ?? '';
  return { name: tool.name, path: tool.path, version, mariadb: /mariadb/i.test(tool.versionText) };
}

/** Run fn with a 0600 option file holding the connection settings of `target`; the file is removed afterwards. */
export async function withOptionFile<T>(target: ServerTarget, tool: ClientTool, dir: string, fn: (file: string) => Promise<T>): Promise<T> {
  const file = path.join(dir, `.dbward-${randomBytes(8).toString('hex')}.cnf`);
  await fs.writeFile(file, optionFileText(target, tool), { mode: 0o600, flag: 'wx' });
  try {
    return await fn(file);
  } finally {
    await fs.rm(file, { force: true });
  }
}

function optionFileText(target: ServerTarget, tool: ClientTool): string {
  const options: [string, string?][] = [];
  if (target.user) options.push(['user', target.user]);
  if (target.password) options.push(['password', target.password]);
  if (target.socket) options.push(['socket', target.socket], ['protocol', 'SOCKET']);
  else options.push(['host', target.host], ['port', String(target.port)], ['protocol', 'TCP']);
  options.push(...tlsOptions(target, tool));
  return `[client]\n${options.map(([k, v]) => (v === undefined ? k : `${k}=${quoteOption(v)}`)).join('\n')}\n`;
}

/** The TLS settings of connect.ts translated to the tools' options (MariaDB: ssl, ssl-verify-server-cert; MySQL: ssl-mode). */
function tlsOptions(target: ServerTarget, tool: ClientTool): [string, string?][] {
  const { params } = target;
  if (params.sslidentity !== undefined || params.sslpassword !== undefined) {
    throw new UsageError(
      `sslidentity and sslpassword in ${target.redacted} are not supported by ${tool.name}.`,
      'Give the client certificate and key as unencrypted PEM files (sslcert, sslkey).',
    );
  }
  const files: [string, string?][] = [];
  for (const [param, option] of [['sslca', 'ssl-ca'], ['sslcert', 'ssl-cert'], ['sslkey', 'ssl-key']] as const) {
    const file = params[param];
    if (file !== undefined) files.push([option, path.resolve(file)]);
  }
  const hasTlsParams = files.length > 0 || params.sslaccept !== undefined;
  const mode = (params.sslmode ?? params['ssl-mode'] ?? (hasTlsParams ? 'required' : 'preferred')).toLowerCase();
  // connect.ts: `preferred` is plain text (mysql2 cannot fall back); `required` checks certificates only with sslaccept=strict.
  const verify = mode.startsWith('verify') || (mode === 'required' && params.sslaccept === 'strict');
  if (mode === 'disabled' || mode === 'preferred') return tool.mariadb ? [['skip-ssl']] : [['ssl-mode', 'DISABLED']];
  if (tool.mariadb) return [['ssl'], ...(verify ? [['ssl-verify-server-cert'] as [string]] : []), ...files];
  const mysqlMode = mode === 'required' ? (verify ? 'VERIFY_CA' : 'REQUIRED') : mode.toUpperCase();
  return [['ssl-mode', mysqlMode], ...files];
}

/** Option-file value syntax: double quotes, with the escapes the option-file reader knows. */
function quoteOption(value: string): string {
  const escapes: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b' };
  return `"${value.replace(/[\\"\n\r\t\b]/g, (c) => escapes[c] ?? c)}"`;
}

export interface ToolRun {
  child: ChildProcess;
  /** Resolves when the tool exited with status 0; rejects with an OperationError carrying its redacted stderr. */
  exited: Promise<void>;
  /** Kill the tool if it is still running. */
  stop(): void;
}

/**
 * Start a tool with the option file as its first argument. Lines the tool writes to stderr starting
 * with "-- " (--verbose progress) go to onProgress; the last few KiB of the others go into the error.
 */
export function runTool(
  tool: ClientTool,
  optionFile: string,
  args: string[],
  what: string,
  options: { stdin: boolean; onProgress?: (line: string) => void; bufferStdout?: string; stdoutFd?: number },
): ToolRun {
  // MYSQL_PWD would supply a password the URL does not have.
  const env = { ...process.env };
  delete env.MYSQL_PWD;
  const toolArgs = [`--defaults-file=${optionFile}`, ...args];
  const [command, argv] = options.bufferStdout ? withBufferedStdout(tool.path, toolArgs, options.bufferStdout) : [tool.path, toolArgs];
  const child = spawn(command, argv, {
    stdio: [options.stdin ? 'pipe' : 'ignore', options.stdoutFd ?? 'pipe', 'pipe'],
    env,
  });
  let stderr = '';
  let partial = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('-- ')) options.onProgress?.(line);
      else stderr = (stderr + line + '\n').slice(-STDERR_TAIL);
    }
  });
  const exited = new Promise<void>((resolve, reject) => {
    child.once('error', (err) => reject(new OperationError(`${what}: cannot run ${tool.path}: ${redactText(err.message)}`, undefined, err)));
    child.once('close', (code, signal) => {
      if (code === 0) return resolve();
      const detail = redactText((stderr + partial).trim()) || 'no error output';
      const status = signal ? `was killed by ${signal}` : `exited with status ${code}`;
      reject(new OperationError(`${what}: ${tool.name} ${status}: ${detail}`));
    });
  });
  // The caller awaits `exited` only after its streams are done; keep an early failure from being unhandled meanwhile.
  exited.catch(() => undefined);
  return {
    child,
    exited,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
