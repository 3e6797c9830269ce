/**
 * applySeed: check the environment variables (admin), compile the seed against the live schema
 * (every problem at once, nothing written), then — holding the engine's "seed" lock — apply every
 * row in foreign-key order inside one transaction. A second run with the same seed reports
 * "Nothing to change". A dry run reads the same way and writes nothing.
 */
import { UsageError } from '../core/errors.js';
import type { Engine } from '../engines/engine.js';
import { applyAdmin, resolveAdminCredentials, type AdminCredentials, type AdminOutcome, type AdminReport } from './admin.js';
import { seedDialectFor } from './dialect.js';
import { checkSingleAdmin, type SeedDocument } from './load.js';
import { adminApplies, appliesIn, compileSeed, keyLabel, tableId, tableLabel, type SeedPlan } from './plan.js';
import { countOutcome, emptyTableReport, summarize, totalsOf, type SeedReport, type TableReport } from './report.js';
import { SeedRunner } from './rows.js';
import { parseSeedFile, SEED_ENVIRONMENTS, type SeedEnvironment, type SeedFile } from './schema.js';
import type { SchemaModel } from '../schema/model.js';

export interface ApplySeedOptions {
  /** Which environment this is (config `environment`, else NODE_ENV): decides which blocks apply. */
  environment: SeedEnvironment;
  /** Where ADMIN_BOOTSTRAP_* are read. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Values from .env; the environment wins. */
  dotenv?: Record<string, string>;
  /** Report what would change; write nothing. */
  dryRun?: boolean;
  /** Replace an existing admin's password hash when it does not verify ADMIN_BOOTSTRAP_PASSWORD. */
  resetAdminPassword?: boolean;
  /** How long to wait for another seed run on the same database. Default 30 s. */
  lockWaitMs?: number;
}

/** A seed: one validated file's content, one loaded document, or several (see loadSeed). */
export type SeedInput = SeedFile | SeedDocument | readonly SeedDocument[];

function toDocuments(seed: SeedInput): SeedDocument[] {
  const list: SeedDocument[] = Array.isArray(seed)
    ? [...(seed as readonly SeedDocument[])]
    : 'source' in (seed as object) && 'seed' in (seed as object)
      ? [seed as SeedDocument]
      : [{ source: '(seed)', seed: seed as SeedFile }];
  // Validate again: library callers may build documents by hand.
  const docs = list.map((d) => ({ source: d.source, seed: parseSeedFile(d.seed, d.source) }));
  checkSingleAdmin(docs);
  return docs;
}

function adminCredentials(docs: SeedDocument[], options: ApplySeedOptions): AdminCredentials | null {
  if (!adminApplies(docs, options.environment)) return null;
  const admin = docs.find((d) => d.seed.admin)!.seed.admin!;
  return resolveAdminCredentials({ sources: { env: options.env ?? process.env, dotenv: options.dotenv ?? {} }, hash: admin.hash });
}

interface Execution {
  tables: TableReport[];
  admin: AdminReport | null;
}

async function execute(runner: SeedRunner, plan: SeedPlan, model: SchemaModel, credentials: AdminCredentials | null, options: ApplySeedOptions): Promise<Execution> {
  const tables: TableReport[] = [];
  let admin: AdminOutcome | null = null;
  for (const id of plan.order) {
    const table = plan.tables.get(id)!;
    const label = tableLabel(model, table);
    const report = emptyTableReport(label);
    tables.push(report);
    for (const block of plan.blocks.filter((b) => tableId(b.table) === id)) {
      for (const row of block.rows) {
        const key = keyLabel(block.key, row);
        const values = await runner.resolveValues(row);
        countOutcome(report, await runner.upsert(table, block.key, values, { updateExisting: block.updateExisting, what: `"${label}" (${key})` }), key);
      }
    }
    if (plan.admin && credentials && tableId(plan.admin.table) === id) {
      admin = await applyAdmin(runner, plan.admin, credentials, { resetPassword: options.resetAdminPassword ?? false, tableLabel: label });
      countOutcome(report, { action: admin.report.action, columns: admin.report.columns }, `${plan.admin.emailColumn.name}=${credentials.email}`);
    }
    for (const link of plan.admin?.links.filter((l) => tableId(l.table) === id) ?? []) {
      if (!admin || !credentials) continue;
      const values = new Map<string, unknown>([[link.userColumn.name, admin.idFor(link.adminColumn.name)], ...(await runner.resolveValues(link.values))]);
      const key = link.key
        .map((k) => (k === link.userColumn.name ? `${k}=admin(${credentials.email})` : keyLabel([k], link.values)))
        .join(', ');
      countOutcome(report, await runner.upsert(link.table, link.key, values, { updateExisting: true, what: `"${label}" (${key})` }), key);
    }
  }
  return { tables, admin: admin?.report ?? null };
}

function mergeSkipped(tables: TableReport[], skipped: Map<string, number>): void {
  for (const [label, count] of skipped) {
    let report = tables.find((t) => t.table === label);
    if (!report) tables.push((report = emptyTableReport(label)));
    report.skipped += count;
  }
}

function notesFor(docs: SeedDocument[], environment: SeedEnvironment, credentials: AdminCredentials | null): string[] {
  const notes: string[] = [];
  for (const d of docs) {
    if (!appliesIn(d.seed.environments, environment)) notes.push(`${d.source}: skipped in ${environment} (only for ${d.seed.environments!.join(', ')})`);
  }
  const admin = docs.find((d) => d.seed.admin);
  if (admin && !credentials) {
    notes.push(`admin: skipped in ${environment} (only for ${(admin.seed.admin!.environments ?? admin.seed.environments ?? []).join(', ')})`);
  }
  return notes;
}

/** Apply a seed to the database. Throws ConfigError (exit 2) for seed/schema/environment problems, with nothing written. */
export async function applySeed(engine: Engine, seed: SeedInput, options: ApplySeedOptions): Promise<SeedReport> {
  if (!SEED_ENVIRONMENTS.includes(options.environment)) {
    throw new UsageError(`Unknown environment "${String(options.environment)}"`, `Use one of: ${SEED_ENVIRONMENTS.join(', ')}.`);
  }
  const dryRun = options.dryRun ?? false;
  const docs = toDocuments(seed);
  const credentials = adminCredentials(docs, options);
  const model = await engine.introspect();
  const plan = compileSeed(docs, model, options.environment);

  const lock = await engine.lock('seed', { waitMs: options.lockWaitMs ?? 30_000 });
  let result: Execution;
  try {
    result = await engine.transaction((tx) => {
      const runner = new SeedRunner(tx, seedDialectFor(engine.name), dryRun, (t) => tableLabel(model, t));
      return execute(runner, plan, model, credentials, options);
    });
  } finally {
    await lock.release();
  }

  mergeSkipped(result.tables, plan.skipped);
  const totals = totalsOf(result.tables);
  const warnings = [...plan.warnings];
  if (result.admin?.passwordStatus === 'kept') {
    warnings.push(
      `The admin ${result.admin.email} already exists and its stored password does not match ADMIN_BOOTSTRAP_PASSWORD; it was kept. Use resetAdminPassword (--reset-admin-password) to replace it.`,
    );
  }
  return {
    environment: options.environment,
    dryRun,
    files: docs.map((d) => ({ source: d.source, applied: appliesIn(d.seed.environments, options.environment) })),
    tables: result.tables,
    admin: result.admin,
    totals,
    changed: totals.inserted + totals.updated > 0,
    notes: notesFor(docs, options.environment, credentials),
    warnings,
    summary: summarize(totals, { dryRun, environment: options.environment }),
  };
}
