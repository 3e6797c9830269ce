/**
 * restore: never makes things worse. The backup is restored into a new database beside the target,
 * checked against the manifest, and only then swapped in. Restoring over the source first takes and
 * verifies a safety backup of its current state. A failure before the swap leaves the target untouched.
 */
import { randomBytes } from 'node:crypto';
import { DbwardError, RefusedError, UsageError, VerificationError } from '../core/errors.js';
import { databaseName, describeTarget, type ConnectionTarget } from '../core/url.js';
import { backupDriverFor } from '../engines/backup-drivers.js';
import type { Engine } from '../engines/engine.js';
import { connect } from '../engines/index.js';
import { contentMethodOf, type Manifest } from './manifest.js';
import { checksumDifferences, openRawDump } from './read.js';
import { takeSafetyBackup } from './safety.js';
import type { BackupSetup } from './setup.js';
import { contentDifferences } from './verify.js';

export interface RestoreOptions {
  /** Restore into this other database (it must be empty) instead of over the source. */
  to?: ConnectionTarget;
  /** Only these tables (with `to`). */
  tables?: string[];
  /**
   * Restoring over the source needs the source database's name typed (TTY) or given (--confirm):
   * the CLI passes what the human confirmed; anything but the exact name is refused.
   */
  confirmedDatabase?: string;
  onStep?: (step: string) => void;
}

export interface RestoreResult {
  backup: string;
  target: string;
  /** The safety backup taken first when restoring over the source. */
  safetyBackup: string | null;
  /** Where the replaced data was kept (a database or file name), when something was replaced. */
  replacedDataKeptAs: string | null;
  tables: number;
  durationMs: number;
}

export async function restoreBackup(source: Engine, setup: BackupSetup, nameOrLatest: string, options: RestoreOptions = {}): Promise<RestoreResult> {
  const started = Date.now();
  const step = options.onStep ?? (() => undefined);
  const { manifest } = await setup.repository.resolve(nameOrLatest);
  if (manifest.kind === 'data-only') throw new UsageError(`Backup "${manifest.name}" is data-only; restore needs a backup with the schema.`);
  if (options.tables?.length && !options.to) {
    throw new UsageError('--table restores into another database only (with --to).', 'Restore the tables into a copy with --to, then move them as needed.');
  }

  let target: Engine;
  let safetyBackup: string | null = null;
  if (options.to) {
    if (options.to.engine !== manifest.engine) throw new UsageError(`Backup "${manifest.name}" is ${manifest.engine}; --to is ${options.to.engine}.`);
    target = await connect(sqliteCreatable(options.to), { deadlineMs: 30_000 });
  } else {
    const name = databaseName(source.target);
    if (options.confirmedDatabase !== name) {
      throw new RefusedError(
        `Restoring "${manifest.name}" over ${describeTarget(source.target)} replaces all its data: confirmation required.`,
        `Type the database name when asked, or pass --confirm ${JSON.stringify(name)} (--yes alone is not enough).`,
      );
    }
    target = source;
  }

  try {
    const driver = await backupDriverFor(manifest.engine);
    const damaged = await checksumDifferences(setup.repository, manifest);
    if (damaged.length) throw new VerificationError(`Backup "${manifest.name}" is damaged; nothing was restored.`, damaged.join('; '));
    if (options.to) await refuseNonEmpty(target);
    else {
      step('taking and verifying a safety backup of the current state');
      safetyBackup = await takeSafetyBackup(source, setup, `pre-restore-${manifest.name}-${Date.now().toString(36)}`);
    }

    step('restoring beside the target');
    const beside = await driver.createDatabase(target, `dbward_restore_${randomBytes(5).toString('hex')}`);
    let swapped = false;
    try {
      const workDir = setup.repository.workDir();
      try {
        await driver.restore(beside, await openRawDump(setup.repository, manifest, setup.identityFile), {
          tables: options.tables,
          workDir,
          // Over the source, owners and privileges come back as they were; elsewhere the roles may not exist.
          preserveOwnership: !options.to,
        });
      } finally {
        setup.repository.removeWorkDir(workDir);
      }
      step(
        contentMethodOf(manifest) === driver.contentMethod
          ? 'checking the restored data against the manifest'
          : `checking the restored row counts against the manifest (its checksums come from ${contentMethodOf(manifest)}, which this dbward cannot recompute)`,
      );
      await checkRestored(beside, manifest, options.tables);
      step('swapping it in');
      const swap = await driver.swapIn(target, beside);
      swapped = true;
      if (options.to) {
        // The replaced database was empty (checked above): nothing worth keeping.
        const near = await connect(sqliteCreatable(options.to), { deadlineMs: 30_000 });
        try {
          await driver.dropDatabase(near, renamed(beside, swap.keptAs));
        } finally {
          await near.close();
        }
      }
      return {
        backup: manifest.name,
        target: describeTarget(options.to ?? source.target),
        safetyBackup,
        replacedDataKeptAs: options.to ? null : swap.keptAs,
        tables: options.tables?.length ?? manifest.tables.length,
        durationMs: Date.now() - started,
      };
    } finally {
      if (!swapped) await driver.dropDatabase(target, beside).catch(() => undefined);
    }
  } finally {
    if (options.to) await target.close().catch(() => undefined);
  }
}

/** The same server (or directory) with another database (or file) name. */
function renamed(like: ConnectionTarget, name: string): ConnectionTarget {
  return like.engine === 'sqlite' ? { ...like, path: name, redacted: `file:${name}` } : { ...like, database: name };
}

/** An SQLite --to file may not exist yet: allow creating it. */
function sqliteCreatable(target: ConnectionTarget): ConnectionTarget {
  return target.engine === 'sqlite' ? { ...target, params: { ...target.params, mode: 'rwc' } } : target;
}

async function refuseNonEmpty(target: Engine): Promise<void> {
  const model = await target.introspect();
  if (model.tables.length || model.views.length) {
    throw new DbwardError('TARGET_NOT_EMPTY', `${describeTarget(target.target)} is not empty (${model.tables.length} tables, ${model.views.length} views).`, {
      exitCode: 2,
      hint: 'Restore --to an empty database; dbward never overwrites another database silently.',
    });
  }
}

async function checkRestored(beside: ConnectionTarget, manifest: Manifest, tables: string[] | undefined): Promise<void> {
  const driver = await backupDriverFor(manifest.engine);
  const restored = await connect(beside, { deadlineMs: 10_000 });
  try {
    const wanted = tables?.length
      ? manifest.tables.filter((t) => tables.some((n) => n === t.name || n === `${t.schema}.${t.name}`))
      : manifest.tables;
    // A manifest from an older dbward whose checksums this version cannot recompute: row counts only.
    const checksums = contentMethodOf(manifest) === driver.contentMethod;
    const problems = contentDifferences(wanted, await driver.tableContents(restored), {
      exhaustive: !tables?.length,
      bySchema: restored.capabilities().schemas,
      checksums,
    });
    if (!tables?.length && (await restored.introspect()).fingerprint !== manifest.schemaFingerprint) {
      problems.push('schema fingerprint of the restored database differs from the manifest');
    }
    if (problems.length) throw new VerificationError(`The restored data does not match backup "${manifest.name}"; the target was not touched.`, problems.join('; '));
  } finally {
    await restored.close();
  }
}
