import type { Command } from 'commander';
import { runInit, type InitReport, type InitStep } from '../bootstrap/init.js';
import { loadConfig, readDotenv } from '../core/config.js';
import { environmentOf } from '../core/context.js';
import { ExitCode } from '../core/errors.js';
import { runOperation } from '../core/operation.js';
import type { Output } from '../core/output.js';
import { adminApplies, adminEnvRequirements, loadSeed } from '../seed/index.js';
import { connectOptionsFor, contextFor, globalsOf, outputFor } from './shared.js';

type Run = (out: Output, fn: () => Promise<number>) => Promise<void>;

const MARK: Record<InitStep['status'], string> = { done: 'done     ', unchanged: 'unchanged', skipped: 'skipped  ', planned: 'would do ', failed: 'FAILED   ' };

export function registerInit(program: Command, run: Run): void {
  program
    .command('init')
    .description('bootstrap: detect → validate env → secure dir → connect → migrate → seed → harden → verify (idempotent)')
    .option('--dry-run', 'show what would happen; change nothing')
    .action(async (opts: { dryRun?: boolean }, command: Command) => {
      const globals = globalsOf(command);
      const out = outputFor(globals);
      await run(out, async () => {
        // The seed decides which variables are needed, so it is loaded before the environment is checked (all at once).
        const config = await loadConfig({ cwd: process.cwd(), configPath: globals.config });
        const seedFile = config.values.seed?.file;
        const seed = seedFile ? await loadSeed([seedFile], { cwd: config.root }) : null;
        const environment = environmentOf(config, process.env);
        const dotenv = readDotenv(process.cwd());
        const adminVars = seed && adminApplies(seed, environment) ? adminEnvRequirements({ sources: { env: process.env, dotenv } }) : [];
        const ctx = await contextFor(globals, out, adminVars);
        const report = await runOperation(
          { auditLogPath: ctx.auditLogPath, target: ctx.target.redacted },
          opts.dryRun ? 'init.dry-run' : 'init',
          () =>
            runInit(ctx, {
              dryRun: opts.dryRun,
              seed,
              env: process.env,
              dotenv,
              connect: connectOptionsFor(ctx, out),
            }),
          (r) => ({ ok: r.ok, changed: r.changed, steps: r.steps.map((s) => `${s.id}:${s.status}`) }),
        );
        out.result(report, () => renderInit(report));
        return report.ok ? ExitCode.ok : ExitCode.failed;
      });
    });
}

function renderInit(report: InitReport): string {
  return [...report.steps.map((s) => `${MARK[s.status]} ${s.id.padEnd(11)} ${s.detail}  (${s.durationMs} ms)`), '', report.summary].join('\n');
}
