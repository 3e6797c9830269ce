/**
 * verify: layered and real. checksum — re-hash every stored file against the manifest; structure —
 * checksum, then decrypt + decompress + the engine's own structural check; restore — checksum, then a
 * real restore into a scratch database beside the source, per-table row counts and content checksums
 * (and the schema fingerprint) compared with the manifest, and the scratch database dropped.
 */
import { randomBytes } from 'node:crypto';
import { DbwardError, UsageError, errorMessage } from '../core/errors.js';
import { backupDriverFor } from '../engines/backup-drivers.js';
import type { TableContent } from '../engines/backup-driver.js';
import type { Engine } from '../engines/engine.js';
import { connect } from '../engines/index.js';
import { contentMethodOf, type Manifest, type VerificationRecord, type VerifyLevel } from './manifest.js';
import { checksumDifferences, openRawDump } from './read.js';
import type { BackupSetup } from './setup.js';

export interface VerifyResult extends VerificationRecord {
  name: string;
  /** Restore level: how long the restore into the scratch database took (for RTO estimates). */
  restoreMs?: number;
}

/**
 * Compare restored tables with the manifest: one line per difference. On engines without schemas
 * (MySQL, where the "schema" is the database's own name) tables are matched by name alone.
 */
export function contentDifferences(
  expected: TableContent[],
  actual: TableContent[],
  options: { exhaustive: boolean; bySchema: boolean; checksums?: boolean },
): string[] {
  const key = (t: TableContent) => (options.bySchema ? `${t.schema}.${t.name}` : t.name);
  const found = new Map(actual.map((t) => [key(t), t]));
  const problems: string[] = [];
  for (const want of expected) {
    const got = found.get(key(want));
    if (!got) problems.push(`table ${key(want)}: missing after restore`);
    else {
      if (got.rows !== want.rows) problems.push(`table ${key(want)}: ${got.rows} rows, manifest says ${want.rows}`);
      else if (options.checksums !== false && got.checksum !== want.checksum) problems.push(`table ${key(want)}: content checksum differs from the manifest`);
    }
    found.delete(key(want));
  }
  if (options.exhaustive) for (const extra of found.keys()) problems.push(`table ${extra}: present after restore but not in the manifest`);
  return problems;
}

export interface VerifyOptions {
  /** Extra checks run on the restored scratch database before it is dropped (level restore); each returns problems. */
  checkRestored?: (restored: Engine) => Promise<string[]>;
}

export async function verifyBackup(
  source: Engine | null,
  setup: BackupSetup,
  nameOrLatest: string,
  level: VerifyLevel,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  const { repository } = setup;
  const lock = await repository.lock(setup.lockWaitMs);
  try {
    const { manifest } = await repository.resolve(nameOrLatest);
    if (level === 'restore' && manifest.kind === 'data-only') {
      throw new UsageError(`Backup "${manifest.name}" is data-only: it cannot be restored into an empty database.`, 'Verify it with --level structure.');
    }
    if (level === 'restore') {
      const method = (await backupDriverFor(manifest.engine)).contentMethod;
      if (contentMethodOf(manifest) !== method) {
        throw new UsageError(
          `Backup "${manifest.name}" (manifest format ${manifest.formatVersion}) has table checksums computed by ${contentMethodOf(manifest)}; this dbward computes them by ${method}, so a restore cannot be checked against them.`,
          'Verify it with --level structure (its files and dump are still checked), or take a new backup.',
        );
      }
    }
    const started = Date.now();
    const details: string[] = [];
    let problems = await checksumDifferences(repository, manifest);
    details.push(problems.length ? 'checksum: FAILED' : `checksum: ${manifest.files.length} files match the manifest`);
    let restoreMs: number | undefined;
    if (!problems.length && level !== 'checksum') {
      const workDir = repository.workDir();
      try {
        if (level === 'structure') {
          const driver = await backupDriverFor(manifest.engine);
          details.push(`structure: ${await driver.checkStructure(await openRawDump(repository, manifest, setup.identityFile), { workDir })}`);
        } else {
          if (!source) throw new DbwardError('NEEDS_DATABASE', 'Verification at level restore needs a connection to the database server.');
          const restoreStarted = Date.now();
          problems = await restoreIntoScratch(source, setup, manifest, workDir, options.checkRestored);
          restoreMs = Date.now() - restoreStarted;
          details.push(problems.length ? 'restore: FAILED' : `restore: ${manifest.tables.length} tables match row counts and content checksums`);
        }
      } catch (err) {
        // A damaged dump, a wrong key, a failed restore: the backup is not proven restorable.
        if (err instanceof DbwardError && ['CONFIG', 'NEEDS_DATABASE', 'ENGINE_MISMATCH', 'SCRATCH_UNAVAILABLE'].includes(err.code)) throw err;
        problems = [errorMessage(err)];
      } finally {
        repository.removeWorkDir(workDir);
      }
    }
    details.push(...problems);
    const record: VerifyResult = {
      name: manifest.name,
      level,
      ok: problems.length === 0,
      at: new Date().toISOString(),
      durationMs: Date.now() - started,
      details,
      ...(restoreMs === undefined ? {} : { restoreMs }),
    };
    await repository.recordVerification(manifest.name, record);
    return record;
  } finally {
    lock.release();
  }
}

/** Restore into a scratch database beside the source, compare, and always drop it. */
async function restoreIntoScratch(
  source: Engine,
  setup: BackupSetup,
  manifest: Manifest,
  workDir: string,
  checkRestored: VerifyOptions['checkRestored'],
): Promise<string[]> {
  if (source.name !== manifest.engine) {
    throw new DbwardError('ENGINE_MISMATCH', `Backup "${manifest.name}" is a ${manifest.engine} backup; the database is ${source.name}.`, { exitCode: 2 });
  }
  const driver = await backupDriverFor(manifest.engine);
  const scratch = await driver.createDatabase(source, `dbward_verify_${randomBytes(5).toString('hex')}`).catch((err: unknown) => {
    throw new DbwardError('SCRATCH_UNAVAILABLE', `Cannot create a scratch database to restore into: ${errorMessage(err)}`, {
      hint: 'Grant the user the right to create databases (doctor shows it), or verify at --level structure.',
      cause: err,
    });
  });
  try {
    await driver.restore(scratch, await openRawDump(setup.repository, manifest, setup.identityFile), { workDir });
    const restored = await connect(scratch, { deadlineMs: 10_000 });
    try {
      const problems = contentDifferences(manifest.tables, await driver.tableContents(restored), {
        exhaustive: manifest.kind !== 'schema-only' && manifest.tablesFilter === null,
        bySchema: restored.capabilities().schemas,
      });
      if (manifest.tablesFilter === null) {
        const fingerprint = (await restored.introspect()).fingerprint;
        if (fingerprint !== manifest.schemaFingerprint) problems.push('schema fingerprint of the restored database differs from the manifest');
      }
      if (checkRestored) problems.push(...(await checkRestored(restored)));
      return problems;
    } finally {
      await restored.close();
    }
  } finally {
    await driver.dropDatabase(source, scratch);
  }
}
