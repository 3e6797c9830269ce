/**
 * backup: dump → compress → (encrypt) → hash → storage, then RESTORE.txt, then the manifest, last and
 * atomically. A failure anywhere leaves no manifest, so the backup does not exist; the next run removes
 * the leftovers.
 */
import path from 'node:path';
import { DbwardError, OperationError } from '../core/errors.js';
import { databaseName, describeTarget } from '../core/url.js';
import type { BackupKind } from '../engines/backup-driver.js';
import { backupDriverFor } from '../engines/backup-drivers.js';
import type { Engine } from '../engines/engine.js';
import { VERSION } from '../version.js';
import { encoder, fingerprintRecipient } from './codec.js';
import { MANIFEST_FILE, MANIFEST_FORMAT, RESTORE_NOTE_FILE, type Manifest } from './manifest.js';
import { defaultBackupName, validateBackupName } from './names.js';
import { restoreNote } from './restore-note.js';
import type { BackupSetup } from './setup.js';
import { sha256Hex } from '../core/audit.js';

export interface BackupOptions {
  name?: string;
  kind?: BackupKind;
  tables?: string[];
  /** Called with the raw dump bytes so far and the database's size on disk (an estimate of the total, when known). */
  onProgress?: (rawBytes: number, estimatedBytes: number | null) => void;
}

const RAW_EXTENSION: Record<string, string> = { 'pg_dump-custom': 'pgdump', 'mysql-sql': 'sql', 'sqlite-db': 'sqlite' };

export async function createBackup(engine: Engine, setup: BackupSetup, options: BackupOptions = {}): Promise<Manifest> {
  const requested = options.name === undefined ? null : validateBackupName(options.name);
  const kind = options.kind ?? 'full';
  const { repository } = setup;
  const driver = await backupDriverFor(engine.name);

  const lock = await repository.lock(setup.lockWaitMs);
  let workDir: string | null = null;
  let name: string | null = null;
  try {
    await repository.cleanupIncomplete();
    workDir = repository.workDir();
    const taken = new Set(await repository.storage.list(`${repository.databaseId}/`));
    const isTaken = (n: string) => taken.has(`${repository.databaseId}/${n}/`);
    if (requested !== null && isTaken(requested)) {
      throw new DbwardError('BACKUP_EXISTS', `A backup named "${requested}" already exists.`, { exitCode: 2, hint: 'Choose another name.' });
    }
    // Default names are the UTC second; a second backup within the same second gets a suffix.
    let chosen = requested ?? defaultBackupName();
    for (let i = 2; isTaken(chosen); i++) chosen = `${defaultBackupName()}-${i}`;
    name = chosen;
    const started = new Date();
    // The server's version and the schema (fingerprint, sizes for progress) are read while the dump
    // runs, except for SQLite: its dump and checksums run in this process, and reading the schema at
    // the same time raised its peak memory by 5-10 MiB. SQLite's table sizes would cost a read of
    // every page (dbstat); its driver reports the copy's exact size with its progress instead.
    const described = Promise.all([engine.serverVersion(), engine.introspect({ sizes: engine.name !== 'sqlite' })]);
    described.catch(() => undefined);
    let estimatedBytes: number | null = null;
    void described.then(([, model]) => {
      const sizes = model.tables.map((t) => t.stats.sizeBytes);
      if (sizes.every((b) => b !== null)) estimatedBytes = sizes.reduce((a: number, b) => a + (b ?? 0), 0);
    }, () => undefined);
    // Each engine has one dump format, so the data file's name is known before the dump starts.
    const format = { sqlite: 'sqlite-db', postgres: 'pg_dump-custom', mysql: 'mysql-sql' }[engine.name];
    const rawName = `data.${RAW_EXTENSION[format]}`;
    const dataFile = `${rawName}.${setup.compression === 'zstd' ? 'zst' : 'gz'}${setup.recipients ? '.age' : ''}`;

    // dump → (driver: counts and checksums) → compress → encrypt → a file in the work directory, hashed
    // as it is written, then moved into storage.
    const stagedFile = path.join(workDir, dataFile);
    const coder = encoder(setup.compression, setup.recipients, stagedFile);
    if (engine.name === 'sqlite') {
      try {
        await described;
      } catch (err) {
        coder.destroy();
        coder.endInput();
        throw err;
      }
    } else {
      // A failure to read the schema stops the dump (its output closes) rather than waiting for its end.
      described.catch(() => coder.destroy());
    }
    const onProgress = options.onProgress && ((raw: number, total?: number) => options.onProgress!(raw, total ?? estimatedBytes));
    // The compressor's input ends when the dump does, whether it succeeded or not.
    const dumped = driver.dump(engine, coder.input, { kind, tables: options.tables, workDir, ...(onProgress ? { onProgress } : {}) }).finally(() => coder.endInput());
    const [describedResult, dumpResult, coderResult] = await Promise.allSettled([described, dumped, coder.finished]);
    if (describedResult.status === 'rejected' || dumpResult.status === 'rejected' || coderResult.status === 'rejected') {
      coder.destroy();
      // The schema's error when it failed (it stopped the dump); a failed tool makes the dump's writes
      // fail (a broken pipe): the tool's own error before the dump's.
      const failed = [describedResult, coderResult, dumpResult].find((r) => r.status === 'rejected') as PromiseRejectedResult;
      throw failed.reason;
    }
    const [server, model] = describedResult.value;
    const info = dumpResult.value;
    const stored = coderResult.value;
    if (info.format !== format) throw new OperationError(`Unexpected dump format ${info.format} from the ${engine.name} driver`);
    await repository.storage.putFile(repository.key(name, dataFile), stagedFile);

    const facts = {
      name,
      source: describeTarget(engine.target),
      engine: engine.name,
      server: { product: server.product, version: server.full },
      kind,
      dump: { tool: info.tool.name, toolVersion: info.tool.version, format: info.format },
      startedAt: started.toISOString(),
      dataFile,
      compression: setup.compression,
      encryption: setup.recipients ? { format: 'age' as const, recipientFingerprints: setup.recipients.map(fingerprintRecipient) } : null,
    };
    const note = restoreNote(facts, rawName, driver.manualRestoreSteps(rawName, engine.target));
    await repository.storage.putSmall(repository.key(name, RESTORE_NOTE_FILE), note);

    const finished = new Date();
    const manifest: Manifest = {
      formatVersion: MANIFEST_FORMAT,
      dbwardVersion: VERSION,
      databaseId: repository.databaseId,
      database: databaseName(engine.target),
      tablesFilter: options.tables?.length ? [...options.tables] : null,
      tables: info.tables,
      contentMethod: info.contentMethod,
      contentNote: info.contentNote ?? null,
      sameSnapshot: info.sameSnapshot,
      snapshotNote: info.snapshotNote ?? null,
      schemaFingerprint: model.fingerprint,
      sizes: { raw: info.bytes, stored: stored.size },
      files: [
        { name: dataFile, size: stored.size, sha256: stored.sha256 },
        { name: RESTORE_NOTE_FILE, size: Buffer.byteLength(note), sha256: sha256Hex(note) },
      ],
      ...facts,
      finishedAt: finished.toISOString(),
      durationMs: finished.getTime() - started.getTime(),
    };
    await repository.storage.putSmall(repository.key(name, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    return manifest;
  } catch (err) {
    // Only a backup this run started is removed (name is set once the name is known to be free).
    if (name !== null) await repository.remove(name).catch(() => undefined);
    throw describeFailure(err, repository.storage.location);
  } finally {
    if (workDir) repository.removeWorkDir(workDir);
    lock.release();
  }
}

/** Turn file-system failures into one clear message; the incomplete backup is already gone. */
function describeFailure(err: unknown, location: string): unknown {
  if (err instanceof DbwardError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new OperationError(`The backup repository ${location} is full (no space left on device); the incomplete backup was removed and older backups are untouched.`, 'Free space, prune old backups (dbward prune), or move backup.repository.', err);
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new OperationError(`Cannot write to the backup repository ${location}: ${(err as Error).message}`, 'Check the directory permissions of backup.repository.', err);
  }
  return err;
}
