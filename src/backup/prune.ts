/** prune: apply the retention policy to the repository (or, with dryRun, only say what would go and why). */
import { decideRetention, retentionPolicySchema, type RetentionDecision, type RetentionPolicy } from './retention.js';
import type { BackupSetup } from './setup.js';

export interface PruneResult {
  dryRun: boolean;
  decisions: RetentionDecision[];
  deleted: string[];
  /** Leftovers of interrupted backups that were removed. */
  cleanedUp: string[];
}

export async function pruneBackups(setup: BackupSetup, policy: RetentionPolicy | undefined, options: { dryRun: boolean; now?: Date }): Promise<PruneResult> {
  const effective = policy ?? retentionPolicySchema.parse({});
  const { repository } = setup;
  const lock = await repository.lock(setup.lockWaitMs);
  try {
    const cleanedUp = options.dryRun ? [] : await repository.cleanupIncomplete();
    const entries = await repository.list();
    const decisions = decideRetention(
      entries.map((e) => ({
        name: e.manifest.name,
        createdAt: new Date(e.manifest.finishedAt),
        pinned: e.pinned,
        lastVerification: e.lastVerification ? { ok: e.lastVerification.ok, at: new Date(e.lastVerification.at) } : null,
      })),
      effective,
      options.now ?? new Date(),
    );
    const deleted: string[] = [];
    if (!options.dryRun) {
      for (const d of decisions.filter((d) => !d.keep)) {
        await repository.remove(d.name);
        deleted.push(d.name);
      }
    }
    return { dryRun: options.dryRun, decisions, deleted, cleanedUp };
  } finally {
    lock.release();
  }
}
