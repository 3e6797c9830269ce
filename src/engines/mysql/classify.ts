/**
 * The safety gate's statement classifier for MySQL and MariaDB. The input is split with the lexer
 * that knows MySQL's strings and comments (after opening executable comments `/*!…*\/` and
 * `/*M!…*\/`, which the server runs); each statement is read by the strict subset parser
 * (src/guard/classify/simple.ts) when it can, else by node-sql-parser's MySQL and MariaDB grammars,
 * else by token readers for the administrative statements those grammars lack (DROP …, FLUSH, SET,
 * transaction control …). Anything else is unparsed and destructive. docs/guard.md lists the decisions.
 */
import { MYSQL_LEXER, splitStatements } from '../../migrate/lint/lexer.js';
import type { Token } from '../../migrate/lint/lexer.js';
import { astify } from '../../migrate/lint/sql-parser.js';
import { classifyAst, scanFunctions } from '../../guard/classify/sql-parser-ast.js';
import type { AstPolicy, FunctionEffect } from '../../guard/classify/sql-parser-ast.js';
import { classifySimple } from '../../guard/classify/simple.js';
import { Verdict, classifyLexed, display, tableRef, unparsed } from '../../guard/classify/verdict.js';
import type { ClassifiedSpan, TableRef } from '../../guard/classify/verdict.js';
import { MYSQL_BUILTIN_FUNCTIONS } from './builtin-functions.js';

/**
 * Replaces the markers of executable comments (`/*!50001 … *\/`, `/*M!100100 … *\/`, `/*! … *\/`)
 * with spaces, so that their content is read as the server runs it; offsets stay the same.
 */
export function openExecutableComments(sql: string): string {
  if (!sql.includes('/*!') && !sql.includes('/*M!')) return sql;
  const out = sql.split('');
  let i = 0;
  let inExecutable = false;
  const blank = (from: number, to: number): void => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  while (i < sql.length) {
    const c = sql[i];
    const next = sql[i + 1];
    if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === '\\' && c !== '`') j += 2;
        else if (sql[j] === c) {
          if (sql[j + 1] === c) j += 2;
          else break;
        } else j++;
      }
      i = j + 1;
    } else if (c === '#' || (c === '-' && next === '-' && /\s/.test(sql[i + 2] ?? ' '))) {
      const nl = sql.indexOf('\n', i);
      i = nl === -1 ? sql.length : nl + 1;
    } else if (c === '/' && next === '*') {
      const mariadb = sql[i + 2] === 'M' && sql[i + 3] === '!';
      if (sql[i + 2] === '!' || mariadb) {
        let j = i + (mariadb ? 4 : 3);
        while (j < sql.length && j < i + (mariadb ? 4 : 3) + 6 && /\d/.test(sql[j] as string)) j++;
        blank(i, j);
        inExecutable = true;
        i = j;
      } else {
        const close = sql.indexOf('*/', i + 2);
        i = close === -1 ? sql.length : close + 2;
      }
    } else if (inExecutable && c === '*' && next === '/') {
      blank(i, i + 2);
      inExecutable = false;
      i += 2;
    } else {
      i++;
    }
  }
  return out.join('');
}

// ---------------------------------------------------------------------------------------------
// Functions

const DESTRUCTIVE_FUNCTIONS: Record<string, string> = {
  setval: 'resets a sequence (later inserts can collide with existing keys)',
  sys_exec: 'runs a shell command on the database server', sys_eval: 'runs a shell command on the database server',
};
const WRITE_FUNCTIONS: Record<string, string> = { nextval: 'advances a sequence', get_lock: 'takes a named lock' };

export const MYSQL_POLICY: AstPolicy = {
  engine: 'mysql',
  functionEffect(name: string, schema: string | undefined): FunctionEffect {
    const qualified = `${schema ? `${schema}.` : ''}${name}`;
    if (DESTRUCTIVE_FUNCTIONS[name]) return { class: 'destructive', reason: `calls ${qualified}(), which ${DESTRUCTIVE_FUNCTIONS[name]}` };
    if (!schema && name === 'get_lock') return { class: 'read' };
    if (WRITE_FUNCTIONS[name]) return { class: 'write', reason: `calls ${qualified}(), which ${WRITE_FUNCTIONS[name]}` };
    if (!schema && MYSQL_BUILTIN_FUNCTIONS.has(name)) return { class: 'read' };
    return { class: 'write', runsCode: true, reason: `calls ${qualified}(), which is not a MySQL built-in: its effect is unknown (a stored function may change data)` };
  },
};

// ---------------------------------------------------------------------------------------------
// Token readers for what the grammars lack

function unquote(token: Token | undefined): string {
  if (!token) return '';
  if (token.kind === 'quoted' || token.kind === 'string') return token.text.slice(1, -1);
  return token.text;
}

/** `[db.]name` at tokens[i]; returns the reference and the index after it. */
function nameAt(tokens: Token[], i: number): [TableRef, number] {
  const first = unquote(tokens[i]);
  if (tokens[i + 1]?.text === '.' && tokens[i + 2]) return [tableRef(unquote(tokens[i + 2]), first), i + 3];
  return [tableRef(first), i + 1];
}

const DROP_OBJECTS: Record<string, string> = {
  TABLE: 'table', TABLES: 'table', DATABASE: 'database', SCHEMA: 'database', VIEW: 'view', INDEX: 'index', USER: 'user', ROLE: 'role',
  PROCEDURE: 'procedure', FUNCTION: 'function', TRIGGER: 'trigger', EVENT: 'event', SEQUENCE: 'sequence', SERVER: 'server',
  TABLESPACE: 'tablespace', PACKAGE: 'package', SPATIAL: 'spatial reference system', LOGFILE: 'logfile group',
};

function dropStatement(tokens: Token[]): Verdict {
  let i = 1;
  const temporary = tokens[i]?.upper === 'TEMPORARY';
  if (temporary) i++;
  const word = tokens[i]?.upper ?? '';
  if (word === 'PREPARE') return new Verdict('DEALLOCATE PREPARE');
  const type = DROP_OBJECTS[word] ?? word.toLowerCase();
  const v = new Verdict(`DROP ${temporary ? 'TEMPORARY ' : ''}${word === 'SCHEMA' ? 'DATABASE' : word === 'TABLES' ? 'TABLE' : word || 'OBJECT'}`);
  i++;
  if (tokens[i]?.upper === 'IF' && tokens[i + 1]?.upper === 'EXISTS') i += 2;
  const names: TableRef[] = [];
  while (i < tokens.length) {
    const t = tokens[i];
    if (!t || (t.kind === 'word' && ['ON', 'RESTRICT', 'CASCADE', 'FORCE', 'WAIT', 'NOWAIT', 'ALGORITHM', 'LOCK'].includes(t.upper))) break;
    const [ref, next] = nameAt(tokens, i);
    // user@host
    if (tokens[next]?.text === '@') {
      names.push(tableRef(`${ref.name}@${unquote(tokens[next + 1])}`));
      i = next + 2;
    } else {
      names.push(ref);
      i = next;
    }
    if (tokens[i]?.text !== ',') break;
    i++;
  }
  let on: TableRef | undefined;
  const onIndex = tokens.findIndex((t, k) => k >= i && t.upper === 'ON');
  if (type === 'index' && onIndex >= 0) on = nameAt(tokens, onIndex + 1)[0];
  for (const ref of names) {
    const target = type === 'index' && on?.schema ? { schema: on.schema, name: ref.name } : ref;
    v.target(type, target, 'drop');
    if (type === 'table') v.destructive(`DROP ${temporary ? 'TEMPORARY ' : ''}TABLE ${display(ref)} deletes it and all its rows`);
    else if (type === 'database') v.destructive(`DROP DATABASE ${ref.name} deletes the whole database`);
    else if (type === 'index') v.destructive(`DROP INDEX ${ref.name}${on ? ` on ${display(on)}` : ''}: if it backs a constraint (primary key, unique, foreign key) that constraint is lost, and queries using it slow down`);
    else v.destructive(`DROP ${word} ${display(ref)}`);
  }
  if (on) v.target('table', on, 'alter');
  if (v.class === 'read') v.destructive(`DROP ${word}`);
  return v;
}

function transactionStatement(tokens: Token[]): Verdict | undefined {
  const words = tokens.map((t) => t.upper);
  const first = words[0];
  const control = (kind: string, tc: NonNullable<Verdict['transactionControl']>): Verdict => {
    const v = new Verdict(kind);
    v.transactionControl = tc;
    return v;
  };
  switch (first) {
    case 'BEGIN':
      if (tokens.length === 1 || (words[1] === 'WORK' && tokens.length === 2)) return control('BEGIN', 'begin');
      return undefined; // BEGIN NOT ATOMIC … (MariaDB compound statement)
    case 'START':
      if (words[1] === 'TRANSACTION') return control('BEGIN', 'begin');
      return undefined;
    case 'COMMIT':
      return control('COMMIT', 'commit');
    case 'ROLLBACK':
      if (words.includes('TO')) return control('ROLLBACK TO SAVEPOINT', 'rollback');
      return control('ROLLBACK', 'rollback');
    case 'SAVEPOINT':
      return tokens.length === 2 ? control('SAVEPOINT', 'savepoint') : undefined;
    case 'RELEASE':
      return words[1] === 'SAVEPOINT' && tokens.length === 3 ? control('RELEASE', 'release') : undefined;
    case 'XA': {
      const action = words[1] ?? '';
      const tc = action === 'START' || action === 'BEGIN' ? 'begin' : action === 'COMMIT' ? 'commit' : action === 'ROLLBACK' ? 'rollback' : 'other';
      return control(`XA ${action}`, tc);
    }
    default:
      return undefined;
  }
}

const SESSION_WRITE_SETTINGS: Record<string, string> = {
  foreign_key_checks: 'foreign keys are not checked for the rest of the session: later statements can leave orphan rows',
  unique_checks: 'unique checks are relaxed for the rest of the session',
  sql_safe_updates: 'turns off the server\'s own guard against UPDATE/DELETE without a key',
};
const SESSION_DESTRUCTIVE_SETTINGS: Record<string, string> = {
  sql_log_bin: 'later changes are not written to the binary log: replicas and point-in-time recovery miss them',
  wsrep_on: 'later changes are not replicated to the cluster',
};

/** SET: session settings are reads; server-wide ones, passwords and replication switches are not. */
function setStatement(tokens: Token[], sql: string): Verdict | undefined {
  const words = tokens.map((t) => t.upper);
  if (words[1] === 'TRANSACTION' || (words[2] === 'TRANSACTION' && (words[1] === 'SESSION' || words[1] === 'GLOBAL' || words[1] === 'LOCAL'))) {
    const v = new Verdict('SET TRANSACTION');
    v.transactionControl = 'other';
    if (words[1] === 'GLOBAL') v.destructive('SET GLOBAL TRANSACTION changes the default of every new connection');
    return v;
  }
  if (words[1] === 'PASSWORD') {
    const v = new Verdict('SET PASSWORD');
    return v.destructive('SET PASSWORD changes an account\'s password: whatever logs in with the old one stops working');
  }
  if (words[1] === 'DEFAULT' && words[2] === 'ROLE') return new Verdict('SET DEFAULT ROLE').destructive('SET DEFAULT ROLE changes what an account can do by default');
  if (words[1] === 'ROLE') return new Verdict('SET ROLE');
  if (words[1] === 'NAMES' || words[1] === 'CHARSET' || (words[1] === 'CHARACTER' && words[2] === 'SET')) return new Verdict('SET NAMES');
  if (words[1] === 'STATEMENT') return undefined; // SET STATEMENT … FOR <statement>: classified by the full path
  const v = new Verdict('SET');
  // Split the assignments at top-level commas.
  let depth = 0;
  let start = 1;
  const parts: Token[][] = [];
  for (let i = 1; i <= tokens.length; i++) {
    const t = tokens[i];
    if (t?.text === '(') depth++;
    else if (t?.text === ')') depth--;
    if (!t || (t.text === ',' && depth === 0)) {
      parts.push(tokens.slice(start, i));
      start = i + 1;
    }
  }
  let needsParser = false;
  for (const part of parts) {
    let scope = 'session';
    let k = 0;
    const w = part.map((t) => t.upper);
    if (w[0] === 'GLOBAL' || w[0] === 'PERSIST' || w[0] === 'PERSIST_ONLY') scope = w[0].toLowerCase();
    if (w[0] === 'GLOBAL' || w[0] === 'PERSIST' || w[0] === 'PERSIST_ONLY' || w[0] === 'SESSION' || w[0] === 'LOCAL') k = 1;
    // @@global.x / @@session.x / @@x / @x
    if (part[k]?.text === '@' && part[k + 1]?.text === '@') {
      k += 2;
      const scoped = part[k]?.upper;
      if ((scoped === 'GLOBAL' || scoped === 'PERSIST' || scoped === 'PERSIST_ONLY' || scoped === 'SESSION' || scoped === 'LOCAL') && part[k + 1]?.text === '.') {
        if (scoped !== 'SESSION' && scoped !== 'LOCAL') scope = scoped.toLowerCase();
        k += 2;
      }
    } else if (part[k]?.text === '@') {
      k += 1;
      scope = 'user';
    }
    const name = unquote(part[k]).toLowerCase();
    const valueTokens = part.slice(k + 2);
    const value = valueTokens.map((t) => unquote(t).toUpperCase()).join(' ');
    if (valueTokens.some((t) => t.text === '(')) needsParser = true;
    if (scope === 'global' || scope === 'persist' || scope === 'persist_only') {
      v.destructive(`SET ${scope.toUpperCase()} ${name} changes the server's configuration for every connection`);
      continue;
    }
    if (scope === 'user') continue;
    if (SESSION_DESTRUCTIVE_SETTINGS[name] && ['0', 'OFF', 'FALSE'].includes(value)) v.destructive(`SET ${name} = ${value}: ${SESSION_DESTRUCTIVE_SETTINGS[name]}`);
    else if (SESSION_WRITE_SETTINGS[name] && ['0', 'OFF', 'FALSE'].includes(value)) v.write(`SET ${name} = ${value}: ${SESSION_WRITE_SETTINGS[name]}`);
  }
  if (needsParser) {
    // Values with calls or subqueries: the functions they call decide.
    const parsed = astify(sql, ['mysql', 'mariadb']);
    if ('error' in parsed) return undefined;
    scanFunctions(v, parsed.ast, MYSQL_POLICY);
  }
  return v;
}

function alterFallback(tokens: Token[]): Verdict | undefined {
  const words = tokens.map((t) => t.upper);
  const object = words[1] === 'ONLINE' || words[1] === 'IGNORE' ? words[2] : words[1];
  if (object === 'TABLE') {
    const at = words.indexOf('TABLE') + 1;
    const [table] = nameAt(tokens, at);
    const v = new Verdict('ALTER TABLE');
    v.target('table', table, 'alter');
    const risky: Record<string, string> = {
      DISCARD: 'DISCARD TABLESPACE deletes the table\'s data file',
      DROP: 'drops a column, index, key, constraint, default or partition',
      MODIFY: 'MODIFY can change a column\'s type (truncating or converting values)',
      CHANGE: 'CHANGE can change a column\'s type or name',
      RENAME: 'renames the table, a column or an index: code using the old name breaks',
      CONVERT: 'CONVERT TO CHARACTER SET converts every text column (values can change or be cut)',
      TRUNCATE: 'TRUNCATE PARTITION deletes the partition\'s rows',
      REMOVE: 'REMOVE PARTITIONING rebuilds the table',
      COALESCE: 'COALESCE PARTITION merges partitions',
      EXCHANGE: 'EXCHANGE PARTITION swaps the partition\'s rows with another table\'s',
      REORGANIZE: 'REORGANIZE PARTITION moves rows between partitions',
      IMPORT: 'IMPORT TABLESPACE replaces the table\'s data',
    };
    for (const [word, reason] of Object.entries(risky)) if (words.slice(at).includes(word)) v.destructive(`ALTER TABLE ${display(table)}: ${reason}`);
    if (v.class === 'read') v.destructive(`ALTER TABLE ${display(table)} was not fully read by the parser; treated as destructive`);
    return v;
  }
  if (object === 'USER') return new Verdict('ALTER USER').destructive('ALTER USER changes an account (password, locks, privileges)');
  if (object === 'VIEW') return new Verdict('ALTER VIEW').destructive('ALTER VIEW replaces a view\'s definition');
  if (object === 'DATABASE' || object === 'SCHEMA') return new Verdict('ALTER DATABASE').write('changes database options');
  if (object === 'EVENT') return new Verdict('ALTER EVENT').destructive('ALTER EVENT changes scheduled code, whose body cannot be checked');
  if (object === 'FUNCTION' || object === 'PROCEDURE' || object === 'SERVER' || object === 'TABLESPACE' || object === 'SEQUENCE' || object === 'LOGFILE') {
    return new Verdict(`ALTER ${object}`).write(`ALTER ${object}`);
  }
  return undefined;
}

function createFallback(tokens: Token[]): Verdict | undefined {
  const words = tokens.map((t) => t.upper);
  let i = 1;
  if (words[1] === 'OR' && words[2] === 'REPLACE') {
    const at = words.findIndex((w, k) => k >= 3 && ['TABLE', 'VIEW', 'INDEX', 'DATABASE', 'SCHEMA', 'USER', 'ROLE', 'PROCEDURE', 'FUNCTION', 'TRIGGER', 'EVENT', 'SEQUENCE', 'SERVER', 'PACKAGE'].includes(w));
    const what = at >= 0 ? (words[at] as string) : 'OBJECT';
    let k = at + 1;
    if (words[k] === 'IF') k += 3;
    const [ref] = at >= 0 ? nameAt(tokens, k) : [tableRef('')];
    const v = new Verdict(`CREATE OR REPLACE ${what}`);
    if (ref.name) v.target(what.toLowerCase(), ref, 'alter');
    return v.destructive(`CREATE OR REPLACE ${what} ${display(ref)} drops or replaces an existing ${what.toLowerCase()}`.replace('  ', ' '));
  }
  while (i < words.length && (words[i] === 'DEFINER' || tokens[i]?.text === '=' || tokens[i]?.text === '@' || (i > 1 && (tokens[i - 1]?.text === '=' || tokens[i - 1]?.text === '@')))) i++;
  const what = words[i] === 'AGGREGATE' ? words[i + 1] : words[i];
  switch (what) {
    case 'PROCEDURE':
    case 'FUNCTION':
    case 'EVENT':
    case 'PACKAGE':
    case 'TRIGGER': {
      const v = new Verdict(`CREATE ${what}`);
      v.runsCode = true;
      return v.destructive(`the body of a MySQL ${what.toLowerCase()} cannot be checked (it may run dynamic SQL or destructive statements); treated as destructive`);
    }
    case 'USER':
    case 'ROLE':
    case 'SERVER':
    case 'TABLESPACE':
    case 'LOGFILE':
    case 'SPATIAL':
      return new Verdict(`CREATE ${what}`).write(`CREATE ${what}`);
    default:
      return undefined;
  }
}

/** Statements classified from their leading keywords. */
/** `sql` is the statement's text, which starts at offset `base` of the text the tokens' offsets refer to. */
function readTokens(tokens: Token[], sql: string, base: number, depth: number): Verdict | undefined {
  const words = tokens.map((t) => t.upper);
  const first = words[0] ?? '';
  const transaction = transactionStatement(tokens);
  if (transaction) return transaction;
  switch (first) {
    case 'DROP':
      return dropStatement(tokens);
    case 'SET':
      return setStatement(tokens, sql);
    case 'SHOW':
    case 'HELP':
      return new Verdict(first);
    case 'DESCRIBE':
    case 'DESC':
    case 'EXPLAIN': {
      // EXPLAIN ANALYZE (MySQL 8) runs the statement.
      let k = 1;
      if (words[k] === 'EXTENDED' || words[k] === 'PARTITIONS') k++;
      if (words[k] === 'FORMAT') k += 3;
      if (words[k] === 'ANALYZE') return analyze(tokens.slice(k + 1), sql, base, depth);
      return new Verdict(first === 'EXPLAIN' ? 'EXPLAIN' : 'DESCRIBE');
    }
    case 'ANALYZE': {
      if (words[1] === 'TABLE' || words[1] === 'NO_WRITE_TO_BINLOG' || words[1] === 'LOCAL') return new Verdict('ANALYZE TABLE').write('ANALYZE TABLE updates index statistics');
      // MariaDB: ANALYZE <statement> runs the statement.
      let k = 1;
      if (words[k] === 'FORMAT') k += 3;
      return analyze(tokens.slice(k), sql, base, depth);
    }
    case 'CHECK':
    case 'CHECKSUM':
      return new Verdict(`${first} TABLE`);
    case 'OPTIMIZE':
      return new Verdict('OPTIMIZE TABLE').write('OPTIMIZE TABLE rebuilds the table');
    case 'REPAIR':
      return new Verdict('REPAIR TABLE').destructive('REPAIR TABLE can drop rows it cannot recover');
    case 'TRUNCATE': {
      const v = new Verdict('TRUNCATE');
      const [table] = nameAt(tokens, words[1] === 'TABLE' ? 2 : 1);
      v.target('table', table, 'truncate');
      return v.destructive(`TRUNCATE deletes every row of ${display(table)}`);
    }
    case 'RENAME': {
      if (words[1] === 'USER') return new Verdict('RENAME USER').destructive('RENAME USER: whatever logs in with the old name stops working');
      const v = new Verdict('RENAME TABLE');
      for (let i = 2; i < tokens.length; i++) {
        const [ref, next] = nameAt(tokens, i);
        v.target('table', ref, 'alter');
        v.destructive(`renames table ${display(ref)}: code using the old name breaks`);
        const comma = tokens.findIndex((t, k) => k > next && t.text === ',');
        if (comma < 0) break;
        i = comma;
      }
      return v;
    }
    case 'REVOKE':
      return new Verdict('REVOKE').destructive('REVOKE removes privileges or roles: code relying on them breaks');
    case 'GRANT':
      return new Verdict('GRANT').destructive('GRANT was not fully read by the parser (it may grant a role or ALL with GRANT OPTION); treated as destructive');
    case 'FLUSH':
      return new Verdict('FLUSH').destructive('FLUSH closes tables, rotates logs or reloads privileges for the whole server');
    case 'RESET':
      return new Verdict(`RESET ${words[1] ?? ''}`.trim()).destructive(`RESET ${words[1] ?? ''} discards server state (binary logs, replication positions, caches)`.replace('  ', ' '));
    case 'PURGE':
      return new Verdict('PURGE BINARY LOGS').destructive('PURGE … LOGS deletes binary logs: replicas and point-in-time recovery that need them break');
    case 'KILL':
      return new Verdict('KILL').destructive('KILL ends another connection or its query');
    case 'SHUTDOWN':
    case 'RESTART':
      return new Verdict(first).destructive(`${first} stops the database server`);
    case 'INSTALL':
    case 'UNINSTALL': {
      const v = new Verdict(`${first} ${words[1] ?? ''}`.trim());
      v.runsCode = true;
      return v.destructive(`${first} ${words[1] ?? 'PLUGIN'} loads or unloads server code`);
    }
    case 'CHANGE':
    case 'STOP':
    case 'BINLOG':
      return new Verdict(`${first} ${words[1] ?? ''}`.trim()).destructive(`${first} ${words[1] ?? ''} changes replication or applies binary log events`.replace('  ', ' '));
    case 'START':
      return new Verdict(`START ${words[1] ?? ''}`.trim()).destructive(`START ${words[1] ?? ''} changes replication`);
    case 'PREPARE': {
      // PREPARE s FROM 'text': what the text does; from a variable: unknown.
      const fromAt = words.indexOf('FROM');
      const source = tokens[fromAt + 1];
      const v = new Verdict('PREPARE');
      if (source?.kind === 'string' && fromAt + 2 === tokens.length) {
        const inner = classifyOne(source.text.slice(1, -1).replace(/\\(.)/g, '$1').replace(/''/g, "'"), depth + 1);
        v.absorb(inner);
        if (inner.class !== 'read') v.reasons.unshift(`PREPARE prepares a ${inner.kind}`);
        return v;
      }
      v.runsCode = true;
      return v.destructive('PREPARE … FROM a variable: the statement text is only known at run time (dynamic SQL)');
    }
    case 'EXECUTE': {
      const v = new Verdict(words[1] === 'IMMEDIATE' ? 'EXECUTE IMMEDIATE' : 'EXECUTE');
      v.runsCode = true;
      return v.destructive(words[1] === 'IMMEDIATE' ? 'EXECUTE IMMEDIATE runs dynamic SQL' : 'EXECUTE runs a prepared statement whose text is not part of this input');
    }
    case 'DEALLOCATE':
      return new Verdict('DEALLOCATE PREPARE');
    case 'DO': {
      // DO expr, …: evaluates like SELECT expr, … (its function calls decide).
      const inner = classifyOne(`SELECT ${sql.slice((tokens[1]?.start ?? base) - base)}`, depth + 1);
      return new Verdict('DO').absorb(inner);
    }
    case 'HANDLER':
    case 'USE':
    case 'SIGNAL':
    case 'RESIGNAL':
    case 'GET':
    case 'CACHE':
    case 'BACKUP':
      return new Verdict(first);
    case 'LOCK':
    case 'UNLOCK':
      return new Verdict(`${first} ${words[1] ?? ''}`.trim());
    case 'LOAD':
      if (words[1] === 'INDEX') return new Verdict('LOAD INDEX');
      return undefined;
    case 'ALTER':
      return alterFallback(tokens);
    case 'CREATE':
      return createFallback(tokens);
    case 'CALL': {
      const v = new Verdict('CALL');
      v.runsCode = true;
      const [proc] = nameAt(tokens, 1);
      v.target('procedure', proc, 'other');
      return v.destructive(`CALL runs procedure ${display(proc)}, whose effect (including COMMITs inside it) cannot be checked`);
    }
    default:
      return undefined;
  }
}

/** EXPLAIN ANALYZE (MySQL 8) and ANALYZE <statement> (MariaDB) run the statement: they do what it does. */
function analyze(rest: Token[], sql: string, base: number, depth: number): Verdict {
  const first = rest[0];
  const last = rest[rest.length - 1];
  if (!first || !last) return unparsed('ANALYZE without a statement');
  const inner = classifyTokens(rest, sql.slice(first.start - base, last.end - base), first.start, depth + 1);
  const v = new Verdict('EXPLAIN ANALYZE').absorb(inner);
  if (inner.class !== 'read') v.reasons.unshift(`EXPLAIN ANALYZE / ANALYZE runs the ${inner.kind}`);
  return v;
}

const IMPLICIT_COMMIT = /^(CREATE|ALTER|DROP|RENAME|TRUNCATE|GRANT|REVOKE|LOCK|UNLOCK|ANALYZE TABLE|OPTIMIZE|REPAIR|CHECK TABLE|FLUSH|RESET|INSTALL|UNINSTALL|SET PASSWORD|CACHE|LOAD INDEX|CHANGE|START (SLAVE|REPLICA)|STOP)\b/;

function classifyTokens(tokens: Token[], sql: string, base: number, depth: number): Verdict {
  if (depth > 4) return unparsed('nested too deeply');
  let v: Verdict | undefined;
  if (tokens[0]?.upper === 'DELIMITER') return unparsed('DELIMITER is a mysql client command, not SQL');
  v = classifySimple(tokens, { mysql: true });
  if (!v && ['DROP', 'SET', 'BEGIN', 'START', 'COMMIT', 'ROLLBACK', 'SAVEPOINT', 'RELEASE', 'XA', 'PREPARE', 'EXECUTE', 'DO', 'EXPLAIN', 'DESCRIBE', 'DESC', 'ANALYZE', 'TRUNCATE', 'CALL', 'REVOKE'].includes(tokens[0]?.upper ?? '')) {
    v = readTokens(tokens, sql, base, depth);
  }
  if (!v) {
    const parsed = astify(sql, ['mysql', 'mariadb']);
    if (!('error' in parsed)) v = classifyAst(parsed.ast, MYSQL_POLICY);
    v ??= readTokens(tokens, sql, base, depth);
    if (!v) return unparsed('error' in parsed ? parsed.error : `${tokens[0]?.upper ?? ''} statements are not known to the classifier`);
  }
  if (tokens.some((t) => t.kind === 'word' && t.upper === 'CASCADE')) v.destructive('CASCADE also changes or deletes dependent rows or objects');
  const temporary = v.kind.includes('TEMPORARY');
  if (IMPLICIT_COMMIT.test(v.kind) && !temporary) v.nonTransactional = true;
  return v;
}

function classifyOne(sql: string, depth: number): Verdict {
  let statements;
  try {
    statements = splitStatements(openExecutableComments(sql), MYSQL_LEXER);
  } catch (error) {
    return unparsed(error instanceof Error ? error.message : String(error));
  }
  const v = new Verdict('SQL');
  for (const s of statements) {
    const inner = classifyTokens(s.tokens, s.text, s.start, depth);
    if (v.kind === 'SQL') v.kind = inner.kind;
    v.absorb(inner);
  }
  return v;
}

export function classifyMysql(sql: string): ClassifiedSpan[] {
  const opened = openExecutableComments(sql);
  return classifyLexed(sql, opened, MYSQL_LEXER, (s) => classifyTokens(s.tokens, s.text, s.start, 0));
}
