/**
 * Impact assessment: exactly which rows and objects the statements change or put at risk, found by
 * running them in a transaction that is always rolled back (with a statement timeout), or — where that
 * is impossible (MySQL DDL, statements that run code, non-transactional statements) — from metadata.
 * Row-bounded writes whose measured rows exceed the policy's limits become destructive here.
 */
import { errorMessage } from '../core/errors.js';
import type { Engine, Queryable } from '../engines/engine.js';
import type { ChangeCounts, ImpactProbe, TableName } from '../engines/impact-probe.js';
import { impactProbeFor } from '../engines/impact-probes.js';
import type { SchemaModel, Table } from '../schema/model.js';
import type { ClassifiedStatement, StatementClass } from './classify/types.js';
import type { GuardPolicy } from './policy.js';

export type TableEffectKind = 'deleted' | 'updated' | 'inserted' | 'dropped' | 'truncated' | 'altered';

export interface TableEffect {
  table: string;
  rows: number;
  effect: TableEffectKind;
}

export type RiskLevel = 'HIGH' | 'MEDIUM' | 'LOW';

export interface StatementImpact {
  index: number;
  text: string;
  kind: string;
  /** The class after the row limits were applied. */
  class: StatementClass;
  reasons: string[];
  /** Rows changed or put at risk (cascades and triggers included); null when they could not be measured. */
  rows: number | null;
  tables: TableEffect[];
  /** Objects reached: foreign keys that cascade, views and triggers on the tables it touches. */
  dependents: string[];
  /** dry-run: executed and rolled back; metadata: counted without running it; none: not measured. */
  method: 'dry-run' | 'metadata' | 'none';
  /** Why it was not measured, or the error the dry run met. */
  note: string | null;
}

export interface Assessment {
  class: StatementClass;
  risk: RiskLevel;
  /** Rows changed or at risk in the destructive statements; null when one could not be measured. */
  rowsAtRisk: number | null;
  statements: StatementImpact[];
  /** Tables whose data the destructive statements change or remove (what a table-scoped backup must cover). */
  tablesAtRisk: string[];
  /** Size of the database's tables as the engine reports it; null when unknown. */
  databaseBytes: number | null;
  durationMs: number;
}

const RANK: Record<StatementClass, number> = { read: 0, write: 1, destructive: 2 };
const maxClass = (a: StatementClass, b: StatementClass) => (RANK[a] >= RANK[b] ? a : b);

const DML = /^(INSERT|UPDATE|DELETE|REPLACE|MERGE|WITH|SELECT)\b/;
const TABLE_TYPES = new Set(['table', 'materialized view']);

class RolledBack extends Error {}

const keyOf = (t: TableName) => `${t.schema}.${t.name}`;

/** Resolves names as written in SQL to tables of the model. */
class Catalog {
  constructor(
    readonly model: SchemaModel,
    private readonly defaultSchema: string,
  ) {}

  table(schema: string | undefined, name: string): Table | undefined {
    const tables = this.model.tables;
    const inSchema = (t: Table) => (schema ? t.schema === schema || t.schema.toLowerCase() === schema.toLowerCase() : true);
    const exact = tables.filter((t) => t.name === name && inSchema(t));
    const found = exact.length ? exact : tables.filter((t) => t.name.toLowerCase() === name.toLowerCase() && inSchema(t));
    return found.find((t) => t.schema === this.defaultSchema) ?? found[0];
  }

  tablesOfSchema(schema: string): Table[] {
    return this.model.tables.filter((t) => t.schema.toLowerCase() === schema.toLowerCase());
  }

  /** Tables whose rows change when rows of `start` are deleted: ON DELETE CASCADE / SET NULL / SET DEFAULT, transitively, and tables named in their triggers. */
  reached(start: readonly Table[]): Table[] {
    const seen = new Map(start.map((t) => [keyOf(t), t]));
    const queue = [...start];
    while (queue.length) {
      const current = queue.shift()!;
      const next: Table[] = [];
      for (const t of this.model.tables) {
        if (t.foreignKeys.some((fk) => fk.referencedTable === current.name && fk.referencedSchema === current.schema && fk.onDelete !== 'NO ACTION' && fk.onDelete !== 'RESTRICT')) next.push(t);
      }
      for (const trigger of current.triggers) {
        for (const t of this.model.tables) if (t !== current && new RegExp(`\\b${escapeRegExp(t.name)}\\b`, 'i').test(trigger.definition)) next.push(t);
      }
      for (const t of next) {
        if (!seen.has(keyOf(t))) {
          seen.set(keyOf(t), t);
          queue.push(t);
        }
      }
    }
    return [...seen.values()];
  }

  dependents(table: Table): string[] {
    const out: string[] = [];
    for (const t of this.model.tables) {
      for (const fk of t.foreignKeys) {
        if (fk.referencedTable === table.name && fk.referencedSchema === table.schema) {
          out.push(`foreign key ${t.name}(${fk.columns.join(', ')}) → ${table.name} ON DELETE ${fk.onDelete}`);
        }
      }
    }
    const pattern = new RegExp(`\\b${escapeRegExp(table.name)}\\b`, 'i');
    for (const v of this.model.views) if (pattern.test(v.definition)) out.push(`${v.materialized ? 'materialized view' : 'view'} ${v.name} reads ${table.name}`);
    for (const trigger of table.triggers) out.push(`trigger ${trigger.name} (${trigger.timing} ${trigger.events.join('/')}) on ${table.name}`);
    return out;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Tables a statement removes or changes as a whole (drop, truncate, alter), and tables whose rows it edits. */
function touchedTables(stmt: ClassifiedStatement, catalog: Catalog, database: string): { whole: Array<{ table: Table; effect: TableEffectKind }>; rows: Table[]; unknownDatabase: boolean } {
  const whole: Array<{ table: Table; effect: TableEffectKind }> = [];
  const rows: Table[] = [];
  let unknownDatabase = false;
  for (const target of stmt.targets) {
    const type = target.objectType.toLowerCase();
    if (type === 'schema' || type === 'database') {
      if (target.action !== 'drop') continue;
      if (type === 'database' && target.name !== database) {
        unknownDatabase = true;
        continue;
      }
      const tables = type === 'database' ? catalog.model.tables : catalog.tablesOfSchema(target.name);
      for (const table of tables) whole.push({ table, effect: 'dropped' });
      continue;
    }
    if (!TABLE_TYPES.has(type) && type !== 'column') continue;
    const table = catalog.table(target.schema, target.name);
    if (!table) continue;
    if (target.action === 'drop' && type !== 'column') whole.push({ table, effect: 'dropped' });
    else if (target.action === 'truncate') whole.push({ table, effect: 'truncated' });
    else if (target.action === 'alter' || (target.action === 'drop' && type === 'column')) {
      if (stmt.class === 'destructive') whole.push({ table, effect: 'altered' });
    } else if (target.action === 'delete' || target.action === 'update' || target.action === 'insert') rows.push(table);
  }
  return { whole, rows, unknownDatabase };
}

interface Context {
  engine: Engine;
  probe: ImpactProbe;
  catalog: Catalog;
  database: string;
}

async function countAll(db: Queryable, probe: ImpactProbe, tables: readonly Table[]): Promise<Map<string, number | null>> {
  const counts = new Map<string, number | null>();
  for (const t of tables) {
    try {
      counts.set(keyOf(t), await probe.countRows(db, t));
    } catch {
      counts.set(keyOf(t), null); // gone (dropped earlier in the batch) or unreadable
    }
  }
  return counts;
}

function diffCounters(before: Map<string, ChangeCounts>, after: Map<string, ChangeCounts>): TableEffect[] {
  const effects: TableEffect[] = [];
  for (const [table, a] of after) {
    const b = before.get(table) ?? { inserted: 0, updated: 0, deleted: 0 };
    const name = table;
    if (a.deleted > b.deleted) effects.push({ table: name, rows: a.deleted - b.deleted, effect: 'deleted' });
    if (a.updated > b.updated) effects.push({ table: name, rows: a.updated - b.updated, effect: 'updated' });
    if (a.inserted > b.inserted) effects.push({ table: name, rows: a.inserted - b.inserted, effect: 'inserted' });
  }
  return effects;
}

/** Runs one statement inside the dry-run transaction and measures what it did. */
async function dryRunOne(ctx: Context, tx: Queryable, stmt: ClassifiedStatement): Promise<TableEffect[]> {
  const touched = touchedTables(stmt, ctx.catalog, ctx.database);
  const wholeBefore = await countAll(tx, ctx.probe, touched.whole.map((w) => w.table));
  const counters = await ctx.probe.changeCounters(tx);
  const reached = counters ? [] : ctx.catalog.reached([...touched.rows, ...touched.whole.filter((w) => w.effect !== 'altered').map((w) => w.table)]);
  const before = await countAll(tx, ctx.probe, reached);

  const result = await tx.query(stmt.text);

  const effects: TableEffect[] = touched.whole.map((w) => ({ table: keyOf(w.table), rows: wholeBefore.get(keyOf(w.table)) ?? 0, effect: w.effect }));
  const wholeKeys = new Set(effects.map((e) => e.table));
  if (counters) {
    const after = await ctx.probe.changeCounters(tx);
    effects.push(...diffCounters(counters, after ?? new Map()).filter((e) => !wholeKeys.has(e.table)));
    return effects;
  }
  const after = await countAll(tx, ctx.probe, reached);
  for (const t of reached) {
    const key = keyOf(t);
    if (wholeKeys.has(key)) continue;
    const b = before.get(key);
    const a = after.get(key);
    if (b == null) continue;
    if (a == null) effects.push({ table: key, rows: b, effect: 'dropped' });
    else if (a < b) effects.push({ table: key, rows: b - a, effect: 'deleted' });
    else if (a > b) effects.push({ table: key, rows: a - b, effect: 'inserted' });
  }
  // Engines without counters report the statement's own changed rows; an UPDATE's are its updated rows.
  if (/^UPDATE\b/.test(stmt.kind) && touched.rows[0]) effects.push({ table: keyOf(touched.rows[0]), rows: result.rowCount, effect: 'updated' });
  if (/^(INSERT|REPLACE)\b/.test(stmt.kind) && touched.rows[0] && !effects.some((e) => e.effect === 'inserted')) {
    effects.push({ table: keyOf(touched.rows[0]), rows: result.rowCount, effect: 'inserted' });
  }
  return effects;
}

/** Counts what a statement that is not run would put at risk. */
async function fromMetadata(ctx: Context, stmt: ClassifiedStatement): Promise<{ effects: TableEffect[] | null; note: string | null }> {
  const touched = touchedTables(stmt, ctx.catalog, ctx.database);
  if (touched.unknownDatabase) return { effects: null, note: 'drops another database, whose contents dbward cannot see from here' };
  if (touched.rows.length) return { effects: null, note: 'its changed rows can only be counted by running it, which is not possible here' };
  const counts = await countAll(ctx.engine, ctx.probe, touched.whole.map((w) => w.table));
  return { effects: touched.whole.map((w) => ({ table: keyOf(w.table), rows: counts.get(keyOf(w.table)) ?? 0, effect: w.effect })), note: null };
}

function whyNotDryRun(stmt: ClassifiedStatement, probe: ImpactProbe): string | null {
  if (stmt.class === 'read' || stmt.transactionControl) return 'reads only';
  if (stmt.kind === 'UNPARSED') return 'it could not be parsed, so it is never run to measure it';
  if (stmt.runsCode) return 'it runs code dbward cannot see into, so it is never run to measure it';
  if (stmt.nonTransactional && !DML.test(stmt.kind)) return probe.dryRunsDdl ? 'it cannot run inside a transaction' : 'DDL commits implicitly on this engine, so it cannot be tried and rolled back';
  if (!DML.test(stmt.kind) && !probe.dryRunsDdl) return 'DDL commits implicitly on this engine, so it cannot be tried and rolled back';
  return null;
}

function applyLimits(impact: StatementImpact, stmt: ClassifiedStatement, policy: GuardPolicy): void {
  if (impact.class !== 'write') return;
  if (impact.rows === null && (stmt.rowBounded || impact.method === 'none')) {
    impact.class = 'destructive';
    impact.reasons.push(`the rows it changes could not be counted (${impact.note ?? 'not measured'})`);
    return;
  }
  const deleted = impact.tables.filter((t) => t.effect === 'deleted' || t.effect === 'dropped' || t.effect === 'truncated').reduce((n, t) => n + t.rows, 0);
  const updated = impact.tables.filter((t) => t.effect === 'updated').reduce((n, t) => n + t.rows, 0);
  if (deleted > policy.maxDeleteRows) {
    impact.class = 'destructive';
    impact.reasons.push(`deletes ${deleted} rows, more than guard.maxDeleteRows (${policy.maxDeleteRows})`);
  }
  if (updated > policy.maxUpdateRows) {
    impact.class = 'destructive';
    impact.reasons.push(`updates ${updated} rows, more than guard.maxUpdateRows (${policy.maxUpdateRows})`);
  }
}

function riskOf(statements: readonly StatementImpact[]): RiskLevel {
  const destructive = statements.filter((s) => s.class === 'destructive');
  if (destructive.some((s) => s.rows === null || s.rows > 0 || /^DROP (DATABASE|SCHEMA)\b/.test(s.kind))) return 'HIGH';
  if (destructive.length) return 'MEDIUM';
  return 'LOW';
}

/** The tables' size as the engine reports it; null when any is unknown. */
function databaseBytesOf(model: SchemaModel): number | null {
  return model.tables.some((t) => t.stats.sizeBytes === null) ? null : model.tables.reduce((n, t) => n + (t.stats.sizeBytes ?? 0), 0);
}

const defaultSchemaOf = (engine: Engine, database: string) => (engine.name === 'postgres' ? 'public' : engine.name === 'sqlite' ? 'main' : database);

/**
 * Assess the statements against the engine's database. Reads are not run. Everything else is run in
 * order in one transaction that is always rolled back, as far as the engine allows.
 */
export async function assessImpact(engine: Engine, statements: readonly ClassifiedStatement[], policy: GuardPolicy, database: string): Promise<Assessment> {
  const started = Date.now();
  const probe = impactProbeFor(engine.name);
  const model = await engine.introspect();
  const catalog = new Catalog(model, defaultSchemaOf(engine, database));
  const ctx: Context = { engine, probe, catalog, database };

  const impacts: StatementImpact[] = statements.map((s) => ({
    index: s.index,
    text: s.text,
    kind: s.kind,
    class: s.class,
    reasons: [...s.reasons],
    rows: s.class === 'read' ? 0 : null,
    tables: [],
    dependents: [],
    method: 'none',
    note: null,
  }));

  const planned = statements.map((s) => whyNotDryRun(s, probe));
  const toDryRun = statements.filter((_, i) => planned[i] === null);
  const nonTx = await probe.nonTransactionalTables(engine, [...new Set(toDryRun.flatMap((s) => touchedTables(s, catalog, database).rows))]);
  const nonTxKeys = new Set(nonTx.map(keyOf));

  if (toDryRun.length) {
    await engine
      .transaction(async (tx) => {
        await probe.beginDryRun(tx, policy.assessTimeoutMs);
        try {
          let failed: string | null = null;
          for (const stmt of statements) {
            const impact = impacts[stmt.index]!;
            if (planned[stmt.index] !== null) continue;
            if (failed) {
              impact.note = `not measured: ${failed}`;
              continue;
            }
            const blocked = touchedTables(stmt, catalog, database).rows.find((t) => nonTxKeys.has(keyOf(t)));
            if (blocked) {
              impact.note = `${blocked.name} cannot roll back changes (storage engine), so it is never changed to measure`;
              continue;
            }
            try {
              impact.tables = await dryRunOne(ctx, tx, stmt);
              impact.rows = impact.tables.reduce((n, t) => n + t.rows, 0);
              impact.method = 'dry-run';
            } catch (err) {
              impact.note = `the statement fails: ${errorMessage(err)}`;
              failed = `statement ${stmt.index + 1} fails`;
            }
          }
        } finally {
          await probe.endDryRun(tx).catch(() => undefined);
        }
        throw new RolledBack();
      })
      .catch((err: unknown) => {
        if (!(err instanceof RolledBack)) throw err;
      });
  }

  for (const stmt of statements) {
    const impact = impacts[stmt.index]!;
    const reason = planned[stmt.index] ?? null;
    if (reason === 'reads only') continue;
    if (reason !== null) {
      const meta = await fromMetadata(ctx, stmt);
      impact.note = meta.note ?? reason;
      if (meta.effects && !stmt.runsCode && stmt.kind !== 'UNPARSED') {
        impact.tables = meta.effects;
        impact.rows = meta.effects.reduce((n, t) => n + t.rows, 0);
        impact.method = 'metadata';
      }
    }
    const touched = touchedTables(stmt, catalog, database);
    impact.dependents = [...new Set([...touched.rows, ...touched.whole.map((w) => w.table)].flatMap((t) => catalog.dependents(t)))];
    applyLimits(impact, stmt, policy);
  }

  const destructive = impacts.filter((s) => s.class === 'destructive');
  const rowsAtRisk = destructive.some((s) => s.rows === null) ? null : destructive.reduce((n, s) => n + (s.rows ?? 0), 0);
  return {
    class: impacts.reduce<StatementClass>((c, s) => maxClass(c, s.class), 'read'),
    risk: riskOf(impacts),
    rowsAtRisk,
    statements: impacts,
    tablesAtRisk: [...new Set(destructive.flatMap((s) => s.tables.map((t) => t.table)))],
    databaseBytes: databaseBytesOf(model),
    durationMs: Date.now() - started,
  };
}

/**
 * The assessment of a command that may drop or reset the whole database (`prisma migrate reset`,
 * `dropdb`, …): every table is at risk, with its exact row count.
 */
export async function assessWholeDatabase(engine: Engine, text: string, reasons: readonly string[]): Promise<Assessment> {
  const started = Date.now();
  const probe = impactProbeFor(engine.name);
  const model = await engine.introspect();
  const tables = model.tables.length ? await countAll(engine, probe, model.tables) : new Map<string, number | null>();
  const effects: TableEffect[] = model.tables.map((t) => ({ table: keyOf(t), rows: tables.get(keyOf(t)) ?? 0, effect: 'dropped' }));
  const rows = effects.reduce((n, e) => n + e.rows, 0);
  return {
    class: 'destructive',
    risk: 'HIGH',
    rowsAtRisk: rows,
    statements: [{ index: 0, text, kind: 'COMMAND', class: 'destructive', reasons: [...reasons], rows, tables: effects, dependents: [], method: 'metadata', note: 'the command may drop or empty the whole database: every table is at risk' }],
    tablesAtRisk: effects.map((e) => e.table),
    databaseBytes: databaseBytesOf(model),
    durationMs: Date.now() - started,
  };
}
