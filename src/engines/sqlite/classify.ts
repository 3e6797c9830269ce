/**
 * The safety gate's statement classifier for SQLite. SQLite's own compiler (an in-memory database,
 * nothing runs) is the authority on syntax: what it rejects is unparsed and destructive. Accepted
 * statements are read by the strict subset parser (src/guard/classify/simple.ts), by token readers
 * for SQLite's utility statements (PRAGMA, VACUUM, ATTACH, ALTER TABLE …, whose forms SQLite's grammar
 * fixes), by node-sql-parser's SQLite grammar, or — for the DML forms that grammar lacks (upserts,
 * WITH … DELETE, UPDATE … FROM) — from SQLite-validated tokens. When SQLite can compile the statement
 * it also says whether it writes (`stmt.readonly`); a statement it says writes is never a read.
 */
import { SQLITE_LEXER } from '../../migrate/lint/lexer.js';
import type { Token } from '../../migrate/lint/lexer.js';
import { astify } from '../../migrate/lint/sql-parser.js';
import { classifyAst } from '../../guard/classify/sql-parser-ast.js';
import type { AstPolicy, FunctionEffect } from '../../guard/classify/sql-parser-ast.js';
import { classifySimple, parseSimpleExpr } from '../../guard/classify/simple.js';
import { Verdict, classifyLexed, classifyDelete, classifyInsert, classifyUpdate, display, tableRef, unparsed } from '../../guard/classify/verdict.js';
import type { ClassifiedSpan, TableRef } from '../../guard/classify/verdict.js';
import { SqliteSyntax, unquote } from './syntax.js';

const SQLITE_BUILTINS = new Set(
  ('abs changes char coalesce concat concat_ws format glob hex ifnull iif if instr last_insert_rowid length like likelihood likely lower ltrim max min ' +
    'nullif octet_length printf quote random randomblob replace round rtrim sign soundex sqlite_compileoption_get sqlite_compileoption_used ' +
    'sqlite_offset sqlite_source_id sqlite_version substr substring total_changes trim typeof unhex unicode unlikely upper zeroblob date time ' +
    'datetime julianday unixepoch strftime timediff avg count group_concat string_agg sum total row_number rank dense_rank percent_rank ' +
    'cume_dist ntile lag lead first_value last_value nth_value acos acosh asin asinh atan atan2 atanh ceil ceiling cos cosh degrees exp floor ' +
    'ln log log10 log2 mod pi pow power radians sin sinh sqrt tan tanh trunc json json_array json_array_length json_error_position ' +
    'json_extract json_insert json_object json_patch json_pretty json_remove json_replace json_set json_type json_valid json_quote ' +
    'json_group_array json_group_object json_each json_tree jsonb jsonb_array jsonb_extract jsonb_insert jsonb_object jsonb_patch ' +
    'jsonb_remove jsonb_replace jsonb_set jsonb_group_array jsonb_group_object highlight snippet bm25 matchinfo offsets readfile ' +
    'pragma_table_info pragma_table_xinfo pragma_index_list pragma_index_info pragma_index_xinfo pragma_foreign_key_list ' +
    'pragma_database_list pragma_function_list pragma_module_list pragma_pragma_list pragma_collation_list generate_series median ' +
    'percentile percentile_cont percentile_disc').split(' '),
);
const DESTRUCTIVE_FUNCTIONS: Record<string, string> = {
  load_extension: 'loads native code into the database process',
  writefile: 'writes a file', edit: 'starts an editor and writes its result', fts3_tokenizer: 'registers native code as a tokenizer',
};

export const SQLITE_POLICY: AstPolicy = {
  engine: 'sqlite',
  functionEffect(name: string): FunctionEffect {
    const bare = name.toLowerCase();
    if (DESTRUCTIVE_FUNCTIONS[bare]) return { class: 'destructive', reason: `calls ${bare}(), which ${DESTRUCTIVE_FUNCTIONS[bare]}` };
    if (SQLITE_BUILTINS.has(bare)) return { class: 'read' };
    return { class: 'write', runsCode: true, reason: `calls ${bare}(), which is not an SQLite built-in: an application-defined function whose effect is unknown` };
  },
};

let syntax: SqliteSyntax | undefined;

// ---------------------------------------------------------------------------------------------
// Token readers

function nameAt(tokens: Token[], i: number): [TableRef, number] {
  const first = tokens[i] ? unquote(tokens[i]) : '';
  const third = tokens[i + 2];
  if (tokens[i + 1]?.text === '.' && third) return [tableRef(unquote(third), first), i + 3];
  return [tableRef(first), i + 1];
}

const ON_VALUES = new Set(['1', 'ON', 'TRUE', 'YES']);
/** PRAGMAs that only report something, also when given an argument (a table name …). */
const QUERY_PRAGMAS = new Set([
  'table_info', 'table_xinfo', 'table_list', 'index_info', 'index_list', 'index_xinfo', 'foreign_key_list', 'foreign_key_check', 'integrity_check',
  'quick_check', 'function_list', 'module_list', 'pragma_list', 'collation_list', 'database_list', 'compile_options', 'data_version',
  'freelist_count', 'page_count', 'stats',
]);
/** PRAGMA settings that only affect this connection's behaviour or performance. */
const SESSION_PRAGMAS = new Set([
  'busy_timeout', 'cache_size', 'cache_spill', 'case_sensitive_like', 'defer_foreign_keys', 'recursive_triggers', 'temp_store', 'mmap_size',
  'automatic_index', 'cell_size_check', 'query_only', 'read_uncommitted', 'reverse_unordered_selects', 'threads', 'soft_heap_limit',
  'hard_heap_limit', 'analysis_limit', 'count_changes', 'full_column_names', 'short_column_names', 'empty_result_callbacks', 'encoding',
  'locking_mode', 'shrink_memory', 'wal_autocheckpoint', 'journal_size_limit', 'secure_delete', 'checkpoint_fullfsync', 'fullfsync',
]);

function pragma(tokens: Token[]): Verdict {
  const dotted = tokens[2]?.text === '.';
  const nameToken = dotted ? tokens[3] : tokens[1];
  const name = (nameToken ? unquote(nameToken) : '').toLowerCase();
  const valueToken = tokens.slice(dotted ? 4 : 2).find((t) => t.text !== '=' && t.text !== '(' && t.text !== ')' && t.text !== '-');
  const value = valueToken ? unquote(valueToken).toUpperCase() : undefined;
  const v = new Verdict('PRAGMA');
  const parenthesised = tokens.slice(dotted ? 4 : 2).some((t) => t.text === '(');
  if (value === undefined || QUERY_PRAGMAS.has(name) || (parenthesised && QUERY_PRAGMAS.has(name))) return v;
  const on = ON_VALUES.has(value);
  switch (name) {
    case 'writable_schema':
      return on ? v.destructive('PRAGMA writable_schema = ON lets statements edit sqlite_schema directly: one mistake corrupts the database') : v;
    case 'schema_version':
      return v.destructive('PRAGMA schema_version = … can corrupt the database');
    case 'foreign_keys':
      return on ? v : v.write('PRAGMA foreign_keys = OFF: foreign keys are not enforced for this connection (later deletes do not cascade, orphans are possible)');
    case 'ignore_check_constraints':
      return on ? v.write('PRAGMA ignore_check_constraints = ON: CHECK constraints are not enforced for this connection') : v;
    case 'journal_mode':
      return value === 'OFF' || value === 'MEMORY' ? v.destructive(`PRAGMA journal_mode = ${value}: a crash or error during a write can corrupt the database`) : v.write(`PRAGMA journal_mode = ${value} changes the database file's journal mode`);
    case 'synchronous':
      return value === 'OFF' || value === '0' ? v.write('PRAGMA synchronous = OFF: a power loss can lose or corrupt recent writes') : v;
    case 'legacy_alter_table':
      return on ? v.write('PRAGMA legacy_alter_table = ON: renames no longer update references in triggers and views') : v;
    case 'trusted_schema':
      return on ? v.write('PRAGMA trusted_schema = ON lets the schema run application functions') : v;
    default:
      if (SESSION_PRAGMAS.has(name)) return v;
      return v.write(`PRAGMA ${name} = ${value} changes the database`);
  }
}

function transaction(tokens: Token[]): Verdict | undefined {
  const first = tokens[0]?.upper;
  const control = (kind: string, tc: NonNullable<Verdict['transactionControl']>): Verdict => {
    const v = new Verdict(kind);
    v.transactionControl = tc;
    return v;
  };
  switch (first) {
    case 'BEGIN': return control('BEGIN', 'begin');
    case 'COMMIT':
    case 'END': return control('COMMIT', 'commit');
    case 'ROLLBACK': return tokens.some((t) => t.upper === 'TO') ? control('ROLLBACK TO SAVEPOINT', 'rollback') : control('ROLLBACK', 'rollback');
    case 'SAVEPOINT': return control('SAVEPOINT', 'savepoint');
    case 'RELEASE': return control('RELEASE', 'release');
    default: return undefined;
  }
}

const DROP_TYPES: Record<string, string> = { TABLE: 'table', INDEX: 'index', VIEW: 'view', TRIGGER: 'trigger' };

function drop(tokens: Token[]): Verdict {
  const word = tokens[1]?.upper ?? '';
  const type = DROP_TYPES[word] ?? word.toLowerCase();
  const v = new Verdict(`DROP ${word}`);
  let i = 2;
  if (tokens[i]?.upper === 'IF' && tokens[i + 1]?.upper === 'EXISTS') i += 2;
  const [ref] = nameAt(tokens, i);
  v.target(type, ref, 'drop');
  if (type === 'table') return v.destructive(`DROP TABLE ${display(ref)} deletes it and all its rows (and, with foreign keys on, cascades to referencing rows)`);
  if (type === 'index') return v.destructive(`DROP INDEX ${display(ref)}: if it is a UNIQUE index the uniqueness it enforces is lost, and queries using it slow down`);
  return v.destructive(`DROP ${word} ${display(ref)}`);
}

/** ALTER TABLE: SQLite's grammar has only RENAME TO, RENAME [COLUMN] a TO b, ADD [COLUMN], DROP [COLUMN] and ALTER [COLUMN] … NOT NULL. */
function alterTable(tokens: Token[]): Verdict | undefined {
  const [table, next] = nameAt(tokens, 2);
  const words = tokens.map((t) => t.upper);
  const v = new Verdict('ALTER TABLE');
  v.target('table', table, 'alter');
  const action = words[next];
  const column = (at: number): string => unquote(tokens[words[at] === 'COLUMN' ? at + 1 : at] as Token);
  switch (action) {
    case 'RENAME':
      if (words[next + 1] === 'TO') return v.destructive(`renames table ${display(table)} to ${unquote(tokens[next + 2] as Token)}: code using the old name breaks`);
      v.target('column', table, 'alter', column(next + 1));
      return v.destructive(`renames column ${display(table)}.${column(next + 1)}: code using the old name breaks`);
    case 'ADD':
      return v.write(`adds a column to ${display(table)}`);
    case 'DROP': {
      const c = column(next + 1);
      v.target('column', table, 'drop', c);
      return v.destructive(`DROP COLUMN ${display(table)}.${c} deletes the column and its data`);
    }
    case 'ALTER': {
      const c = column(next + 1);
      v.target('column', table, 'alter', c);
      if (words.slice(-3).join(' ') === 'DROP NOT NULL') return v.destructive(`DROP NOT NULL on ${display(table)}.${c} removes a constraint that protects the data`);
      return v.write(`changes column ${display(table)}.${c}`);
    }
    default:
      return undefined;
  }
}

function create(tokens: Token[]): Verdict | undefined {
  const words = tokens.map((t) => t.upper);
  let i = 1;
  if (words[i] === 'TEMP' || words[i] === 'TEMPORARY') i++;
  if (words[i] === 'UNIQUE') i++;
  const what = words[i];
  if (what === 'VIRTUAL') {
    const v = new Verdict('CREATE VIRTUAL TABLE');
    let k = i + 2;
    if (words[k] === 'IF') k += 3;
    const [ref] = nameAt(tokens, k);
    v.target('table', ref, 'other');
    return v.write(`creates virtual table ${display(ref)}`);
  }
  if (what === 'TRIGGER') {
    let k = i + 1;
    if (words[k] === 'IF') k += 3;
    const [ref] = nameAt(tokens, k);
    const v = new Verdict('CREATE TRIGGER');
    v.target('trigger', ref, 'other');
    v.write(`creates trigger ${display(ref)}: it runs statements on every change of its table`);
    // Its body's statements run later, on every matching change; what they would do is reported.
    const begin = words.indexOf('BEGIN');
    if (begin > 0) {
      const body = tokens.slice(begin + 1, words.lastIndexOf('END'));
      let start = 0;
      for (let k = 0; k <= body.length; k++) {
        if (k === body.length || body[k]?.text === ';') {
          const part = body.slice(start, k);
          start = k + 1;
          if (!part.length) continue;
          const inner = classifySimple(part, { mysql: false }) ?? dmlFromTokens(part);
          if (inner && inner.class === 'destructive') v.destructive(`trigger ${display(ref)} would, on every change: ${inner.reasons.join('; ')}`);
        }
      }
    }
    return v;
  }
  if (what === 'TABLE' || what === 'INDEX' || what === 'VIEW') {
    let k = i + 1;
    if (words[k] === 'IF') k += 3;
    const [ref] = nameAt(tokens, k);
    const v = new Verdict(`CREATE ${what}`);
    v.target(what.toLowerCase(), ref, 'other');
    v.write(`creates ${what.toLowerCase()} ${display(ref)}`);
    // CREATE TABLE … AS SELECT / CREATE VIEW … AS SELECT: the functions it calls decide too.
    const selectAt = words.indexOf('SELECT');
    if (selectAt > 0) scanTokenFunctions(v, tokens.slice(selectAt), new Set());
    return v;
  }
  return undefined;
}

const KEYWORDS_BEFORE_PAREN = new Set(['IN', 'EXISTS', 'VALUES', 'AS', 'USING', 'ON', 'FROM', 'JOIN', 'KEY', 'CHECK', 'UNIQUE', 'REFERENCES', 'WHERE', 'AND', 'OR', 'NOT', 'SELECT', 'INTO', 'OVER', 'FILTER', 'WITHIN', 'CAST', 'SET', 'WHEN', 'THEN', 'ELSE', 'BY', 'CONFLICT', 'RETURNING', 'TABLE', 'DO', 'UPDATE', 'RECURSIVE', 'MATERIALIZED', 'IS', 'LIKE', 'GLOB', 'BETWEEN', 'CASE', 'RAISE', 'PRIMARY', 'FOREIGN', 'DEFAULT', 'COLLATE', 'ESCAPE', 'LIMIT', 'OFFSET', 'WINDOW', 'PARTITION', 'ORDER', 'GROUP', 'HAVING', 'UNION', 'ALL', 'EXCEPT', 'INTERSECT', 'DISTINCT']);

/** Function calls in SQLite-validated tokens: a name directly followed by `(` that is not a keyword, a table or a CTE. */
function scanTokenFunctions(v: Verdict, tokens: Token[], names: Set<string>): void {
  for (let i = 0; i + 1 < tokens.length; i++) {
    const t = tokens[i] as Token;
    const next = tokens[i + 1] as Token;
    if (t.kind !== 'word' || next.text !== '(' || KEYWORDS_BEFORE_PAREN.has(t.upper) || names.has(t.text.toLowerCase())) continue;
    if (i > 0 && tokens[i - 1]?.text === '.') continue;
    const effect = SQLITE_POLICY.functionEffect(t.text, undefined);
    if (effect.class === 'read') continue;
    if (effect.runsCode) {
      v.runsCode = true;
      v.rowBounded = true;
    }
    v.raise(effect.class, effect.reason);
  }
}

/** Tables and CTE names a statement defines (not function calls when followed by `(`). */
function definedNames(tokens: Token[]): Set<string> {
  const names = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    const w = tokens[i]?.upper;
    if ((w === 'INTO' || w === 'UPDATE' || w === 'FROM' || w === 'JOIN' || w === 'TABLE') && tokens[i + 1]) names.add(unquote(tokens[i + 1] as Token).toLowerCase());
    if (tokens[i + 1]?.upper === 'AS' && tokens[i + 2]?.text === '(') names.add(unquote(tokens[i] as Token).toLowerCase());
    if (tokens[i + 1]?.text === '(' && tokens[i + 2] && tokens[i - 1] && (tokens[i - 1]?.upper === 'WITH' || tokens[i - 1]?.text === ',')) names.add(unquote(tokens[i] as Token).toLowerCase());
  }
  return names;
}

/** Index of the first top-level word in `words` at or after `from`. */
function topLevel(tokens: Token[], from: number, words: string[]): number {
  let depth = 0;
  for (let i = from; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    else if (depth === 0 && t.kind === 'word' && words.includes(t.upper)) return i;
  }
  return -1;
}

/**
 * DML that SQLite accepted but neither the subset nor node-sql-parser reads (WITH … DELETE, upserts with
 * RETURNING, UPDATE … FROM, INSERT OR …): the statement kind, target and WHERE from the tokens.
 */
function dmlFromTokens(tokens: Token[]): Verdict | undefined {
  let i = 0;
  if (tokens[0]?.upper === 'WITH') {
    // Skip the CTEs: name [(cols)] AS [NOT] [MATERIALIZED] (…), …
    i = topLevel(tokens, 1, ['SELECT', 'INSERT', 'REPLACE', 'UPDATE', 'DELETE', 'VALUES']);
    if (i < 0) return undefined;
  }
  const words = tokens.map((t) => t.upper);
  const first = words[i];
  const where = (from: number): { expr: ReturnType<typeof parseSimpleExpr>; present: boolean } => {
    const at = topLevel(tokens, from, ['WHERE']);
    if (at < 0) return { expr: undefined, present: false };
    const end = topLevel(tokens, at + 1, ['RETURNING', 'ORDER', 'LIMIT']);
    return { expr: parseSimpleExpr(tokens.slice(at + 1, end < 0 ? undefined : end), { mysql: false }), present: true };
  };
  let v: Verdict;
  if (first === 'SELECT' || first === 'VALUES') {
    v = new Verdict(first);
  } else if (first === 'DELETE') {
    const [table, next] = nameAt(tokens, i + 2);
    const w = where(next);
    v = new Verdict('DELETE');
    if (w.present && !w.expr) {
      v.target('table', table, 'delete');
      v.rowBounded = true;
      v.write(`DELETE on ${display(table)} with a WHERE clause (not fully read here): the rows it deletes are counted before it runs`);
    } else classifyDelete(v, [table], w.expr);
  } else if (first === 'UPDATE') {
    let k = i + 1;
    let or: string | undefined;
    if (words[k] === 'OR') {
      or = words[k + 1];
      k += 2;
    }
    const [table, next] = nameAt(tokens, k);
    const w = where(next);
    v = new Verdict('UPDATE');
    if (w.present && !w.expr) {
      v.target('table', table, 'update');
      v.rowBounded = true;
      v.write(`UPDATE on ${display(table)} with a WHERE clause (not fully read here): the rows it changes are counted before it runs`);
    } else classifyUpdate(v, [table], w.expr);
    if (or === 'REPLACE') {
      v.target('table', table, 'delete');
      v.write('UPDATE OR REPLACE deletes rows that conflict with the new values');
    }
  } else if (first === 'INSERT' || first === 'REPLACE') {
    let k = i + 1;
    let overwrite: string | undefined = first === 'REPLACE' ? 'REPLACE (deletes the rows it replaces)' : undefined;
    if (words[k] === 'OR') {
      if (words[k + 1] === 'REPLACE') overwrite = 'INSERT OR REPLACE (deletes the rows it replaces)';
      k += 2;
    }
    if (words[k] !== 'INTO') return undefined;
    const [table] = nameAt(tokens, k + 1);
    const conflict = topLevel(tokens, k, ['CONFLICT']);
    if (conflict > 0 && words[conflict - 1] === 'ON' && topLevel(tokens, conflict, ['UPDATE']) > 0) overwrite = 'INSERT … ON CONFLICT DO UPDATE';
    v = classifyInsert(new Verdict(first), [table], overwrite);
  } else return undefined;
  scanTokenFunctions(v, tokens, definedNames(tokens));
  return v;
}

function readTokens(tokens: Token[]): Verdict | undefined {
  const words = tokens.map((t) => t.upper);
  const transactionVerdict = transaction(tokens);
  if (transactionVerdict) return transactionVerdict;
  switch (words[0]) {
    case 'PRAGMA':
      return pragma(tokens);
    case 'VACUUM': {
      const into = words.indexOf('INTO');
      const v = new Verdict(into > 0 ? 'VACUUM INTO' : 'VACUUM');
      v.nonTransactional = true;
      return into > 0 ? v.write(`VACUUM INTO writes a copy of the database to ${tokens[into + 1]?.text ?? 'a file'}`) : v.write('VACUUM rebuilds the database file');
    }
    case 'ATTACH': {
      const as = words.lastIndexOf('AS');
      return new Verdict('ATTACH').write(`ATTACH opens (or creates) the database file ${tokens[words[1] === 'DATABASE' ? 2 : 1]?.text ?? ''} as ${as > 0 ? (tokens[as + 1]?.text ?? '') : ''}`.trim());
    }
    case 'DETACH':
      return new Verdict('DETACH');
    case 'ANALYZE':
      return new Verdict('ANALYZE').write('ANALYZE updates planner statistics');
    case 'REINDEX':
      return new Verdict('REINDEX').write('REINDEX rebuilds indexes');
    case 'EXPLAIN':
      return new Verdict('EXPLAIN'); // SQLite's EXPLAIN only compiles the statement
    case 'DROP':
      return drop(tokens);
    case 'ALTER':
      return words[1] === 'TABLE' ? alterTable(tokens) : undefined;
    case 'CREATE':
      return create(tokens);
    default:
      return undefined;
  }
}

const UTILITY = new Set(['PRAGMA', 'VACUUM', 'ATTACH', 'DETACH', 'ANALYZE', 'REINDEX', 'EXPLAIN', 'DROP', 'ALTER', 'CREATE', 'BEGIN', 'COMMIT', 'END', 'ROLLBACK', 'SAVEPOINT', 'RELEASE']);

function classifyStatement(tokens: Token[], text: string): Verdict {
  syntax ??= new SqliteSyntax();
  const compiled = syntax.inspect({ text, tokens });
  if (compiled.syntaxError !== undefined) return unparsed(`SQLite rejects it: ${compiled.syntaxError}`);
  let v = classifySimple(tokens, { mysql: false });
  if (!v && UTILITY.has(tokens[0]?.upper ?? '')) v = readTokens(tokens);
  if (!v) {
    const parsed = astify(text, ['sqlite']);
    if (!('error' in parsed)) v = classifyAst(parsed.ast, SQLITE_POLICY);
  }
  v ??= dmlFromTokens(tokens);
  if (!v) return unparsed(`${tokens[0]?.upper ?? ''} statement not read by the classifier`);
  if (compiled.readonly === false && v.class === 'read' && v.kind !== 'EXPLAIN' && !v.transactionControl) {
    v.write('SQLite reports that the statement writes to the database');
  }
  if (tokens.some((t) => t.kind === 'word' && t.upper === 'CASCADE')) v.destructive('CASCADE: changing a referenced row also deletes or changes the rows that reference it');
  return v;
}

export function classifySqlite(sql: string): ClassifiedSpan[] {
  return classifyLexed(sql, sql, SQLITE_LEXER, (s) => classifyStatement(s.tokens, s.text));
}
