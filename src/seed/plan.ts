/**
 * Compile validated seed documents against the live schema into a plan: tables and columns
 * resolved, references bound to their target column, rows filtered by environment, tables in
 * dependency order. Every problem is collected and reported at once (exit 2) before anything runs.
 */
import path from 'node:path';
import { ConfigError } from '../core/errors.js';
import type { Column, SchemaModel, Table } from '../schema/model.js';
import type { SeedDocument } from './load.js';
import { orderByDependencies } from './order.js';
import { isRef, type HashAlgorithm, type RefValue, type Scalar, type SeedEnvironment, type SeedRow } from './schema.js';
import { canonical, displayValue, isJsonValue } from './values.js';

export interface CompiledRef {
  table: Table;
  where: { column: Column; value: Scalar }[];
  /** The column whose value the reference stands for. */
  column: Column;
  /** roles(name=owner) */
  label: string;
}

export type CompiledValue = { kind: 'literal'; value: unknown } | { kind: 'ref'; ref: CompiledRef };

/** Column name → value, in the seed's column order. */
export type CompiledValues = Map<string, CompiledValue>;

export interface CompiledBlock {
  table: Table;
  key: string[];
  rows: CompiledValues[];
  updateExisting: boolean;
}

export interface CompiledLink {
  table: Table;
  /** Column of the link table that holds the admin's id. */
  userColumn: Column;
  /** Column of the admin table userColumn points at (usually id). */
  adminColumn: Column;
  key: string[];
  values: CompiledValues;
}

export interface CompiledAdmin {
  table: Table;
  emailColumn: Column;
  hashColumn: Column;
  hash: HashAlgorithm;
  values: CompiledValues;
  updateExisting: boolean;
  links: CompiledLink[];
}

export interface SeedPlan {
  /** Tables in the order they are seeded (table ids, see tableId). */
  order: string[];
  tables: Map<string, Table>;
  blocks: CompiledBlock[];
  admin: CompiledAdmin | null;
  /** Rows skipped because of the environment, per table label. */
  skipped: Map<string, number>;
  warnings: string[];
}

export function tableId(t: Table): string {
  return `${t.schema}.${t.name}`;
}

/** The name shown to users: PostgreSQL tables outside public keep their schema. */
export function tableLabel(model: SchemaModel, t: Table): string {
  return model.engine === 'postgres' && t.schema !== 'public' ? `${t.schema}.${t.name}` : t.name;
}

export function appliesIn(environments: readonly SeedEnvironment[] | undefined, environment: SeedEnvironment): boolean {
  return !environments || environments.includes(environment);
}

class Compiler {
  readonly problems: string[] = [];
  readonly warnings: string[] = [];
  /** Dependencies between table ids: a → tables a must follow. */
  readonly deps = new Map<string, Set<string>>();
  readonly nodes: string[] = [];
  readonly tables = new Map<string, Table>();
  private readonly seenKeys = new Map<string, string>();

  constructor(
    readonly model: SchemaModel,
    private readonly multipleSources: boolean,
  ) {}

  where(source: string, keyPath: string): string {
    return this.multipleSources ? `${path.basename(source)}: ${keyPath}` : keyPath;
  }

  problem(at: string, message: string): void {
    this.problems.push(`${at}: ${message}`);
  }

  findTable(name: string, at: string): Table | null {
    const tables = this.model.tables;
    let candidates = tables.filter((t) => `${t.schema}.${t.name}` === name);
    if (candidates.length === 0) candidates = tables.filter((t) => t.name === name);
    if (candidates.length > 1) {
      const inPublic = candidates.filter((t) => t.schema === 'public');
      if (inPublic.length === 1) candidates = inPublic;
      else {
        this.problem(at, `table "${name}" exists in schemas ${candidates.map((t) => t.schema).join(', ')}; write schema.${name}`);
        return null;
      }
    }
    if (candidates.length === 0) {
      const near = closest(name, tables.map((t) => tableLabel(this.model, t)));
      this.problem(at, `table "${name}" does not exist${near ? ` (did you mean "${near}"?)` : ''}`);
      return null;
    }
    const table = candidates[0]!;
    this.tables.set(tableId(table), table);
    return table;
  }

  findColumn(table: Table, name: string, at: string, purpose: 'write' | 'read' = 'read'): Column | null {
    const column = table.columns.find((c) => c.name === name);
    if (!column) {
      const near = closest(name, table.columns.map((c) => c.name));
      this.problem(at, `column "${name}" does not exist in table "${tableLabel(this.model, table)}"${near ? ` (did you mean "${near}"?)` : ''}`);
      return null;
    }
    if (purpose === 'write' && column.generated !== null) {
      this.problem(at, `column "${name}" of table "${tableLabel(this.model, table)}" is generated and cannot be seeded`);
      return null;
    }
    return column;
  }

  /** The display label of a table named in a skipped block, without reporting problems. */
  quietLabel(name: string): string {
    const t = this.model.tables.find((x) => `${x.schema}.${x.name}` === name) ?? this.model.tables.find((x) => x.name === name && x.schema === 'public') ?? this.model.tables.find((x) => x.name === name);
    return t ? tableLabel(this.model, t) : name;
  }

  addNode(table: Table): void {
    const id = tableId(table);
    if (!this.nodes.includes(id)) this.nodes.push(id);
  }

  dependOn(table: Table, on: Table): void {
    const id = tableId(table);
    let set = this.deps.get(id);
    if (!set) this.deps.set(id, (set = new Set()));
    set.add(tableId(on));
  }

  /** The column a reference from table.column into target means, or null with a problem. */
  refColumn(table: Table, columnName: string, ref: RefValue, target: Table, at: string): Column | null {
    if (ref.column !== undefined) return this.findColumn(target, ref.column, `${at}.column`);
    for (const fk of table.foreignKeys) {
      const i = fk.columns.indexOf(columnName);
      if (i >= 0 && fk.referencedTable === target.name && fk.referencedSchema === target.schema) {
        return this.findColumn(target, fk.referencedColumns[i]!, at);
      }
    }
    const pk = target.primaryKey?.columns ?? [];
    if (pk.length === 1) return this.findColumn(target, pk[0]!, at);
    this.problem(at, `cannot tell which column of "${tableLabel(this.model, target)}" to use: add column: to the reference`);
    return null;
  }

  compileValue(table: Table, column: Column, value: unknown, at: string): CompiledValue | null {
    if (!isRef(value)) {
      if (isJsonValue(value) && !['json', 'text', 'other'].includes(column.typeCategory)) {
        this.problem(at, `column "${column.name}" is ${column.type}, which cannot hold a JSON object or array`);
        return null;
      }
      return { kind: 'literal', value };
    }
    const target = this.findTable(value.ref, `${at}.ref`);
    if (!target) return null;
    const where: CompiledRef['where'] = [];
    for (const [name, v] of Object.entries(value.where)) {
      const c = this.findColumn(target, name, `${at}.where.${name}`);
      if (c) where.push({ column: c, value: v });
    }
    const targetColumn = this.refColumn(table, column.name, value, target, at);
    if (!targetColumn || where.length !== Object.keys(value.where).length) return null;
    if (tableId(target) !== tableId(table)) this.dependOn(table, target);
    const label = `${tableLabel(this.model, target)}(${where.map((w) => `${w.column.name}=${displayValue(w.value)}`).join(', ')})`;
    return { kind: 'ref', ref: { table: target, where, column: targetColumn, label } };
  }

  compileValues(table: Table, row: SeedRow, at: string, skip: ReadonlySet<string> = new Set()): CompiledValues | null {
    const values: CompiledValues = new Map();
    let ok = true;
    for (const [name, value] of Object.entries(row)) {
      if (skip.has(name)) continue;
      const column = this.findColumn(table, name, `${at}.${name}`, 'write');
      const compiled = column ? this.compileValue(table, column, value, `${at}.${name}`) : null;
      if (compiled) values.set(name, compiled);
      else ok = false;
    }
    if (ok) this.foreignKeyDependencies(table, values);
    return ok ? values : null;
  }

  /** A foreign key the seed sets makes its table depend on the referenced one. */
  foreignKeyDependencies(table: Table, values: CompiledValues): void {
    for (const fk of table.foreignKeys) {
      if (!fk.columns.some((c) => values.has(c) && !isNullLiteral(values.get(c)!))) continue;
      const target = this.model.tables.find((t) => t.name === fk.referencedTable && t.schema === fk.referencedSchema);
      if (target && tableId(target) !== tableId(table)) this.dependOn(table, target);
    }
  }

  /** Two rows with the same natural key would fight: the second run would never be "unchanged". */
  checkDuplicateKey(table: Table, key: string[], values: CompiledValues, at: string): void {
    const parts = key.map((k) => {
      const v = values.get(k);
      const column = table.columns.find((c) => c.name === k)!;
      return v?.kind === 'ref' ? `ref:${v.ref.label}` : `${k}=${canonical(v?.value, column)}`;
    });
    const id = `${tableId(table)}|${[...key].sort().join(',')}|${parts.join('|')}`;
    const first = this.seenKeys.get(id);
    if (first) this.problem(at, `duplicates the natural key of ${first} (${keyLabel(key, values)})`);
    else this.seenKeys.set(id, at);
  }

  checkKeyIsUnique(table: Table, key: string[]): void {
    const sets = [
      ...(table.primaryKey ? [table.primaryKey.columns] : []),
      ...table.uniqueConstraints.map((u) => u.columns),
      ...table.indexes.filter((i) => i.unique && i.where === null && !i.expressions.some(Boolean)).map((i) => i.columns),
    ];
    if (!sets.some((cols) => cols.length > 0 && cols.every((c) => key.includes(c)))) {
      const warning = `table "${tableLabel(this.model, table)}": no primary key, unique constraint or unique index covers the natural key (${key.join(', ')}); a concurrent writer could insert a duplicate`;
      if (!this.warnings.includes(warning)) this.warnings.push(warning);
    }
  }
}

/** Edit distance (insertions, deletions, substitutions), case-insensitive. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[y.length]!;
}

/** The one candidate close enough to be a likely typo of name, if any. */
function closest(name: string, candidates: string[]): string | null {
  const limit = name.length >= 5 ? 2 : 1;
  const scored = candidates.map((c) => ({ c, d: distance(name, c) })).filter((s) => s.d <= limit);
  scored.sort((a, b) => a.d - b.d);
  return scored[0]?.c ?? null;
}

function isNullLiteral(v: CompiledValue): boolean {
  return v.kind === 'literal' && v.value === null;
}

/** name=owner, role_id=roles(name=owner) */
export function keyLabel(key: readonly string[], values: ReadonlyMap<string, CompiledValue>): string {
  return key
    .map((k) => {
      const v = values.get(k);
      return `${k}=${v?.kind === 'ref' ? v.ref.label : displayValue(v?.value)}`;
    })
    .join(', ');
}

function compileAdmin(c: Compiler, doc: SeedDocument): CompiledAdmin | null {
  const admin = doc.seed.admin!;
  const at = c.where(doc.source, 'admin');
  const table = c.findTable(admin.table, `${at}.table`);
  if (!table) return null;
  c.addNode(table);
  const emailColumn = c.findColumn(table, admin.emailColumn ?? 'email', `${at}.emailColumn`, 'write');
  const hashColumn = c.findColumn(table, admin.passwordHashColumn ?? 'password_hash', `${at}.passwordHashColumn`, 'write');
  const values = c.compileValues(table, admin.values ?? {}, `${at}.values`);
  const links: CompiledLink[] = [];
  (admin.links ?? []).forEach((link, i) => {
    const linkAt = `${at}.links.${i}`;
    const linkTable = c.findTable(link.table, `${linkAt}.table`);
    if (!linkTable) return;
    c.addNode(linkTable);
    c.dependOn(linkTable, table);
    const userColumn = c.findColumn(linkTable, link.userColumn, `${linkAt}.userColumn`, 'write');
    const adminColumn = userColumn ? c.refColumn(linkTable, userColumn.name, { ref: admin.table, where: {} }, table, `${linkAt}.userColumn`) : null;
    const linkValues = c.compileValues(linkTable, link.values ?? {}, `${linkAt}.values`);
    if (!userColumn || !adminColumn || !linkValues) return;
    const key = link.key ?? [userColumn.name, ...linkValues.keys()];
    for (const k of key) if (k !== userColumn.name) c.findColumn(linkTable, k, `${linkAt}.key`);
    c.checkKeyIsUnique(linkTable, key);
    links.push({ table: linkTable, userColumn, adminColumn, key, values: linkValues });
  });
  if (!emailColumn || !hashColumn || !values) return null;
  return { table, emailColumn, hashColumn, hash: admin.hash ?? 'argon2id', values, updateExisting: admin.updateExisting ?? true, links };
}

function addSkipped(skipped: Map<string, number>, label: string, count: number): void {
  if (count > 0) skipped.set(label, (skipped.get(label) ?? 0) + count);
}

/**
 * Compile the documents for one environment. Documents, blocks and rows outside the environment
 * are counted as skipped and not checked against the schema (their tables may not exist here).
 */
export function compileSeed(docs: readonly SeedDocument[], model: SchemaModel, environment: SeedEnvironment): SeedPlan {
  const c = new Compiler(model, docs.length > 1);
  const blocks: CompiledBlock[] = [];
  const skipped = new Map<string, number>();
  let admin: CompiledAdmin | null = null;

  for (const doc of docs) {
    const fileApplies = appliesIn(doc.seed.environments, environment);
    (doc.seed.tables ?? []).forEach((block, b) => {
      const at = c.where(doc.source, `tables.${b}`);
      if (!fileApplies || !appliesIn(block.environments, environment)) {
        addSkipped(skipped, c.quietLabel(block.table), block.rows.length);
        return;
      }
      const table = c.findTable(block.table, `${at}.table`);
      if (!table) return;
      c.addNode(table);
      for (const k of block.key) c.findColumn(table, k, `${at}.key`);
      c.checkKeyIsUnique(table, block.key);
      const rows: CompiledValues[] = [];
      block.rows.forEach((row, r) => {
        const rowEnvironments = row.environments as SeedEnvironment[] | undefined;
        if (!appliesIn(rowEnvironments, environment)) {
          addSkipped(skipped, tableLabel(model, table), 1);
          return;
        }
        const rowAt = `${at}.rows.${r}`;
        const values = c.compileValues(table, row, rowAt, new Set(['environments']));
        if (!values) return;
        c.checkDuplicateKey(table, block.key, values, rowAt);
        rows.push(values);
      });
      blocks.push({ table, key: block.key, rows, updateExisting: block.updateExisting ?? true });
    });
    if (doc.seed.admin && fileApplies && appliesIn(doc.seed.admin.environments, environment)) admin = compileAdmin(c, doc);
  }

  if (c.problems.length) {
    throw new ConfigError('The seed does not match the database schema; nothing was written:', c.problems, 'Fix the seed file or apply pending migrations first.');
  }
  const order = orderByDependencies(c.nodes, c.deps, (id) => tableLabel(model, c.tables.get(id)!));
  return { order, tables: c.tables, blocks, admin, skipped, warnings: c.warnings };
}

/** Whether the admin block applies in this environment (decides whether its env variables are needed). */
export function adminApplies(docs: readonly SeedDocument[], environment: SeedEnvironment): boolean {
  return docs.some((d) => d.seed.admin && appliesIn(d.seed.environments, environment) && appliesIn(d.seed.admin.environments, environment));
}
