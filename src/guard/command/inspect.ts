/**
 * `dbward guard -- COMMAND [ARGS…]`, the library half: decide, without running anything, whether an
 * invocation is a known destructive one, carries SQL the caller must classify, or can run unchanged.
 *
 * What is recognised (the full list with the reasoning is in docs/guard.md, "guard -- COMMAND"):
 * - ORM and framework commands that destroy data or schema (prisma migrate reset / migrate dev /
 *   db push --force-reset|--accept-data-loss, drizzle-kit push --force / drop, typeorm schema:drop|sync,
 *   sequelize db:drop, knex migrate:rollback --all, rails|rake db:drop / db:reset / db:schema:load …,
 *   dropdb, pg_restore --clean, mysqladmin drop, rm of an SQLite database file);
 * - commands that send SQL: psql -c/-f, mysql|mariadb -e, sqlite3 DB SQL / .read / -cmd / -init,
 *   prisma db execute --file|--stdin, typeorm query, and SQL clients reading standard input;
 * - how commands are reached: package scripts (npm run, pnpm, yarn, bun; nested, cyclic, workspaces,
 *   pre/post and install lifecycle scripts), runners (npx, npm exec, pnpm exec|dlx, yarn dlx, bunx),
 *   wrappers (env, cross-env, dotenv, sudo, time, nice, timeout, xargs, bundle exec, sh -c, shell
 *   script files, docker exec / compose exec|run, kubectl exec), node_modules paths.
 *
 * Everything else passes. Where a decisive value is only known at run time (a command substitution,
 * an unreadable SQL file, SQL coming from another program) the verdict is destructive: fail closed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import {
  destructive,
  MAX_DEPTH,
  nested,
  note,
  programName,
  type Ctx,
  type Env,
  type Finding,
  type Shared,
  type SqlDialect,
  type SqlSource,
} from './context.js';
import { bun, npm, npx, pnpm, yarn, binOfPackage } from './runners.js';
import { assignment, expandWord, hasUnknown, parseCommandLine, splitWords, UNKNOWN, type StdinSpec } from './shell.js';
import * as tools from './tools.js';
import type { Handler } from './tools.js';

export type { SqlDialect, SqlSource } from './context.js';
/** A command line as verdicts show it: shortened, quoted, secrets redacted. */
export { display as describeCommand } from './context.js';

/**
 * What to do with a command.
 *
 * - `pass`: not a known destructive invocation and carries no SQL: run it unchanged. `notes` say what
 *   was seen but not inspected (an interactive SQL session, drizzle-kit push's own prompt).
 * - `destructive`: destroys a database, its schema or its data as a whole, or cannot be inspected
 *   (fail closed): needs the assessment → approval → verified backup flow. `reasons`: one sentence each,
 *   naming the command (redacted). `targets`: databases the command names itself (psql -d, dropdb NAME,
 *   sqlite3 FILE), redacted; empty when it uses the project's configuration.
 * - `sql`: sends SQL and nothing else destructive was found: the caller classifies `sql` (dialect
 *   `dialect`) and proceeds like `dbward exec`. `sources` are the pieces in execution order; `sql` is
 *   their text joined with "\n;\n" (a newline first, so that a trailing `--` comment cannot swallow the
 *   separator). Several commands of one script are combined; SQL for different engines is destructive.
 * - `needs-stdin`: the SQL (or part of it) is the guard's own standard input (`psql db < file.sql`,
 *   `prisma db execute --stdin`, `cat x.sql | dbward guard -- mysql app`). Read standard input to the end,
 *   call inspectCommand again with `stdinData`, and give the same bytes to runPassthrough as `stdinData`
 *   (standard input can be read only once).
 */
export type CommandVerdict =
  | { kind: 'pass'; tool: string; notes: string[] }
  | { kind: 'destructive'; tool: string; reasons: string[]; targets: string[] }
  | { kind: 'sql'; tool: string; dialect: SqlDialect; sql: string; origin: string; sources: SqlSource[]; targets: string[] }
  | { kind: 'needs-stdin'; tool: string; dialect: SqlDialect; origin: string };

export interface InspectOptions {
  /** Directory the command would run in (package.json, relative SQL files, the Prisma schema). */
  cwd: string;
  /** Environment the command would run with (DATABASE_URL, PGDATABASE, variables in scripts). */
  env: NodeJS.ProcessEnv;
  /** The guard's standard input, already read (after a `needs-stdin` verdict). */
  stdinData?: string | Buffer;
  /** Whether the guard's standard input is a terminal (default: process.stdin.isTTY). A client reading a terminal is an interactive session. */
  stdinIsTTY?: boolean;
}

/** Separator between SQL pieces in CommandVerdict.sql. */
export const SQL_JOINER = '\n;\n';

const MAX_COMMANDS = 10_000;

export function inspectCommand(argv: readonly string[], options: InspectOptions): CommandVerdict {
  const shared: Shared = {
    stdinData: options.stdinData === undefined ? undefined : Buffer.isBuffer(options.stdinData) ? options.stdinData.toString('utf8') : options.stdinData,
    stdinIsTTY: options.stdinIsTTY ?? process.stdin.isTTY === true,
    scriptStack: [],
    budget: MAX_COMMANDS,
    producers: new Map(),
    analyzeArgv,
    analyzeScript,
  };
  const ctx: Ctx = { cwd: path.resolve(options.cwd), env: { ...options.env }, stdin: { kind: 'inherit' }, via: [], depth: 0, shared };
  const tool = argv.length ? programName(argv[0]!) : '';
  return verdictOf(analyzeArgv(argv, ctx), tool);
}

function verdictOf(findings: Finding[], tool: string): CommandVerdict {
  const unique = <T>(xs: T[]): T[] => [...new Set(xs)];
  const bad = findings.filter((f): f is Extract<Finding, { kind: 'destructive' }> => f.kind === 'destructive');
  // SQL that is empty once client commands are removed (psql -c '\\dt', sqlite3 db .tables) sends nothing.
  const sql = findings.filter((f): f is Extract<Finding, { kind: 'sql' }> => f.kind === 'sql' && !/^[\s;]*$/.test(f.source.sql));
  const targets = unique(findings.flatMap((f) => ('target' in f && f.target ? [f.target] : [])));
  if (bad.length) return { kind: 'destructive', tool: bad[0]!.tool, reasons: unique(bad.map((f) => f.reason)), targets };
  const dialects = unique(sql.map((f) => f.dialect));
  if (dialects.length > 1) {
    return {
      kind: 'destructive',
      tool: sql[0]!.tool,
      reasons: [`sends SQL to more than one kind of database (${dialects.join(', ')}): ${unique(sql.map((f) => f.source.origin)).join('; ')}; run them one at a time`],
      targets,
    };
  }
  const stdin = findings.find((f): f is Extract<Finding, { kind: 'stdin' }> => f.kind === 'stdin');
  if (stdin) {
    if (dialects.length && dialects[0] !== stdin.dialect) {
      return { kind: 'destructive', tool: stdin.tool, reasons: [`sends SQL to more than one kind of database (${dialects[0]}, ${stdin.dialect}); run them one at a time`], targets };
    }
    return { kind: 'needs-stdin', tool: stdin.tool, dialect: stdin.dialect, origin: stdin.origin };
  }
  if (sql.length) {
    const sources = sql.map((f) => f.source);
    return {
      kind: 'sql',
      tool: sql[0]!.tool,
      dialect: dialects[0]!,
      sql: sources.map((s) => s.sql).join(SQL_JOINER),
      origin: sources.map((s) => s.origin).join('; '),
      sources,
      targets,
    };
  }
  return { kind: 'pass', tool, notes: unique(findings.flatMap((f) => (f.kind === 'note' ? [f.note] : []))) };
}

// ---------------------------------------------------------------------------------------------------
// Dispatch

const HANDLERS: Record<string, Handler> = {
  prisma: tools.prisma,
  'drizzle-kit': tools.drizzleKit,
  typeorm: tools.typeorm,
  'typeorm-ts-node-commonjs': tools.typeorm,
  'typeorm-ts-node-esm': tools.typeorm,
  sequelize: tools.sequelize,
  'sequelize-cli': tools.sequelize,
  knex: tools.knex,
  rails: tools.rails,
  rake: tools.rails,
  dropdb: tools.dropdb,
  pg_restore: tools.pgRestore,
  psql: tools.psql,
  mysql: tools.mysql,
  mariadb: tools.mysql,
  sqlite3: tools.sqlite3,
  sqlite: tools.sqlite3,
  mysqladmin: tools.mysqladmin,
  'mariadb-admin': tools.mysqladmin,
  rm: tools.removeFile,
  unlink: tools.removeFile,
  npm,
  npx,
  pnpm,
  pnpx: pnpm,
  yarn,
  yarnpkg: yarn,
  bun,
  bunx: bun,
  corepack: (argv, ctx) => (argv[1] && ['npm', 'npx', 'pnpm', 'pnpx', 'yarn'].includes(argv[1]) ? analyzeArgv(argv.slice(1), nested(ctx)) : []),
  env: envWrapper,
  'cross-env': crossEnv,
  'cross-env-shell': crossEnv,
  dotenv: dotenvWrapper,
  dotenvx: dotenvWrapper,
  sudo: sudoWrapper,
  doas: sudoWrapper,
  time: simpleWrapper,
  nohup: simpleWrapper,
  exec: simpleWrapper,
  command: simpleWrapper,
  builtin: simpleWrapper,
  chronic: simpleWrapper,
  unbuffer: simpleWrapper,
  nice: simpleWrapper,
  ionice: simpleWrapper,
  stdbuf: simpleWrapper,
  timeout: timeoutWrapper,
  xargs: xargsWrapper,
  bundle: bundleWrapper,
  bundler: bundleWrapper,
  sh: shellWrapper,
  bash: shellWrapper,
  dash: shellWrapper,
  zsh: shellWrapper,
  ksh: shellWrapper,
  ash: shellWrapper,
  mksh: shellWrapper,
  node: nodeWrapper,
  nodejs: nodeWrapper,
  tsx: nodeWrapper,
  'ts-node': nodeWrapper,
  'ts-node-esm': nodeWrapper,
  'ts-node-transpile-only': nodeWrapper,
  'babel-node': nodeWrapper,
  docker: dockerWrapper,
  podman: dockerWrapper,
  'docker-compose': composeWrapper,
  'podman-compose': composeWrapper,
  kubectl: kubectlWrapper,
  oc: kubectlWrapper,
};

function analyzeArgv(argv: readonly string[], ctx: Ctx): Finding[] {
  if (argv.length === 0) return [];
  const first = argv[0]!;
  const tool = programName(first);
  if (--ctx.shared.budget < 0) return [destructive(ctx, tool, argv, `more than ${MAX_COMMANDS} commands to inspect; the guard stops there`)];
  if (ctx.depth > MAX_DEPTH) return [destructive(ctx, tool, argv, `commands nested more than ${MAX_DEPTH} deep; the guard stops there`)];
  if (hasUnknown(first)) return [destructive(ctx, tool, argv, 'the program to run is only known at run time')];
  const handler = Object.hasOwn(HANDLERS, tool) ? HANDLERS[tool] : undefined;
  if (handler) return handler(argv, ctx, tool);
  if (first.includes('/')) return scriptFile(argv, ctx);
  return [];
}

const MAX_SCRIPT_BYTES = 1024 * 1024;
const KEYWORD_PREFIX = new Set(['if', 'then', 'else', 'elif', 'do', 'while', 'until', '!', '{']);
const SKIP_COMMAND = new Set(['fi', 'done', 'esac', '}', 'for', 'case', 'select', 'function', 'in']);

function analyzeScript(script: string, ctx: Ctx, positional: readonly string[] = []): Finding[] {
  let commands;
  try {
    commands = parseCommandLine(script);
  } catch (err) {
    return [destructive(ctx, 'sh', ['sh', '-c', script], `the command line cannot be parsed (${(err as Error).message})`)];
  }
  const env: Env = { ...ctx.env };
  let cwd = ctx.cwd;
  const findings: Finding[] = [];
  for (const cmd of commands) {
    const words = cmd.words.flatMap((w) => expandWord(w, { env, positional }));
    const local: Env = {};
    let k = 0;
    for (let a = assignment(words[k] ?? ''); a && k < words.length; a = assignment(words[++k] ?? '')) local[a.name] = a.value;
    let argv = words.slice(k);
    ctx.shared.producers.set(cmd, argv);
    if (argv.length === 0) {
      Object.assign(env, local);
      continue;
    }
    while (argv.length && KEYWORD_PREFIX.has(argv[0]!)) argv = argv.slice(1);
    if (argv.length === 0 || SKIP_COMMAND.has(argv[0]!)) continue;
    const name = argv[0]!;
    if (['export', 'declare', 'typeset', 'local', 'readonly'].includes(name)) {
      for (const w of argv.slice(1)) {
        const a = assignment(w);
        if (a) env[a.name] = a.value;
      }
      continue;
    }
    if (name === 'unset') {
      for (const w of argv.slice(1)) delete env[w];
      continue;
    }
    if (name === 'cd' || name === 'pushd') {
      const to = argv.find((w, i) => i > 0 && !w.startsWith('-'));
      if (to && !hasUnknown(to)) cwd = path.resolve(cwd, to);
      continue;
    }
    const stdin: StdinSpec = cmd.stdin.kind === 'inherit' ? ctx.stdin : cmd.stdin;
    const sub: Ctx = { ...ctx, cwd, env: { ...env, ...local }, stdin };
    if ((name === 'source' || name === '.') && argv[1] && !hasUnknown(argv[1])) {
      const file = path.resolve(cwd, argv[1]);
      if (/^\.env/.test(path.basename(file))) {
        try {
          Object.assign(env, parseDotenv(fs.readFileSync(file)));
        } catch {
          // missing .env: the shell would fail the same way
        }
        continue;
      }
      findings.push(...scriptFile([file, ...argv.slice(2)], sub, true));
      continue;
    }
    findings.push(...analyzeArgv(argv, sub));
  }
  return findings;
}

/** A shell script file run directly (shebang) or through sh/bash/source: inspect its text. */
function scriptFile(argv: readonly string[], ctx: Ctx, knownShell = false): Finding[] {
  const file = path.resolve(ctx.cwd, argv[0]!);
  const key = `file\u0000${file}`;
  if (ctx.shared.scriptStack.includes(key)) return []; // a script that runs itself: already being inspected
  let text: string;
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return [];
    if (st.size > MAX_SCRIPT_BYTES) return [destructive(ctx, programName(file), argv, 'a shell script too large for the guard to read')];
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return []; // not there: running it fails without touching a database
  }
  if (!knownShell) {
    const shebang = /^#!\s*(\S+)(?:\s+(?:-\S+\s+)*(\S+))?/.exec(text);
    if (!shebang) return [];
    const interpreter = programName(shebang[1]!) === 'env' ? programName(shebang[2] ?? '') : programName(shebang[1]!);
    if (!['sh', 'bash', 'dash', 'zsh', 'ksh', 'ash', 'mksh'].includes(interpreter)) {
      return ['node', 'tsx', 'ts-node', 'bun'].includes(interpreter) ? nodeWrapper([interpreter, file, ...argv.slice(1)], ctx, interpreter) : [];
    }
  }
  ctx.shared.scriptStack.push(key);
  try {
    return analyzeScript(text, nested(ctx, path.relative(ctx.cwd, file) || file), argv.slice(1));
  } finally {
    ctx.shared.scriptStack.pop();
  }
}

// ---------------------------------------------------------------------------------------------------
// Wrappers: commands that run another command

function envWrapper(argv: readonly string[], ctx: Ctx): Finding[] {
  let env: Env = { ...ctx.env };
  let cwd = ctx.cwd;
  let i = 1;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      i++;
      break;
    }
    if (a === '-i' || a === '--ignore-environment' || a === '-') env = {};
    else if (a === '-u' || a === '--unset') delete env[argv[++i] ?? ''];
    else if (a.startsWith('--unset=')) delete env[a.slice(8)];
    else if (a === '-C' || a === '--chdir') cwd = path.resolve(cwd, argv[++i] ?? '.');
    else if (a.startsWith('--chdir=')) cwd = path.resolve(cwd, a.slice(8));
    else if (a === '-S' || a === '--split-string' || a.startsWith('--split-string=') || (a.startsWith('-S') && a.length > 2)) {
      // -S STRING: STRING is split into words that take the place of the option.
      const separate = a === '-S' || a === '--split-string';
      const text = separate ? (argv[i + 1] ?? '') : a.startsWith('-S') ? a.slice(2) : a.slice('--split-string='.length);
      const after = argv.slice(i + (separate ? 2 : 1));
      return envWrapper(['env', ...argv.slice(1, i), ...splitWords(text), ...after], ctx);
    } else if (!a.startsWith('-')) break;
  }
  for (; i < argv.length; i++) {
    const as = assignment(argv[i]!);
    if (!as) break;
    env[as.name] = as.value;
  }
  return analyzeArgv(argv.slice(i), nested(ctx, undefined, { env, cwd }));
}

function crossEnv(argv: readonly string[], ctx: Ctx, tool: string): Finding[] {
  const env: Env = { ...ctx.env };
  let i = 1;
  for (; i < argv.length; i++) {
    const as = assignment(argv[i]!);
    if (!as) break;
    env[as.name] = as.value;
  }
  const sub = nested(ctx, undefined, { env });
  if (tool === 'cross-env-shell') return analyzeScript(argv.slice(i).join(' '), sub);
  return analyzeArgv(argv.slice(i), sub);
}

/** dotenv-cli (`dotenv -e .env.test -- cmd`) and dotenvx (`dotenvx run -f .env -- cmd`): the files' variables join the environment. */
function dotenvWrapper(argv: readonly string[], ctx: Ctx, tool: string): Finding[] {
  let args = argv.slice(1);
  if (tool === 'dotenvx') {
    if (args[0] !== 'run') return [];
    args = args.slice(1);
  }
  const files: string[] = [];
  const vars: Env = {};
  let override = false;
  let cascade: string | undefined;
  const dash = args.indexOf('--');
  let i = 0;
  const end = dash === -1 ? args.length : dash;
  for (; i < end; i++) {
    const a = args[i]!;
    if (a === '-e' || a === '-f' || a === '--env-file') files.push(args[++i] ?? '');
    else if (a.startsWith('--env-file=')) files.push(a.slice(11));
    else if (a === '-v' || a === '--env') {
      const as = assignment(args[++i] ?? '');
      if (as) vars[as.name] = as.value;
    } else if (a === '-o' || a === '--override' || a === '--overload') override = true;
    else if (a === '-c') cascade = args[i + 1] && !args[i + 1]!.startsWith('-') && dash !== -1 ? args[++i] : '';
    else if (a === '-p') return [];
    else if (!a.startsWith('-')) break;
  }
  const command = dash === -1 ? args.slice(i) : args.slice(dash + 1);
  if (files.length === 0) files.push('.env');
  const expanded = cascade === undefined ? files : files.flatMap((f) => (cascade ? [`${f}.${cascade}.local`, `${f}.local`, `${f}.${cascade}`, f] : [`${f}.local`, f]));
  const fromFiles: Env = {};
  for (const f of expanded) {
    try {
      const parsed = parseDotenv(fs.readFileSync(path.resolve(ctx.cwd, f)));
      for (const [k, v] of Object.entries(parsed)) if (!(k in fromFiles)) fromFiles[k] = v;
    } catch {
      // a missing env file is not an error for dotenv-cli
    }
  }
  const env: Env = override ? { ...ctx.env, ...fromFiles, ...vars } : { ...fromFiles, ...vars, ...ctx.env };
  return analyzeArgv(command, nested(ctx, undefined, { env }));
}

function sudoWrapper(argv: readonly string[], ctx: Ctx): Finding[] {
  const valued = new Set(['-u', '-g', '-C', '-D', '-p', '-r', '-t', '-T', '-U', '-h']);
  let i = 1;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-')) break;
    if (a === '-e' || a === '-l' || a === '-v' || a === '-k' || a === '-K') return [];
    if (valued.has(a)) i++;
  }
  return analyzeArgv(argv.slice(i), nested(ctx));
}

/** time, nohup, exec, command, nice, ionice, stdbuf, chronic, unbuffer: options, then the command. */
function simpleWrapper(argv: readonly string[], ctx: Ctx, tool: string): Finding[] {
  const valued: Record<string, string[]> = {
    exec: ['-a'],
    nice: ['-n', '--adjustment'],
    ionice: ['-c', '-n', '-p', '-P', '-u', '--class', '--classdata'],
    stdbuf: ['-i', '-o', '-e', '--input', '--output', '--error'],
    time: ['-f', '--format', '-o', '--output'],
  };
  let i = 1;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-') || a === '-') break;
    if (tool === 'command' && (a === '-v' || a === '-V')) return [];
    if ((valued[tool] ?? []).includes(a)) i++;
  }
  return analyzeArgv(argv.slice(i), nested(ctx));
}

function timeoutWrapper(argv: readonly string[], ctx: Ctx): Finding[] {
  let i = 1;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-s' || a === '-k' || a === '--signal' || a === '--kill-after') i++;
    else if (!a.startsWith('-')) break;
  }
  return analyzeArgv(argv.slice(i + 1), nested(ctx));
}

/** xargs adds arguments read from standard input: they are only known at run time. */
function xargsWrapper(argv: readonly string[], ctx: Ctx): Finding[] {
  const valued = new Set(['-I', '-n', '-L', '-P', '-s', '-d', '-E', '-a', '--max-args', '--max-lines', '--max-procs', '--delimiter', '--arg-file', '--max-chars', '--replace']);
  let i = 1;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('-')) break;
    if (valued.has(a)) i++;
  }
  const command = argv.slice(i);
  if (command.length === 0) return [];
  return analyzeArgv([...command, UNKNOWN], nested(ctx, 'xargs', { stdin: { kind: 'unknown', origin: 'xargs' } }));
}

function bundleWrapper(argv: readonly string[], ctx: Ctx): Finding[] {
  if (argv[1] !== 'exec' && argv[1] !== 'ex') return [];
  let i = 2;
  while (i < argv.length && argv[i]!.startsWith('-')) i++;
  return analyzeArgv(argv.slice(i), nested(ctx, 'bundle exec'));
}

function shellWrapper(argv: readonly string[], ctx: Ctx, tool: string): Finding[] {
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-o' || a === '+o' || a === '-O' || a === '+O' || a === '--rcfile' || a === '--init-file') {
      i++;
      continue;
    }
    if (/^-[A-Za-z]*c[A-Za-z]*$/.test(a)) {
      const script = argv[i + 1];
      if (script === undefined) return [];
      return analyzeScript(script, nested(ctx, `${tool} -c`), argv.slice(i + 3));
    }
    if (a === '-s' || a === '--') break;
    if (a.startsWith('-') || a.startsWith('+')) continue;
    return scriptFile([a, ...argv.slice(i + 1)], nested(ctx, tool), true);
  }
  // The shell reads its script from standard input.
  const s = ctx.stdin;
  if (s.kind === 'text') return analyzeScript(s.text, nested(ctx, tool, { stdin: { kind: 'unknown', origin: `the script on the standard input of ${tool}` } }));
  if (s.kind === 'file' && !hasUnknown(s.path)) return scriptFile([s.path], nested(ctx, tool), true);
  if (s.kind === 'inherit' && ctx.shared.stdinIsTTY) return [note(ctx, tool, argv, 'an interactive shell: commands typed there are not inspected')];
  return [destructive(ctx, tool, argv, 'runs a shell script read from standard input, which the guard cannot see before it runs')];
}

const NODE_VALUED = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader', '-C', '--conditions', '--input-type', '--title', '--inspect-port', '-P', '--project', '-O', '--compiler-options', '--compiler', '--tsconfig', '--cwd', '--env-file']);
const PACKAGE_TOOLS = new Set(['prisma', 'drizzle-kit', 'typeorm', 'sequelize-cli', 'knex', '@prisma/cli']);

/** node / tsx / ts-node running a tool from node_modules (node ./node_modules/typeorm/cli.js schema:drop). */
function nodeWrapper(argv: readonly string[], ctx: Ctx, tool: string): Finding[] {
  let i = 1;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-e' || a === '--eval' || a === '-p' || a === '--print' || a.startsWith('--eval=') || a.startsWith('--print=')) {
      return tool === 'ts-node' && a === '-p' ? [] : [note(ctx, tool, argv, 'runs inline code, which the guard does not inspect')];
    }
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-')) break;
    if (NODE_VALUED.has(a)) i++;
  }
  const script = argv[i];
  if (script === undefined) return [];
  const m = /node_modules\/(?:\.bin\/([^/]+)$|((?:@[^/]+\/)?[^/]+)\/)/.exec(script.replace(/\\/g, '/'));
  if (m) {
    const name = m[1] ?? m[2]!;
    const bin = m[1] ? programName(m[1]) : PACKAGE_TOOLS.has(name) ? binOfPackage(name) : undefined;
    if (bin) return analyzeArgv([bin, ...argv.slice(i + 1)], nested(ctx, tool));
  }
  return [];
}

function dockerOptions(args: readonly string[], valued: ReadonlySet<string>): number {
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') return i + 1;
    if (!a.startsWith('-')) return i;
    if (!a.includes('=') && valued.has(a)) i++;
  }
  return i;
}

const DOCKER_GLOBAL = new Set(['-H', '--host', '--context', '-c', '--config', '-l', '--log-level', '--tlscacert', '--tlscert', '--tlskey']);
const DOCKER_EXEC = new Set(['-e', '--env', '--env-file', '-u', '--user', '-w', '--workdir', '--detach-keys', '--index']);
const DOCKER_RUN = new Set([
  ...DOCKER_EXEC, '--name', '--entrypoint', '-p', '--publish', '-v', '--volume', '-l', '--label', '--network', '--net', '--mount', '-h', '--hostname', '--add-host',
  '--platform', '--restart', '-m', '--memory', '--cpus', '--pull', '--link', '--dns', '--cidfile', '--log-driver', '--log-opt', '--ulimit', '--cap-add', '--cap-drop',
  '--device', '--gpus', '--shm-size', '--tmpfs', '--security-opt', '--stop-signal', '--stop-timeout', '--health-cmd', '--ipc', '--pid', '--userns', '--volumes-from',
  '--label-file', '--network-alias', '--expose', '--group-add', '--runtime', '--memory-swap', '--cpu-shares', '-c', '--cpuset-cpus', '--attach', '-a',
]);

/** docker|podman exec CONTAINER CMD…, docker run IMAGE CMD…, docker compose exec|run SERVICE CMD…. */
function dockerWrapper(argv: readonly string[], ctx: Ctx, tool: string): Finding[] {
  const args = argv.slice(1);
  let i = dockerOptions(args, DOCKER_GLOBAL);
  let command = args[i];
  if (command === 'container' && (args[i + 1] === 'exec' || args[i + 1] === 'run')) command = args[++i];
  if (command === 'compose') return composeWrapper([`${tool} compose`, ...args.slice(i + 1)], ctx, `${tool} compose`);
  if (command !== 'exec' && command !== 'run') return [];
  const rest = args.slice(i + 1);
  const j = dockerOptions(rest, command === 'exec' ? DOCKER_EXEC : DOCKER_RUN);
  return analyzeArgv(rest.slice(j + 1), nested(ctx, `${tool} ${command} ${rest[j] ?? ''}`.trim(), { env: {} }));
}

function composeWrapper(argv: readonly string[], ctx: Ctx, tool: string): Finding[] {
  const args = argv.slice(1);
  const i = dockerOptions(args, new Set(['-f', '--file', '-p', '--project-name', '--profile', '--env-file', '--project-directory', '--ansi', '--parallel', '--progress']));
  const command = args[i];
  if (command !== 'exec' && command !== 'run') return [];
  const rest = args.slice(i + 1);
  const j = dockerOptions(rest, command === 'exec' ? DOCKER_EXEC : DOCKER_RUN);
  return analyzeArgv(rest.slice(j + 1), nested(ctx, `${tool} ${command} ${rest[j] ?? ''}`.trim(), { env: {} }));
}

function kubectlWrapper(argv: readonly string[], ctx: Ctx, tool: string): Finding[] {
  const dash = argv.indexOf('--');
  if (!argv.includes('exec') || dash === -1) return [];
  return analyzeArgv(argv.slice(dash + 1), nested(ctx, `${tool} exec`, { env: {} }));
}

