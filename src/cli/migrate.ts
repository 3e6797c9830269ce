/** migrate status | up | down | new | resolve | lint | verify: parse, call src/migrate/, render. */
import type { Command } from 'commander';
import { takeSafetyBackup } from '../backup/safety.js';
import { backupSetup } from '../backup/setup.js';
import type { CommandContext } from '../core/context.js';
import { ExitCode, UsageError } from '../core/errors.js';
import { runOperation } from '../core/operation.js';
import type { Output } from '../core/output.js';
import { detectEngine } from '../core/url.js';
import type { Engine } from '../engines/engine.js';
import {
  detectDrift,
  migrateDown,
  migrateUp,
  migrationStatus,
  migrationsDir,
  newMigration,
  projectMigrations,
  resolveMigration,
  shadowDatabase,
  type MigrationEvent,
  type MigrationStatus,
} from '../migrate/index.js';
import { renderDiff } from '../schema/render-diff.js';
import { contextFor, globalsOf, outputFor, withEngine } from './shared.js';

type Run = (out: Output, fn: () => Promise<number>) => Promise<void>;

const scope = (ctx: CommandContext) => ({ auditLogPath: ctx.auditLogPath, target: ctx.target.redacted });

function progress(out: Output) {
  return (e: MigrationEvent) => {
    if (e.type === 'start') out.note(`${e.direction} ${e.migration} (${e.index + 1}/${e.total}, ${e.mode === 'transaction' ? 'in a transaction' : 'statement by statement'})`);
    if (e.type === 'retry') out.note(`connection lost, retrying ${e.migration} (attempt ${e.attempt}): ${e.reason}`);
  };
}

/** Backup before changing the schema: always in production, or when the config asks for it. */
async function backupFirst(ctx: CommandContext, engine: Engine, out: Output, why: string): Promise<string | null> {
  if (ctx.environment !== 'production' && !ctx.config.values.migrations?.backupBeforeUp) return null;
  out.note(`taking and verifying a backup before ${why}`);
  return takeSafetyBackup(engine, backupSetup(ctx), `pre-${why.replace(/[^a-z]+/g, '-')}-${Date.now().toString(36)}`);
}

export function renderStatus(status: MigrationStatus): string {
  const lines = [
    `${status.applied.length} applied, ${status.pending.length} pending, ${status.failed.length} failed (${status.layout} layout, history in ${status.table})`,
    ...status.applied.filter((a) => a.edited || a.missing).map((a) => `  ${a.missing ? 'MISSING' : 'EDITED '} ${a.id}`),
    ...status.failed.map((f) => `  FAILED  ${f.id}${f.error ? `: ${f.error.split('\n')[0]}` : ''}`),
    ...status.pending.map((p) => `  pending ${p.id}${p.outOfOrder ? ' (out of order: older than the latest applied)' : ''}`),
    ...status.findings.filter((f) => f.code === 'gap' || f.code === 'no-lock-file').map((f) => `  ${f.level}: ${f.message}`),
  ];
  if (status.upToDate) lines.push('up to date');
  return lines.join('\n');
}

export function registerMigrate(program: Command, run: Run): void {
  const migrate = program.command('migrate').description('migrations: plain SQL folders or Prisma\'s prisma/migrations layout');

  migrate
    .command('status')
    .description('applied, pending, failed, edited and missing migrations (exit 1 unless up to date)')
    .action(async (_o, command: Command) => {
      const out = outputFor(globalsOf(command));
      await run(out, async () => {
        const ctx = await contextFor(globalsOf(command), out);
        const source = projectMigrations(ctx.config, ctx.target.engine);
        const status = await withEngine(ctx, out, (engine) => migrationStatus(engine, source));
        out.result(status, () => renderStatus(status));
        return status.upToDate ? ExitCode.ok : ExitCode.failed;
      });
    });

  migrate
    .command('up')
    .description('apply pending migrations (a verified backup first in production or with migrations.backupBeforeUp)')
    .option('--dry-run', 'print the plan; change nothing')
    .action(async (opts: { dryRun?: boolean }, command: Command) => {
      const out = outputFor(globalsOf(command));
      await run(out, async () => {
        const ctx = await contextFor(globalsOf(command), out);
        const source = projectMigrations(ctx.config, ctx.target.engine);
        const result = await withEngine(ctx, out, async (engine) => {
          if (opts.dryRun) return { backup: null, ...(await migrateUp(engine, source, { dryRun: true })) };
          return runOperation(
            scope(ctx),
            'migrate.up',
            async () => {
              const pending = (await migrationStatus(engine, source)).pending.length;
              const backup = pending ? await backupFirst(ctx, engine, out, 'migrate up') : null;
              return { backup, ...(await migrateUp(engine, source, { onEvent: progress(out) })) };
            },
            (r) => ({ applied: r.applied.map((a) => a.id), backup: r.backup }),
          );
        });
        out.result(result, () =>
          result.dryRun
            ? result.plan.length
              ? ['would apply:', ...result.plan.map((p) => `  ${p.id} (${p.statements} statements, ${p.mode})`)].join('\n')
              : 'nothing to apply'
            : result.applied.length
              ? [`applied ${result.applied.length} migration(s):`, ...result.applied.map((a) => `  ${a.id} (${a.durationMs} ms)`), ...(result.backup ? [`backup taken first: ${result.backup}`] : [])].join('\n')
              : 'nothing to apply: up to date',
        );
        return ExitCode.ok;
      });
    });

  migrate
    .command('down')
    .description('revert the last migration (or every one after --to NAME) with its down script')
    .option('--to <name>', 'revert everything applied after this migration')
    .option('--dry-run', 'print the plan; change nothing')
    .action(async (opts: { to?: string; dryRun?: boolean }, command: Command) => {
      const out = outputFor(globalsOf(command));
      await run(out, async () => {
        const ctx = await contextFor(globalsOf(command), out);
        const source = projectMigrations(ctx.config, ctx.target.engine);
        const result = await withEngine(ctx, out, async (engine) => {
          if (opts.dryRun) return { backup: null, ...(await migrateDown(engine, source, { to: opts.to, dryRun: true })) };
          return runOperation(
            scope(ctx),
            'migrate.down',
            async () => {
              const backup = await backupFirst(ctx, engine, out, 'migrate down');
              return { backup, ...(await migrateDown(engine, source, { to: opts.to, onEvent: progress(out) })) };
            },
            (r) => ({ reverted: r.reverted.map((m) => m.id), backup: r.backup }),
          );
        });
        out.result(result, () =>
          result.dryRun
            ? ['would revert:', ...result.plan.map((p) => `  ${p.id}`)].join('\n')
            : [`reverted ${result.reverted.length} migration(s):`, ...result.reverted.map((m) => `  ${m.id}`)].join('\n'),
        );
        return ExitCode.ok;
      });
    });

  migrate
    .command('new')
    .description('create the file(s) for a new migration in the project\'s layout')
    .argument('<name>', 'lower-case words joined by _')
    .action(async (name: string, _o, command: Command) => {
      const globals = globalsOf(command);
      const out = outputFor(globals);
      await run(out, async () => {
        const { loadConfig } = await import('../core/config.js');
        const config = await loadConfig({ cwd: process.cwd(), configPath: globals.config });
        const url = globals.url ?? process.env.DATABASE_URL;
        const created = newMigration(
          { dir: migrationsDir(config), ...(config.values.migrations?.layout ? { layout: config.values.migrations.layout } : {}) },
          name,
          url ? { engine: detectEngine(url) } : {},
        );
        out.result(created, () => [`created ${created.id}:`, ...created.files.map((f) => `  ${f}`)].join('\n'));
        return ExitCode.ok;
      });
    });

  migrate
    .command('resolve')
    .description('after a failed migration: mark it --applied (you fixed it by hand) or --rolled-back (you undid it)')
    .option('--applied <name>', 'record the migration as applied')
    .option('--rolled-back <name>', 'record the failed migration as rolled back')
    .action(async (opts: { applied?: string; rolledBack?: string }, command: Command) => {
      const out = outputFor(globalsOf(command));
      await run(out, async () => {
        if (Boolean(opts.applied) === Boolean(opts.rolledBack)) throw new UsageError('Give exactly one of --applied NAME or --rolled-back NAME.');
        const ctx = await contextFor(globalsOf(command), out);
        const source = projectMigrations(ctx.config, ctx.target.engine);
        const result = await withEngine(ctx, out, (engine) =>
          runOperation(scope(ctx), 'migrate.resolve', () => resolveMigration(engine, source, { applied: opts.applied, rolledBack: opts.rolledBack }), (r) => ({ ...r })),
        );
        out.result(result, () => `${result.migration} recorded as ${result.resolvedAs}`);
        return ExitCode.ok;
      });
    });

  migrate
    .command('lint')
    .description('find unsafe statements in migrations with a real SQL parser (exit 1 on errors)')
    .argument('[files...]', 'migration files or folders (default: the project\'s migrations)')
    .option('--dialect <dialect>', 'postgres | mysql | sqlite (default: from the database URL)')
    .option('--server-version <major>', 'the PostgreSQL server major version the migrations target')
    .action(async (files: string[], opts: { dialect?: string; serverVersion?: string }, command: Command) => {
      const globals = globalsOf(command);
      const out = outputFor(globals);
      await run(out, async () => {
        const { loadConfig } = await import('../core/config.js');
        const { lintFiles, hasErrors, formatFinding } = await import('../migrate/lint/lint.js');
        const url = globals.url ?? process.env.DATABASE_URL;
        const dialect = opts.dialect ?? (url ? detectEngine(url) : undefined);
        if (dialect !== 'postgres' && dialect !== 'mysql' && dialect !== 'sqlite') {
          throw new UsageError(`Unknown or missing dialect${dialect ? ` "${dialect}"` : ''}.`, 'Pass --dialect postgres|mysql|sqlite, or set DATABASE_URL.');
        }
        const serverVersion = opts.serverVersion === undefined ? undefined : Number(opts.serverVersion);
        if (serverVersion !== undefined && !Number.isInteger(serverVersion)) throw new UsageError('--server-version must be a major version number, e.g. 15.');
        const config = await loadConfig({ cwd: process.cwd(), configPath: globals.config });
        const findings = lintFiles(files.length ? files : [migrationsDir(config)], dialect, serverVersion === undefined ? {} : { serverVersion });
        out.result(findings, () => (findings.length ? findings.map(formatFinding).join('\n\n') : 'no findings'));
        return hasErrors(findings) ? ExitCode.failed : ExitCode.ok;
      });
    });

  migrate
    .command('verify')
    .description('drift: compare the live schema with a scratch database built from the migrations (exit 1 on drift)')
    .action(async (_o, command: Command) => {
      const out = outputFor(globalsOf(command));
      await run(out, async () => {
        const ctx = await contextFor(globalsOf(command), out);
        const source = projectMigrations(ctx.config, ctx.target.engine);
        const report = await withEngine(ctx, out, (engine) =>
          runOperation(scope(ctx), 'migrate.verify', () => detectDrift(engine, source, { shadow: shadowDatabase(ctx.config, process.env) }), (r) => ({ inSync: r.inSync, differences: r.differences.length })),
        );
        out.result(report, () => (report.inSync ? `no drift: the live schema is what the ${report.migrationsApplied} migrations produce` : `DRIFT: the live schema differs from the migrations\n${renderDiff(report.differences)}`));
        return report.inSync ? ExitCode.ok : ExitCode.failed;
      });
    });
}
