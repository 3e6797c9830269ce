import type { Command } from 'commander';
import { readDotenv } from '../core/config.js';
import { ExitCode, UsageError } from '../core/errors.js';
import { runOperation } from '../core/operation.js';
import type { Output } from '../core/output.js';
import { applySeed, loadSeed, type SeedReport } from '../seed/index.js';
import { contextFor, globalsOf, outputFor, withEngine } from './shared.js';

type Run = (out: Output, fn: () => Promise<number>) => Promise<void>;

export function registerSeed(program: Command, run: Run): void {
  program
    .command('seed')
    .description('apply the seed file(s) idempotently: insert or update by natural key, in FK order, in one transaction')
    .argument('[files...]', 'seed files or folders (default: seed.file in the config)')
    .option('--dry-run', 'report what would change; write nothing')
    .option('--reset-admin-password', "replace an existing admin's password hash when it does not match ADMIN_BOOTSTRAP_PASSWORD")
    .action(async (files: string[], opts: { dryRun?: boolean; resetAdminPassword?: boolean }, command: Command) => {
      const out = outputFor(globalsOf(command));
      await run(out, async () => {
        const ctx = await contextFor(globalsOf(command), out);
        const sources = files.length ? files : ctx.config.values.seed?.file ? [ctx.config.values.seed.file] : [];
        if (!sources.length) throw new UsageError('No seed file given.', 'Pass one (dbward seed seed.yaml) or set seed.file in the config.');
        const docs = await loadSeed(sources, { cwd: files.length ? ctx.cwd : ctx.config.root });
        const report = await runOperation(
          { auditLogPath: ctx.auditLogPath, target: ctx.target.redacted },
          opts.dryRun ? 'seed.dry-run' : 'seed',
          () =>
            withEngine(ctx, out, (engine) =>
              applySeed(engine, docs, {
                environment: ctx.environment,
                env: process.env,
                dotenv: readDotenv(ctx.cwd),
                dryRun: opts.dryRun,
                resetAdminPassword: opts.resetAdminPassword,
              }),
            ),
          (r) => ({ changed: r.changed, totals: r.totals, dryRun: r.dryRun }),
        );
        out.result(report, () => renderSeed(report));
        return ExitCode.ok;
      });
    });
}

export function renderSeed(report: SeedReport): string {
  const lines = [report.summary];
  for (const t of report.tables) {
    if (t.inserted || t.updated || t.skipped) lines.push(`  ${t.table}: ${t.inserted} inserted, ${t.updated} updated, ${t.unchanged} unchanged${t.skipped ? `, ${t.skipped} skipped` : ''}`);
  }
  if (report.admin) lines.push(`  admin ${report.admin.email}: ${report.admin.action} (password ${report.admin.passwordStatus})`);
  for (const w of report.warnings) lines.push(`warning: ${w}`);
  for (const n of report.notes) lines.push(`note: ${n}`);
  return lines.join('\n');
}
