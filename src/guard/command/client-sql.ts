/**
 * The SQL that psql, mysql/mariadb and sqlite3 would send to the server for a given input text, for the
 * guard's command inspection. The clients accept more than SQL: psql's backslash meta-commands
 * (`\i file`, `\gexec`, `\copy`, `\!`), the mysql client's commands (`source file`, `delimiter //`,
 * `system`), sqlite3's dot-commands (`.read file`, `.restore`, `.shell`). Here:
 *
 * - includes (`\i`, `\ir`, `source`, `\.`, `.read`) are read and inlined (cycle- and depth-guarded);
 * - commands that only display, format or set client options are dropped;
 * - commands that end a statement (`\g`, `\gx`, `go`, a custom DELIMITER) become `;`;
 * - psql variables set with `-v`/`\set` are substituted for `:name`, `:'name'`, `:"name"`;
 * - `\copy … from` becomes `COPY … FROM STDIN` (a bulk write the classifier knows);
 * - everything that runs something the guard cannot see (a shell command, an editor, the result of a
 *   query as SQL, a restore over the database, a client command it does not know) is a *problem*: a
 *   human sentence the caller reports as a reason to treat the command as destructive (fail closed).
 *
 * Nothing here touches a database; files are read, never written.
 */
import fs from 'node:fs';
import path from 'node:path';

export type ClientDialect = 'postgres' | 'mysql' | 'sqlite';

/** Larger SQL files are not read: the command is treated as destructive (the caller says why). */
export const MAX_SQL_FILE_BYTES = 64 * 1024 * 1024;
const MAX_INCLUDE_DEPTH = 16;

export interface ClientScriptResult {
  sql: string;
  /** Reasons the text cannot be classified as SQL alone; non-empty means "treat as destructive". */
  problems: string[];
  /** Absolute paths of every file read (the input file and its includes). */
  files: string[];
}

export interface ClientScriptOptions {
  /** Directory against which relative include paths resolve (psql `\i`, mysql `source`, sqlite3 `.read`). */
  cwd: string;
  /** Directory of the file being read, for psql's `\ir` (defaults to cwd). */
  baseDir?: string;
  /** psql variables (`-v name=value`, `--set`); updated by `\set` / `\unset`. */
  vars?: Map<string, string>;
  /** How the text is named in messages: "-c #1", "db/reset.sql". */
  origin: string;
}

interface State {
  problems: string[];
  files: string[];
  depth: number;
  stack: string[];
  vars: Map<string, string>;
}

export function readSqlFile(file: string): { text: string } | { problem: string } {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return { problem: `${file} is not a file` };
    if (st.size > MAX_SQL_FILE_BYTES) {
      return { problem: `${file} is larger than ${MAX_SQL_FILE_BYTES / 1024 / 1024} MiB, too large for the guard to read before running it` };
    }
    return { text: fs.readFileSync(file, 'utf8') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { problem: `${file} cannot be read (${code ?? 'error'}), so the guard cannot see what it contains` };
  }
}

/** The SQL of one input text (a -c/-e argument, a file, standard input) for the given client. */
export function clientScript(dialect: ClientDialect, text: string, options: ClientScriptOptions): ClientScriptResult {
  const state: State = { problems: [], files: [], depth: 0, stack: [], vars: options.vars ?? new Map() };
  const sql = run(dialect, text, options.cwd, options.baseDir ?? options.cwd, options.origin, state);
  return { sql, problems: state.problems, files: state.files };
}

/** Read a file and return its SQL for the given client (includes inlined). */
export function clientFile(dialect: ClientDialect, file: string, options: Omit<ClientScriptOptions, 'origin' | 'baseDir'>): ClientScriptResult {
  const state: State = { problems: [], files: [], depth: 0, stack: [], vars: options.vars ?? new Map() };
  const sql = include(dialect, path.resolve(options.cwd, file), options.cwd, file, state);
  return { sql, problems: state.problems, files: state.files };
}

function run(dialect: ClientDialect, text: string, cwd: string, baseDir: string, origin: string, state: State): string {
  switch (dialect) {
    case 'postgres':
      return psqlText(text, cwd, baseDir, origin, state);
    case 'mysql':
      return mysqlText(text, cwd, origin, state);
    case 'sqlite':
      return sqliteText(text, cwd, origin, state);
  }
}

function include(dialect: ClientDialect, file: string, cwd: string, shown: string, state: State): string {
  if (state.stack.includes(file)) return ''; // the client would loop; what the file runs is already being read
  if (state.depth >= MAX_INCLUDE_DEPTH) {
    state.problems.push(`${shown}: includes are nested more than ${MAX_INCLUDE_DEPTH} deep`);
    return '';
  }
  const read = readSqlFile(file);
  if ('problem' in read) {
    state.problems.push(read.problem);
    return '';
  }
  state.files.push(file);
  state.depth++;
  state.stack.push(file);
  try {
    return run(dialect, read.text, cwd, path.dirname(file), shown, state);
  } finally {
    state.depth--;
    state.stack.pop();
  }
}

/** Split a client command's argument text into words, honouring '…' and "…". */
function argWords(text: string): string[] {
  const words: string[] = [];
  const re = /'((?:[^'\\]|\\.|'')*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    words.push(m[1] !== undefined ? m[1].replace(/''/g, "'") : m[2] !== undefined ? m[2] : m[3]!);
  }
  return words;
}

function endOfLine(text: string, from: number): number {
  const nl = text.indexOf('\n', from);
  return nl === -1 ? text.length : nl;
}

// ---------------------------------------------------------------------------------------------------
// psql

/** Meta-commands that only display, format, set client options or describe: dropped. */
const PSQL_HARMLESS = new Set([
  'a', 'C', 'c', 'connect', 'cd', 'conninfo', 'copyright', 'echo', 'encoding', 'errverbose', 'f', 'H', 'h', 'help',
  'if', 'elif', 'else', 'endif', 'l', 'l+', 'list', 'list+', 'lo_list', 'lo_export', 'o', 'out', 'p', 'print', 'prompt', 'pset', 'q', 'quit',
  'qecho', 'r', 'reset', 's', 'setenv', 't', 'T', 'timing', 'warn', 'w', 'write', 'x', 'z', 'z+', '?', 'bind', 'restrict', 'unrestrict',
]);
/** Meta-commands that send the query buffer (like `;`). */
const PSQL_TERMINATORS = new Set(['g', 'gx', 'gset', 'gdesc', 'crosstabview', 'watch', 'parse', 'sendpipeline', 'syncpipeline']);
const PSQL_PROBLEMS: Record<string, string> = {
  '!': 'runs a shell command',
  gexec: 'runs every value of the query result as a statement, so what it runs is only known at run time',
  e: 'opens an editor and runs what is written there',
  edit: 'opens an editor and runs what is written there',
  ef: 'opens an editor and runs what is written there',
  ev: 'opens an editor and runs what is written there',
  lo_unlink: 'deletes a large object',
  bind_named: 'runs a prepared statement whose text the guard cannot see',
};

function psqlText(text: string, cwd: string, baseDir: string, origin: string, state: State): string {
  let out = '';
  let i = 0;
  const n = text.length;
  const identChar = (ch: string | undefined): boolean => ch !== undefined && /[A-Za-z0-9_$]/.test(ch);
  while (i < n) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === '-' && next === '-') {
      const end = endOfLine(text, i);
      out += text.slice(i, end);
      i = end;
      continue;
    }
    if (c === '/' && next === '*') {
      let depth = 0;
      let j = i;
      while (j < n) {
        if (text[j] === '/' && text[j + 1] === '*') {
          depth++;
          j += 2;
        } else if (text[j] === '*' && text[j + 1] === '/') {
          depth--;
          j += 2;
          if (depth === 0) break;
        } else j++;
      }
      out += text.slice(i, j);
      i = j;
      continue;
    }
    if (c === "'") {
      const escapes = (text[i - 1] === 'E' || text[i - 1] === 'e') && !identChar(text[i - 2]);
      let j = i + 1;
      while (j < n) {
        if (escapes && text[j] === '\\') {
          j += 2;
          continue;
        }
        if (text[j] === "'") {
          if (text[j + 1] === "'") {
            j += 2;
            continue;
          }
          break;
        }
        j++;
      }
      out += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (c === '"') {
      const close = text.indexOf('"', i + 1);
      const j = close === -1 ? n : close + 1;
      out += text.slice(i, j);
      i = j;
      continue;
    }
    if (c === '$' && !identChar(text[i - 1])) {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i, i + 64));
      if (m) {
        const tag = m[0];
        const close = text.indexOf(tag, i + tag.length);
        const j = close === -1 ? n : close + tag.length;
        out += text.slice(i, j);
        i = j;
        continue;
      }
    }
    if (c === ':') {
      if (next === ':') {
        out += '::';
        i += 2;
        continue;
      }
      const m = /^:(?:'([A-Za-z_][A-Za-z0-9_]*)'|"([A-Za-z_][A-Za-z0-9_]*)"|([A-Za-z_][A-Za-z0-9_]*))/.exec(text.slice(i, i + 256));
      if (m) {
        const name = (m[1] ?? m[2] ?? m[3])!;
        const value = state.vars.get(name);
        if (value !== undefined) {
          out += m[1] !== undefined ? `'${value.replace(/'/g, "''")}'` : m[2] !== undefined ? `"${value.replace(/"/g, '""')}"` : value;
          i += m[0].length;
          continue;
        }
      }
      out += c;
      i++;
      continue;
    }
    if (c === '\\') {
      if (next === '\\') {
        // `\\` separates a meta-command from SQL that follows on the same line.
        out += '\n';
        i += 2;
        continue;
      }
      const nameMatch = /^\\([A-Za-z_]+[+S]*|[!?;.]|\S)/.exec(text.slice(i, i + 64));
      const name = nameMatch ? nameMatch[1]! : '';
      let end = endOfLine(text, i);
      const sep = text.indexOf('\\\\', i + 1);
      if (sep !== -1 && sep < end) end = sep;
      const args = text.slice(i + 1 + name.length, end).trim();
      i = end;
      out += psqlMeta(name, args, cwd, baseDir, origin, state);
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

function psqlMeta(name: string, args: string, cwd: string, baseDir: string, origin: string, state: State): string {
  const base = name.replace(/[+S]+$/, '');
  const words = argWords(args);
  if (base === 'i' || base === 'include' || base === 'ir' || base === 'include_relative') {
    const file = words[0];
    if (!file) {
      state.problems.push(`${origin}: psql \\${name} without a file name`);
      return '';
    }
    const dir = base === 'ir' || base === 'include_relative' ? baseDir : cwd;
    return '\n' + include('postgres', path.resolve(dir, file), cwd, file, state) + '\n;\n';
  }
  if (base === 'set') {
    const [varName, ...rest] = words;
    if (varName) state.vars.set(varName, rest.join(''));
    return '';
  }
  if (base === 'unset') {
    if (words[0]) state.vars.delete(words[0]);
    return '';
  }
  if (base === 'copy') return psqlCopy(args, origin, state);
  if (PSQL_TERMINATORS.has(base)) return ';\n';
  if (base.startsWith('d') || base === 'sf' || base === 'sv' || PSQL_HARMLESS.has(base) || PSQL_HARMLESS.has(name)) return '\n';
  const problem = PSQL_PROBLEMS[base];
  state.problems.push(`${origin}: psql \\${name} ${problem ?? 'is a meta-command the guard does not understand'}`);
  return '\n';
}

function psqlCopy(args: string, origin: string, state: State): string {
  // \copy { table [ ( column_list ) ] | ( query ) } { from | to } { 'filename' | program 'command' | stdin | stdout | pstdin | pstdout } [ [ with ] ( option [, ...] ) ]
  const m = /^(.*?)\s+(from|to)\s+(program\s+)?/is.exec(args);
  if (!m) {
    state.problems.push(`${origin}: psql \\copy ${args} cannot be understood`);
    return '\n';
  }
  if (m[3]) state.problems.push(`${origin}: psql \\copy … ${m[2]!.toLowerCase()} program runs a shell command`);
  if (m[2]!.toLowerCase() === 'to') return '\n';
  return `\nCOPY ${m[1]!.trim()} FROM STDIN;\n`;
}

// ---------------------------------------------------------------------------------------------------
// mysql / mariadb client

/** Long-form client commands, recognised at the start of a line (mysql's own rule). */
const MYSQL_LINE_COMMANDS = /^(delimiter|source|system|use|connect|quit|exit|go|ego|print|prompt|rehash|status|tee|notee|nopager|pager|warnings|nowarning|charset|help|clear|edit|resetconnection)(?=\s|;|$)/i;

function mysqlText(text: string, cwd: string, origin: string, state: State): string {
  let out = '';
  let delimiter = ';';
  let statement = ''; // text of the statement being read, to know whether a line starts a statement
  let i = 0;
  const n = text.length;
  const emit = (s: string): void => {
    out += s;
    statement += s;
  };
  const endStatement = (): void => {
    out += ';\n';
    statement = '';
  };
  while (i < n) {
    const c = text[i]!;
    if (statement.trim() === '' && lineBlank(text, i)) {
      const m = MYSQL_LINE_COMMANDS.exec(text.slice(i, i + 32));
      if (m) {
        const end = endOfLine(text, i);
        const args = text.slice(i + m[1]!.length, end).trim();
        i = end;
        const cmd = m[1]!.toLowerCase();
        const result = mysqlCommand(cmd, args, cwd, origin, state);
        if (result.delimiter !== undefined) delimiter = result.delimiter;
        out += result.sql;
        continue;
      }
    }
    if (delimiter !== ';' && text.startsWith(delimiter, i)) {
      endStatement();
      i += delimiter.length;
      continue;
    }
    if (c === ';' && delimiter === ';') {
      endStatement();
      i++;
      continue;
    }
    if ((c === '-' && text[i + 1] === '-' && (text[i + 2] === undefined || /\s/.test(text[i + 2]!))) || c === '#') {
      const end = endOfLine(text, i);
      out += text.slice(i, end);
      i = end;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      const j = close === -1 ? n : close + 2;
      emit(text.slice(i, j));
      i = j;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < n) {
        if (text[j] === '\\' && c !== '`') {
          j += 2;
          continue;
        }
        if (text[j] === c) {
          if (text[j + 1] === c) {
            j += 2;
            continue;
          }
          break;
        }
        j++;
      }
      emit(text.slice(i, j + 1));
      i = j + 1;
      continue;
    }
    if (c === '\\' && i + 1 < n) {
      const short = text[i + 1]!;
      const withArgs: Record<string, string> = { '.': 'source', d: 'delimiter', u: 'use', '!': 'system', T: 'tee', P: 'pager', R: 'prompt', C: 'charset', r: 'connect' };
      if (withArgs[short]) {
        const end = endOfLine(text, i);
        const args = text.slice(i + 2, end).trim();
        i = end;
        const result = mysqlCommand(withArgs[short]!, args, cwd, origin, state);
        if (result.delimiter !== undefined) delimiter = result.delimiter;
        out += result.sql;
        continue;
      }
      i += 2;
      if (short === 'g' || short === 'G') endStatement();
      else if (short === 'e') state.problems.push(`${origin}: mysql \\e opens an editor and runs what is written there`);
      // \c (clear), \q, \p, \t, \n, \#, \s, \w, \W, \h, \x: nothing sent for them.
      continue;
    }
    emit(c);
    i++;
  }
  return out;
}

/** Only spaces or tabs between the start of the line and position i. */
function lineBlank(text: string, i: number): boolean {
  for (let k = i - 1; k >= 0; k--) {
    const ch = text[k];
    if (ch === '\n') return true;
    if (ch !== ' ' && ch !== '\t') return false;
  }
  return true;
}

function mysqlCommand(cmd: string, args: string, cwd: string, origin: string, state: State): { sql: string; delimiter?: string } {
  const stripped = args.replace(/;\s*$/, '').trim();
  switch (cmd) {
    case 'delimiter': {
      const d = argWords(args)[0];
      return d ? { sql: '', delimiter: d } : { sql: '' };
    }
    case 'source': {
      if (!stripped) {
        state.problems.push(`${origin}: mysql source without a file name`);
        return { sql: '' };
      }
      return { sql: '\n' + include('mysql', path.resolve(cwd, stripped), cwd, stripped, state) + '\n;\n' };
    }
    case 'system':
      state.problems.push(`${origin}: mysql system runs a shell command`);
      return { sql: '' };
    case 'edit':
      state.problems.push(`${origin}: mysql edit opens an editor and runs what is written there`);
      return { sql: '' };
    case 'use':
      return stripped ? { sql: `USE ${stripped};\n` } : { sql: '' };
    case 'go':
    case 'ego':
      return { sql: ';\n' };
    default:
      return { sql: '\n' };
  }
}

// ---------------------------------------------------------------------------------------------------
// sqlite3

const SQLITE_HARMLESS = new Set([
  'bail', 'binary', 'changes', 'check', 'connection', 'crnl', 'databases', 'dbconfig', 'dbinfo', 'dump', 'echo', 'eqp', 'excel', 'exit',
  'explain', 'fullschema', 'headers', 'header', 'help', 'indexes', 'indices', 'limit', 'lint', 'log', 'mode', 'nonce', 'nullvalue', 'once', 'open', 'output',
  'parameter', 'print', 'progress', 'prompt', 'quit', 'scanstats', 'schema', 'separator', 'sha3sum', 'show', 'stats', 'tables', 'timeout', 'timer',
  'trace', 'vfsinfo', 'vfslist', 'vfsname', 'width', 'www', 'backup', 'save', 'clone', 'cd', 'recover', 'eqp', 'expert',
]);
const SQLITE_PROBLEMS: Record<string, string> = {
  restore: 'replaces the whole database with the contents of another file',
  shell: 'runs a shell command',
  system: 'runs a shell command',
  import: 'bulk-loads a file into a table (the guard cannot count the rows)',
  load: 'loads an extension library',
  archive: 'changes an SQLite archive',
  ar: 'changes an SQLite archive',
  session: 'records or applies a changeset',
  testctrl: 'changes SQLite internals',
  imposter: 'creates an imposter table over an index',
  selftest: 'runs self-test statements',
  edit: 'opens an editor',
};

function sqliteText(text: string, cwd: string, origin: string, state: State): string {
  let out = '';
  let statement = '';
  let i = 0;
  let dir = cwd;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    const lineStart = i === 0 || text[i - 1] === '\n';
    if (lineStart && statement.trim() === '') {
      const m = /^[ \t]*\./.exec(text.slice(i, i + 64));
      if (m) {
        const end = endOfLine(text, i);
        const line = text.slice(i + m[0].length, end);
        i = end;
        const result = sqliteDot(line, dir, origin, state);
        if (result.cd) dir = result.cd;
        out += result.sql;
        continue;
      }
    }
    if (c === '-' && text[i + 1] === '-') {
      const end = endOfLine(text, i);
      out += text.slice(i, end);
      i = end;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      const j = close === -1 ? n : close + 2;
      out += text.slice(i, j);
      i = j;
      continue;
    }
    if (c === "'" || c === '"' || c === '`' || c === '[') {
      const closeChar = c === '[' ? ']' : c;
      let j = i + 1;
      while (j < n) {
        if (text[j] === closeChar) {
          if (closeChar !== ']' && text[j + 1] === closeChar) {
            j += 2;
            continue;
          }
          break;
        }
        j++;
      }
      out += text.slice(i, j + 1);
      statement += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    out += c;
    if (c === ';') statement = '';
    else statement += c;
    i++;
  }
  return out;
}

/** One sqlite3 dot-command line (without the dot). */
function sqliteDot(line: string, cwd: string, origin: string, state: State): { sql: string; cd?: string } {
  const words = argWords(line);
  const name = (words[0] ?? '').toLowerCase();
  if (name === 'read') {
    const file = words[1];
    if (!file) {
      state.problems.push(`${origin}: sqlite3 .read without a file name`);
      return { sql: '' };
    }
    if (file.startsWith('|')) {
      state.problems.push(`${origin}: sqlite3 .read ${file} runs a shell command and executes its output`);
      return { sql: '' };
    }
    return { sql: '\n' + include('sqlite', path.resolve(cwd, file), cwd, file, state) + '\n;\n' };
  }
  if (name === 'cd' && words[1]) return { sql: '', cd: path.resolve(cwd, words[1]) };
  if (SQLITE_HARMLESS.has(name)) return { sql: '\n' };
  const problem = SQLITE_PROBLEMS[name];
  state.problems.push(`${origin}: sqlite3 .${name} ${problem ?? 'is a dot-command the guard does not understand'}`);
  return { sql: '\n' };
}

/** A single sqlite3 command-line argument that is a dot-command (`sqlite3 db .tables`, `-cmd ".read x"`). */
export function sqliteDotArgument(arg: string, options: { cwd: string; origin: string }): ClientScriptResult {
  const state: State = { problems: [], files: [], depth: 0, stack: [], vars: new Map() };
  const result = sqliteDot(arg.trim().slice(1), options.cwd, options.origin, state);
  return { sql: result.sql, problems: state.problems, files: state.files };
}
