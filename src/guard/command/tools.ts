/**
 * What the guard knows about each database tool: which invocations destroy data or schema, and which
 * carry SQL to classify. Each handler reads argv (argv[0] is the program) and returns findings; it
 * never runs anything. The judgement behind each rule is documented in docs/guard.md ("guard -- COMMAND").
 */
import fs from 'node:fs';
import path from 'node:path';
import { detectEngine } from '../../core/url.js';
import { sqliteDotArgument } from './client-sql.js';
import {
  destructive,
  note,
  sqlFile,
  sqlFinding,
  sqlText,
  stdinSql,
  type Ctx,
  type Finding,
  type SqlDialect,
} from './context.js';
import { hasUnknown } from './shell.js';

export type Handler = (argv: readonly string[], ctx: Ctx, tool: string) => Finding[];

interface ParsedArgs {
  positionals: string[];
  /** Options in order; value true for a flag. */
  options: { name: string; value: string | true }[];
}

/** How short options are written: whole words (`-rf` is one flag), or clustered letters as in getopt. */
interface ShortOptions {
  /** `-lc SQL` is -l and -c: each letter an option, a valued one taking the rest of the word or the next argument. */
  clustered: true;
  /** Letters whose value can only be attached (mysql's `-pPASSWORD`); alone they are flags. */
  attached?: ReadonlySet<string>;
}

/**
 * A permissive getopt: `--name=value`, `--name value` and `-x value` / `-xvalue` for the names in
 * `valued`, everything else starting with '-' a flag. After `--` everything is positional.
 */
export function parseArgs(args: readonly string[], valued: ReadonlySet<string>, short?: ShortOptions): ParsedArgs {
  const positionals: string[] = [];
  const options: ParsedArgs['options'] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(0, eq) : a;
      if (eq > 0) options.push({ name, value: a.slice(eq + 1) });
      else if (valued.has(name)) options.push({ name, value: args[++i] ?? '' });
      else options.push({ name, value: true });
      continue;
    }
    if (a.startsWith('-') && a.length > 1 && short?.clustered) {
      for (let j = 1; j < a.length; j++) {
        const name = `-${a[j]}`;
        const rest = a.slice(j + 1);
        if (short.attached?.has(name)) options.push({ name, value: rest || true });
        else if (valued.has(name)) options.push({ name, value: rest || (args[++i] ?? '') });
        else {
          options.push({ name, value: true });
          continue;
        }
        break;
      }
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      const name = a.slice(0, 2);
      if (valued.has(name)) options.push({ name, value: a.length > 2 ? a.slice(2) : (args[++i] ?? '') });
      else options.push({ name: a, value: true });
      continue;
    }
    positionals.push(a);
  }
  return { positionals, options };
}

function has(parsed: ParsedArgs, ...names: string[]): boolean {
  return parsed.options.some((o) => names.includes(o.name) && o.value !== 'false');
}

function value(parsed: ParsedArgs, ...names: string[]): string | undefined {
  const found = parsed.options.filter((o) => names.includes(o.name) && typeof o.value === 'string');
  return found.length ? (found[found.length - 1]!.value as string) : undefined;
}

const HELP = ['--help', '-h', '--version', '-v', '-V'];

/** Arguments only known at run time make an ORM command's meaning unknown: fail closed. */
function unknownArgs(argv: readonly string[], ctx: Ctx, tool: string): Finding[] | null {
  return argv.slice(1).some(hasUnknown) ? [destructive(ctx, tool, argv, 'some of its arguments are only known at run time')] : null;
}

// ---------------------------------------------------------------------------------------------------
// Prisma

const PRISMA_VALUED = new Set([
  '--schema', '--url', '--file', '--name', '-n', '--config', '--from-url', '--to-url', '--from-schema-datamodel', '--to-schema-datamodel',
  '--from-schema-datasource', '--to-schema-datasource', '--from-migrations', '--to-migrations', '--shadow-database-url', '--applied',
  '--rolled-back', '--datasource', '--output', '-o', '--generator', '--port', '-p', '--browser', '-b', '--hostname', '--from-schema', '--to-schema',
]);

export const prisma: Handler = (argv, ctx, tool) => {
  const parsed = parseArgs(argv.slice(1), PRISMA_VALUED);
  if (has(parsed, '--help', '-h', '--version', '-v')) return [];
  const unknown = unknownArgs(argv, ctx, tool);
  if (unknown) return unknown;
  const [command, sub] = parsed.positionals;
  if (command === 'migrate' && sub === 'reset') {
    return [destructive(ctx, tool, argv, 'drops the database (or every table in it), re-applies all migrations and runs the seed: all data is lost')];
  }
  if (command === 'migrate' && sub === 'dev') {
    return [
      destructive(
        ctx,
        tool,
        argv,
        'resets the database when it detects drift or an edited migration (after a yes/no prompt; --create-only does not prevent it, prisma/prisma#7338) and applies newly generated migrations, which may drop tables or columns',
      ),
    ];
  }
  if (command === 'db' && sub === 'push') {
    const findings: Finding[] = [];
    if (has(parsed, '--force-reset')) findings.push(destructive(ctx, tool, argv, 'drops every table before pushing the schema: all data is lost'));
    if (has(parsed, '--accept-data-loss')) {
      findings.push(destructive(ctx, tool, argv, 'applies schema changes that Prisma flags as losing data (dropped tables or columns, changed types) without asking'));
    }
    return findings;
  }
  if (command === 'db' && sub === 'execute') return prismaDbExecute(argv, parsed, ctx, tool);
  return [];
};

function prismaDbExecute(argv: readonly string[], parsed: ParsedArgs, ctx: Ctx, tool: string): Finding[] {
  const file = value(parsed, '--file');
  const fromStdin = has(parsed, '--stdin');
  if (file === undefined && !fromStdin) return [];
  const engine = prismaEngine(parsed, ctx);
  if ('problem' in engine) return [destructive(ctx, tool, argv, engine.problem)];
  const findings: Finding[] = [];
  if (file !== undefined) findings.push(...sqlFile(ctx, tool, argv, engine.dialect, file, 'prisma db execute --file', engine.target));
  if (fromStdin) findings.push(...stdinSql(ctx, tool, argv, engine.dialect, engine.target));
  return findings;
}

function dialectOfUrl(url: string | undefined): SqlDialect | undefined {
  if (!url) return undefined;
  if (/^prisma\+postgres:\/\//i.test(url)) return 'postgres';
  try {
    return detectEngine(url);
  } catch {
    return undefined;
  }
}

const PRISMA_PROVIDERS: Record<string, SqlDialect> = { postgresql: 'postgres', postgres: 'postgres', cockroachdb: 'postgres', mysql: 'mysql', sqlite: 'sqlite' };

/** The engine `prisma db execute` talks to: --url, else the schema's datasource provider, else DATABASE_URL. */
function prismaEngine(parsed: ParsedArgs, ctx: Ctx): { dialect: SqlDialect; target?: string } | { problem: string } {
  const url = value(parsed, '--url');
  if (url !== undefined) {
    const dialect = dialectOfUrl(url);
    return dialect ? { dialect, target: url } : { problem: `the --url scheme is not one the guard can classify SQL for (PostgreSQL, MySQL/MariaDB, SQLite)` };
  }
  const datasource = prismaDatasource(value(parsed, '--schema'), ctx.cwd);
  if (datasource?.provider) {
    const dialect = PRISMA_PROVIDERS[datasource.provider];
    if (!dialect) return { problem: `the Prisma schema's provider "${datasource.provider}" is not one the guard can classify SQL for` };
    const envUrl = datasource.urlEnv ? ctx.env[datasource.urlEnv] : undefined;
    return envUrl ? { dialect, target: envUrl } : { dialect };
  }
  const envDialect = dialectOfUrl(ctx.env.DATABASE_URL);
  if (envDialect) return { dialect: envDialect, target: ctx.env.DATABASE_URL! };
  return { problem: 'the guard cannot tell which database engine it talks to (no --url, no readable Prisma schema with a provider, no DATABASE_URL)' };
}

/** provider and url env() of the first datasource block of the project's Prisma schema. */
export function prismaDatasource(schemaOption: string | undefined, cwd: string): { provider?: string; urlEnv?: string } | null {
  const candidates: string[] = [];
  if (schemaOption) candidates.push(path.resolve(cwd, schemaOption));
  else {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(cwd, 'package.json'), 'utf8')) as { prisma?: { schema?: unknown } };
      if (typeof pkg.prisma?.schema === 'string') candidates.push(path.resolve(cwd, pkg.prisma.schema));
    } catch {
      // no package.json, or not JSON: Prisma's default locations below
    }
    candidates.push(path.join(cwd, 'prisma', 'schema.prisma'), path.join(cwd, 'schema.prisma'), path.join(cwd, 'prisma', 'schema'));
  }
  for (const candidate of candidates) {
    let texts: string[] = [];
    try {
      const st = fs.statSync(candidate);
      if (st.isDirectory()) {
        texts = fs
          .readdirSync(candidate)
          .filter((f) => f.endsWith('.prisma'))
          .sort()
          .map((f) => fs.readFileSync(path.join(candidate, f), 'utf8'));
      } else texts = [fs.readFileSync(candidate, 'utf8')];
    } catch {
      continue;
    }
    for (const text of texts) {
      const block = /^\s*datasource\s+\w+\s*\{([^}]*)\}/m.exec(text.replace(/\/\/[^\n]*/g, ''));
      if (!block) continue;
      const provider = /\bprovider\s*=\s*"([^"]+)"/.exec(block[1]!)?.[1];
      const urlEnv = /\burl\s*=\s*env\(\s*"([^"]+)"\s*\)/.exec(block[1]!)?.[1];
      return { ...(provider ? { provider } : {}), ...(urlEnv ? { urlEnv } : {}) };
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------
// Drizzle Kit, TypeORM, Sequelize, Knex, Rails

export const drizzleKit: Handler = (argv, ctx, tool) => {
  const parsed = parseArgs(argv.slice(1), new Set(['--config', '--dialect', '--schema', '--url', '--out', '--name', '--driver', '--tablesFilter', '--schemaFilter', '--extensionsFilters', '--casing', '--prefix', '--host', '--port', '--user', '--password', '--database', '--auth-token']));
  if (has(parsed, ...HELP)) return [];
  const unknown = unknownArgs(argv, ctx, tool);
  if (unknown) return unknown;
  const command = parsed.positionals[0] ?? '';
  if ((command === 'push' || command.startsWith('push:')) && has(parsed, '--force')) {
    return [
      destructive(
        ctx,
        tool,
        argv,
        'applies the schema diff without asking, including changes drizzle-kit flags as losing data (dropped tables or columns, TRUNCATE … CASCADE before a type change)',
      ),
    ];
  }
  if (command === 'push' || command.startsWith('push:')) {
    return [note(ctx, tool, argv, 'drizzle-kit asks before statements that lose data (and refuses without a terminal); with --force it would be stopped')];
  }
  if (command === 'drop') {
    return [destructive(ctx, tool, argv, 'deletes a generated migration (its SQL file and snapshot) from the migrations folder; the database itself is not changed')];
  }
  return [];
};

export const typeorm: Handler = (argv, ctx, tool) => {
  const parsed = parseArgs(argv.slice(1), new Set(['-d', '--dataSource', '--datasource', '-c', '--connection', '-f', '--config', '-n', '--name', '-t', '--transaction', '-o', '--outputJs']));
  if (has(parsed, ...HELP)) return [];
  const unknown = unknownArgs(argv, ctx, tool);
  if (unknown) return unknown;
  const [command, query] = parsed.positionals;
  if (command === 'schema:drop') return [destructive(ctx, tool, argv, "drops every table, view and other object of the data source's database")];
  if (command === 'schema:sync') {
    return [destructive(ctx, tool, argv, 'alters the schema to match the entities without a migration: tables and columns the entities no longer have are dropped')];
  }
  if (command === 'query' && query !== undefined) {
    const dialect = dialectOfUrl(ctx.env.DATABASE_URL);
    if (!dialect) return [destructive(ctx, tool, argv, 'runs SQL, and the guard cannot tell which engine it is for (set DATABASE_URL, or use dbward exec)')];
    return sqlText(ctx, tool, argv, dialect, query, 'typeorm query');
  }
  return [];
};

const SEQUELIZE_DESTRUCTIVE: Record<string, string> = {
  'db:drop': 'drops the database',
  'db:migrate:undo:all': "reverts every migration (their down steps usually drop tables)",
  'db:seed:undo:all': 'deletes the data of every seeder',
};

export const sequelize: Handler = (argv, ctx, tool) => {
  const parsed = parseArgs(argv.slice(1), new Set(['--env', '--config', '--options-path', '--migrations-path', '--seeders-path', '--models-path', '--url', '--to', '--from', '--name', '--seed', '--debug']));
  if (has(parsed, ...HELP)) return [];
  const unknown = unknownArgs(argv, ctx, tool);
  if (unknown) return unknown;
  const reason = SEQUELIZE_DESTRUCTIVE[parsed.positionals[0] ?? ''];
  return reason ? [destructive(ctx, tool, argv, reason)] : [];
};

export const knex: Handler = (argv, ctx, tool) => {
  const parsed = parseArgs(argv.slice(1), new Set(['--knexfile', '--knexpath', '--cwd', '--client', '--connection', '--env', '--migrations-directory', '--migrations-table-name', '--specific', '--timestamp-filename-prefix', '--esm']));
  if (has(parsed, ...HELP)) return [];
  const unknown = unknownArgs(argv, ctx, tool);
  if (unknown) return unknown;
  if (parsed.positionals[0] === 'migrate:rollback' && has(parsed, '--all')) {
    return [destructive(ctx, tool, argv, "reverts every completed migration batch (their down steps usually drop tables)")];
  }
  return [];
};

const RAILS_TASKS: [string, string][] = [
  ['db:drop', 'drops the database'],
  ['db:reset', 'drops and recreates the database from the schema file, then seeds it'],
  ['db:schema:load', 'loads the schema file over the database: existing tables are dropped and recreated empty'],
  ['db:structure:load', 'loads structure.sql over the database: existing tables are dropped and recreated empty'],
  ['db:purge', 'empties the database (drops and recreates it)'],
  ['db:setup', 'creates the database and loads the schema file over it (existing tables are dropped), then seeds it'],
  ['db:migrate:reset', 'drops and recreates the database, then runs every migration'],
  ['db:truncate_all', 'truncates every table'],
  ['db:fixtures:load', 'deletes the rows of every fixture table before loading the fixtures'],
  ['db:seed:replant', 'truncates every table, then seeds'],
];

/** rails / rake (also bin/rails, bundle exec rails|rake): destructive db:* tasks. */
export const rails: Handler = (argv, ctx, tool) => {
  const parsed = parseArgs(argv.slice(1), new Set(['-f', '--rakefile', '-C', '--directory', '-I', '--libdir', '-r', '--require', '-R', '--rakelibdir', '-j', '--jobs', '-e', '--environment', '-E', '--execute-continue', '-p', '--execute-print', '--execute']));
  if (parsed.positionals.length === 0 && has(parsed, '-h', '--help', '-T', '--tasks', '-V', '--version')) return [];
  const unknown = unknownArgs(argv, ctx, tool);
  if (unknown) return unknown;
  const findings: Finding[] = [];
  for (const arg of parsed.positionals) {
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(arg)) continue; // rake's NAME=value environment arguments
    const task = arg.replace(/\[.*$/s, '');
    if (task.startsWith('db:test:')) continue;
    for (const [base, reason] of RAILS_TASKS) {
      if (task === base || task.startsWith(`${base}:`)) findings.push(destructive(ctx, tool, argv, `${task} ${reason}`));
    }
  }
  return findings;
};

// ---------------------------------------------------------------------------------------------------
// PostgreSQL, MySQL/MariaDB, SQLite command-line tools

export const dropdb: Handler = (argv, ctx, tool) => {
  const parsed = parseArgs(argv.slice(1), new Set(['-h', '--host', '-p', '--port', '-U', '--username', '--maintenance-db']));
  if (has(parsed, '--help', '-?', '--version', '-V')) return [];
  const db = parsed.positionals[parsed.positionals.length - 1] ?? ctx.env.PGDATABASE;
  return [destructive(ctx, tool, argv, `drops the PostgreSQL database${db ? ` ${db}` : ''}`, db)];
};

export const pgRestore: Handler = (argv, ctx, tool) => {
  const valued = new Set('dfFhIjLnNpPStTU'.split('').map((c) => `-${c}`));
  for (const o of ['--dbname', '--file', '--format', '--host', '--index', '--jobs', '--use-list', '--schema', '--exclude-schema', '--port', '--function', '--superuser', '--table', '--trigger', '--username', '--role', '--section']) valued.add(o);
  const flags = new Set<string>();
  let db: string | undefined;
  const args = argv.slice(1);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('--')) {
      const [name, v] = a.split('=', 2) as [string, string | undefined];
      if (valued.has(name) && v === undefined) i++;
      if (name === '--dbname') db = v ?? args[i];
      flags.add(name);
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = `-${a[j]}`;
        if (valued.has(c)) {
          const v = a.length > j + 1 ? a.slice(j + 1) : args[++i];
          if (c === '-d') db = v;
          break;
        }
        flags.add(c);
      }
    }
  }
  if (db === undefined) return []; // without -d pg_restore writes a script; nothing touches a database
  const clean = flags.has('-c') || flags.has('--clean');
  if (!clean) return [];
  const create = flags.has('-C') || flags.has('--create');
  return [
    destructive(
      ctx,
      tool,
      argv,
      create ? 'drops and recreates the database named in the archive before restoring it' : `drops the archive's objects (tables and their data) from ${db} before recreating them`,
      db,
    ),
  ];
};

const PSQL_VALUED = new Set([
  ...'cdfhpUvoLPFRT'.split('').map((c) => `-${c}`),
  '--command', '--dbname', '--file', '--host', '--port', '--username', '--set', '--variable', '--output', '--log-file', '--pset', '--field-separator', '--record-separator', '--table-attr',
]);

export const psql: Handler = (argv, ctx, tool) => {
  const { positionals, options } = parseArgs(argv.slice(1), PSQL_VALUED, { clustered: true });
  if (options.some((o) => ['--help', '--version', '-?', '-V'].includes(o.name))) return [];
  const text = (v: string | true) => (v === true ? '' : v);
  const sources: { type: 'c' | 'f'; text: string }[] = [];
  const vars = new Map<string, string>();
  let dbname: string | undefined;
  let list = false;
  for (const { name, value } of options) {
    if (name === '--list' || name === '-l') list = true;
    if (name === '--command' || name === '-c') sources.push({ type: 'c', text: text(value) });
    if (name === '--file' || name === '-f') sources.push({ type: 'f', text: text(value) });
    if (name === '--dbname' || name === '-d') dbname = value === true ? undefined : value;
    if (name === '--set' || name === '--variable' || name === '-v') {
      const assignment = text(value);
      const eq = assignment.indexOf('=');
      if (eq > 0) vars.set(assignment.slice(0, eq), assignment.slice(eq + 1));
    }
  }
  const target = dbname ?? positionals[0] ?? ctx.env.PGDATABASE;
  if (sources.length === 0) return list ? [] : stdinSql(ctx, tool, argv, 'postgres', target, vars);
  let c = 0;
  return sources.flatMap((s) => {
    if (s.type === 'c') return sqlText(ctx, tool, argv, 'postgres', s.text, `psql -c #${++c}`, target, vars);
    if (s.text === '-') return stdinSql(ctx, tool, argv, 'postgres', target, vars);
    return sqlFile(ctx, tool, argv, 'postgres', s.text, 'psql -f', target, vars);
  });
};

const MYSQL_VALUED = new Set([
  ...'eDhPSuO'.split('').map((c) => `-${c}`),
  '--execute', '--database', '--host', '--port', '--socket', '--user', '--init-command', '--init-command-add', '--default-character-set',
  '--character-sets-dir', '--protocol', '--prompt', '--tee', '--connect-timeout', '--max-allowed-packet', '--net-buffer-length', '--select-limit',
  '--max-join-size', '--ssl-ca', '--ssl-capath', '--ssl-cert', '--ssl-cipher', '--ssl-key', '--ssl-crl', '--ssl-crlpath', '--tls-version',
  '--server-public-key-path', '--plugin-dir', '--default-auth', '--bind-address', '--load-data-local-dir', '--set-variable',
]);
/** -pPASSWORD and -#debug: a value only when attached. */
const MYSQL_ATTACHED = new Set(['-p', '-#']);

export const mysql: Handler = (argv, ctx, tool) => {
  const { positionals, options } = parseArgs(argv.slice(1), MYSQL_VALUED, { clustered: true, attached: MYSQL_ATTACHED });
  if (options.some((o) => ['--help', '--version', '-?', '-V', '-I'].includes(o.name))) return [];
  const text = (v: string | true) => (v === true ? '' : v);
  const init: string[] = [];
  const exec: string[] = [];
  let database: string | undefined;
  for (const { name, value } of options) {
    if (name === '--execute' || name === '-e') exec.push(text(value));
    if (name === '--init-command' || name === '--init-command-add') init.push(text(value));
    if (name === '--database' || name === '-D') database = value === true ? undefined : value;
  }
  const target = database ?? positionals[0];
  const findings: Finding[] = init.flatMap((sql, k) => sqlText(ctx, tool, argv, 'mysql', sql, `${tool} --init-command #${k + 1}`, target));
  if (exec.length === 0) return [...findings, ...stdinSql(ctx, tool, argv, 'mysql', target)];
  return [...findings, ...exec.flatMap((sql, k) => sqlText(ctx, tool, argv, 'mysql', sql, `${tool} -e #${k + 1}`, target))];
};

export const sqlite3: Handler = (argv, ctx, tool) => {
  const valued = new Set(['cmd', 'init', 'separator', 'newline', 'nullvalue', 'mmap', 'maxsize', 'vfs', 'nonce', 'sorterref', 'escape', 'lookaside', 'pagecache', 'heap', 'pcachetrace']);
  const twoValues = new Set(['lookaside', 'pagecache', 'heap']);
  const cmds: string[] = [];
  let initFile: string | undefined;
  const positionals: string[] = [];
  const args = argv.slice(1);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('-') && a.length > 1) {
      const name = a.replace(/^--?/, '');
      if (name === 'version' || name === 'help') return [];
      if (name === 'A' || name.startsWith('A')) {
        return [destructive(ctx, tool, argv, 'changes an SQLite archive (-A)')];
      }
      if (valued.has(name)) {
        const v = args[++i] ?? '';
        if (twoValues.has(name)) i++;
        if (name === 'cmd') cmds.push(v);
        if (name === 'init') initFile = v;
      }
      continue;
    }
    positionals.push(a);
  }
  const [database, ...sqlArgs] = positionals;
  const target = database;
  const findings: Finding[] = [];
  if (initFile !== undefined) findings.push(...sqlFile(ctx, tool, argv, 'sqlite', initFile, 'sqlite3 -init', target));
  const piece = (text: string, origin: string): Finding[] => {
    if (text.trim().startsWith('.') && !hasUnknown(text)) {
      return sqlFinding(ctx, tool, argv, 'sqlite', sqliteDotArgument(text, { cwd: ctx.cwd, origin }), origin, target);
    }
    return sqlText(ctx, tool, argv, 'sqlite', text, origin, target);
  };
  cmds.forEach((text, k) => findings.push(...piece(text, `sqlite3 -cmd #${k + 1}`)));
  if (sqlArgs.length === 0) return [...findings, ...stdinSql(ctx, tool, argv, 'sqlite', target)];
  sqlArgs.forEach((text, k) => findings.push(...piece(text, `sqlite3 argument #${k + 2}`)));
  return findings;
};

export const mysqladmin: Handler = (argv, ctx, tool) => {
  const parsed = parseArgs(argv.slice(1), new Set(['-u', '--user', '-h', '--host', '-P', '--port', '-S', '--socket', '-c', '--count', '-i', '--sleep', '-O', '--set-variable', '--default-character-set', '--protocol', '--connect-timeout', '--shutdown-timeout']));
  const findings: Finding[] = [];
  const pos = parsed.positionals;
  for (let k = 0; k < pos.length; k++) {
    if (pos[k]!.toLowerCase() === 'drop') {
      const db = pos[k + 1];
      findings.push(destructive(ctx, tool, argv, `drops the database${db ? ` ${db}` : ''}`, db));
    }
  }
  return findings;
};

const SQLITE_FILE = /\.(db|sqlite|sqlite3|db3)(-wal|-shm|-journal)?$/i;

/** rm / unlink of an SQLite database file (by extension, or the file DATABASE_URL names). */
export const removeFile: Handler = (argv, ctx, tool) => {
  const url = ctx.env.DATABASE_URL;
  const dbFiles: string[] = [];
  if (url && /^(file|sqlite):/i.test(url)) {
    const p = url.replace(/^(file|sqlite):(\/\/)?/i, '').replace(/\?.*$/s, '');
    dbFiles.push(path.resolve(ctx.cwd, p), path.resolve(ctx.cwd, 'prisma', p));
  }
  const files: string[] = [];
  let options = true;
  for (const a of argv.slice(1)) {
    if (options && a === '--') {
      options = false;
      continue;
    }
    if (options && a.startsWith('-') && a.length > 1) continue;
    files.push(a);
  }
  return files
    .filter((f) => SQLITE_FILE.test(f) || dbFiles.includes(path.resolve(ctx.cwd, f)))
    .map((f) => destructive(ctx, tool, argv, `deletes the SQLite database file ${f}`, f));
};
