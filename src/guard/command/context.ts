/**
 * Shared pieces of the guard's command inspection (src/guard/command/inspect.ts): the analysis
 * context, findings, and helpers that turn what a command reads on standard input or from files into
 * SQL findings. Internal to src/guard/command/.
 */
import path from 'node:path';
import type { EngineName } from '../../core/url.js';
import { redactText } from '../../core/redact.js';
import { clientFile, clientScript } from './client-sql.js';
import { hasUnknown, showWord, type ShellCommand, type StdinSpec } from './shell.js';

export type SqlDialect = EngineName;
export type Env = Record<string, string | undefined>;

/** One piece of SQL a command sends, in execution order. */
export interface SqlSource {
  /** Where it comes from, for messages: "psql -c #1", "db/reset.sql (psql -f)", "standard input (psql)". */
  origin: string;
  /** The SQL as the client would send it (includes inlined, client commands removed). */
  sql: string;
  /** Absolute paths of the files it was read from (with includes), if any. */
  files: string[];
}

export type Finding =
  | { kind: 'destructive'; tool: string; reason: string; target?: string }
  | { kind: 'sql'; tool: string; dialect: SqlDialect; source: SqlSource; target?: string }
  | { kind: 'stdin'; tool: string; dialect: SqlDialect; origin: string; target?: string }
  | { kind: 'note'; tool: string; note: string };

export interface Shared {
  stdinData: string | undefined;
  stdinIsTTY: boolean;
  /** Package scripts being inspected (dir + NUL + name): a script that reaches itself again stops there. */
  scriptStack: string[];
  /** Commands left to inspect before giving up (fail closed). */
  budget: number;
  /** Expanded argv of every command seen, so a pipe consumer can look at its producer. */
  producers: Map<ShellCommand, string[]>;
  analyzeArgv: (argv: readonly string[], ctx: Ctx) => Finding[];
  analyzeScript: (script: string, ctx: Ctx, positional?: readonly string[]) => Finding[];
}

export interface Ctx {
  cwd: string;
  env: Env;
  stdin: StdinSpec;
  /** How we got here: ["npm run db:reset", "sh -c"], for messages. */
  via: string[];
  depth: number;
  shared: Shared;
}

export const MAX_DEPTH = 32;

export function nested(ctx: Ctx, step?: string, changes: Partial<Omit<Ctx, 'shared' | 'depth' | 'via'>> = {}): Ctx {
  return { ...ctx, ...changes, depth: ctx.depth + 1, via: step ? [...ctx.via, step] : ctx.via };
}

const PLAIN = /^[A-Za-z0-9_\-+=/.,:@%^]+$/;
const MAX_SHOWN_ARG = 80;

/** argv as a short, redacted, copy-pastable command line for messages. */
export function display(argv: readonly string[]): string {
  const shown = argv.map((arg) => {
    let a = showWord(arg);
    if (/^--password=/i.test(a)) a = '--password=***';
    else if (/^-p.+/.test(a) && /^(mysql|mariadb|mysqladmin|mariadb-admin|mysqldump|mariadb-dump)$/.test(programName(argv[0] ?? ''))) a = '-p***';
    else if (/^(PGPASSWORD|MYSQL_PWD)=/i.test(a)) a = a.replace(/=.*/s, '=***');
    if (a.length > MAX_SHOWN_ARG) a = `${a.slice(0, MAX_SHOWN_ARG - 1)}…`;
    a = a.replace(/\s+/g, ' ');
    return a === '' ? "''" : PLAIN.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
  });
  return redactText(shown.join(' '));
}

/** The program a word names: its file name without a Windows extension. */
export function programName(word: string): string {
  const base = word.split(/[\\/]/).pop() ?? word;
  return base.replace(/\.(cmd|exe|bat|ps1)$/i, '');
}

export function viaText(ctx: Ctx): string {
  return ctx.via.length ? ` (via ${ctx.via.join(' → ')})` : '';
}

export function destructive(ctx: Ctx, tool: string, argv: readonly string[], what: string, target?: string): Finding {
  return { kind: 'destructive', tool, reason: redactText(`${display(argv)}${viaText(ctx)}: ${what}`), ...(target ? { target: redactText(target) } : {}) };
}

export function note(ctx: Ctx, tool: string, argv: readonly string[], what: string): Finding {
  return { kind: 'note', tool, note: redactText(`${display(argv)}${viaText(ctx)}: ${what}`) };
}

/** A SQL finding, or destructive findings for the problems the client text has. */
export function sqlFinding(
  ctx: Ctx,
  tool: string,
  argv: readonly string[],
  dialect: SqlDialect,
  result: { sql: string; problems: string[]; files: string[] },
  origin: string,
  target?: string,
): Finding[] {
  if (result.problems.length) return result.problems.map((p) => destructive(ctx, tool, argv, p, target));
  return [
    {
      kind: 'sql',
      tool,
      dialect,
      source: { origin: redactText(`${origin}${viaText(ctx)}`), sql: result.sql, files: result.files },
      ...(target ? { target: redactText(target) } : {}),
    },
  ];
}

/** SQL given as text (a -c / -e argument): run-time values cannot be classified. */
export function sqlText(
  ctx: Ctx,
  tool: string,
  argv: readonly string[],
  dialect: SqlDialect,
  text: string,
  origin: string,
  target?: string,
  vars?: Map<string, string>,
): Finding[] {
  if (hasUnknown(text)) return [destructive(ctx, tool, argv, `the SQL of ${origin} is only known at run time (${showWord(text).slice(0, 60)})`, target)];
  return sqlFinding(ctx, tool, argv, dialect, clientScript(dialect, text, { cwd: ctx.cwd, origin, ...(vars ? { vars } : {}) }), origin, target);
}

/** SQL read from a file (psql -f, prisma db execute --file, `< file`). */
export function sqlFile(
  ctx: Ctx,
  tool: string,
  argv: readonly string[],
  dialect: SqlDialect,
  file: string,
  origin: string,
  target?: string,
  vars?: Map<string, string>,
): Finding[] {
  if (hasUnknown(file)) return [destructive(ctx, tool, argv, `the SQL file of ${origin} is only known at run time`, target)];
  const result = clientFile(dialect, file, { cwd: ctx.cwd, ...(vars ? { vars } : {}) });
  const shown = path.isAbsolute(file) ? file : path.normalize(file);
  return sqlFinding(ctx, tool, argv, dialect, result, `${shown} (${origin})`, target);
}

/**
 * The SQL a client reads on standard input: the guard's own (handed over by the caller, or asked
 * for), a redirected file, a here-document, or the output of a pipe's producer when that is `cat`
 * of files or `echo`.
 */
export function stdinSql(
  ctx: Ctx,
  tool: string,
  argv: readonly string[],
  dialect: SqlDialect,
  target?: string,
  vars?: Map<string, string>,
): Finding[] {
  const s = ctx.stdin;
  const origin = `standard input of ${tool}`;
  switch (s.kind) {
    case 'inherit': {
      const data = ctx.shared.stdinData;
      if (data !== undefined) return sqlText(ctx, tool, argv, dialect, data, origin, target, vars);
      if (ctx.shared.stdinIsTTY) {
        return [note(ctx, tool, argv, 'an interactive session: statements typed at the terminal are not inspected')];
      }
      return [{ kind: 'stdin', tool, dialect, origin: redactText(`${origin}${viaText(ctx)}`), ...(target ? { target: redactText(target) } : {}) }];
    }
    case 'file':
      return sqlFile(ctx, tool, argv, dialect, s.path, `< ${s.path}`, target, vars);
    case 'text':
      return sqlText(ctx, tool, argv, dialect, s.text, `${s.origin} on the standard input of ${tool}`, target, vars);
    case 'pipe': {
      const producer = ctx.shared.producers.get(s.from) ?? [];
      const name = programName(producer[0] ?? '');
      const args = producer.slice(1);
      if (name === 'cat' && args.length === 0 && (s.from.stdin.kind === 'text' || s.from.stdin.kind === 'file')) {
        return stdinSql({ ...ctx, stdin: s.from.stdin }, tool, argv, dialect, target, vars); // cat <<EOF | psql
      }
      if (name === 'cat' && args.length && args.every((a) => a !== '-' && !a.startsWith('-'))) {
        return args.flatMap((file) => sqlFile(ctx, tool, argv, dialect, file, `cat ${file} | ${tool}`, target, vars));
      }
      if (name === 'echo' && !args.some((a) => hasUnknown(a))) {
        const words = args[0] === '-n' || args[0] === '-e' || args[0] === '-E' ? args.slice(1) : args;
        return sqlText(ctx, tool, argv, dialect, words.join(' '), `echo … | ${tool}`, target, vars);
      }
      return [
        destructive(ctx, tool, argv, `reads its SQL from the output of \`${display(producer)}\`, which the guard cannot see before it runs`, target),
      ];
    }
    case 'unknown':
      return [destructive(ctx, tool, argv, `reads its SQL from ${s.origin}, which the guard cannot see before it runs`, target)];
  }
}
