import type { Command } from 'commander';
import { readAuditLog, verifyAuditLog } from '../core/audit.js';
import { auditLogPathFor } from '../core/context.js';
import { ExitCode, UsageError } from '../core/errors.js';
import type { Output } from '../core/output.js';
import { globalsOf, outputFor } from './shared.js';

export function registerLog(program: Command, run: (out: Output, fn: () => Promise<number>) => Promise<void>): void {
  const log = program.command('log').description("dbward's own audit log of operations (hash-chained JSON lines)");

  log
    .command('show', { isDefault: true })
    .description('show the latest entries')
    .option('-n, --limit <count>', 'how many entries', '20')
    .action(async (opts: { limit: string }, command: Command) => {
      const globals = globalsOf(command);
      const out = outputFor(globals);
      await run(out, async () => {
        const limit = parseLimit(opts.limit);
        const file = await auditLogPathFor({ cwd: process.cwd(), configPath: globals.config });
        const entries = readAuditLog(file).slice(-limit);
        out.result({ file, entries }, () =>
          entries.length
            ? entries.map((e) => `${e.seq}  ${e.time}  ${e.operation.padEnd(10)} ${e.outcome.padEnd(7)} ${e.target ?? ''}  ${e.actor.user}@${e.actor.host}`).join('\n')
            : `no entries in ${file}`,
        );
        return 0;
      });
    });

  log
    .command('verify')
    .description('check the hash chain: edited, removed, inserted or reordered entries are reported (exit 4)')
    .action(async (_opts, command: Command) => {
      const globals = globalsOf(command);
      const out = outputFor(globals);
      await run(out, async () => {
        const file = await auditLogPathFor({ cwd: process.cwd(), configPath: globals.config });
        const result = verifyAuditLog(file);
        out.result({ file, ...result }, () =>
          result.ok
            ? `${file}: ${result.entries} entries, chain intact`
            : [`${out.paint.red('TAMPERED')} ${file}:`, ...result.problems.map((p) => `  ${p.line ? `line ${p.line}: ` : ''}${p.problem}`)].join('\n'),
        );
        return result.ok ? ExitCode.ok : ExitCode.verification;
      });
    });
}

function parseLimit(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--limit must be a positive whole number, got "${text}"`);
  return n;
}
