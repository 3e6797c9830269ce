/**
 * init: the one-shot, idempotent bootstrap. detect the engine → validate the environment → secure the
 * database directory (SQLite) → connect with retry → apply pending migrations → seed → harden (SQLite
 * file modes) → verify (nothing pending, no drift) → summary. Each step reports its status and duration;
 * a failing step stops the run and leaves what was done intact (every step is itself atomic).
 */
import fs from 'node:fs';
import path from 'node:path';
import { takeSafetyBackup } from '../backup/safety.js';
import { backupSetup } from '../backup/setup.js';
import type { CommandContext } from '../core/context.js';
import { DbwardError, errorMessage } from '../core/errors.js';
import { DIR_MODE, FILE_MODE, formatMode, modeOf } from '../core/fsx.js';
import { describeTarget } from '../core/url.js';
import type { Engine } from '../engines/engine.js';
import { connect, type ConnectOptions } from '../engines/index.js';
import { detectDrift, migrateUp, migrationStatus, projectMigrations, shadowDatabase } from '../migrate/index.js';
import { applySeed, type SeedDocument } from '../seed/index.js';

export type StepStatus = 'done' | 'unchanged' | 'skipped' | 'planned' | 'failed';

export interface InitStep {
  id: 'detect' | 'environment' | 'directory' | 'connect' | 'migrate' | 'seed' | 'harden' | 'verify';
  status: StepStatus;
  detail: string;
  durationMs: number;
}

export interface InitReport {
  ok: boolean;
  dryRun: boolean;
  /** True when this run changed anything (a second run reports false). */
  changed: boolean;
  steps: InitStep[];
  summary: string;
}

export interface InitOptions {
  dryRun?: boolean;
  /** Seed documents already loaded (and their env requirements already checked by the context). */
  seed: SeedDocument[] | null;
  env: NodeJS.ProcessEnv;
  dotenv: Record<string, string>;
  connect: ConnectOptions;
  onStep?: (step: InitStep) => void;
}

class StepFailed extends Error {}

export async function runInit(ctx: CommandContext, options: InitOptions): Promise<InitReport> {
  const dryRun = options.dryRun ?? false;
  const steps: InitStep[] = [];
  const step = async (id: InitStep['id'], fn: () => Promise<[StepStatus, string]>): Promise<void> => {
    const started = Date.now();
    let result: InitStep;
    try {
      const [status, detail] = await fn();
      result = { id, status, detail, durationMs: Date.now() - started };
    } catch (err) {
      result = { id, status: 'failed', detail: errorMessage(err) + (err instanceof DbwardError && err.hint ? ` (${err.hint})` : ''), durationMs: Date.now() - started };
      steps.push(result);
      options.onStep?.(result);
      throw new StepFailed();
    }
    steps.push(result);
    options.onStep?.(result);
  };

  const target = ctx.target;
  const sqliteFile = target.engine === 'sqlite' && target.path !== ':memory:' ? target.path : null;
  const exists = sqliteFile === null || fs.existsSync(sqliteFile);
  const held: { engine: Engine | null } = { engine: null };
  try {
    await step('detect', async () => ['done', describeTarget(target)]);
    await step('environment', async () => ['done', `${ctx.environment}; DATABASE_URL from ${ctx.urlSource}${options.seed ? '; seed variables present' : ''}`]);
    await step('directory', async () => {
      if (!sqliteFile) return ['skipped', 'server database'];
      const dir = path.dirname(sqliteFile);
      if (fs.existsSync(dir)) return ['unchanged', `${dir} exists`];
      if (dryRun) return ['planned', `would create ${dir} (0750)`];
      fs.mkdirSync(dir, { recursive: true, mode: DIR_MODE });
      return ['done', `created ${dir} (0750)`];
    });
    if (dryRun && !exists) {
      const source = projectMigrations(ctx.config, target.engine);
      await step('connect', async () => ['planned', `would create ${sqliteFile} (0640)`]);
      await step('migrate', async () => ['planned', `would apply ${source.migrations.length} migration(s)`]);
      await step('seed', async () => (options.seed ? ['planned', 'would seed'] : ['skipped', 'no seed file configured']));
      await step('harden', async () => ['planned', 'would set the database file to 0640']);
      await step('verify', async () => ['planned', 'would check that nothing is pending and nothing drifted']);
    } else {
      await step('connect', async () => {
        if (sqliteFile && !exists) fs.closeSync(fs.openSync(sqliteFile, 'wx', FILE_MODE));
        held.engine = await connect(target, options.connect);
        const v = await held.engine.serverVersion();
        return [sqliteFile && !exists ? 'done' : 'unchanged', `${sqliteFile && !exists ? 'created and ' : ''}connected: ${v.product} ${v.full}`];
      });
      const db = held.engine!;
      const source = projectMigrations(ctx.config, target.engine);
      let pending = 0;
      await step('migrate', async () => {
        const status = await migrationStatus(db, source);
        pending = status.pending.length;
        if (!status.pending.length && !status.failed.length) return ['unchanged', `${status.applied.length} applied, nothing pending`];
        if (dryRun) return ['planned', `would apply ${status.pending.length} migration(s): ${status.pending.map((p) => p.id).join(', ')}`];
        const backup = ctx.environment === 'production' || ctx.config.values.migrations?.backupBeforeUp
          ? await takeSafetyBackup(db, backupSetup(ctx), `pre-init-${Date.now().toString(36)}`)
          : null;
        const up = await migrateUp(db, source);
        return ['done', `applied ${up.applied.length}: ${up.applied.map((a) => a.id).join(', ')}${backup ? ` (backup ${backup} first)` : ''}`];
      });
      await step('seed', async () => {
        if (!options.seed) return ['skipped', 'no seed file configured (seed.file)'];
        // A dry run cannot seed tables that the pending migrations have not created yet.
        if (dryRun && pending) return ['planned', 'would seed after the migrations'];
        const report = await applySeed(db, options.seed, { environment: ctx.environment, env: options.env, dotenv: options.dotenv, dryRun });
        return [report.changed ? (dryRun ? 'planned' : 'done') : 'unchanged', report.summary];
      });
      await step('harden', async () => harden(sqliteFile, dryRun));
      await step('verify', async () => {
        if (dryRun) return ['planned', 'would check that nothing is pending and nothing drifted'];
        const status = await migrationStatus(db, source);
        if (!status.upToDate) throw new DbwardError('INIT_VERIFY', `migrations not up to date: ${status.pending.length} pending, ${status.failed.length} failed`);
        const drift = await detectDrift(db, source, { shadow: shadowDatabase(ctx.config, options.env) });
        if (!drift.inSync) throw new DbwardError('INIT_VERIFY', `the schema drifted from the migrations: ${drift.differences.length} difference(s); run dbward migrate verify`);
        return ['done', `up to date, no drift (fingerprint ${drift.actualFingerprint.slice(0, 12)}…)`];
      });
    }
  } catch (err) {
    if (!(err instanceof StepFailed)) throw err;
  } finally {
    await held.engine?.close();
  }

  const failed = steps.find((s) => s.status === 'failed');
  const changed = steps.some((s) => s.status === 'done' && s.id !== 'detect' && s.id !== 'environment' && s.id !== 'verify');
  const summary = failed
    ? `init stopped at step "${failed.id}": ${failed.detail}`
    : dryRun
      ? `dry run: ${steps.filter((s) => s.status === 'planned').length} step(s) would change something`
      : changed
        ? 'initialized: the database is migrated, seeded, hardened and verified'
        : 'nothing to do: the database was already initialized';
  return { ok: !failed, dryRun, changed, steps, summary };
}

/** SQLite: the database file and its -wal/-shm 0640, the directory 0750. */
function harden(file: string | null, dryRun: boolean): Promise<[StepStatus, string]> {
  if (!file) return Promise.resolve(['skipped', 'server database: roles, TLS and RLS are checked by later commands']);
  const changes: string[] = [];
  const paths: [string, number][] = [[path.dirname(file), DIR_MODE], ...['', '-wal', '-shm'].map((s): [string, number] => [`${file}${s}`, FILE_MODE])];
  for (const [p, wanted] of paths) {
    const mode = modeOf(p);
    if (mode === null || (mode & ~wanted) === 0) continue;
    changes.push(`${p} ${formatMode(mode)} → ${formatMode(mode & wanted)}`);
    if (!dryRun) fs.chmodSync(p, mode & wanted);
  }
  if (!changes.length) return Promise.resolve(['unchanged', 'file 0640 or narrower, directory 0750 or narrower']);
  return Promise.resolve([dryRun ? 'planned' : 'done', changes.join('; ')]);
}
