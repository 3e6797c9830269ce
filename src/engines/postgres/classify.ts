/**
 * The safety gate's statement classifier for PostgreSQL. Every statement is parsed by libpg-query
 * (PostgreSQL's own grammar), PL/pgSQL bodies of functions and DO blocks by its PL/pgSQL parser;
 * the classifier reads the AST, never the text. Statement types it does not know are destructive.
 * docs/guard.md ("Classification") lists the decisions.
 */
import { parsePlPgSQLSync, parseSync } from 'libpg-query';
import type { Node } from 'libpg-query';
import { col, lit, OPAQUE } from '../../guard/classify/expr.js';
import type { CmpOp, Expr } from '../../guard/classify/expr.js';
import { Verdict, classifyDelete, classifyInsert, classifyUpdate, display, tableRef, unparsed } from '../../guard/classify/verdict.js';
import type { ClassifiedSpan, TableRef } from '../../guard/classify/verdict.js';
import type { TargetAction } from '../../guard/classify/types.js';
import { SourceText } from '../../migrate/lint/source.js';
import { POSTGRES_BUILTIN_FUNCTIONS } from './builtin-functions.js';
import { nodeBody, parseStatements, stringsOf } from './parse.js';
import type { AnyNode } from './parse.js';

type Body = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Small readers

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const arr = (v: unknown): Node[] => (Array.isArray(v) ? (v as Node[]) : []);
const obj = (v: unknown): Body | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Body) : undefined);

function rangeVar(v: unknown): TableRef | undefined {
  const r = obj(obj(v)?.RangeVar) ?? obj(v);
  const name = str(r?.relname);
  return name === undefined ? undefined : tableRef(name, str(r?.schemaname));
}

/** A qualified name list (['s', 't']) as a reference. */
function nameRef(parts: string[]): TableRef {
  const name = parts[parts.length - 1] ?? '';
  return tableRef(name, parts.length > 1 ? parts[parts.length - 2] : undefined);
}

function stringsOfNode(node: unknown): string[] {
  const b = nodeBody(node as Node);
  if (!b) return [];
  const [kind, body] = b;
  if (kind === 'String') return [str(body.sval) ?? ''];
  if (kind === 'List') return stringsOf(arr(body.items));
  if (kind === 'ObjectWithArgs') return stringsOf(arr(body.objname));
  if (kind === 'TypeName') return stringsOf(arr(body.names));
  if (kind === 'RangeVar') return [str(body.schemaname), str(body.relname)].filter((s): s is string => s !== undefined);
  return [];
}

function defElems(v: unknown): { name: string; arg: unknown }[] {
  return arr(v).map((n) => obj((n as unknown as Body).DefElem)).filter((d): d is Body => d !== undefined).map((d) => ({ name: str(d.defname) ?? '', arg: d.arg }));
}

/** A DefElem's boolean value: no argument means true. */
function defTrue(arg: unknown): boolean {
  if (arg === undefined) return true;
  const b = nodeBody(arg as Node);
  if (!b) return true;
  const [kind, body] = b;
  if (kind === 'Boolean') return body.boolval === true;
  if (kind === 'String') return !['false', 'off', '0', 'no'].includes((str(body.sval) ?? '').toLowerCase());
  if (kind === 'Integer') return body.ival !== undefined && body.ival !== 0;
  return true;
}

function constString(node: unknown): string | undefined {
  const c = obj(obj(node)?.A_Const);
  return str(obj(c?.sval)?.sval);
}

const OBJECT_NAMES: Record<string, string> = {
  OBJECT_TABLE: 'table', OBJECT_VIEW: 'view', OBJECT_MATVIEW: 'materialized view', OBJECT_INDEX: 'index', OBJECT_SEQUENCE: 'sequence',
  OBJECT_SCHEMA: 'schema', OBJECT_DATABASE: 'database', OBJECT_FUNCTION: 'function', OBJECT_PROCEDURE: 'procedure', OBJECT_ROUTINE: 'routine',
  OBJECT_AGGREGATE: 'aggregate', OBJECT_TYPE: 'type', OBJECT_DOMAIN: 'domain', OBJECT_TRIGGER: 'trigger', OBJECT_POLICY: 'policy',
  OBJECT_RULE: 'rule', OBJECT_EXTENSION: 'extension', OBJECT_FOREIGN_TABLE: 'foreign table', OBJECT_COLUMN: 'column', OBJECT_ROLE: 'role',
  OBJECT_TABCONSTRAINT: 'constraint', OBJECT_DOMCONSTRAINT: 'constraint', OBJECT_ATTRIBUTE: 'attribute', OBJECT_TABLESPACE: 'tablespace',
  OBJECT_EVENT_TRIGGER: 'event trigger', OBJECT_PUBLICATION: 'publication', OBJECT_SUBSCRIPTION: 'subscription', OBJECT_FOREIGN_SERVER: 'server',
  OBJECT_FDW: 'foreign-data wrapper', OBJECT_COLLATION: 'collation', OBJECT_CONVERSION: 'conversion', OBJECT_OPERATOR: 'operator',
  OBJECT_STATISTIC_EXT: 'statistics', OBJECT_LANGUAGE: 'language', OBJECT_CAST: 'cast', OBJECT_TRANSFORM: 'transform',
  OBJECT_ACCESS_METHOD: 'access method', OBJECT_OPCLASS: 'operator class', OBJECT_OPFAMILY: 'operator family',
  OBJECT_TSCONFIGURATION: 'text search configuration', OBJECT_TSDICTIONARY: 'text search dictionary', OBJECT_TSPARSER: 'text search parser',
  OBJECT_TSTEMPLATE: 'text search template', OBJECT_LARGEOBJECT: 'large object',
};
const objectName = (t: unknown): string => OBJECT_NAMES[str(t) ?? ''] ?? (str(t) ?? 'object').replace(/^OBJECT_/, '').toLowerCase().replaceAll('_', ' ');

// ---------------------------------------------------------------------------------------------
// WHERE clauses → engine-neutral expressions

const CMP: Record<string, CmpOp> = { '=': '=', '<>': '<>', '!=': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };

function toExpr(node: unknown): Expr {
  const b = nodeBody(node as Node);
  if (!b) return OPAQUE;
  const [kind, body] = b;
  switch (kind) {
    case 'A_Const': {
      if (body.isnull) return lit(null);
      if (body.ival) return lit(Number(obj(body.ival)?.ival ?? 0));
      if (body.fval) return lit(Number(obj(body.fval)?.fval ?? 0));
      if (body.sval) return lit(str(obj(body.sval)?.sval) ?? '');
      if (body.boolval) return lit(obj(body.boolval)?.boolval === true);
      return OPAQUE;
    }
    case 'ColumnRef': {
      // Qualified as written: s.item = d.item (a join) is not id = id.
      const fields = arr(body.fields);
      if (fields.some((f) => nodeBody(f)?.[0] !== 'String')) return OPAQUE;
      return col(stringsOf(fields).join('.'));
    }
    case 'TypeCast':
    case 'CollateClause': return toExpr(body.arg);
    case 'BoolExpr': {
      const args = arr(body.args).map(toExpr);
      if (body.boolop === 'NOT_EXPR') return { k: 'not', arg: args[0] ?? OPAQUE };
      return { k: body.boolop === 'OR_EXPR' ? 'or' : 'and', args };
    }
    case 'NullTest': return { k: 'null', arg: toExpr(body.arg), neg: body.nulltesttype === 'IS_NOT_NULL' };
    case 'BooleanTest': {
      const t = str(body.booltesttype) ?? '';
      if (t.includes('UNKNOWN')) return { k: 'null', arg: toExpr(body.arg), neg: t === 'IS_NOT_UNKNOWN' };
      return { k: 'is', arg: toExpr(body.arg), value: t.includes('TRUE'), neg: t.includes('NOT') };
    }
    case 'A_Expr': {
      const op = stringsOf(arr(body.name)).pop() ?? '';
      const l = toExpr(body.lexpr);
      const kindName = str(body.kind) ?? '';
      switch (kindName) {
        case 'AEXPR_OP': {
          if (!body.lexpr) return op === '-' ? { k: 'neg', arg: toExpr(body.rexpr) } : op === '+' ? toExpr(body.rexpr) : OPAQUE;
          const r = toExpr(body.rexpr);
          if (CMP[op]) return { k: 'cmp', op: CMP[op], l, r };
          if (['+', '-', '*', '/', '%'].includes(op)) return { k: 'arith', op, l, r };
          if (op === '~~' || op === '~~*' || op === '!~~' || op === '!~~*') return { k: 'like', arg: l, pattern: r, neg: op.startsWith('!') };
          return OPAQUE;
        }
        case 'AEXPR_DISTINCT': return { k: 'cmp', op: 'distinct', l, r: toExpr(body.rexpr) };
        case 'AEXPR_NOT_DISTINCT': return { k: 'cmp', op: 'notdistinct', l, r: toExpr(body.rexpr) };
        case 'AEXPR_LIKE':
        case 'AEXPR_ILIKE': return { k: 'like', arg: l, pattern: toExpr(body.rexpr), neg: op.startsWith('!') };
        case 'AEXPR_IN': {
          const items = obj(obj(body.rexpr)?.List)?.items;
          return Array.isArray(items) ? { k: 'in', arg: l, list: arr(items).map(toExpr), neg: op === '<>' } : OPAQUE;
        }
        case 'AEXPR_BETWEEN':
        case 'AEXPR_NOT_BETWEEN':
        case 'AEXPR_BETWEEN_SYM':
        case 'AEXPR_NOT_BETWEEN_SYM': {
          const items = arr(obj(obj(body.rexpr)?.List)?.items).map(toExpr);
          if (items.length !== 2) return OPAQUE;
          const neg = kindName.includes('NOT');
          if (kindName.endsWith('SYM')) {
            // BETWEEN SYMMETRIC a AND b: either order.
            const one: Expr = { k: 'between', arg: l, lo: items[0] as Expr, hi: items[1] as Expr, neg: false };
            const two: Expr = { k: 'between', arg: l, lo: items[1] as Expr, hi: items[0] as Expr, neg: false };
            const either: Expr = { k: 'or', args: [one, two] };
            return neg ? { k: 'not', arg: either } : either;
          }
          return { k: 'between', arg: l, lo: items[0] as Expr, hi: items[1] as Expr, neg };
        }
        default: return OPAQUE;
      }
    }
    case 'FuncCall': return { k: 'fn', name: stringsOf(arr(body.funcname)).join('.').toLowerCase(), args: arr(body.args).map(toExpr) };
    case 'SubLink': {
      // EXISTS (SELECT …) without FROM and WHERE is always true.
      const sub = obj(obj(body.subselect)?.SelectStmt);
      if (body.subLinkType === 'EXISTS_SUBLINK' && sub && !sub.fromClause && !sub.whereClause && !sub.havingClause && !sub.limitCount) return lit(true);
      return OPAQUE;
    }
    default: return OPAQUE;
  }
}

// ---------------------------------------------------------------------------------------------
// Functions

/** Built-ins that change something outside the statement's rows (destructive) … */
const DESTRUCTIVE_FUNCTIONS: Record<string, string> = {
  pg_terminate_backend: 'terminates another session', pg_cancel_backend: 'cancels another session\'s query',
  lo_unlink: 'deletes a large object', lo_truncate: 'truncates a large object', lo_truncate64: 'truncates a large object', lo_export: 'writes a file on the database server',
  pg_drop_replication_slot: 'drops a replication slot', pg_replication_origin_drop: 'drops a replication origin', pg_replication_slot_advance: 'discards changes of a replication slot',
  pg_logical_slot_get_changes: 'consumes the changes of a replication slot', pg_logical_slot_get_binary_changes: 'consumes the changes of a replication slot',
  pg_promote: 'promotes a standby server', pg_wal_replay_pause: 'pauses WAL replay', pg_reload_conf: 'reloads the server configuration',
  pg_file_write: 'writes a file on the database server', pg_file_unlink: 'deletes a file on the database server', pg_file_rename: 'renames a file on the database server',
  pg_file_sync: 'touches a file on the database server', setval: 'resets a sequence (later inserts can collide with existing keys)',
  dblink_exec: 'runs SQL on another database', dblink_send_query: 'runs SQL on another database', dblink_open: 'runs SQL on another database',
  binary_upgrade_create_empty_extension: 'changes the catalog directly', pg_import_system_collations: 'changes the catalog',
  pg_stop_making_pinned_objects: 'changes the catalog', pg_backup_stop: 'ends an online backup', pg_switch_wal: 'switches the WAL file',
};
/** … or that write data (write). */
const WRITE_FUNCTIONS: Record<string, string> = {
  nextval: 'advances a sequence', lo_create: 'creates a large object', lo_creat: 'creates a large object', lo_import: 'creates a large object from a server file',
  lo_from_bytea: 'creates a large object', lo_put: 'writes a large object', lowrite: 'writes a large object', lo_open: 'opens a large object',
  pg_create_restore_point: 'creates a WAL restore point', pg_create_physical_replication_slot: 'creates a replication slot',
  pg_create_logical_replication_slot: 'creates a replication slot', pg_copy_physical_replication_slot: 'creates a replication slot',
  pg_copy_logical_replication_slot: 'creates a replication slot', pg_replication_origin_create: 'creates a replication origin',
  pg_replication_origin_advance: 'moves a replication origin', pg_replication_origin_session_setup: 'sets the session replication origin',
  pg_backup_start: 'starts an online backup', pg_rotate_logfile: 'rotates the server log', pg_stat_reset: 'resets statistics',
  pg_stat_reset_shared: 'resets statistics', pg_stat_reset_single_table_counters: 'resets statistics', pg_stat_reset_single_function_counters: 'resets statistics',
  pg_stat_reset_slru: 'resets statistics', pg_stat_reset_replication_slot: 'resets statistics', pg_stat_reset_subscription_stats: 'resets statistics',
  pg_logical_emit_message: 'writes a WAL message', brin_summarize_range: 'changes an index', brin_summarize_new_values: 'changes an index',
  brin_desummarize_range: 'changes an index', gin_clean_pending_list: 'changes an index', pg_notify: 'sends a notification',
  pg_log_backend_memory_contexts: 'writes to the server log',
};
/** Functions that run the SQL text they are given. */
const SQL_TEXT_FUNCTIONS = new Set(['query_to_xml', 'query_to_xmlschema', 'query_to_xml_and_xmlschema', 'dblink', 'dblink_exec', 'dblink_send_query', 'dblink_open']);
/** Widely used extension functions known to have no side effects (pgcrypto, uuid-ossp, pg_trgm, fuzzystrmatch, unaccent, PostGIS ST_*). */
const HARMLESS_EXTENSION_FUNCTIONS = new Set([
  'crypt', 'gen_salt', 'digest', 'hmac', 'gen_random_bytes', 'pgp_sym_encrypt', 'pgp_sym_decrypt', 'pgp_pub_encrypt', 'pgp_pub_decrypt', 'armor', 'dearmor', 'encrypt', 'decrypt',
  'uuid_generate_v1', 'uuid_generate_v1mc', 'uuid_generate_v3', 'uuid_generate_v4', 'uuid_generate_v5', 'uuid_nil', 'uuid_ns_dns', 'uuid_ns_url', 'uuid_ns_oid', 'uuid_ns_x500',
  'similarity', 'word_similarity', 'strict_word_similarity', 'show_trgm', 'levenshtein', 'levenshtein_less_equal', 'soundex', 'difference', 'metaphone', 'dmetaphone', 'dmetaphone_alt', 'unaccent',
]);
/** Settings whose change is more than a session preference. */
const DESTRUCTIVE_SETTINGS = new Set(['allow_system_table_mods', 'zero_damaged_pages', 'ignore_checksum_failure', 'ignore_system_indexes']);

function setting(v: Verdict, name: string, value: string | undefined, how: string): void {
  const n = name.toLowerCase();
  if (DESTRUCTIVE_SETTINGS.has(n)) v.destructive(`${how} ${n}, which can corrupt or lose data`);
  else if (n === 'session_replication_role' && value !== undefined && !['origin', 'default'].includes(value.toLowerCase())) {
    v.write(`${how} session_replication_role: triggers and foreign keys are no longer enforced for this session`);
  }
}

function funcCall(v: Verdict, body: Body, depth: number): void {
  const parts = stringsOf(arr(body.funcname)).map((p) => p.toLowerCase());
  const name = parts[parts.length - 1] ?? '';
  const schema = parts.length > 1 ? parts[parts.length - 2] : undefined;
  const qualified = parts.join('.');
  const args = arr(body.args);
  if (schema === undefined || schema === 'pg_catalog' || schema === 'public' || HARMLESS_EXTENSION_FUNCTIONS.has(name)) {
    if (SQL_TEXT_FUNCTIONS.has(name)) {
      const sqlArg = name.startsWith('dblink') && args.length > 1 ? args[1] : args[0];
      const text = constString(sqlArg);
      const remote = name.startsWith('dblink') ? ' on another database' : '';
      if (text === undefined) {
        v.runsCode = true;
        v.destructive(`${qualified}() runs SQL${remote} that is only known at run time (dynamic SQL)`);
        return;
      }
      const inner = classifyText(text, depth + 1);
      if (name === 'dblink_exec' || name === 'dblink_send_query') v.destructive(`${qualified}() runs SQL on another database`);
      if (inner.class !== 'read') {
        v.absorb(inner);
        v.raise(inner.class, `${qualified}() runs "${shorten(text)}"${remote}`);
      }
      return;
    }
    const destructive = DESTRUCTIVE_FUNCTIONS[name];
    if (destructive) {
      v.destructive(`calls ${qualified}(), which ${destructive}`);
      return;
    }
    const write = WRITE_FUNCTIONS[name];
    if (write) {
      v.write(`calls ${qualified}(), which ${write}`);
      return;
    }
    if (name === 'set_config') {
      const settingName = constString(args[0]);
      if (settingName === undefined) v.write('calls set_config() with a setting only known at run time');
      else setting(v, settingName, constString(args[1]), 'set_config() changes');
      return;
    }
    if (POSTGRES_BUILTIN_FUNCTIONS.has(name) || HARMLESS_EXTENSION_FUNCTIONS.has(name) || (name.startsWith('st_') && schema === undefined)) return;
  }
  // A user-defined (or extension) function: it can change anything, and only running it would tell.
  v.runsCode = true;
  v.rowBounded = true;
  v.write(`calls ${qualified}(), which is not a PostgreSQL built-in: its effect is unknown (it may change data)`);
}

function shorten(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 60 ? `${t.slice(0, 57)}…` : t;
}

// ---------------------------------------------------------------------------------------------
// Walking statements

const DML_NODES = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);

/** Visits everything below `value`: nested data-modifying statements, function calls, CASCADE, SELECT INTO. */
function scan(v: Verdict, value: unknown, depth: number): void {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) scan(v, value[i], depth);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const node = value as Body;
  // for…in and value-first tests: this walk visits every node of every statement (hot path).
  for (const key in node) {
    const child = node[key];
    if (typeof child !== 'object' || child === null) {
      if (child === 'DROP_CASCADE' && key === 'behavior') v.destructive('CASCADE also drops or changes every dependent object');
      else if (child === 'c' && (key === 'fk_del_action' || key === 'fk_upd_action')) {
        v.destructive(`a foreign key with ON ${key === 'fk_del_action' ? 'DELETE' : 'UPDATE'} CASCADE: changing a referenced row also ${key === 'fk_del_action' ? 'deletes' : 'changes'} the rows that reference it`);
      }
      continue;
    }
    if (Array.isArray(child)) {
      scan(v, child, depth);
      continue;
    }
    if (DML_NODES.has(key)) {
      v.absorb(dml(key, child as Body, depth));
      continue;
    }
    if (key === 'FuncCall') funcCall(v, child as Body, depth);
    else if (key === 'SelectStmt' && (child as Body).intoClause) selectInto(v, child as Body);
    scan(v, child, depth);
  }
}

function selectInto(v: Verdict, body: Body): void {
  const into = obj(body.intoClause);
  const rel = rangeVar(into?.rel);
  if (rel) v.target('table', rel, 'other');
  v.write(`SELECT INTO creates the table ${rel ? display(rel) : ''}`.trim());
}

function dml(kind: string, body: Body, depth: number): Verdict {
  const rel = rangeVar(body.relation);
  const tables = rel ? [rel] : [];
  let v: Verdict;
  switch (kind) {
    case 'DeleteStmt':
      v = classifyDelete(new Verdict('DELETE'), tables, body.whereClause ? toExpr(body.whereClause) : undefined);
      break;
    case 'UpdateStmt':
      v = classifyUpdate(new Verdict('UPDATE'), tables, body.whereClause ? toExpr(body.whereClause) : undefined);
      break;
    case 'InsertStmt': {
      const conflict = obj(obj(body.onConflictClause)?.OnConflictClause) ?? obj(body.onConflictClause);
      v = classifyInsert(new Verdict('INSERT'), tables, conflict?.action === 'ONCONFLICT_UPDATE' ? 'INSERT … ON CONFLICT DO UPDATE' : undefined);
      break;
    }
    default:
      v = merge(body, tables);
  }
  const { relation: _relation, ...rest } = body;
  scan(v, rest, depth);
  return v;
}

function merge(body: Body, tables: TableRef[]): Verdict {
  const v = new Verdict('MERGE');
  const names = tables.map(display).join(', ');
  const on = toExpr(body.joinCondition);
  const clauses = arr(body.mergeWhenClauses).map((c) => obj((c as unknown as Body).MergeWhenClause) ?? {});
  for (const c of clauses) {
    const command = str(c.commandType) ?? '';
    const action: TargetAction = command === 'CMD_DELETE' ? 'delete' : command === 'CMD_UPDATE' ? 'update' : 'insert';
    if (command === 'CMD_NOTHING') continue;
    for (const t of tables) v.target('table', t, action);
    if (action === 'insert') v.write(`MERGE inserts into ${names}`);
    else {
      const guard = c.condition ? toExpr(c.condition) : undefined;
      const where: Expr = guard ? { k: 'and', args: [on, guard] } : on;
      if (action === 'delete') classifyDelete(v, tables, where, 'MERGE … DELETE');
      else classifyUpdate(v, tables, where, 'MERGE … UPDATE');
    }
  }
  if (v.class === 'read') v.write(`MERGE into ${names}`);
  return v;
}

function transaction(body: Body): Verdict {
  const kind = str(body.kind) ?? '';
  const map: Record<string, [string, NonNullable<Verdict['transactionControl']>]> = {
    TRANS_STMT_BEGIN: ['BEGIN', 'begin'], TRANS_STMT_START: ['BEGIN', 'begin'], TRANS_STMT_COMMIT: ['COMMIT', 'commit'],
    TRANS_STMT_ROLLBACK: ['ROLLBACK', 'rollback'], TRANS_STMT_SAVEPOINT: ['SAVEPOINT', 'savepoint'], TRANS_STMT_RELEASE: ['RELEASE', 'release'],
    TRANS_STMT_ROLLBACK_TO: ['ROLLBACK TO SAVEPOINT', 'rollback'], TRANS_STMT_PREPARE: ['PREPARE TRANSACTION', 'other'],
    TRANS_STMT_COMMIT_PREPARED: ['COMMIT PREPARED', 'commit'], TRANS_STMT_ROLLBACK_PREPARED: ['ROLLBACK PREPARED', 'rollback'],
  };
  const [label, control] = map[kind] ?? ['TRANSACTION', 'other'];
  const v = new Verdict(label);
  v.transactionControl = control;
  if (body.chain) v.write(`${label} AND CHAIN`);
  return v;
}

/** Names of the objects a DROP statement lists. */
function dropTargets(objects: Node[]): TableRef[] {
  return objects.map((o) => nameRef(stringsOfNode(o)));
}

function drop(body: Body): Verdict {
  const type = objectName(body.removeType);
  const v = new Verdict(`DROP ${type.toUpperCase()}`);
  if (body.concurrent) v.nonTransactional = true;
  for (const ref of dropTargets(arr(body.objects))) {
    const withTable = type === 'trigger' || type === 'policy' || type === 'rule';
    if (withTable) {
      // [schema.]table.name: the table is what is changed.
      const parts = ref.schema ? [ref.schema, ref.name] : [ref.name];
      v.target(type, { name: ref.name }, 'drop');
      v.destructive(`DROP ${type.toUpperCase()} ${ref.name}${parts.length > 1 ? ` on ${parts[0]}` : ''}`);
      continue;
    }
    v.target(type, ref, 'drop');
    if (type === 'index') v.destructive(`DROP INDEX ${display(ref)}: if it backs a constraint (unique, primary key, exclusion) that constraint is lost, and queries using it slow down`);
    else if (type === 'table' || type === 'materialized view' || type === 'foreign table') v.destructive(`DROP ${type.toUpperCase()} ${display(ref)} deletes it and all its rows`);
    else if (type === 'policy') v.destructive(`DROP POLICY ${display(ref)} removes a row-level security policy`);
    else v.destructive(`DROP ${type.toUpperCase()} ${display(ref)}`);
  }
  if (v.class === 'read') v.destructive(`DROP ${type.toUpperCase()}`);
  return v;
}

const ADDITIVE_ALTERS = new Set([
  'AT_AddColumn', 'AT_AddColumnToView', 'AT_CookedColumnDefault', 'AT_SetNotNull', 'AT_SetStatistics', 'AT_SetOptions', 'AT_ResetOptions',
  'AT_SetStorage', 'AT_SetCompression', 'AT_AddIndex', 'AT_ReAddIndex', 'AT_AddConstraint', 'AT_ReAddConstraint', 'AT_ValidateConstraint',
  'AT_AlterConstraint', 'AT_AddIndexConstraint', 'AT_ClusterOn', 'AT_DropCluster', 'AT_SetLogged', 'AT_SetRelOptions', 'AT_ResetRelOptions',
  'AT_ReplaceRelOptions', 'AT_EnableTrig', 'AT_EnableAlwaysTrig', 'AT_EnableReplicaTrig', 'AT_EnableTrigAll', 'AT_EnableTrigUser', 'AT_EnableRule',
  'AT_EnableAlwaysRule', 'AT_EnableReplicaRule', 'AT_AddInherit', 'AT_AddOf', 'AT_EnableRowSecurity', 'AT_ForceRowSecurity', 'AT_AttachPartition',
  'AT_AddIdentity', 'AT_SetIdentity', 'AT_SetTableSpace', 'AT_SetAccessMethod', 'AT_ReplicaIdentity', 'AT_GenericOptions',
  'AT_AlterColumnGenericOptions', 'AT_ChangeOwner', 'AT_DropInherit', 'AT_DropOf', 'AT_ReAddStatistics', 'AT_ReAddComment', 'AT_ReAddDomainConstraint',
]);
const DESTRUCTIVE_ALTERS: Record<string, string> = {
  AT_DropColumn: 'DROP COLUMN deletes the column and its data',
  AT_AlterColumnType: 'ALTER COLUMN … TYPE rewrites the column (values can be truncated or fail to convert)',
  AT_DropConstraint: 'DROP CONSTRAINT removes a constraint that protects the data',
  AT_DropNotNull: 'DROP NOT NULL removes a constraint that protects the data',
  AT_DisableRowSecurity: 'DISABLE ROW LEVEL SECURITY exposes every row to every role with access to the table',
  AT_NoForceRowSecurity: 'NO FORCE ROW LEVEL SECURITY exempts the table owner from its policies',
  AT_DetachPartition: 'DETACH PARTITION removes the partition\'s rows from the table',
  AT_DetachPartitionFinalize: 'DETACH PARTITION … FINALIZE removes the partition\'s rows from the table',
  AT_DropIdentity: 'DROP IDENTITY removes the column\'s key generator',
  AT_DropExpression: 'DROP EXPRESSION turns a generated column into a plain one',
  AT_SetExpression: 'SET EXPRESSION recomputes every value of a generated column',
  AT_SetUnLogged: 'SET UNLOGGED makes the table lose its rows after a crash and on replicas',
  AT_DisableTrig: 'DISABLE TRIGGER turns off checks or audit logic',
  AT_DisableTrigAll: 'DISABLE TRIGGER ALL also turns off foreign key enforcement',
  AT_DisableTrigUser: 'DISABLE TRIGGER USER turns off checks or audit logic',
  AT_DisableRule: 'DISABLE RULE changes what statements on the table do',
  AT_DropOids: 'SET WITHOUT OIDS',
};

function alterTable(body: Body): Verdict {
  const type = objectName(body.objtype);
  const rel = rangeVar(body.relation) ?? { name: '' };
  const v = new Verdict(`ALTER ${type.toUpperCase()}`);
  v.target(type, rel, 'alter');
  for (const c of arr(body.cmds)) {
    const cmd = obj((c as unknown as Body).AlterTableCmd) ?? {};
    const subtype = str(cmd.subtype) ?? '';
    const column = str(cmd.name);
    const where = `${display(rel)}${column ? `.${column}` : ''}`;
    if (subtype === 'AT_ColumnDefault') {
      if (cmd.def === undefined) {
        v.target('column', rel, 'alter', column);
        v.destructive(`ALTER COLUMN ${where} DROP DEFAULT: inserts that rely on the default fail or store NULL`);
      } else v.write(`ALTER TABLE ${display(rel)}: SET DEFAULT`);
      continue;
    }
    const destructive = DESTRUCTIVE_ALTERS[subtype];
    if (destructive) {
      if (subtype === 'AT_DropColumn') v.target('column', rel, 'drop', column);
      else if (column && subtype !== 'AT_DropConstraint' && !subtype.includes('Trig') && !subtype.includes('Rule')) v.target('column', rel, 'alter', column);
      if (subtype === 'AT_DropConstraint' && column) v.target('constraint', { name: column }, 'drop');
      v.destructive(`${destructive} (${where})`);
      const partition = obj(obj(cmd.def)?.PartitionCmd);
      if (subtype === 'AT_DetachPartition' && partition?.concurrent) v.nonTransactional = true;
      if (subtype === 'AT_DetachPartition') {
        const part = rangeVar(partition?.name);
        if (part) v.target('table', part, 'alter');
      }
      continue;
    }
    if (ADDITIVE_ALTERS.has(subtype)) {
      v.write(`ALTER ${type.toUpperCase()} ${display(rel)} (${subtype.replace(/^AT_/, '')})`);
      continue;
    }
    v.destructive(`ALTER ${type.toUpperCase()} ${display(rel)}: ${subtype || 'this change'} is not known to be safe`);
  }
  if (v.class === 'read') v.write(`ALTER ${type.toUpperCase()} ${display(rel)}`);
  return v;
}

const RENAME_BREAKS = new Set(['table', 'view', 'materialized view', 'column', 'schema', 'database', 'function', 'procedure', 'routine', 'type', 'domain', 'role', 'sequence', 'attribute', 'foreign table', 'aggregate', 'tablespace']);

function rename(body: Body): Verdict {
  const type = objectName(body.renameType);
  const v = new Verdict(`ALTER ${type === 'column' || type === 'constraint' ? objectName(body.relationType).toUpperCase() : type.toUpperCase()} RENAME`);
  const rel = rangeVar(body.relation);
  const object = rel ?? (body.object ? nameRef(stringsOfNode(body.object)) : { name: str(body.subname) ?? '' });
  const newName = str(body.newname) ?? '';
  if (type === 'column' || type === 'attribute') {
    v.target('column', object, 'alter', str(body.subname));
    v.destructive(`renames column ${display(object)}.${str(body.subname) ?? ''} to ${newName}: code using the old name breaks`);
  } else if (RENAME_BREAKS.has(type)) {
    const ref = type === 'schema' || type === 'database' || type === 'role' || type === 'tablespace' ? { name: str(body.subname) ?? object.name } : object;
    v.target(type, ref, 'alter');
    v.destructive(`renames ${type} ${display(ref)} to ${newName}: code using the old name breaks`);
  } else {
    v.target(type, object, 'alter');
    v.write(`renames ${type} ${str(body.subname) ?? display(object)} to ${newName}`);
  }
  return v;
}

function explain(body: Body, depth: number): Verdict {
  const analyze = defElems(body.options).some((o) => o.name === 'analyze' && defTrue(o.arg));
  if (!analyze) return new Verdict('EXPLAIN');
  const inner = classifyNode(body.query as Node, depth);
  const v = new Verdict('EXPLAIN ANALYZE').absorb(inner);
  if (inner.class !== 'read') v.reasons.unshift(`EXPLAIN ANALYZE runs the ${inner.kind}`);
  return v;
}

function copy(body: Body, depth: number): Verdict {
  const rel = rangeVar(body.relation);
  const program = body.is_program === true;
  const v = new Verdict(body.is_from ? 'COPY FROM' : 'COPY TO');
  if (program) {
    v.runsCode = true;
    v.destructive(`COPY … ${body.is_from ? 'FROM' : 'TO'} PROGRAM runs a shell command on the database server${str(body.filename) ? ` ("${shorten(str(body.filename) ?? '')}")` : ''}`);
  }
  if (body.is_from) {
    if (rel) v.target('table', rel, 'insert');
    v.write(`COPY FROM loads rows into ${rel ? display(rel) : 'a table'}`);
  } else if (str(body.filename) !== undefined && !program) {
    v.destructive(`COPY TO '${str(body.filename)}' writes (or overwrites) a file on the database server`);
  }
  if (body.query) scan(v, body.query, depth);
  return v;
}

function variableSet(body: Body): Verdict {
  const name = str(body.name) ?? '';
  const kind = str(body.kind) ?? '';
  if (name === 'TRANSACTION' || name === 'SESSION CHARACTERISTICS' || name === 'transaction_isolation' || name === 'transaction_read_only') {
    const v = new Verdict('SET TRANSACTION');
    v.transactionControl = 'other';
    return v;
  }
  const v = new Verdict(kind.startsWith('VAR_RESET') ? 'RESET' : 'SET');
  const value = arr(body.args).map(constString).find((s) => s !== undefined) ?? stringsOf(arr(body.args))[0];
  if (kind === 'VAR_SET_VALUE') setting(v, name, value, 'SET');
  return v;
}

/** A function's body, when it can be read: PL/pgSQL through the PL/pgSQL parser, SQL bodies through the SQL parser. */
function functionBody(body: Body, text: string, depth: number, what: string): Verdict {
  const v = new Verdict('BODY');
  const options = defElems(body.options);
  const language = (stringsOfNode(options.find((o) => o.name === 'language')?.arg)[0] ?? 'sql').toLowerCase();
  if (body.sql_body) {
    scanBody(v, body.sql_body, depth);
    return v;
  }
  const as = options.find((o) => o.name === 'as');
  const source = stringsOfNode(as?.arg).join('');
  if (language === 'sql') {
    if (source.trim() === '') return v;
    v.absorb(classifyText(source, depth + 1));
    return v;
  }
  if (language === 'plpgsql') {
    plpgsql(v, text, depth, what);
    return v;
  }
  v.runsCode = true;
  return v.destructive(`${what} is written in ${language}, whose body cannot be checked`);
}

function scanBody(v: Verdict, value: unknown, depth: number): void {
  // A SQL-standard body (BEGIN ATOMIC … END) is a list of parsed statements.
  const visit = (item: unknown): void => {
    if (Array.isArray(item)) return item.forEach(visit);
    const b = nodeBody(item as Node);
    if (!b) return;
    if (b[0] === 'List') return visit(b[1].items);
    v.absorb(classifyNode(item as Node, depth + 1));
  };
  visit(value);
}

/** Classifies what a PL/pgSQL body does: its SQL statements, and dynamic SQL (EXECUTE), which is destructive. */
function plpgsql(v: Verdict, text: string, depth: number, what: string): void {
  let tree: unknown;
  try {
    tree = parsePlPgSQLSync(text);
  } catch (error) {
    v.destructive(`${what}: its PL/pgSQL body could not be parsed (${error instanceof Error ? error.message : String(error)}); treated as destructive`);
    return;
  }
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (value === null || typeof value !== 'object') return;
    for (const [key, child] of Object.entries(value as Body)) {
      if (key === 'PLpgSQL_stmt_dynexecute' || key === 'PLpgSQL_stmt_dynfors' || (key === 'PLpgSQL_stmt_return_query' && obj(child)?.dynquery) || (key === 'PLpgSQL_stmt_open' && obj(child)?.dynquery)) {
        v.runsCode = true;
        v.destructive(`${what} runs dynamic SQL (EXECUTE), whose text is only known at run time`);
      }
      if (key === 'PLpgSQL_stmt_call') {
        v.runsCode = true;
        v.destructive(`${what} calls a procedure, whose effect is unknown`);
      }
      if (key === 'PLpgSQL_expr') {
        const e = obj(child) ?? {};
        plpgsqlExpr(v, str(e.query) ?? '', Number(e.parseMode ?? 0), depth, what);
        continue;
      }
      visit(child);
    }
  };
  visit(tree);
}

function plpgsqlExpr(v: Verdict, query: string, mode: number, depth: number, what: string): void {
  let sql = query;
  if (mode === 3 || mode === 4 || mode === 5) sql = `SELECT ${query.slice(query.indexOf(':=') >= 0 ? query.indexOf(':=') + 2 : query.indexOf('=') + 1)}`;
  else if (mode !== 0) sql = `SELECT ${query}`;
  const inner = classifyText(sql, depth + 1);
  if (inner.kind === 'UNPARSED') {
    v.destructive(`${what}: a statement of its body could not be parsed ("${shorten(query)}"); treated as destructive`);
    return;
  }
  if (inner.class === 'read' && !inner.runsCode) return;
  v.absorb(inner);
}

function createFunction(body: Body, text: string, depth: number): Verdict {
  const isProcedure = body.is_procedure === true;
  const name = nameRef(stringsOf(arr(body.funcname)));
  const type = isProcedure ? 'procedure' : 'function';
  const v = new Verdict(`CREATE ${type.toUpperCase()}`);
  v.target(type, name, body.replace ? 'alter' : 'other');
  if (body.replace) v.destructive(`CREATE OR REPLACE ${type.toUpperCase()} ${display(name)} may replace an existing ${type}'s code`);
  else v.write(`creates ${type} ${display(name)}`);
  const inner = functionBody(body, text, depth, `${type} ${display(name)}`);
  if (inner.class === 'destructive') {
    v.destructive(`${type} ${display(name)} would, when called: ${inner.reasons.join('; ')}`);
  } else if (inner.class === 'write') {
    v.write(`${type} ${display(name)} changes data when called (${inner.reasons.join('; ')})`);
  }
  return v;
}

function doBlock(body: Body, text: string, depth: number): Verdict {
  const v = new Verdict('DO');
  v.runsCode = true;
  v.destructive('DO runs a procedural code block');
  const language = stringsOfNode(defElems(body.args).find((a) => a.name === 'language')?.arg)[0]?.toLowerCase() ?? 'plpgsql';
  if (language === 'plpgsql') {
    const inner = new Verdict('BODY');
    plpgsql(inner, text, depth, 'the DO block');
    for (const r of inner.reasons) v.destructive(r);
    for (const t of inner.targets) v.target(t.objectType, t.schema ? { schema: t.schema, name: t.name } : { name: t.name }, t.action, t.column);
  } else {
    v.destructive(`the DO block is written in ${language}, whose body cannot be checked`);
  }
  return v;
}

function grant(body: Body): Verdict {
  const isGrant = body.is_grant === true;
  const type = objectName(body.objtype);
  const v = new Verdict(isGrant ? 'GRANT' : 'REVOKE');
  const objects = arr(body.objects).map((o) => nameRef(stringsOfNode(o)));
  for (const o of objects) v.target(type, o, 'alter');
  const what = `${type}${objects.length ? ` ${objects.map(display).join(', ')}` : ''}`;
  if (isGrant) v.write(`grants privileges on ${what}`);
  else v.destructive(`REVOKE removes privileges on ${what}: code relying on them breaks`);
  return v;
}

function grantRole(body: Body): Verdict {
  const isGrant = body.is_grant === true;
  const v = new Verdict(isGrant ? 'GRANT ROLE' : 'REVOKE ROLE');
  const roles = arr(body.granted_roles).map((r) => str(obj((r as unknown as Body).AccessPriv)?.priv_name) ?? '');
  const grantees = arr(body.grantee_roles).map((r) => str(obj((r as unknown as Body).RoleSpec)?.rolename) ?? 'a role');
  for (const r of roles) v.target('role', { name: r }, 'alter');
  return v.destructive(`${isGrant ? 'grants' : 'revokes'} membership in role ${roles.join(', ')} ${isGrant ? 'to' : 'from'} ${grantees.join(', ')}: changes who can do what`);
}

function roleName(node: unknown): string {
  const spec = obj(obj(node)?.RoleSpec) ?? obj(node);
  return str(spec?.rolename) ?? (str(spec?.roletype) ?? 'role').replace(/^ROLESPEC_/, '').toLowerCase();
}

// ---------------------------------------------------------------------------------------------
// Statements

const WRITES: Record<string, string> = {
  CreateSchemaStmt: 'CREATE SCHEMA', CreateSeqStmt: 'CREATE SEQUENCE', CreateRoleStmt: 'CREATE ROLE', CreateExtensionStmt: 'CREATE EXTENSION',
  AlterExtensionStmt: 'ALTER EXTENSION', AlterExtensionContentsStmt: 'ALTER EXTENSION', DefineStmt: 'CREATE', CompositeTypeStmt: 'CREATE TYPE',
  CreateEnumStmt: 'CREATE TYPE', CreateRangeStmt: 'CREATE TYPE', CreateDomainStmt: 'CREATE DOMAIN', CreatePublicationStmt: 'CREATE PUBLICATION',
  AlterPublicationStmt: 'ALTER PUBLICATION', CreateSubscriptionStmt: 'CREATE SUBSCRIPTION', AlterSubscriptionStmt: 'ALTER SUBSCRIPTION',
  CreateEventTrigStmt: 'CREATE EVENT TRIGGER', AlterEventTrigStmt: 'ALTER EVENT TRIGGER', CreateForeignTableStmt: 'CREATE FOREIGN TABLE',
  CreateForeignServerStmt: 'CREATE SERVER', AlterForeignServerStmt: 'ALTER SERVER', CreateFdwStmt: 'CREATE FOREIGN DATA WRAPPER',
  AlterFdwStmt: 'ALTER FOREIGN DATA WRAPPER', CreateUserMappingStmt: 'CREATE USER MAPPING', AlterUserMappingStmt: 'ALTER USER MAPPING',
  ImportForeignSchemaStmt: 'IMPORT FOREIGN SCHEMA', CreateTableSpaceStmt: 'CREATE TABLESPACE', AlterTableSpaceOptionsStmt: 'ALTER TABLESPACE',
  AlterDatabaseStmt: 'ALTER DATABASE', AlterDatabaseSetStmt: 'ALTER DATABASE', AlterDatabaseRefreshCollStmt: 'ALTER DATABASE',
  AlterRoleSetStmt: 'ALTER ROLE SET', AlterTableMoveAllStmt: 'ALTER TABLE ALL IN TABLESPACE', CreateStatsStmt: 'CREATE STATISTICS',
  AlterStatsStmt: 'ALTER STATISTICS', AlterFunctionStmt: 'ALTER FUNCTION', AlterOwnerStmt: 'ALTER OWNER', CommentStmt: 'COMMENT',
  SecLabelStmt: 'SECURITY LABEL', CreateCastStmt: 'CREATE CAST', CreateConversionStmt: 'CREATE CONVERSION', CreateOpClassStmt: 'CREATE OPERATOR CLASS',
  CreateOpFamilyStmt: 'CREATE OPERATOR FAMILY', AlterOpFamilyStmt: 'ALTER OPERATOR FAMILY', CreatePLangStmt: 'CREATE LANGUAGE',
  CreateTransformStmt: 'CREATE TRANSFORM', CreateAmStmt: 'CREATE ACCESS METHOD', AlterTSConfigurationStmt: 'ALTER TEXT SEARCH CONFIGURATION',
  AlterTSDictionaryStmt: 'ALTER TEXT SEARCH DICTIONARY', AlterCollationStmt: 'ALTER COLLATION', AlterObjectDependsStmt: 'ALTER … DEPENDS ON EXTENSION',
  AlterOperatorStmt: 'ALTER OPERATOR', AlterTypeStmt: 'ALTER TYPE', CreateTrigStmt: 'CREATE TRIGGER', CreatePolicyStmt: 'CREATE POLICY',
  RefreshMatViewStmt: 'REFRESH MATERIALIZED VIEW', ClusterStmt: 'CLUSTER', CheckPointStmt: 'CHECKPOINT', AlterDefaultPrivilegesStmt: 'ALTER DEFAULT PRIVILEGES',
};
const READS: Record<string, string> = {
  VariableShowStmt: 'SHOW', DiscardStmt: 'DISCARD', ListenStmt: 'LISTEN', UnlistenStmt: 'UNLISTEN', NotifyStmt: 'NOTIFY', LockStmt: 'LOCK',
  DeallocateStmt: 'DEALLOCATE', ClosePortalStmt: 'CLOSE', FetchStmt: 'FETCH',
};

function classifyNode(node: Node, depth: number, text = ''): Verdict {
  if (depth > 8) return unparsed('nested too deeply');
  const b = nodeBody(node);
  if (!b) return unparsed('empty statement');
  const [kind, body] = b as [string, AnyNode];
  switch (kind) {
    case 'SelectStmt': {
      const v = new Verdict(body.valuesLists && !body.targetList ? 'VALUES' : 'SELECT');
      if (body.intoClause) selectInto(v, body);
      scan(v, [body], depth);
      return v;
    }
    case 'InsertStmt':
    case 'UpdateStmt':
    case 'DeleteStmt':
    case 'MergeStmt':
      return dml(kind, body, depth);
    case 'DropStmt': {
      const v = drop(body);
      scan(v, body, depth);
      return v;
    }
    case 'TruncateStmt': {
      const v = new Verdict('TRUNCATE');
      for (const r of arr(body.relations)) {
        const ref = rangeVar(r);
        if (!ref) continue;
        v.target('table', ref, 'truncate');
        v.destructive(`TRUNCATE deletes every row of ${display(ref)}`);
      }
      if (body.restart_seqs) v.destructive('RESTART IDENTITY resets the sequences of the truncated tables');
      scan(v, body, depth);
      return v;
    }
    case 'DropdbStmt': {
      const v = new Verdict('DROP DATABASE');
      v.nonTransactional = true;
      v.target('database', { name: str(body.dbname) ?? '' }, 'drop');
      return v.destructive(`DROP DATABASE ${str(body.dbname) ?? ''} deletes the whole database`);
    }
    case 'DropRoleStmt': {
      const v = new Verdict('DROP ROLE');
      for (const r of arr(body.roles)) {
        v.target('role', { name: roleName(r) }, 'drop');
        v.destructive(`DROP ROLE ${roleName(r)}: everything that logs in as it stops working`);
      }
      return v;
    }
    case 'DropOwnedStmt': {
      const v = new Verdict('DROP OWNED');
      const roles = arr(body.roles).map(roleName);
      for (const r of roles) v.target('role', { name: r }, 'other');
      v.destructive(`DROP OWNED BY ${roles.join(', ')} drops every object they own in the database`);
      scan(v, body, depth);
      return v;
    }
    case 'ReassignOwnedStmt': {
      const v = new Verdict('REASSIGN OWNED');
      const roles = arr(body.roles).map(roleName);
      for (const r of roles) v.target('role', { name: r }, 'other');
      return v.destructive(`REASSIGN OWNED BY ${roles.join(', ')} changes the owner of all their objects`);
    }
    case 'DropTableSpaceStmt':
    case 'DropSubscriptionStmt':
    case 'DropUserMappingStmt': {
      const label = kind === 'DropTableSpaceStmt' ? 'DROP TABLESPACE' : kind === 'DropSubscriptionStmt' ? 'DROP SUBSCRIPTION' : 'DROP USER MAPPING';
      const v = new Verdict(label);
      const name = str(body.tablespacename) ?? str(body.subname) ?? str(body.servername) ?? '';
      v.target(label.slice(5).toLowerCase(), { name }, 'drop');
      v.nonTransactional = kind !== 'DropUserMappingStmt';
      return v.destructive(`${label} ${name}`.trim());
    }
    case 'AlterTableStmt': {
      const v = alterTable(body);
      scan(v, body.cmds, depth);
      return v;
    }
    case 'RenameStmt':
      return rename(body);
    case 'AlterObjectSchemaStmt': {
      const type = objectName(body.objectType);
      const ref = rangeVar(body.relation) ?? nameRef(stringsOfNode(body.object));
      const v = new Verdict(`ALTER ${type.toUpperCase()} SET SCHEMA`);
      v.target(type, ref, 'alter');
      return v.destructive(`moves ${type} ${display(ref)} to schema ${str(body.newschema) ?? ''}: code using the old name breaks`);
    }
    case 'AlterEnumStmt': {
      const v = new Verdict('ALTER TYPE');
      const ref = nameRef(stringsOf(arr(body.typeName)));
      v.target('type', ref, 'alter');
      if (body.oldVal !== undefined) return v.destructive(`renames the value '${str(body.oldVal) ?? ''}' of enum ${display(ref)}: code and rows using the old label break`);
      return v.write(`adds a value to enum ${display(ref)}`);
    }
    case 'AlterSeqStmt': {
      const v = new Verdict('ALTER SEQUENCE');
      const ref = rangeVar(body.sequence) ?? { name: '' };
      v.target('sequence', ref, 'alter');
      if (defElems(body.options).some((o) => o.name === 'restart')) return v.destructive(`ALTER SEQUENCE ${display(ref)} RESTART: new keys can collide with existing rows`);
      return v.write(`ALTER SEQUENCE ${display(ref)}`);
    }
    case 'AlterDomainStmt': {
      const v = new Verdict('ALTER DOMAIN');
      const ref = nameRef(stringsOf(arr(body.typeName)));
      v.target('domain', ref, 'alter');
      const sub = str(body.subtype) ?? '';
      if (sub === 'X' || sub === 'N' || (sub === 'T' && body.def === undefined)) v.destructive(`ALTER DOMAIN ${display(ref)} removes a constraint or default`);
      else v.write(`ALTER DOMAIN ${display(ref)}`);
      scan(v, body, depth);
      return v;
    }
    case 'AlterRoleStmt': {
      const v = new Verdict('ALTER ROLE');
      const role = roleName(body.role);
      v.target('role', { name: role }, 'alter');
      return v.destructive(`ALTER ROLE ${role} changes its password, login or privileges`);
    }
    case 'AlterPolicyStmt': {
      const v = new Verdict('ALTER POLICY');
      const table = rangeVar(body.table) ?? { name: '' };
      v.target('policy', { name: str(body.policy_name) ?? '' }, 'alter');
      return v.destructive(`ALTER POLICY ${str(body.policy_name) ?? ''} on ${display(table)} changes which rows roles can see or change`);
    }
    case 'AlterSystemStmt': {
      const v = new Verdict('ALTER SYSTEM');
      v.nonTransactional = true;
      const set = obj(obj(body.setstmt)?.VariableSetStmt) ?? obj(body.setstmt);
      return v.destructive(`ALTER SYSTEM changes the server configuration (${str(set?.name) ?? 'all settings'}) for every connection`);
    }
    case 'GrantStmt': {
      const v = grant(body);
      scan(v, body, depth);
      return v;
    }
    case 'GrantRoleStmt': {
      const v = grantRole(body);
      scan(v, body, depth);
      return v;
    }
    case 'CreateStmt': {
      const ref = rangeVar(body.relation) ?? { name: '' };
      const v = new Verdict('CREATE TABLE');
      v.target('table', ref, 'other');
      v.write(`creates table ${display(ref)}`);
      scan(v, body, depth);
      return v;
    }
    case 'CreateTableAsStmt': {
      const into = obj(obj(body.into)?.IntoClause) ?? obj(body.into);
      const ref = rangeVar(into?.rel) ?? { name: '' };
      const type = objectName(body.objtype);
      const v = new Verdict(`CREATE ${type.toUpperCase()}`);
      v.target(type, ref, 'other');
      v.write(`creates ${type} ${display(ref)}`);
      scan(v, body.query, depth);
      return v;
    }
    case 'ViewStmt': {
      const ref = rangeVar(body.view) ?? { name: '' };
      const v = new Verdict(body.replace ? 'CREATE OR REPLACE VIEW' : 'CREATE VIEW');
      v.target('view', ref, body.replace ? 'alter' : 'other');
      if (body.replace) v.destructive(`CREATE OR REPLACE VIEW ${display(ref)} may replace an existing view's definition`);
      else v.write(`creates view ${display(ref)}`);
      scan(v, body.query, depth);
      return v;
    }
    case 'IndexStmt': {
      const ref = rangeVar(body.relation) ?? { name: '' };
      const v = new Verdict('CREATE INDEX');
      if (body.concurrent) v.nonTransactional = true;
      v.target('index', { ...(ref.schema ? { schema: ref.schema } : {}), name: str(body.idxname) ?? '' }, 'other');
      v.write(`creates an index on ${display(ref)}`);
      return v;
    }
    case 'CreateFunctionStmt':
      return createFunction(body, text, depth);
    case 'DoStmt':
      return doBlock(body, text, depth);
    case 'CallStmt': {
      const v = new Verdict('CALL');
      const call = obj(obj(body.funccall)?.FuncCall) ?? obj(body.funccall) ?? {};
      const name = stringsOf(arr(call.funcname)).join('.');
      v.runsCode = true;
      v.target('procedure', nameRef(stringsOf(arr(call.funcname))), 'other');
      return v.destructive(`CALL runs procedure ${name}, whose effect (including COMMITs inside it) cannot be checked`);
    }
    case 'ExecuteStmt': {
      const v = new Verdict('EXECUTE');
      v.runsCode = true;
      return v.destructive(`EXECUTE runs the prepared statement ${str(body.name) ?? ''}, whose text is not part of this input`);
    }
    case 'PrepareStmt': {
      const inner = classifyNode(body.query as Node, depth + 1);
      const v = new Verdict('PREPARE').absorb(inner);
      if (inner.class !== 'read') v.reasons.unshift(`PREPARE ${str(body.name) ?? ''} prepares a ${inner.kind}`);
      return v;
    }
    case 'ExplainStmt':
      return explain(body, depth);
    case 'CopyStmt':
      return copy(body, depth);
    case 'VariableSetStmt':
      return variableSet(body);
    case 'TransactionStmt':
      return transaction(body);
    case 'ConstraintsSetStmt': {
      const v = new Verdict('SET CONSTRAINTS');
      v.transactionControl = 'other';
      return v;
    }
    case 'DeclareCursorStmt': {
      const v = new Verdict('DECLARE CURSOR');
      scan(v, body.query, depth);
      return v;
    }
    case 'VacuumStmt': {
      const isVacuum = body.is_vacuumcmd === true;
      const v = new Verdict(isVacuum ? 'VACUUM' : 'ANALYZE');
      for (const r of arr(body.rels)) {
        const ref = rangeVar(obj((r as unknown as Body).VacuumRelation)?.relation);
        if (ref) v.target('table', ref, 'other');
      }
      if (isVacuum) {
        v.nonTransactional = true;
        const full = defElems(body.options).some((o) => o.name === 'full' && defTrue(o.arg));
        v.write(full ? 'VACUUM FULL rewrites the table under an exclusive lock' : 'VACUUM reclaims space');
      } else v.write('ANALYZE updates planner statistics');
      return v;
    }
    case 'ReindexStmt': {
      const v = new Verdict('REINDEX');
      if (defElems(body.params).some((p) => p.name === 'concurrently' && defTrue(p.arg))) v.nonTransactional = true;
      if (str(body.kind) === 'REINDEX_OBJECT_DATABASE' || str(body.kind) === 'REINDEX_OBJECT_SYSTEM') v.nonTransactional = true;
      return v.write('REINDEX rebuilds indexes');
    }
    case 'CreatedbStmt': {
      const v = new Verdict('CREATE DATABASE');
      v.nonTransactional = true;
      v.target('database', { name: str(body.dbname) ?? '' }, 'other');
      return v.write(`creates database ${str(body.dbname) ?? ''}`);
    }
    case 'RuleStmt': {
      const v = new Verdict('CREATE RULE');
      const ref = rangeVar(body.relation) ?? { name: '' };
      v.target('rule', { name: str(body.rulename) ?? '' }, body.replace ? 'alter' : 'other');
      if (body.replace) v.destructive(`CREATE OR REPLACE RULE ${str(body.rulename) ?? ''} may replace an existing rule on ${display(ref)}`);
      v.write(`creates a rule on ${display(ref)}: it changes what statements on the table do`);
      scan(v, body.actions, depth);
      return v;
    }
    case 'LoadStmt': {
      const v = new Verdict('LOAD');
      v.runsCode = true;
      return v.destructive(`LOAD loads the native library ${str(body.filename) ?? ''} into the server`);
    }
    default: {
      const read = READS[kind];
      if (read) return new Verdict(read);
      const write = WRITES[kind];
      if (write) {
        const v = new Verdict(write);
        if (kind !== 'CreateTrigStmt') v.write(write);
        if (body.replace === true) v.destructive(`${write} OR REPLACE may replace an existing definition`.replace('CREATE ', 'CREATE … '));
        if (kind === 'CreateTableSpaceStmt') v.nonTransactional = true;
        if (kind === 'CreateSubscriptionStmt') v.nonTransactional = true;
        if (kind === 'AlterDefaultPrivilegesStmt') {
          const action = obj(obj(body.action)?.GrantStmt);
          if (action && action.is_grant !== true) v.destructive('ALTER DEFAULT PRIVILEGES … REVOKE removes privileges future objects would get');
        }
        if (kind === 'CreateTrigStmt') v.write(`creates trigger ${str(body.trigname) ?? ''}: it runs code on every change of ${display(rangeVar(body.relation) ?? { name: '' })}`);
        if (kind === 'CreatePolicyStmt') v.target('policy', { name: str(body.policy_name) ?? '' }, 'other');
        scan(v, body, depth);
        return v;
      }
      return new Verdict(kind.replace(/Stmt$/, '').toUpperCase()).destructive(`${kind.replace(/Stmt$/, '')} statements are not known to the classifier; treated as destructive`);
    }
  }
}

/** Classifies SQL text found inside a statement (function bodies, query_to_xml …): the strictest verdict of its statements. */
function classifyText(sql: string, depth: number): Verdict {
  let stmts: Node[];
  try {
    stmts = (parseSync(sql).stmts ?? []).map((s) => s.stmt).filter((s): s is Node => s !== undefined);
  } catch (error) {
    return unparsed(error instanceof Error ? error.message : String(error));
  }
  const v = new Verdict('SQL');
  for (const s of stmts) {
    const inner = classifyNode(s, depth, sql);
    if (v.kind === 'SQL') v.kind = inner.kind;
    v.absorb(inner);
  }
  return v;
}

export function classifyPostgres(sql: string): ClassifiedSpan[] {
  const source = new SourceText(sql);
  return parseStatements(source).map((p) => {
    const text = sql.slice(p.span.start, p.span.end);
    let verdict: Verdict;
    if (p.error) verdict = unparsed(p.error.message);
    else if (!p.node) verdict = unparsed('empty statement');
    else {
      try {
        verdict = classifyNode(p.node, 0, text);
      } catch (error) {
        verdict = unparsed(error instanceof Error ? error.message : String(error));
      }
    }
    return { start: p.span.start, end: p.span.end, verdict };
  });
}
