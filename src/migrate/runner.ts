/**
 * The migration capabilities: status, up, down and resolve. Every run that changes the database
 * holds the engine lock `migrate` for its whole length, so a concurrent second run waits for it (or
 * fails after lockWaitMs) and then finds nothing left to do: a migration is never applied twice.
 * A failed migration in the history blocks up and down until it is resolved.
 */
import { UsageError } from '../core/errors.js';
import { withRetry } from '../core/retry.js';
import type { Engine } from '../engines/engine.js';
import { dialectFor } from './dialect.js';
import { MigrationBlockedError } from './errors.js';
import { isTransient, runMode, runScript, statementCount, type ExecContext, type HistoryPlan, type MigrationEvent, type RunMode } from './execute.js';
import { HISTORY_TABLES, historyStore, type HistoryEntry } from './history.js';
import { checkProvider, compareIds, type Finding, type Migration, type MigrationSource } from './sources.js';
import { assess, type MigrationStatus } from './status.js';

export interface RunOptions {
  /** How long to wait for another run holding the migrate lock. Default 60 s. */
  lockWaitMs?: number;
  /** How long to keep retrying a lost connection at a migration boundary. Default 30 s. */
  retryDeadlineMs?: number;
  onEvent?: (event: MigrationEvent) => void;
}

export interface UpOptions extends RunOptions {
  /** Report the plan; change nothing (not even the history table). */
  dryRun?: boolean;
}

export interface DownOptions extends RunOptions {
  dryRun?: boolean;
  /** Revert every migration applied after this one (which stays applied). Default: revert the last one. */
  to?: string;
}

export interface PlannedMigration {
  id: string;
  name: string;
  mode: RunMode;
  statements: number;
}

export interface RanMigration {
  id: string;
  durationMs: number;
}

export interface UpResult {
  dryRun: boolean;
  plan: PlannedMigration[];
  applied: RanMigration[];
  findings: Finding[];
}

export interface DownResult {
  dryRun: boolean;
  plan: PlannedMigration[];
  reverted: RanMigration[];
}

export interface ResolveResult {
  migration: string;
  resolvedAs: 'applied' | 'rolled-back';
}

const DEFAULT_LOCK_WAIT_MS = 60_000;
const DEFAULT_RETRY_DEADLINE_MS = 30_000;

async function open(engine: Engine, source: MigrationSource, options: RunOptions = {}): Promise<ExecContext> {
  checkProvider(source, engine.name);
  const dialect = await dialectFor(engine);
  return {
    engine,
    dialect,
    history: historyStore(engine, dialect, source.layout),
    retryDeadlineMs: options.retryDeadlineMs ?? DEFAULT_RETRY_DEADLINE_MS,
    emit: (event) => options.onEvent?.(event),
  };
}

/** The history (empty before the table exists), retrying a lost connection: this is a boundary too. */
async function readHistory(ctx: ExecContext): Promise<HistoryEntry[]> {
  return withRetry(async () => ((await ctx.history.exists()) ? ctx.history.list() : []), {
    deadlineMs: ctx.retryDeadlineMs,
    isTransient: (err) => isTransient(ctx, err),
  });
}

/**
 * The migrate lock holds a pooled connection for the whole run and the migration needs another:
 * with a pool of one (`connection_limit=1`, common for serverless) the run would wait forever.
 */
function assertTwoConnections(engine: Engine): void {
  if (engine.target.engine === 'sqlite' || Number(engine.target.params.connection_limit ?? 2) >= 2) return;
  throw new UsageError(
    'Migrations need two connections (one holds the migrate lock), but the database URL sets connection_limit=1.',
    'Run migrations with a URL without connection_limit (or with connection_limit=2 or more), e.g. the direct URL Prisma uses for migrations.',
  );
}

async function withLock<T>(engine: Engine, options: RunOptions, fn: () => Promise<T>): Promise<T> {
  assertTwoConnections(engine);
  const lock = await engine.lock('migrate', { waitMs: options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS });
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}

function assertNotBlocked(status: MigrationStatus): void {
  if (status.failed.length) throw new MigrationBlockedError(status.failed);
}

function planned(ctx: ExecContext, m: Migration, direction: 'up' | 'down'): PlannedMigration {
  const script = direction === 'up' ? m.up : m.down!;
  return { id: m.id, name: m.name, mode: runMode(ctx.engine, script), statements: statementCount(ctx.dialect, script) };
}

/** Where the database stands against the migrations folder. Reads only; creates nothing. */
export async function migrationStatus(engine: Engine, source: MigrationSource): Promise<MigrationStatus> {
  const ctx = await open(engine, source);
  return assess(source, await readHistory(ctx), ctx.history.table);
}

/** Apply every pending migration in order. */
export async function migrateUp(engine: Engine, source: MigrationSource, options: UpOptions = {}): Promise<UpResult> {
  const ctx = await open(engine, source, options);
  const pendingOf = (status: MigrationStatus) => {
    assertNotBlocked(status);
    const ids = new Set(status.pending.map((p) => p.id));
    return source.migrations.filter((m) => ids.has(m.id));
  };
  if (options.dryRun) {
    const status = assess(source, await readHistory(ctx), ctx.history.table);
    return { dryRun: true, plan: pendingOf(status).map((m) => planned(ctx, m, 'up')), applied: [], findings: status.findings };
  }
  return withLock(engine, options, async () => {
    const status = assess(source, await readHistory(ctx), ctx.history.table);
    const pending = pendingOf(status);
    if (pending.length) await ensureHistoryTable(ctx);
    const applied: RanMigration[] = [];
    for (const [index, m] of pending.entries()) {
      const started = Date.now();
      ctx.emit({ type: 'start', direction: 'up', migration: m.id, index, total: pending.length, mode: runMode(engine, m.up) });
      await runScript(ctx, m, m.up, 'up', upPlan(ctx, m), applied.map((a) => a.id));
      const durationMs = Date.now() - started;
      applied.push({ id: m.id, durationMs });
      ctx.emit({ type: 'done', direction: 'up', migration: m.id, durationMs });
    }
    return { dryRun: false, plan: pending.map((m) => planned(ctx, m, 'up')), applied, findings: status.findings };
  });
}

function upPlan(ctx: ExecContext, m: Migration): HistoryPlan {
  const { engine, history } = ctx;
  return {
    record: (tx, run) => history.recordApplied(tx, m, run),
    recordFailure: (startedAt, failure) => history.recordFailed(engine, m, startedAt, failure),
    isDone: async () => (await history.list()).some((e) => e.id === m.id && e.status === 'applied'),
    begin: () => history.start(engine, m, new Date()),
    end: (rowId, run) => history.finish(engine, rowId, run),
  };
}

function downPlan(ctx: ExecContext, entry: HistoryEntry): HistoryPlan {
  const { engine, history } = ctx;
  return {
    record: (tx) => history.rolledBack(tx, entry),
    isDone: async () => !(await history.list()).some((e) => e.id === entry.id && e.status === 'applied'),
    begin: async () => {
      await history.restart(engine, entry.rowId);
      return entry.rowId;
    },
    end: () => history.rolledBack(engine, entry),
  };
}

/**
 * The first migration of a database creates the history table. Like Prisma Migrate (P3005), refuse
 * to start a history on a database that already has tables: its migrations would collide with
 * them. Baseline instead by marking the migrations that are already in place as applied.
 */
async function ensureHistoryTable(ctx: ExecContext): Promise<void> {
  if (await ctx.history.exists()) return;
  const model = await ctx.engine.introspect();
  const tables = model.tables.filter((t) => !(HISTORY_TABLES as readonly string[]).includes(t.name));
  if (tables.length) {
    const names = tables.slice(0, 5).map((t) => t.name).join(', ');
    throw new UsageError(
      `The database is not empty (${tables.length} table(s): ${names}${tables.length > 5 ? ', …' : ''}) and has no migration history (${ctx.history.table}).`,
      'Baseline it: mark the migrations already reflected in the database as applied with `dbward migrate resolve --applied NAME`, then run `dbward migrate up`.',
    );
  }
  await ctx.history.create();
}

/** Revert the last applied migration, or every one after `to`, with their down scripts. */
export async function migrateDown(engine: Engine, source: MigrationSource, options: DownOptions = {}): Promise<DownResult> {
  const ctx = await open(engine, source, options);
  const targetsOf = (entries: HistoryEntry[]) => {
    const status = assess(source, entries, ctx.history.table);
    assertNotBlocked(status);
    return downTargets(source, entries, options.to, (m) => m.down !== null && statementCount(ctx.dialect, m.down) > 0);
  };
  if (options.dryRun) {
    const targets = targetsOf(await readHistory(ctx));
    return { dryRun: true, plan: targets.map((t) => planned(ctx, t.m, 'down')), reverted: [] };
  }
  return withLock(engine, options, async () => {
    const targets = targetsOf(await readHistory(ctx));
    const reverted: RanMigration[] = [];
    for (const [index, { m, entry }] of targets.entries()) {
      const started = Date.now();
      ctx.emit({ type: 'start', direction: 'down', migration: m.id, index, total: targets.length, mode: runMode(engine, m.down!) });
      await runScript(ctx, m, m.down!, 'down', downPlan(ctx, entry), reverted.map((r) => r.id));
      const durationMs = Date.now() - started;
      reverted.push({ id: m.id, durationMs });
      ctx.emit({ type: 'done', direction: 'down', migration: m.id, durationMs });
    }
    return { dryRun: false, plan: targets.map((t) => planned(ctx, t.m, 'down')), reverted };
  });
}

/** Applied migrations to revert, newest first. Refuses when any of them has no down script (or one without statements). */
function downTargets(
  source: MigrationSource,
  entries: HistoryEntry[],
  to: string | undefined,
  hasDown: (m: Migration) => boolean,
): { m: Migration; entry: HistoryEntry }[] {
  const compare = compareIds(source.layout);
  const applied = entries.filter((e) => e.status === 'applied').sort((a, b) => compare(a.id, b.id));
  let first = Math.max(0, applied.length - 1);
  if (to !== undefined) {
    const id = resolveId(source, to);
    const keep = applied.findIndex((e) => e.id === id);
    if (keep === -1) throw new UsageError(`${to} is not an applied migration.`, 'Give the name of an applied migration (see `dbward migrate status`).');
    first = keep + 1;
  }
  const targets = applied
    .slice(first)
    .reverse()
    .map((entry) => ({ entry, m: source.migrations.find((m) => m.id === entry.id) }));
  const without = targets.filter((t) => !t.m || !hasDown(t.m)).map((t) => (t.m ? t.entry.id : `${t.entry.id} (file missing)`));
  if (without.length) {
    throw new UsageError(
      `Cannot revert: no down script for ${without.join(', ')}. Nothing was changed.`,
      source.layout === 'prisma' ? 'Add a down.sql beside migration.sql (e.g. from `prisma migrate diff --script`).' : 'Add a down.sql to the migration folder (or a <version>_<name>.down.sql file).',
    );
  }
  return targets.map((t) => ({ entry: t.entry, m: t.m! }));
}

/** A migration named by the user: its id, or for the plain layout also `<version>_<name>`. */
function resolveId(source: MigrationSource, name: string): string {
  return source.migrations.find((m) => m.id === name || `${m.version}_${m.name}` === name)?.id ?? name;
}

/**
 * Settle a failed migration as Prisma's `migrate resolve` does: `rolledBack` marks its failed rows
 * rolled back (so `up` runs it again); `applied` records it as applied without running it (also
 * the way to baseline an existing database).
 */
export async function resolveMigration(
  engine: Engine,
  source: MigrationSource,
  target: { applied?: string; rolledBack?: string },
  options: Pick<RunOptions, 'lockWaitMs'> = {},
): Promise<ResolveResult> {
  if ((target.applied === undefined) === (target.rolledBack === undefined)) {
    throw new UsageError('Give exactly one of --applied NAME and --rolled-back NAME.');
  }
  const ctx = await open(engine, source);
  const id = resolveId(source, (target.applied ?? target.rolledBack)!);
  return withLock(engine, options, async () => {
    const entries = (await readHistory(ctx)).filter((e) => e.id === id);
    const failed = entries.filter((e) => e.status === 'failed');
    const isApplied = entries.some((e) => e.status === 'applied');
    if (target.rolledBack !== undefined) {
      if (!failed.length) {
        throw new UsageError(
          `${id} cannot be marked rolled back: it is not recorded as failed${isApplied ? ' (it is applied; `dbward migrate down` reverts it)' : ''}.`,
        );
      }
      for (const e of failed) await ctx.history.rolledBack(engine, e);
      return { migration: id, resolvedAs: 'rolled-back' as const };
    }
    const m = source.migrations.find((x) => x.id === id);
    if (!m) throw new UsageError(`There is no migration ${id} in ${source.dir}.`);
    if (isApplied) throw new UsageError(`${id} is already recorded as applied.`);
    if (!(await ctx.history.exists())) await ctx.history.create();
    for (const e of failed) await ctx.history.rolledBack(engine, e);
    await ctx.history.markApplied(engine, m);
    return { migration: id, resolvedAs: 'applied' as const };
  });
}
