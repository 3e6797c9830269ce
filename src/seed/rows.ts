/**
 * Row-level work inside the seed transaction, in portable SQL (no dialect upserts): resolve
 * references, look a row up by its natural key, then INSERT it, UPDATE exactly the columns that
 * differ, or leave it alone. A dry run reads the same way and writes nothing; rows it would insert
 * are remembered so that later references to them resolve to a stand-in (PendingValue).
 */
import { ConfigError, DbwardError, OperationError, errorMessage } from '../core/errors.js';
import { redactText } from '../core/redact.js';
import type { Queryable, Row } from '../engines/engine.js';
import type { Column, Table } from '../schema/model.js';
import type { SeedDialect } from './dialect.js';
import type { CompiledRef, CompiledValues } from './plan.js';
import { canonical, PendingValue, toParam } from './values.js';

export type RowAction = 'inserted' | 'updated' | 'unchanged';

export interface RowOutcome {
  action: RowAction;
  /** Columns an update changed (names only, never values). */
  columns: string[];
}

export class SeedRunner {
  private readonly refCache = new Map<string, unknown>();
  /** Dry run: rows that would have been inserted, per table id. */
  private readonly pending = new Map<string, Map<string, unknown>[]>();

  constructor(
    readonly tx: Queryable,
    readonly dialect: SeedDialect,
    readonly dryRun: boolean,
    /** Table id → label, for messages. */
    private readonly label: (t: Table) => string,
  ) {}

  q(name: string): string {
    return this.dialect.quoteIdentifier(name);
  }

  ref(t: Table): string {
    return this.dialect.tableRef(t.schema, t.name);
  }

  /** Run one statement; driver errors become an OperationError naming what was being seeded. */
  async run(sql: string, params: unknown[], what: string): Promise<Row[]> {
    try {
      return (await this.tx.query(sql, params)).rows;
    } catch (err) {
      if (err instanceof DbwardError && !(err instanceof OperationError)) throw err;
      throw new OperationError(`Seeding ${what} failed: ${redactText(errorMessage(err))}`, 'Nothing was written: the seed runs in one transaction.', err);
    }
  }

  /** `a = $1 AND b IS NULL …` for column/value pairs; pushes the parameters. */
  whereClause(pairs: { column: Column; value: unknown }[], params: unknown[]): string {
    return pairs
      .map(({ column, value }) => {
        if (value === null || value === undefined) return `${this.q(column.name)} IS NULL`;
        params.push(toParam(value, column));
        return `${this.q(column.name)} = ${this.dialect.placeholder(params.length)}`;
      })
      .join(' AND ');
  }

  /** Resolve a reference to the value of its column in the one row it matches. */
  async resolveRef(ref: CompiledRef): Promise<unknown> {
    if (this.refCache.has(ref.label)) return this.refCache.get(ref.label);
    const params: unknown[] = [];
    const sql = `SELECT ${this.q(ref.column.name)} AS ${this.q('v')} FROM ${this.ref(ref.table)} WHERE ${this.whereClause(ref.where, params)}`;
    const rows = await this.run(sql, params, `the reference ${ref.label}`);
    if (rows.length > 1) {
      throw new ConfigError(`The reference ${ref.label} matches ${rows.length} rows; its where must identify exactly one row.`);
    }
    if (rows.length === 1) {
      this.refCache.set(ref.label, rows[0]!.v);
      return rows[0]!.v;
    }
    if (this.dryRun && this.findPending(ref)) return new PendingValue(ref.label);
    throw new ConfigError(
      `The reference ${ref.label} matches no row; nothing was written.`,
      [],
      `Seed that row too (it is inserted first when it is in this seed), or correct the where.`,
    );
  }

  private findPending(ref: CompiledRef): boolean {
    const rows = this.pending.get(`${ref.table.schema}.${ref.table.name}`) ?? [];
    return rows.some((row) => ref.where.every((w) => canonical(row.get(w.column.name), w.column) === canonical(w.value, w.column)));
  }

  async resolveValues(values: CompiledValues): Promise<Map<string, unknown>> {
    const out = new Map<string, unknown>();
    for (const [name, v] of values) out.set(name, v.kind === 'ref' ? await this.resolveRef(v.ref) : v.value);
    return out;
  }

  column(table: Table, name: string): Column {
    const c = table.columns.find((col) => col.name === name);
    if (!c) throw new OperationError(`Column "${name}" vanished from table "${this.label(table)}" during seeding.`);
    return c;
  }

  /** Rows of table whose columns equal the given values; `select` names the columns returned. */
  async find(table: Table, match: Map<string, unknown>, select: string[], what: string): Promise<Row[] | null> {
    const pairs = [...match].map(([name, value]) => ({ column: this.column(table, name), value }));
    // A key holding a row a dry run would insert cannot match anything stored.
    if (pairs.some((p) => p.value instanceof PendingValue)) return null;
    const params: unknown[] = [];
    const sql = `SELECT ${select.map((c) => this.q(c)).join(', ')} FROM ${this.ref(table)} WHERE ${this.whereClause(pairs, params)}`;
    return this.run(sql, params, what);
  }

  async insert(table: Table, values: Map<string, unknown>, what: string): Promise<void> {
    if (this.dryRun) {
      const id = `${table.schema}.${table.name}`;
      this.pending.set(id, [...(this.pending.get(id) ?? []), values]);
      return;
    }
    const names = [...values.keys()];
    const params = names.map((n) => toParam(values.get(n), this.column(table, n)));
    const sql = `INSERT INTO ${this.ref(table)} (${names.map((n) => this.q(n)).join(', ')}) VALUES (${names.map((_, i) => this.dialect.placeholder(i + 1)).join(', ')})`;
    await this.run(sql, params, what);
  }

  async update(table: Table, set: Map<string, unknown>, match: Map<string, unknown>, what: string): Promise<void> {
    if (this.dryRun) return;
    const params: unknown[] = [];
    const assignments = [...set].map(([name, value]) => {
      params.push(toParam(value, this.column(table, name)));
      return `${this.q(name)} = ${this.dialect.placeholder(params.length)}`;
    });
    const pairs = [...match].map(([name, value]) => ({ column: this.column(table, name), value }));
    const sql = `UPDATE ${this.ref(table)} SET ${assignments.join(', ')} WHERE ${this.whereClause(pairs, params)}`;
    await this.run(sql, params, what);
  }

  /** Columns whose stored value differs from the wanted one. */
  changedColumns(table: Table, stored: Row, wanted: Map<string, unknown>): string[] {
    return [...wanted]
      .filter(([name, value]) => {
        const column = this.column(table, name);
        return canonical(stored[name], column) !== canonical(value, column);
      })
      .map(([name]) => name);
  }

  /** Insert or update one row by its natural key. */
  async upsert(table: Table, key: readonly string[], values: Map<string, unknown>, options: { updateExisting: boolean; what: string }): Promise<RowOutcome> {
    const match = new Map(key.map((k) => [k, values.get(k)]));
    const existing = (await this.find(table, match, [...values.keys()], options.what)) ?? [];
    if (existing.length > 1) {
      throw new ConfigError(
        `The natural key of ${options.what} matches ${existing.length} rows; nothing was written.`,
        [],
        'A natural key must identify one row: choose other key columns or remove the duplicates.',
      );
    }
    if (existing.length === 0) {
      await this.insert(table, values, options.what);
      return { action: 'inserted', columns: [] };
    }
    const changed = this.changedColumns(table, existing[0]!, values);
    if (changed.length === 0 || !options.updateExisting) return { action: 'unchanged', columns: [] };
    await this.update(table, new Map(changed.map((c) => [c, values.get(c)])), match, options.what);
    return { action: 'updated', columns: changed };
  }
}
