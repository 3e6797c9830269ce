/**
 * Classification of node-sql-parser ASTs, shared by the MySQL/MariaDB and SQLite classifiers (the
 * library's grammars for both produce the same node shapes). Each engine passes its function policy;
 * statement types not handled here return undefined so that the engine can try its own readers or
 * fail closed.
 */
import { field, list, text } from '../../migrate/lint/sql-parser.js';
import type { SqlAst } from '../../migrate/lint/sql-parser.js';
import { col, lit, OPAQUE } from './expr.js';
import type { CmpOp, Expr } from './expr.js';
import { Verdict, classifyDelete, classifyInsert, classifyUpdate, display, tableRef } from './verdict.js';
import type { TableRef } from './verdict.js';

export interface FunctionEffect {
  class: 'read' | 'write' | 'destructive';
  reason?: string;
  /** A user-defined function: its effect is unknown. */
  runsCode?: boolean;
}

export interface AstPolicy {
  engine: 'mysql' | 'sqlite';
  functionEffect(name: string, schema: string | undefined): FunctionEffect;
}

const CMP: Record<string, CmpOp> = { '=': '=', '==': '=', '!=': '<>', '<>': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=', '<=>': 'notdistinct', IS: 'notdistinct', 'IS NOT': 'distinct' };

export function toExpr(node: unknown): Expr {
  if (node === null || typeof node !== 'object') return OPAQUE;
  const type = text(node, 'type') ?? '';
  switch (type) {
    case 'number': {
      const value = field(node, 'value');
      return typeof value === 'number' ? lit(value) : typeof value === 'string' && !Number.isNaN(Number(value)) ? lit(Number(value)) : OPAQUE;
    }
    case 'single_quote_string':
    case 'string':
    case 'natural_string':
    case 'double_quote_string': {
      const value = field(node, 'value');
      return typeof value === 'string' ? lit(value) : OPAQUE;
    }
    case 'bool':
    case 'boolean': return lit(field(node, 'value') === true);
    case 'null': return lit(null);
    case 'column_ref': {
      const column = field(node, 'column');
      const name = typeof column === 'string' ? column : text(field(column, 'expr'), 'value');
      const table = text(node, 'table');
      return name && name !== '*' ? col(table ? `${table}.${name}` : name) : OPAQUE;
    }
    case 'unary_expr': {
      const op = (text(node, 'operator') ?? '').toUpperCase();
      const arg = toExpr(field(node, 'expr'));
      if (op === 'NOT' || op === '!') return { k: 'not', arg };
      if (op === '-') return { k: 'neg', arg };
      if (op === '+') return arg;
      return OPAQUE;
    }
    case 'binary_expr': {
      const op = (text(node, 'operator') ?? '').toUpperCase();
      const leftNode = field(node, 'left');
      const rightNode = field(node, 'right');
      const l = toExpr(leftNode);
      if (op === 'AND' || op === '&&') return { k: 'and', args: [l, toExpr(rightNode)] };
      if (op === 'OR') return { k: 'or', args: [l, toExpr(rightNode)] };
      if (op === 'IS' || op === 'IS NOT') {
        const rightType = text(rightNode, 'type');
        if (rightType === 'null') return { k: 'null', arg: l, neg: op === 'IS NOT' };
        if (rightType === 'bool' || rightType === 'boolean') return { k: 'is', arg: l, value: field(rightNode, 'value') === true, neg: op === 'IS NOT' };
      }
      if (op === 'LIKE' || op === 'NOT LIKE') return { k: 'like', arg: l, pattern: toExpr(rightNode), neg: op === 'NOT LIKE' };
      if (op === 'IN' || op === 'NOT IN') {
        if (text(rightNode, 'type') !== 'expr_list') return OPAQUE;
        const values = list(rightNode, 'value');
        if (values.some((v) => text(v, 'type') === 'select' || field(v, 'ast'))) return OPAQUE;
        return { k: 'in', arg: l, list: values.map(toExpr), neg: op === 'NOT IN' };
      }
      if (op === 'BETWEEN' || op === 'NOT BETWEEN') {
        const values = list(rightNode, 'value').map(toExpr);
        if (values.length !== 2) return OPAQUE;
        return { k: 'between', arg: l, lo: values[0] as Expr, hi: values[1] as Expr, neg: op === 'NOT BETWEEN' };
      }
      const cmp = CMP[op];
      if (cmp) return { k: 'cmp', op: cmp, l, r: toExpr(rightNode) };
      if (['+', '-', '*', '/', '%'].includes(op)) return { k: 'arith', op, l, r: toExpr(rightNode) };
      return OPAQUE;
    }
    case 'function': {
      const name = functionName(node);
      const args = list(field(node, 'args'), 'value').map(toExpr);
      // node-sql-parser reads `NOT (expr)` as a call of a function named NOT.
      if (name.name === 'not' && !name.schema && args.length === 1) return { k: 'not', arg: args[0] as Expr };
      return { k: 'fn', name: name.name, args };
    }
    default:
      return OPAQUE;
  }
}

function functionName(node: unknown): { name: string; schema: string | undefined } {
  const name = field(node, 'name');
  if (typeof name === 'string') return { name: name.toLowerCase(), schema: undefined };
  const parts = list(name, 'name').map((p) => String(field(p, 'value') ?? ''));
  const schema = text(field(name, 'schema'), 'value');
  return { name: parts.join('.').toLowerCase(), schema: schema?.toLowerCase() };
}

/** Function calls anywhere below `node`. */
export function scanFunctions(v: Verdict, node: unknown, policy: AstPolicy): void {
  const seen = new Set<unknown>();
  const visit = (value: unknown): void => {
    if (value === null || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (text(value, 'type') === 'function') {
      const { name, schema } = functionName(value);
      if (name === 'not' && !schema) {
        for (const child of Object.values(value as SqlAst)) visit(child);
        return;
      }
      const effect = policy.functionEffect(name, schema);
      if (effect.class !== 'read') {
        if (effect.runsCode) {
          v.runsCode = true;
          v.rowBounded = true;
        }
        v.raise(effect.class, effect.reason ?? `calls ${schema ? `${schema}.` : ''}${name}()`);
      }
    }
    for (const child of Object.values(value as SqlAst)) visit(child);
  };
  visit(node);
}

function refs(nodes: unknown): TableRef[] {
  const items = Array.isArray(nodes) ? nodes : nodes ? [nodes] : [];
  return items.map((t) => tableRef(text(t, 'table') ?? '', text(t, 'db'))).filter((t) => t.name !== '');
}

function whereOf(ast: SqlAst): Expr | undefined {
  const where = field(ast, 'where');
  return where ? toExpr(where) : undefined;
}

/** Tables a multi-table UPDATE changes: those named in SET, else all of them. */
function updatedTables(ast: SqlAst): TableRef[] {
  const all = refs(field(ast, 'table'));
  if (all.length <= 1) return all;
  const aliases = new Map<string, TableRef>();
  for (const t of list(ast, 'table')) {
    const ref = tableRef(text(t, 'table') ?? '', text(t, 'db'));
    aliases.set((text(t, 'as') ?? ref.name).toLowerCase(), ref);
    aliases.set(ref.name.toLowerCase(), ref);
  }
  const named = list(ast, 'set').map((s) => aliases.get((text(s, 'table') ?? '').toLowerCase())).filter((r): r is TableRef => r !== undefined);
  return named.length ? [...new Map(named.map((r) => [display(r), r])).values()] : all;
}

/** Tables a DELETE removes rows from (for MySQL multi-table DELETE the ones before FROM, resolved through aliases). */
function deletedTables(ast: SqlAst): TableRef[] {
  const from = list(ast, 'from');
  const aliases = new Map<string, TableRef>();
  for (const t of from) {
    const ref = tableRef(text(t, 'table') ?? '', text(t, 'db'));
    if (text(t, 'as')) aliases.set((text(t, 'as') ?? '').toLowerCase(), ref);
  }
  return refs(field(ast, 'table')).map((r) => (!r.schema && aliases.get(r.name.toLowerCase())) || r);
}

/** Classifies a parsed statement; undefined when its type is not handled here. */
export function classifyAst(ast: SqlAst, policy: AstPolicy): Verdict | undefined {
  const type = text(ast, 'type') ?? '';
  let v: Verdict | undefined;
  switch (type) {
    case 'select': {
      v = new Verdict('SELECT');
      const into = field(ast, 'into');
      const keyword = (text(into, 'keyword') ?? '').toUpperCase();
      if (text(into, 'position') && (keyword === 'OUTFILE' || keyword === 'DUMPFILE')) v.destructive(`SELECT … INTO ${keyword} writes a file on the database server`);
      else if (text(into, 'position') && keyword !== 'VAR' && text(field(into, 'expr'), 'type') !== 'var' && !Array.isArray(field(into, 'expr'))) {
        v.write('SELECT … INTO');
      }
      break;
    }
    case 'insert':
    case 'replace': {
      const tables = refs(field(ast, 'table'));
      const or = list(ast, 'or').map((o) => String(field(o, 'value') ?? '').toUpperCase());
      let overwrite: string | undefined;
      if (type === 'replace' || or.includes('REPLACE')) overwrite = 'REPLACE (deletes the rows it replaces)';
      if (field(ast, 'on_duplicate_update')) overwrite = 'INSERT … ON DUPLICATE KEY UPDATE';
      v = classifyInsert(new Verdict(type === 'replace' ? 'REPLACE' : 'INSERT'), tables, overwrite);
      break;
    }
    case 'update':
      v = classifyUpdate(new Verdict('UPDATE'), updatedTables(ast), whereOf(ast));
      break;
    case 'delete':
      v = classifyDelete(new Verdict('DELETE'), deletedTables(ast), whereOf(ast));
      break;
    case 'truncate': {
      v = new Verdict('TRUNCATE');
      for (const t of refs(field(ast, 'name'))) {
        v.target('table', t, 'truncate');
        v.destructive(`TRUNCATE deletes every row of ${display(t)}`);
      }
      if (v.class === 'read') v.destructive('TRUNCATE deletes every row of the table');
      break;
    }
    case 'rename': {
      v = new Verdict('RENAME TABLE');
      for (const pair of list(ast, 'table')) {
        const [from, to] = Array.isArray(pair) ? pair : [];
        const ref = refs(from)[0];
        if (!ref) continue;
        v.target('table', ref, 'alter');
        v.destructive(`renames table ${display(ref)} to ${refs(to)[0]?.name ?? ''}: code using the old name breaks`);
      }
      if (v.class === 'read') v.destructive('RENAME TABLE: code using the old name breaks');
      break;
    }
    case 'create':
      v = create(ast);
      break;
    case 'alter':
      v = alter(ast);
      break;
    case 'show':
      v = new Verdict('SHOW');
      break;
    case 'desc':
      v = new Verdict('DESCRIBE');
      break;
    case 'explain':
      v = new Verdict('EXPLAIN');
      return v; // EXPLAIN without ANALYZE runs nothing
    case 'use':
      v = new Verdict('USE');
      break;
    case 'lock':
      v = new Verdict('LOCK TABLES');
      break;
    case 'unlock':
      v = new Verdict('UNLOCK TABLES');
      break;
    case 'grant': {
      const keyword = text(ast, 'keyword') ?? '';
      v = new Verdict(keyword === 'role' ? 'GRANT ROLE' : 'GRANT');
      if (keyword === 'role') v.destructive('GRANT of a role changes who can do what');
      else v.write('grants privileges');
      break;
    }
    case 'call': {
      v = new Verdict('CALL');
      const { name } = functionName(field(ast, 'expr'));
      v.runsCode = true;
      v.target('procedure', tableRef(name), 'other');
      v.destructive(`CALL runs procedure ${name}, whose effect (including COMMITs inside it) cannot be checked`);
      break;
    }
    case 'load_data': {
      v = new Verdict('LOAD DATA');
      const table = refs(field(ast, 'table'))[0];
      if (table) v.target('table', table, 'insert');
      const mode = (text(ast, 'replace_ignore') ?? '').toLowerCase();
      if (mode === 'replace') {
        if (table) v.target('table', table, 'delete');
        v.destructive(`LOAD DATA … REPLACE deletes the rows of ${table ? display(table) : 'the table'} that the file replaces`);
      } else v.write(`LOAD DATA loads rows into ${table ? display(table) : 'a table'}`);
      break;
    }
    default:
      return undefined;
  }
  if (!v) return undefined;
  scanFunctions(v, ast, policy);
  return v;
}

function create(ast: SqlAst): Verdict | undefined {
  const keyword = (text(ast, 'keyword') ?? '').toLowerCase();
  const replace = (text(ast, 'replace') ?? '').toLowerCase().includes('replace') || (text(ast, 'or_replace') ?? '') !== '';
  switch (keyword) {
    case 'table': {
      const table = refs(field(ast, 'table'))[0] ?? { name: '' };
      const temporary = text(ast, 'temporary') !== undefined && field(ast, 'temporary') !== null;
      const v = new Verdict(temporary ? 'CREATE TEMPORARY TABLE' : 'CREATE TABLE');
      v.target('table', table, 'other');
      if (replace) return v.destructive(`CREATE OR REPLACE TABLE ${display(table)} drops the existing table and its rows`);
      return v.write(`creates table ${display(table)}`);
    }
    case 'view': {
      const view = refs(field(ast, 'view'))[0] ?? refs(field(ast, 'table'))[0] ?? { name: text(field(ast, 'view'), 'view') ?? '' };
      const v = new Verdict(replace ? 'CREATE OR REPLACE VIEW' : 'CREATE VIEW');
      v.target('view', view, replace ? 'alter' : 'other');
      if (replace) return v.destructive(`CREATE OR REPLACE VIEW ${display(view)} may replace an existing view's definition`);
      return v.write(`creates view ${display(view)}`);
    }
    case 'index':
    case 'unique index':
    case 'fulltext index':
    case 'spatial index': {
      const v = new Verdict('CREATE INDEX');
      const table = refs(field(ast, 'table'))[0];
      v.target('index', { name: text(ast, 'index') ?? '' }, 'other');
      return v.write(`creates an index${table ? ` on ${display(table)}` : ''}`);
    }
    case 'database':
    case 'schema': {
      const v = new Verdict(`CREATE ${keyword.toUpperCase()}`);
      if (replace) return v.destructive(`CREATE OR REPLACE ${keyword.toUpperCase()} drops the existing one`);
      return v.write(`creates a ${keyword}`);
    }
    case 'trigger': {
      const v = new Verdict('CREATE TRIGGER');
      const table = refs(field(ast, 'table'))[0];
      if (replace) v.destructive('CREATE OR REPLACE TRIGGER may replace an existing trigger');
      return v.write(`creates a trigger: it runs code on every change of ${table ? display(table) : 'its table'}`);
    }
    case 'user':
    case 'role': {
      const v = new Verdict(`CREATE ${keyword.toUpperCase()}`);
      if (replace) return v.destructive(`CREATE OR REPLACE ${keyword.toUpperCase()} drops the existing account`);
      return v.write(`creates a ${keyword}`);
    }
    case 'sequence': {
      const v = new Verdict('CREATE SEQUENCE');
      if (replace) return v.destructive('CREATE OR REPLACE SEQUENCE resets an existing sequence');
      return v.write('creates a sequence');
    }
    default:
      return undefined;
  }
}

const ALTER_WRITE_RESOURCES = new Set(['algorithm', 'lock', 'engine', 'auto_increment', 'comment', 'charset', 'character set', 'collate', 'row_format', 'key_block_size', 'checksum', 'delay_key_write', 'max_rows', 'min_rows', 'avg_row_length', 'stats_persistent', 'pack_keys', 'force']);

function alter(ast: SqlAst): Verdict | undefined {
  if (field(ast, 'table') === undefined) return undefined;
  const table = refs(field(ast, 'table'))[0] ?? { name: '' };
  const v = new Verdict('ALTER TABLE');
  v.target('table', table, 'alter');
  const name = display(table);
  for (const item of list(ast, 'expr')) {
    const action = (text(item, 'action') ?? '').toLowerCase();
    const resource = (text(item, 'resource') ?? '').toLowerCase();
    const keyword = (text(item, 'keyword') ?? '').toLowerCase();
    const columnOf = (key: string): string => {
      const c = field(item, key);
      if (typeof c === 'string') return c;
      const column = field(c, 'column');
      return typeof column === 'string' ? column : String(field(field(column, 'expr'), 'value') ?? '');
    };
    if (action === 'add') {
      v.write(`ALTER TABLE ${name} ADD ${resource || keyword}`);
    } else if (action === 'drop') {
      if (resource === 'column') {
        const column = columnOf('column');
        v.target('column', table, 'drop', column);
        v.destructive(`DROP COLUMN ${name}.${column} deletes the column and its data`);
      } else {
        const what = keyword || resource || 'object';
        const objectName = text(item, 'index') ?? text(item, 'key') ?? text(item, 'constraint') ?? '';
        if (objectName) v.target(resource === 'index' || keyword.includes('index') ? 'index' : 'constraint', { name: objectName }, 'drop');
        v.destructive(`ALTER TABLE ${name} DROP ${what.toUpperCase()}${objectName ? ` ${objectName}` : ''}: removes ${what.includes('index') ? 'an index (and the constraint it may enforce)' : 'a constraint that protects the data'}`);
      }
    } else if (action === 'modify' || action === 'change') {
      const column = columnOf(action === 'change' ? 'old_column' : 'column');
      v.target('column', table, 'alter', column);
      v.destructive(`${action.toUpperCase()} COLUMN ${name}.${column} can change its type (truncating or converting values) and attributes`);
      if (action === 'change') {
        const newName = columnOf('column');
        if (newName && newName.toLowerCase() !== column.toLowerCase()) v.destructive(`renames column ${name}.${column} to ${newName}: code using the old name breaks`);
      }
    } else if (action === 'rename') {
      if (resource === 'column') {
        const column = columnOf('old_column');
        v.target('column', table, 'alter', column);
        v.destructive(`renames column ${name}.${column} to ${columnOf('column')}: code using the old name breaks`);
      } else if (resource === 'index' || resource === 'key') {
        v.write(`renames an index of ${name}`);
      } else {
        v.destructive(`renames table ${name} to ${text(item, 'table') ?? ''}: code using the old name breaks`);
      }
    } else if (ALTER_WRITE_RESOURCES.has(resource) || ALTER_WRITE_RESOURCES.has(keyword)) {
      v.write(`ALTER TABLE ${name} ${(keyword || resource).toUpperCase()}`);
    } else {
      v.destructive(`ALTER TABLE ${name}: ${action || resource || 'this change'} is not known to be safe`);
    }
  }
  if (v.class === 'read') v.write(`ALTER TABLE ${name}`);
  return v;
}
