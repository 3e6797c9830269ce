/**
 * Recovery facts for the safety gate's notice: the newest verified backup and its age, and how long a
 * restore would take — from the backup's size and the restore throughput measured by earlier
 * `verify --level restore` / `drill` runs of this repository.
 */
import type { BackupEntry } from '../backup/repository.js';

export interface Recovery {
  latestVerifiedBackup: { name: string; finishedAt: string; ageSeconds: number; verifiedAt: string; level: string } | null;
  /** Estimated restore duration; null when nothing is known about the size. */
  estimatedSeconds: number | null;
  /** How the estimate was made. */
  basis: string;
  /** The backup a restore would use (the one about to be taken, or the newest verified one). */
  restoreFrom: string | null;
  /** The exact command that restores it over this database. */
  restoreCommand: string | null;
}

/** Bytes per second assumed when no restore has been measured yet (a conservative figure for pg_restore/mysql on two cores). */
export const ASSUMED_RESTORE_BYTES_PER_SECOND = 20 * 1024 * 1024;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export function recoveryFacts(entries: readonly BackupEntry[], options: { database: string; backupToTake: string | null; databaseBytes: number | null; now?: number }): Recovery {
  const now = options.now ?? Date.now();
  const verified = entries.find((e) => e.lastVerification?.ok && e.manifest.kind === 'full');
  const measured = entries
    .filter((e) => e.lastVerification?.ok && e.lastVerification.level === 'restore' && e.lastVerification.durationMs > 0)
    .map((e) => e.manifest.sizes.raw / (e.lastVerification!.durationMs / 1000));
  const throughput = measured.length ? median(measured) : ASSUMED_RESTORE_BYTES_PER_SECOND;
  const size = options.databaseBytes ?? verified?.manifest.sizes.raw ?? null;
  const restoreFrom = options.backupToTake ?? verified?.manifest.name ?? null;
  const rate = `${(throughput / 1024 / 1024).toFixed(1)} MiB/s`;
  return {
    latestVerifiedBackup: verified
      ? {
          name: verified.manifest.name,
          finishedAt: verified.manifest.finishedAt,
          ageSeconds: Math.max(0, Math.round((now - Date.parse(verified.manifest.finishedAt)) / 1000)),
          verifiedAt: verified.lastVerification!.at,
          level: verified.lastVerification!.level,
        }
      : null,
    estimatedSeconds: size === null ? null : Math.max(1, Math.ceil(size / throughput)),
    basis:
      size === null
        ? 'database size unknown'
        : `${(size / 1024 / 1024).toFixed(1)} MiB at ${rate} (${measured.length ? `measured by ${measured.length} restore verification${measured.length > 1 ? 's' : ''}` : 'assumed: no restore measured yet, run `dbward drill`'})`,
    restoreFrom,
    restoreCommand: restoreFrom ? `dbward restore ${restoreFrom} --confirm ${options.database}` : null,
  };
}
