/**
 * exec, approve, plans, guard: parse, call src/guard/, render. The SQL parsers (libpg-query's
 * WebAssembly, node-sql-parser) are imported only when a command needs them, so that every other
 * command starts without them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { backupSetup } from '../backup/setup.js';
import { loadConfig } from '../core/config.js';
import { environmentOf, type CommandContext } from '../core/context.js';
import { ExitCode, UsageError } from '../core/errors.js';
import type { Output } from '../core/output.js';
import type { Engine } from '../engines/engine.js';
import type { GateDeps, GateOutcome } from '../guard/gate.js';
import { approvePlan } from '../guard/approve.js';
import { PlanStore, runCommandFor } from '../guard/plans.js';
import { guardPolicy } from '../guard/policy.js';
import { renderNotice, renderPlans, renderResults } from './render-guard.js';
import { connect } from '../engines/index.js';
import { connectOptionsFor, contextFor, globalsOf, outputFor, withEngine } from './shared.js';

type Run = (out: Output, fn: () => Promise<number>) => Promise<void>;

const interactive = (out: Output) => Boolean(process.stdin.isTTY && process.stderr.isTTY) && !out.json;

async function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

function gateDeps(ctx: CommandContext, engine: Engine, out: Output, planId: string | undefined): GateDeps {
  const policy = guardPolicy(ctx.config.values.guard, ctx.environment);
  return {
    engine,
    target: ctx.target,
    setup: backupSetup(ctx),
    policy,
    store: new PlanStore(path.resolve(ctx.config.root, policy.plansDir)),
    auditLogPath: ctx.auditLogPath,
    env: process.env,
    interactive: interactive(out),
    askTypedName: async (notice, plan) => {
      out.note(renderNotice(notice, plan, out.paint));
      return ask(`Type the database name (${plan.database}) to approve, anything else to cancel: `);
    },
    planId,
    onStep: (step) => out.note(`guard: ${step}`),
  };
}

/** Renders a gate outcome that did not run; returns the exit code. */
function renderStopped(out: Output, outcome: Exclude<GateOutcome<unknown>, { status: 'done' }>): number {
  if (outcome.status === 'declined') {
    out.result({ status: 'declined', plan: outcome.plan.id, notice: outcome.notice }, () => `not approved: the typed name did not match; nothing was run (plan ${outcome.plan.id} stays pending; \`dbward approve ${outcome.plan.id}\` can still approve it)`);
    return ExitCode.refused;
  }
  out.result({ status: outcome.status, plan: outcome.plan.id, expiresAt: outcome.plan.expiresAt, why: outcome.why, approveCommand: outcome.approveCommand, runCommand: outcome.runCommand, notice: outcome.notice }, () =>
    [
      renderNotice(outcome.notice, outcome.plan, out.paint),
      '',
      `REFUSED: approval needed; ${outcome.why}, so only a human can approve this, out of band. Nothing was run.`,
      `Ask a human to run in their own terminal:  ${outcome.approveCommand}`,
      `then run:                                   ${outcome.runCommand}`,
    ].join('\n'),
  );
  return ExitCode.refused;
}

/** The plan store of the config in effect (approve and plans work without a database connection). */
async function planStoreOf(command: Command) {
  const config = await loadConfig({ cwd: process.cwd(), configPath: globalsOf(command).config });
  const policy = guardPolicy(config.values.guard, environmentOf(config, process.env));
  return { config, policy, store: new PlanStore(path.resolve(config.root, policy.plansDir)) };
}

function readSql(sql: string | undefined, file: string | undefined, plan: string | undefined): string {
  if (sql !== undefined && file !== undefined) throw new UsageError('Give SQL as an argument or with -f FILE, not both.');
  if (file !== undefined) {
    try {
      return fs.readFileSync(file === '-' ? 0 : file, 'utf8');
    } catch (err) {
      throw new UsageError(`Cannot read ${file}: ${(err as Error).message}`);
    }
  }
  if (sql !== undefined) return sql;
  // With --plan the plan holds the SQL; otherwise read a script piped in.
  if (plan === undefined && !process.stdin.isTTY) return fs.readFileSync(0, 'utf8');
  return '';
}

export function registerGuard(program: Command, run: Run): void {
  program
    .command('exec')
    .description('run SQL through the safety gate: reads at once, bounded writes after a dry run, destructive statements only with approval and a verified backup')
    .argument('[sql]', 'the SQL (or -f FILE, or stdin)')
    .option('-f, --file <file>', 'read the SQL from this file (- for stdin)')
    .option('--plan <id>', 'run this approved plan (its SQL, or exactly the same SQL given again)')
    .action(async (sql: string | undefined, opts: { file?: string; plan?: string }, command: Command) => {
      const out = outputFor(globalsOf(command));
      await run(out, async () => {
        const text = readSql(sql, opts.file, opts.plan);
        if (!text.trim() && !opts.plan) throw new UsageError('No SQL to run.', 'Pass SQL as an argument, with -f FILE, or on stdin.');
        const ctx = await contextFor(globalsOf(command), out);
        const { execSql } = await import('../guard/exec.js');
        const outcome = await withEngine(ctx, out, (engine) => execSql(gateDeps(ctx, engine, out, opts.plan), text));
        if (outcome.status !== 'done') return renderStopped(out, outcome);
        const results = 'result' in outcome ? outcome.result : outcome.results;
        const json = 'result' in outcome ? { status: 'done', class: 'destructive', plan: outcome.plan?.id ?? null, approval: outcome.approval, backup: outcome.backup, notice: outcome.notice, results } : { status: 'done', class: outcome.class, assessment: outcome.assessment, results };
        out.result(json, () => [...('result' in outcome ? [`ran with plan ${outcome.plan?.id}, after verified backup ${outcome.backup}`] : []), renderResults(results)].join('\n'));
        return ExitCode.ok;
      });
    });

  program
    .command('approve')
    .description('approve a plan of the safety gate as a human at a terminal (shows the plan; type the database name)')
    .argument('<plan>', 'the plan id from the notice (plan-…)')
    .action(async (id: string, _opts, command: Command) => {
      const out = outputFor(globalsOf(command));
      await run(out, async () => {
        const { config, policy, store } = await planStoreOf(command);
        const approved = await approvePlan(
          {
            store,
            policy,
            auditLogPath: path.resolve(config.root, config.values.auditLog ?? '.dbward/audit.log'),
            env: process.env,
            interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY),
            askTypedName: async (notice, plan) => {
              out.note(renderNotice(notice, plan, out.paint));
              return ask(`Type the database name (${plan.database}) to approve plan ${plan.id}: `);
            },
          },
          id,
        );
        const runCommand = runCommandFor(approved);
        out.result({ plan: approved.id, status: approved.status, approval: approved.approval, expiresAt: approved.expiresAt, runCommand }, () => `approved ${approved.id} (until ${approved.expiresAt}); it runs once with: ${runCommand}`);
        return ExitCode.ok;
      });
    });

  program
    .command('plans')
    .description('list the safety gate plans: pending, approved and used')
    .action(async (_opts, command: Command) => {
      const out = outputFor(globalsOf(command));
      await run(out, async () => {
        const plans = (await planStoreOf(command)).store.list();
        out.result(plans.map((p) => ({ id: p.id, status: p.status, createdAt: p.createdAt, expiresAt: p.expiresAt, database: p.database, target: p.target, risk: p.assessment.risk, rowsAtRisk: p.assessment.rowsAtRisk, action: p.action.kind, approval: p.approval })), () => renderPlans(plans));
        return ExitCode.ok;
      });
    });

  program
    .command('guard')
    .description('run a command, stopping known destructive invocations (prisma migrate reset, dropdb, psql -c "DROP …", …) for assessment, approval and a verified backup')
    .option('--plan <id>', 'run this approved plan (the same command line)')
    .argument('<command...>', 'the command and its arguments, after -- (dbward guard -- prisma migrate reset)')
    .action(async (argv: string[], opts: { plan?: string }, command: Command) => {
      const out = outputFor(globalsOf(command));
      await run(out, async () => {
        const { guardCommand } = await import('../guard/guard-command.js');
        const { exitLikeChild } = await import('../guard/command/passthrough.js');
        const outcome = await guardCommand(argv, {
          cwd: process.cwd(),
          env: process.env,
          planId: opts.plan,
          open: async () => {
            const ctx = await contextFor(globalsOf(command), out);
            const engine = await connect(ctx.target, connectOptionsFor(ctx, out));
            return { deps: gateDeps(ctx, engine, out, opts.plan), close: () => engine.close() };
          },
        });
        if (outcome.status !== 'done') return renderStopped(out, outcome);
        return exitLikeChild(outcome.result);
      });
    });
}

