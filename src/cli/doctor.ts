import type { Command } from 'commander';
import { runOperation } from '../core/operation.js';
import type { Output } from '../core/output.js';
import { runDoctor, type Check, type DoctorReport } from '../doctor/doctor.js';
import { connectOptionsFor, contextFor, globalsOf, outputFor } from './shared.js';

/** Doctor answers quickly: at most 10 s of connection retries unless the config asks for less. */
const DOCTOR_CONNECT_DEADLINE_MS = 10_000;

export function registerDoctor(program: Command, run: (out: Output, fn: () => Promise<number>) => Promise<void>): void {
  program
    .command('doctor')
    .description('check the database, the connecting user, native tools and file permissions')
    .action(async (_opts, command: Command) => {
      const out = outputFor(globalsOf(command));
      await run(out, async () => {
        const ctx = await contextFor(globalsOf(command), out);
        const report = await runOperation(
          { auditLogPath: ctx.auditLogPath, target: ctx.target.redacted },
          'doctor',
          () =>
            runDoctor(ctx.target, {
              urlSource: ctx.urlSource,
              connect: connectOptionsFor(ctx, out, Math.min(ctx.connectDeadlineMs, DOCTOR_CONNECT_DEADLINE_MS)),
            }),
          (r) => ({ ok: r.ok, failed: r.checks.filter((c) => c.status === 'fail').map((c) => c.id) }),
        );
        out.result(report, () => renderDoctor(report, out));
        return report.ok ? 0 : 1;
      });
    });
}

function renderDoctor(report: DoctorReport, out: Output): string {
  const { paint } = out;
  const mark: Record<Check['status'], string> = out.color
    ? { pass: paint.green('✔'), warn: paint.yellow('!'), fail: paint.red('✖'), skip: paint.dim('-') }
    : { pass: '[pass]', warn: '[warn]', fail: '[FAIL]', skip: '[skip]' };
  const lines = report.checks.map((c) => {
    const head = `${mark[c.status]} ${paint.bold(c.title)}: ${c.detail}`;
    return c.hint && c.status !== 'pass' ? `${head}\n    ${paint.dim(`→ ${c.hint}`)}` : head;
  });
  const count = (s: Check['status']) => report.checks.filter((c) => c.status === s).length;
  lines.push('', `${count('pass')} passed, ${count('warn')} warnings, ${count('fail')} failed`);
  return lines.join('\n');
}
