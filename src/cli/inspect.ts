import type { Command } from 'commander';
import { runOperation } from '../core/operation.js';
import type { Output } from '../core/output.js';
import { renderSchema } from './render-schema.js';
import { contextFor, globalsOf, outputFor, withEngine } from './shared.js';

export function registerInspect(program: Command, run: (out: Output, fn: () => Promise<number>) => Promise<void>): void {
  program
    .command('inspect')
    .description('describe the schema: tables, columns, keys, indexes, constraints, views, triggers, sequences, enums, RLS')
    .option('--table <name>', 'only this table (name or schema.name)')
    .action(async (opts: { table?: string }, command: Command) => {
      const out = outputFor(globalsOf(command));
      await run(out, async () => {
        const ctx = await contextFor(globalsOf(command), out);
        const model = await runOperation(
          { auditLogPath: ctx.auditLogPath, target: ctx.target.redacted },
          'inspect',
          () => withEngine(ctx, out, (engine) => engine.introspect(opts.table === undefined ? {} : { table: opts.table })),
          (m) => ({ tables: m.tables.length, fingerprint: m.fingerprint, ...(opts.table ? { table: opts.table } : {}) }),
        );
        out.result(model, () => renderSchema(model, out.paint));
        return 0;
      });
    });
}
