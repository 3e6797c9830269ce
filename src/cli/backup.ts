/** backup, backups, verify, restore, prune: parse, call src/backup/, render. */
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { createBackup } from '../backup/backup.js';
import { runDrill } from '../backup/drill.js';
import type { VerifyLevel } from '../backup/manifest.js';
import { pruneBackups } from '../backup/prune.js';
import { restoreBackup } from '../backup/restore.js';
import { backupSetup, type BackupSetup } from '../backup/setup.js';
import { verifyBackup } from '../backup/verify.js';
import type { CommandContext } from '../core/context.js';
import { ExitCode, UsageError } from '../core/errors.js';
import { runOperation } from '../core/operation.js';
import type { Output } from '../core/output.js';
import { databaseName, parseDatabaseUrl } from '../core/url.js';
import { contextFor, globalsOf, outputFor, withEngine } from './shared.js';
import { formatBytes } from './format.js';

type Run = (out: Output, fn: () => Promise<number>) => Promise<void>;

interface Prepared {
  ctx: CommandContext;
  setup: BackupSetup;
  out: Output;
}

async function prepare(command: Command, out: Output): Promise<Prepared> {
  const ctx = await contextFor(globalsOf(command), out);
  return { ctx, setup: backupSetup(ctx), out };
}

const scope = (p: Prepared) => ({ auditLogPath: p.ctx.auditLogPath, target: p.ctx.target.redacted });


function age(iso: string, now = Date.now()): string {
  const s = Math.max(0, (now - Date.parse(iso)) / 1000);
  if (s < 120) return `${Math.round(s)}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86_400)}d`;
}

export function registerBackup(program: Command, run: Run): void {
  program
    .command('backup')
    .description('take a verified-restorable backup: dump → compress → encrypt → hash → repository; `backup pin|unpin NAME`')
    .argument('[name]', 'backup name (default: UTC timestamp); or pin / unpin')
    .argument('[pinned]', 'with pin / unpin: the backup to pin or unpin')
    .option('--schema-only', 'schema without data')
    .option('--data-only', 'data without schema')
    .option('--table <name...>', 'only these tables')
    .action(async (name: string | undefined, pinned: string | undefined, opts: { schemaOnly?: boolean; dataOnly?: boolean; table?: string[] }, command: Command) => {
      const out = outputFor(globalsOf(command));
      await run(out, async () => {
        const p = await prepare(command, out);
        if (name === 'pin' || name === 'unpin') {
          if (!pinned) throw new UsageError(`Usage: dbward backup ${name} NAME`);
          await runOperation(scope(p), `backup.${name}`, () => p.setup.repository.setPinned(pinned, name === 'pin'), () => ({ backup: pinned }));
          out.result({ backup: pinned, pinned: name === 'pin' }, () => `${name === 'pin' ? 'pinned' : 'unpinned'} ${pinned}`);
          return ExitCode.ok;
        }
        if (pinned) throw new UsageError(`Unexpected argument "${pinned}".`);
        if (opts.schemaOnly && opts.dataOnly) throw new UsageError('--schema-only and --data-only exclude each other.');
        const kind = opts.schemaOnly ? 'schema-only' : opts.dataOnly ? 'data-only' : 'full';
        const progress = out.progress('backup');
        const started = Date.now();
        const manifest = await runOperation(
          scope(p),
          'backup',
          () =>
            withEngine(p.ctx, p.out, (engine) =>
              createBackup(engine, p.setup, {
                name,
                kind,
                tables: opts.table,
                onProgress: (bytes, estimated) => {
                  const rate = bytes / Math.max(0.001, (Date.now() - started) / 1000);
                  const eta = estimated && estimated > bytes ? `, ETA ~${Math.ceil((estimated - bytes) / rate)}s` : '';
                  progress.update(`${formatBytes(bytes)} dumped${estimated ? ` of ~${formatBytes(estimated)}` : ''}, ${formatBytes(rate)}/s${eta}`);
                },
              }),
            ),
          (m) => ({ backup: m.name, kind: m.kind, storedBytes: m.sizes.stored, tables: m.tables.length }),
        );
        progress.done();
        out.result(manifest, () =>
          [
            `backup ${manifest.name} complete: ${manifest.kind}, ${manifest.tables.length} tables, ${formatBytes(manifest.sizes.raw)} dumped → ${formatBytes(manifest.sizes.stored)} stored (${manifest.compression}${manifest.encryption ? ' + age' : ''}) in ${(manifest.durationMs / 1000).toFixed(1)}s`,
            `repository ${p.setup.repository.storage.location}/${manifest.databaseId}/${manifest.name}`,
            ...(manifest.sameSnapshot ? [] : [`note: ${manifest.snapshotNote}`]),
          ].join('\n'),
        );
        return ExitCode.ok;
      });
    });

  program
    .command('backups')
    .description('list complete backups, newest first')
    .action(async (_opts, command: Command) => {
      const out = outputFor(globalsOf(command));
      await run(out, async () => {
        const p = await prepare(command, out);
        const entries = await p.setup.repository.list();
        const rows = entries.map((e) => ({
          name: e.manifest.name,
          time: e.manifest.finishedAt,
          kind: e.manifest.kind,
          storedBytes: e.manifest.sizes.stored,
          encrypted: e.manifest.encryption !== null,
          pinned: e.pinned,
          lastVerification: e.lastVerification && { level: e.lastVerification.level, at: e.lastVerification.at, ok: e.lastVerification.ok },
          age: age(e.manifest.finishedAt),
        }));
        out.result({ repository: p.setup.repository.storage.location, latest: rows[0]?.name ?? null, backups: rows }, () =>
          rows.length
            ? rows
                .map((r, i) =>
                  [
                    r.name.padEnd(24),
                    r.time.slice(0, 19).replace('T', ' '),
                    r.kind.padEnd(11),
                    formatBytes(r.storedBytes).padStart(10),
                    r.encrypted ? 'age' : '-  ',
                    r.lastVerification ? `${r.lastVerification.ok ? 'ok' : 'FAILED'} (${r.lastVerification.level}, ${age(r.lastVerification.at)} ago)` : 'not verified',
                    `${r.age} old`,
                    [r.pinned ? 'pinned' : '', i === 0 ? 'latest' : ''].filter(Boolean).join(' '),
                  ].join('  '),
                )
                .join('\n')
            : `no complete backups in ${p.setup.repository.storage.location}`,
        );
        return ExitCode.ok;
      });
    });

  program
    .command('verify')
    .description('prove a backup: checksum, structure (engine check) or restore (into a scratch database, compared with the manifest)')
    .argument('<name>', 'backup name or latest')
    .option('--level <level>', 'checksum | structure | restore', 'restore')
    .action(async (name: string, opts: { level: string }, command: Command) => {
      const out = outputFor(globalsOf(command));
      await run(out, async () => {
        if (!['checksum', 'structure', 'restore'].includes(opts.level)) throw new UsageError(`Unknown level "${opts.level}".`, 'Levels: checksum, structure, restore.');
        const level = opts.level as VerifyLevel;
        const p = await prepare(command, out);
        const result = await runOperation(
          scope(p),
          'verify',
          () => (level === 'restore' ? withEngine(p.ctx, p.out, (engine) => verifyBackup(engine, p.setup, name, level)) : verifyBackup(null, p.setup, name, level)),
          (r) => ({ backup: r.name, level: r.level, ok: r.ok, details: r.details }),
        );
        out.result(result, () => [`${result.ok ? 'verified' : out.paint.red('VERIFICATION FAILED')}: ${result.name} at level ${result.level}`, ...result.details.map((d) => `  ${d}`)].join('\n'));
        return result.ok ? ExitCode.ok : ExitCode.verification;
      });
    });

  program
    .command('restore')
    .description('restore a backup beside the target, check it, then swap it in (over the source: safety backup first and confirmation)')
    .argument('<name>', 'backup name or latest')
    .option('--to <url>', 'restore into this other (empty) database instead of over the source')
    .option('--table <name...>', 'only these tables (with --to)')
    .option('--confirm <database>', 'confirm restoring over the source by giving its database name (needed without a TTY; --yes is not enough)')
    .action(async (name: string, opts: { to?: string; table?: string[]; confirm?: string }, command: Command) => {
      const out = outputFor(globalsOf(command));
      await run(out, async () => {
        const p = await prepare(command, out);
        const to = opts.to === undefined ? undefined : parseDatabaseUrl(opts.to, { cwd: p.ctx.cwd });
        let confirmed = opts.confirm;
        if (!to && confirmed === undefined && process.stdin.isTTY && process.stderr.isTTY && !out.json) {
          const expected = databaseName(p.ctx.target);
          const rl = createInterface({ input: process.stdin, output: process.stderr });
          confirmed = (await rl.question(`Restoring over ${p.ctx.target.redacted} replaces all its data (a safety backup is taken first).\nType the database name (${expected}) to confirm: `)).trim();
          rl.close();
        }
        const result = await runOperation(
          scope(p),
          'restore',
          () =>
            withEngine(p.ctx, p.out, (engine) =>
              restoreBackup(engine, p.setup, name, { to, tables: opts.table, confirmedDatabase: confirmed, onStep: (s) => out.note(`restore: ${s}`) }),
            ),
          (r) => ({ ...r }),
        );
        out.result(result, () =>
          [
            `restored ${result.backup} into ${result.target} (${result.tables} tables) in ${(result.durationMs / 1000).toFixed(1)}s`,
            ...(result.safetyBackup ? [`safety backup of the previous state: ${result.safetyBackup}`] : []),
            ...(result.replacedDataKeptAs ? [`the replaced data is kept as ${result.replacedDataKeptAs}; drop it once you no longer need it`] : []),
          ].join('\n'),
        );
        return ExitCode.ok;
      });
    });

  program
    .command('drill')
    .description('restore test: verify latest at level restore, run the drill queries, check RTO and RPO objectives (backup.drill)')
    .action(async (_opts, command: Command) => {
      const out = outputFor(globalsOf(command));
      await run(out, async () => {
        const p = await prepare(command, out);
        const result = await runOperation(
          scope(p),
          'drill',
          () => withEngine(p.ctx, p.out, (engine) => runDrill(engine, p.setup, p.ctx.config.values.backup?.drill)),
          (r) => ({ backup: r.backup, ok: r.ok, rtoSeconds: r.rtoSeconds, rpoSeconds: r.rpoSeconds, failures: r.failures }),
        );
        const seconds = (s: number | null) => (s === null ? '?' : `${s.toFixed(1)} s`);
        out.result(result, () =>
          [
            `${result.ok ? 'drill passed' : out.paint.red('DRILL FAILED')}: backup ${result.backup}`,
            `  restore verified: ${result.verification.ok ? 'yes' : 'no'}`,
            ...result.queries.map((q) => `  ${q.ok ? 'ok  ' : 'FAIL'} ${q.sql} → ${q.value ?? '-'}${q.problem ? ` (${q.problem})` : ''}`),
            `  RTO ${seconds(result.rtoSeconds)}${result.objectives.rtoSeconds !== null ? ` (objective ${result.objectives.rtoSeconds} s)` : ''}`,
            `  RPO ${seconds(result.rpoSeconds)}${result.objectives.rpoSeconds !== null ? ` (objective ${result.objectives.rpoSeconds} s)` : ''}`,
            ...result.failures.map((f) => `  ${f}`),
          ].join('\n'),
        );
        return result.ok ? ExitCode.ok : ExitCode.verification;
      });
    });

  program
    .command('prune')
    .description('delete backups the retention policy no longer keeps (backup.retention in the config)')
    .option('--dry-run', 'only list what would be deleted, and why')
    .action(async (opts: { dryRun?: boolean }, command: Command) => {
      const out = outputFor(globalsOf(command));
      await run(out, async () => {
        const p = await prepare(command, out);
        const policy = p.ctx.config.values.backup?.retention;
        const result = opts.dryRun
          ? await pruneBackups(p.setup, policy, { dryRun: true })
          : await runOperation(scope(p), 'prune', () => pruneBackups(p.setup, policy, { dryRun: false }), (r) => ({ deleted: r.deleted, cleanedUp: r.cleanedUp }));
        out.result(result, () =>
          [
            ...result.decisions.map((d) => `${d.keep ? 'keep  ' : result.dryRun ? 'WOULD DELETE' : 'deleted'} ${d.name}: ${d.reasons.join('; ')}`),
            ...(result.cleanedUp.length ? [`removed leftovers of interrupted backups: ${result.cleanedUp.join(', ')}`] : []),
            result.decisions.length ? '' : 'no backups',
          ].join('\n').trim(),
        );
        return ExitCode.ok;
      });
    });
}
