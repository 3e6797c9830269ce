/**
 * What the per-engine classifiers build for one statement: the class (only ever raised), reasons,
 * targets and flags, plus the rules every dialect shares for DML (a DELETE/UPDATE without WHERE or
 * with an always-true WHERE is destructive; with a real WHERE it is a row-bounded write).
 */
import { alwaysTrue } from './expr.js';
import type { Expr } from './expr.js';
import type { ClassifiedStatement, StatementClass, StatementTarget, TargetAction } from './types.js';
import { LexError, splitStatements, type LexedStatement, type LexerDialect } from '../../migrate/lint/lexer.js';

const RANK: Record<StatementClass, number> = { read: 0, write: 1, destructive: 2 };

export class Verdict {
  class: StatementClass = 'read';
  readonly reasons: string[] = [];
  readonly targets: StatementTarget[] = [];
  rowBounded = false;
  nonTransactional = false;
  runsCode = false;
  transactionControl: ClassifiedStatement['transactionControl'];

  constructor(public kind: string) {}

  raise(cls: StatementClass, reason?: string): this {
    if (RANK[cls] > RANK[this.class]) this.class = cls;
    if (reason && !this.reasons.includes(reason)) this.reasons.push(reason);
    return this;
  }

  write(reason: string): this {
    return this.raise('write', reason);
  }

  destructive(reason: string): this {
    return this.raise('destructive', reason);
  }

  target(objectType: string, ref: TableRef, action: TargetAction, column?: string): this {
    const t: StatementTarget = { objectType, name: ref.name, action };
    if (ref.schema) t.schema = ref.schema;
    if (column !== undefined) t.column = column;
    if (!this.targets.some((x) => x.objectType === t.objectType && x.schema === t.schema && x.name === t.name && x.column === t.column && x.action === t.action)) this.targets.push(t);
    return this;
  }

  /** Takes over what a nested statement (CTE, EXPLAIN ANALYZE, PREPARE, function body …) does. */
  absorb(inner: Verdict): this {
    this.raise(inner.class);
    for (const r of inner.reasons) if (!this.reasons.includes(r)) this.reasons.push(r);
    for (const t of inner.targets) this.target(t.objectType, t.schema ? { schema: t.schema, name: t.name } : { name: t.name }, t.action, t.column);
    this.rowBounded ||= inner.rowBounded;
    this.nonTransactional ||= inner.nonTransactional;
    this.runsCode ||= inner.runsCode;
    return this;
  }

  /** rowBounded only matters for writes: a destructive statement needs approval whatever it counts. */
  result(): Omit<ClassifiedStatement, 'index' | 'text' | 'start' | 'end'> {
    const out: Omit<ClassifiedStatement, 'index' | 'text' | 'start' | 'end'> = {
      kind: this.kind,
      class: this.class,
      reasons: this.class === 'read' ? [] : this.reasons,
      targets: this.targets,
      rowBounded: this.rowBounded && this.class !== 'read',
      nonTransactional: this.nonTransactional,
    };
    if (this.transactionControl) out.transactionControl = this.transactionControl;
    if (this.runsCode) out.runsCode = true;
    return out;
  }
}

/** One statement as an engine classifier returns it: its span in the input and its verdict. */
export interface ClassifiedSpan {
  start: number;
  end: number;
  verdict: Verdict;
}

export interface TableRef {
  schema?: string;
  name: string;
}

export function tableRef(name: string, schema?: string | null): TableRef {
  return schema ? { schema, name } : { name };
}

export function display(ref: TableRef): string {
  return ref.schema ? `${ref.schema}.${ref.name}` : ref.name;
}

export function unparsed(detail: string): Verdict {
  const first = detail.split('\n')[0]?.trim() ?? '';
  return new Verdict('UNPARSED').destructive(`the statement could not be parsed (${first.length > 160 ? `${first.slice(0, 157)}…` : first}); treated as destructive`);
}

/** DELETE (and MySQL multi-table DELETE): destructive without WHERE or with an always-true one. */
export function classifyDelete(v: Verdict, tables: TableRef[], where: Expr | undefined, what = 'DELETE'): Verdict {
  const names = tables.map(display).join(', ') || 'its table';
  for (const t of tables) v.target('table', t, 'delete');
  if (!where) return v.destructive(`${what} without WHERE on ${names} deletes every row`);
  if (alwaysTrue(where)) return v.destructive(`${what} on ${names} has an always-true WHERE: it deletes every row`);
  v.rowBounded = true;
  return v.write(`${what} on ${names} with a WHERE clause: the rows it deletes are counted before it runs`);
}

export function classifyUpdate(v: Verdict, tables: TableRef[], where: Expr | undefined, what = 'UPDATE'): Verdict {
  const names = tables.map(display).join(', ') || 'its table';
  for (const t of tables) v.target('table', t, 'update');
  if (!where) return v.destructive(`${what} without WHERE on ${names} overwrites every row`);
  if (alwaysTrue(where)) return v.destructive(`${what} on ${names} has an always-true WHERE: it overwrites every row`);
  v.rowBounded = true;
  return v.write(`${what} on ${names} with a WHERE clause: the rows it changes are counted before it runs`);
}

/** INSERT; `overwrite` names the clause that also changes or deletes existing rows (upserts, REPLACE). */
export function classifyInsert(v: Verdict, tables: TableRef[], overwrite?: string): Verdict {
  const names = tables.map(display).join(', ') || 'its table';
  for (const t of tables) v.target('table', t, 'insert');
  if (overwrite) {
    for (const t of tables) v.target('table', t, 'update');
    v.rowBounded = true;
    return v.write(`${overwrite} on ${names} changes existing rows: the rows it changes are counted before it runs`);
  }
  return v.write(`INSERT into ${names}`);
}

/**
 * Split `text` (the input, or a same-length rewrite of it) into statements with the dialect's lexer and
 * classify each one. Input the lexer cannot split is one unparsed span; a classifier error makes its
 * statement unparsed. Both fail closed.
 */
export function classifyLexed(sql: string, text: string, lexer: LexerDialect, classify: (s: LexedStatement) => Verdict): ClassifiedSpan[] {
  let statements: LexedStatement[];
  try {
    statements = splitStatements(text, lexer);
  } catch (error) {
    const offset = error instanceof LexError ? error.offset : 0;
    return [{ start: 0, end: sql.length, verdict: unparsed(`${errorText(error)} at offset ${offset}`) }];
  }
  return statements.map((s) => {
    let verdict: Verdict;
    try {
      verdict = classify(s);
    } catch (error) {
      verdict = unparsed(errorText(error));
    }
    return { start: s.start, end: s.end, verdict };
  });
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));
