/**
 * The PostgreSQL BackupDriver: pg_dump custom format (uncompressed; dbward compresses), pg_restore for
 * the structural check and the restore.
 *
 * Per-table row counts and content checksums come from the dump itself (dump-digest.ts): the COPY
 * text of every TABLE DATA block is counted and hashed row by row as it streams past, so they describe
 * exactly the rows in the dump, from pg_dump's own snapshot, at no extra cost on the server. On a
 * restored database, tableContents() digests a fresh data-only dump the same way. pg_dump fixes
 * DateStyle, IntervalStyle and extra_float_digits itself; the time zone and bytea_output, the other
 * settings that change how a value is written as text, are fixed through libpq's environment, so
 * the same rows give the same text, and the same checksum, in any database or session.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import pg from 'pg';
import { ConnectionError, DbwardError, OperationError, UsageError, VerificationError, errorMessage } from '../../core/errors.js';
import { redactText } from '../../core/redact.js';
import { versionIn } from '../../core/tools.js';
import type { ConnectionTarget, ServerTarget } from '../../core/url.js';
import type { BackupDriver, DumpOptions } from '../backup-driver.js';
import { digestToolOutput } from '../backup-driver-digest.js';
import type { Engine, Queryable } from '../engine.js';
import { connectPostgres } from './connect.js';
import { connectionArgs, dbnameArg, libpqEnv, locateTool, runTool, type NativeTool } from './native.js';

/** Ordinary tables (partitions included) in user schemas, not owned by an extension. */
const USER_TABLES = `
  SELECT n.nspname AS schema, c.relname AS name
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind = 'r'
     AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
     AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'
     AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
     AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e')
   ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C"`;

/** CREATE DATABASE with the encoding and locale of the connected database, from the clean template0. */
const CREATE_LIKE_CURRENT = `
  SELECT format('CREATE DATABASE %I TEMPLATE template0 ENCODING %L LC_COLLATE %L LC_CTYPE %L',
                $1::text, pg_encoding_to_char(d.encoding), d.datcollate, d.datctype)
         || CASE WHEN to_jsonb(d) ->> 'datlocprovider' = 'i'
                 THEN format(' LOCALE_PROVIDER icu ICU_LOCALE %L', coalesce(to_jsonb(d) ->> 'daticulocale', to_jsonb(d) ->> 'datlocale'))
                 ELSE '' END AS sql
    FROM pg_database d WHERE d.datname = current_database()`;

const DATABASE_NAME = /^[a-z0-9_]{1,63}$/;
const OBJECT_IN_USE = '55006';
const RENAME_ATTEMPTS = 50;
const RENAME_RETRY_MS = 100;

interface TableRef {
  schema: string;
  name: string;
}

function serverTarget(target: ConnectionTarget): ServerTarget {
  if (target.engine !== 'postgres') throw new UsageError(`The PostgreSQL backup driver cannot work on a ${target.engine} database.`);
  return target;
}

function sameServer(a: ServerTarget, b: ServerTarget): boolean {
  return a.host === b.host && a.port === b.port && a.socket === b.socket;
}

/** The target for another database on the same server, with a redacted URL built without the password. */
function sibling(target: ServerTarget, database: string): ServerTarget {
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  const user = target.user === undefined ? '' : `${encodeURIComponent(target.user)}@`;
  const query = new URLSearchParams(target.params).toString();
  const url = `postgres://${user}${host}:${target.port}/${encodeURIComponent(database)}${query ? `?${query}` : ''}`;
  return { ...target, database, redacted: redactText(url) };
}

/** Resolve "name" or "schema.name" against the user tables (kept in catalog order); unknown or ambiguous names are refused. */
function resolveTables(all: TableRef[], specs: string[]): TableRef[] {
  const chosen = new Set<TableRef>();
  for (const spec of specs) {
    const dot = spec.indexOf('.');
    const matches = all.filter(
      (t) => t.name === spec || (dot > 0 && t.schema === spec.slice(0, dot) && t.name === spec.slice(dot + 1)),
    );
    if (matches.length === 0) throw new UsageError(`There is no table "${spec}" in the database.`, 'Give the table as name or schema.name, as the database spells it.');
    if (matches.length > 1) {
      throw new UsageError(`The table name "${spec}" is ambiguous: ${matches.map((t) => `${t.schema}.${t.name}`).join(', ')}.`, 'Give it as schema.name.');
    }
    chosen.add(matches[0] as TableRef);
  }
  return all.filter((t) => chosen.has(t));
}

async function selectTables(tx: Queryable, specs: string[] | undefined): Promise<TableRef[]> {
  const { rows } = await tx.query<{ schema: string; name: string }>(USER_TABLES);
  return specs?.length ? resolveTables(rows, specs) : rows;
}

/** A pg_dump pattern matching exactly this name: inside double quotes every character is literal. */
const literalPattern = (name: string) => `"${name.replace(/"/g, '""')}"`;

function dumpArgs(kind: DumpOptions['kind'], tables: TableRef[] | null): string[] {
  const only = { full: [], 'schema-only': ['--schema-only'], 'data-only': ['--data-only'] }[kind];
  const selected = tables ? tables.map((t) => `--table=${literalPattern(t.schema)}.${literalPattern(t.name)}`) : [];
  return ['--format=custom', '--compress=0', ...only, ...selected];
}

/**
 * libpq's environment for pg_dump: the password and the URL's parameters (libpqEnv), and the two
 * settings that change how values are written and that pg_dump leaves to the session: the time zone
 * (timestamptz) and bytea_output. A database with other defaults then dumps the same text as the
 * scratch database it is restored into, so checksums compare.
 */
function dumpEnv(target: ServerTarget): NodeJS.ProcessEnv {
  const env = libpqEnv(target);
  env.PGTZ = 'UTC';
  env.PGOPTIONS = `${env.PGOPTIONS ?? ''} -c bytea_output=hex`.trim();
  return env;
}

/**
 * Run pg_dump into the descriptor `output` (or nowhere, when null) while a worker thread digests the
 * archive on the way: per-table row counts and checksums of exactly what was written, and the byte count.
 */
async function dumpDigested(target: ServerTarget, args: string[], output: number | null, onProgress?: (bytes: number) => void) {
  const located = locateTool('pg_dump');
  const { tables, bytes, toolVersion } = await digestToolOutput(
    'pg_dump-custom',
    (stdoutFd) => runTool(located, [...args, ...connectionArgs(target)], { env: dumpEnv(target), stdoutFd, bufferStdout: '1M' }),
    output,
    onProgress,
    (err) => new OperationError(`pg_dump wrote an archive dbward cannot read: ${err.message}`, 'Use pg_dump 9.5 to 17 (archive versions 1.12 to 1.16).', err),
  );
  // The archive's header names the pg_dump that wrote it (no second run of pg_dump for --version).
  const version = toolVersion === null ? 'unknown' : (versionIn(toolVersion).version ?? toolVersion);
  return { tool: { name: located.name, version }, tables, bytes };
}

const CONTENT_METHOD = 'pg_dump-copy-rows/1';

function asOperationError(err: unknown, what: string): DbwardError {
  if (err instanceof DbwardError) return err;
  return new OperationError(redactText(`${what} failed: ${errorMessage(err)}`), undefined, err);
}

/** Copy the stream into a private temporary file in workDir (pg_restore needs a seekable file), use it, delete it. */
async function withTempFile<T>(workDir: string, input: Readable, fn: (file: string) => Promise<T>): Promise<T> {
  const file = path.join(workDir, `.pg-restore-${randomUUID()}.dump`);
  try {
    await pipeline(input, fs.createWriteStream(file, { flags: 'wx', mode: 0o600 }));
    return await fn(file);
  } finally {
    await fs.promises.rm(file, { force: true });
  }
}

interface Toc {
  entries: number;
  /** Whether the archive holds table definitions, i.e. is not a data-only dump. */
  definitions: boolean;
}

/** Read the table of contents with `pg_restore --list`, one line at a time. */
async function readToc(tool: NativeTool, file: string): Promise<Toc> {
  const toc: Toc = { entries: 0, definitions: false };
  const decoder = new StringDecoder('utf8');
  let partial = '';
  const onLine = (line: string) => {
    // "215; 1259 16386 TABLE public album postgres"; comment lines start with ';'.
    const entry = /^\d+; \d+ \d+ (.*)$/.exec(line);
    if (!entry) return;
    toc.entries++;
    if (/^TABLE (?!DATA )/.test(entry[1] as string)) toc.definitions = true;
  };
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const lines = (partial + decoder.write(chunk)).split('\n');
      partial = lines.pop() ?? '';
      lines.forEach(onLine);
      callback();
    },
  });
  await runTool(tool, ['--list', file], { stdout: sink });
  onLine(partial + decoder.end());
  return toc;
}

const discard = () => new Writable({ write: (_chunk, _encoding, callback) => callback() });

/**
 * pg_restore runs for --table: a schema-qualified name is matched with --schema (pg_restore's --table
 * takes a bare name), one run per schema so that names from different schemas do not mix.
 */
function restoreSelections(tables: string[] | undefined): string[][] {
  if (!tables?.length) return [[]];
  const bySchema = new Map<string, string[]>();
  for (const spec of tables) {
    const dot = spec.indexOf('.');
    const [schema, name] = dot > 0 ? [spec.slice(0, dot), spec.slice(dot + 1)] : ['', spec];
    bySchema.set(schema, [...(bySchema.get(schema) ?? []), `--table=${name}`]);
  }
  return [...bySchema].map(([schema, names]) => (schema ? [`--schema=${schema}`, ...names] : names));
}

function replacedName(database: string, now: Date): string {
  const stamp = now.toISOString().replace(/\D/g, '').slice(0, 14);
  const suffix = `__replaced_${stamp}`;
  let base = database;
  while (Buffer.byteLength(base + suffix) > 63) base = base.slice(0, -1);
  return base + suffix;
}

/** A session on the server's maintenance database: a database cannot be renamed from inside itself. */
async function connectMaintenance(target: ServerTarget): Promise<Engine> {
  try {
    return await connectPostgres(sibling(target, 'postgres'), { timeoutMs: 30_000 });
  } catch (err) {
    if (!(err instanceof ConnectionError && err.kind === 'unknown-database')) throw err;
    return connectPostgres(sibling(target, 'template1'), { timeoutMs: 30_000 });
  }
}

/** Rename a database, ending its other sessions first; new sessions can slip in between, so retry while it is in use. */
async function renameDatabase(admin: Engine, from: string, to: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [from]);
    try {
      await admin.query(`ALTER DATABASE ${pg.escapeIdentifier(from)} RENAME TO ${pg.escapeIdentifier(to)}`);
      return;
    } catch (err) {
      if ((err as { code?: unknown }).code !== OBJECT_IN_USE || attempt === RENAME_ATTEMPTS) throw err;
      await new Promise((resolve) => setTimeout(resolve, RENAME_RETRY_MS));
    }
  }
}

const shellQuote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);

export const postgresBackup: BackupDriver = {
  contentMethod: CONTENT_METHOD,

  async dump(engine, output, options) {
    try {
      const target = serverTarget(engine.target);
      // pg_dump takes its own consistent snapshot; the counts and checksums are read from what it writes.
      const tables = options.tables?.length ? await selectTables(engine, options.tables) : null;
      const { tool, tables: contents, bytes } = await dumpDigested(target, dumpArgs(options.kind, tables), output, options.onProgress);
      return {
        tool: { name: tool.name, version: tool.version },
        format: 'pg_dump-custom',
        tables: contents,
        contentMethod: CONTENT_METHOD,
        sameSnapshot: true,
        bytes,
      };
    } catch (err) {
      throw asOperationError(err, `Dumping ${engine.target.redacted}`);
    }
  },

  async checkStructure(input, { workDir }) {
    const tool = locateTool('pg_restore');
    return withTempFile(workDir, input, async (file) => {
      let toc: Toc;
      try {
        toc = await readToc(tool, file);
        // --list reads only the table of contents; writing the script out reads every data block.
        await runTool(tool, ['--file=-', file], { stdout: discard() });
      } catch (err) {
        throw new VerificationError(`The dump is damaged: ${errorMessage(err)}`, 'The file is not what pg_dump wrote: use another backup.');
      }
      return `pg_restore --list: ${toc.entries} entries, every data block readable`;
    });
  },

  async restore(target, input, { tables, workDir, preserveOwnership }) {
    const server = serverTarget(target);
    const ownership = preserveOwnership ? [] : ['--no-owner', '--no-acl'];
    const tool = locateTool('pg_restore');
    const env = libpqEnv(server);
    await withTempFile(workDir, input, async (file) => {
      // Parallel workers load table data in any order, which breaks foreign keys when the constraints
      // already exist: a data-only dump is restored by one process, in pg_dump's dependency order.
      const jobs = (await readToc(tool, file)).definitions ? 2 : 1;
      for (const selection of restoreSelections(tables)) {
        const args = [...ownership, '--exit-on-error', `--jobs=${jobs}`, ...selection, ...connectionArgs(server), file];
        await runTool(tool, args, { env });
      }
    });
  },

  async tableContents(engine, tables) {
    const target = serverTarget(engine.target);
    const selected = tables?.length ? await selectTables(engine, tables) : null;
    const { tables: contents } = await dumpDigested(target, dumpArgs('data-only', selected), null);
    return contents;
  },

  async createDatabase(near, name) {
    const target = serverTarget(near.target);
    if (!DATABASE_NAME.test(name)) {
      throw new UsageError(`Invalid database name "${name}".`, 'Use 1-63 characters of lower-case letters, digits and underscores.');
    }
    const { rows } = await near.query<{ sql: string }>(CREATE_LIKE_CURRENT, [name]);
    await near.query((rows[0] as { sql: string }).sql);
    return sibling(target, name);
  },

  async dropDatabase(near, target) {
    const current = serverTarget(near.target);
    const doomed = serverTarget(target);
    if (!sameServer(current, doomed)) throw new UsageError(`Refusing to drop ${doomed.redacted}: it is not on the same server as ${current.redacted}.`);
    if (doomed.database === current.database) throw new UsageError(`Refusing to drop ${doomed.database}: it is the connected database.`);
    await near.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(doomed.database)} WITH (FORCE)`);
  },

  async swapIn(current, restored) {
    const live = serverTarget(current.target);
    const replacement = serverTarget(restored);
    if (!sameServer(live, replacement) || live.database === replacement.database) {
      throw new UsageError(`Cannot swap ${replacement.redacted} in for ${live.redacted}: it must be another database on the same server.`);
    }
    const keptAs = replacedName(live.database, new Date());
    await current.close();
    const admin = await connectMaintenance(live);
    try {
      await renameDatabase(admin, live.database, keptAs);
      try {
        await renameDatabase(admin, replacement.database, live.database);
      } catch (err) {
        await renameDatabase(admin, keptAs, live.database).catch((undoErr: unknown) => {
          throw new OperationError(
            redactText(`Swapping in ${replacement.database} failed (${errorMessage(err)}), and renaming ${keptAs} back failed too: ${errorMessage(undoErr)}`),
            `The current data is intact in database ${keptAs}; rename it back with ALTER DATABASE ${keptAs} RENAME TO ${pg.escapeIdentifier(live.database)}.`,
            err,
          );
        });
        throw err;
      }
    } catch (err) {
      throw asOperationError(err, `Swapping ${replacement.database} in for ${live.database}`);
    } finally {
      await admin.close();
    }
    return { replacedBy: replacement.database, keptAs };
  },

  manualRestoreSteps(dumpFile, target) {
    const server = serverTarget(target);
    const conn = [`--host=${server.socket ?? server.host}`, `--port=${server.port}`, ...(server.user === undefined ? [] : [`--username=${server.user}`])];
    const line = (args: string[]) => args.map(shellQuote).join(' ');
    return [
      '# Give the password in the environment (export PGPASSWORD=...) or in ~/.pgpass, never on the command line.',
      line(['createdb', ...conn, '--template=template0', server.database]),
      line(['pg_restore', '--no-owner', '--no-acl', '--exit-on-error', ...conn, `--dbname=${dbnameArg(server.database)}`, dumpFile]),
    ];
  },
};
