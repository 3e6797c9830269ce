/**
 * drill: a scheduled restore test. Verify `latest` at level restore, run the configured queries on the
 * restored copy, measure the restore duration (RTO) and the backup's age (RPO), and compare them with
 * the objectives. Anything failed or missed makes the drill fail.
 */
import type { ConfigFile } from '../core/config.js';
import { errorMessage } from '../core/errors.js';
import type { Engine } from '../engines/engine.js';
import type { BackupSetup } from './setup.js';
import { verifyBackup, type VerifyResult } from './verify.js';

export type DrillConfig = NonNullable<NonNullable<ConfigFile['backup']>['drill']>;

export interface DrillQueryResult {
  sql: string;
  value: number | null;
  ok: boolean;
  problem?: string;
}

export interface DrillResult {
  ok: boolean;
  backup: string;
  verification: VerifyResult;
  queries: DrillQueryResult[];
  /** Restore duration measured by this drill. */
  rtoSeconds: number | null;
  /** Age of the backup when the drill ran. */
  rpoSeconds: number;
  objectives: { rtoSeconds: number | null; rpoSeconds: number | null };
  /** One line per failed check or missed objective. */
  failures: string[];
}

async function runQuery(engine: Engine, q: NonNullable<DrillConfig['queries']>[number]): Promise<DrillQueryResult> {
  try {
    const { rows } = await engine.query(q.sql);
    const first = rows[0] ? Object.values(rows[0])[0] : undefined;
    const value = first === undefined || first === null ? null : Number(first);
    if (value === null || Number.isNaN(value)) return { sql: q.sql, value: null, ok: false, problem: 'returned no number' };
    const problems = [
      q.min !== undefined && value < q.min ? `${value} < min ${q.min}` : null,
      q.max !== undefined && value > q.max ? `${value} > max ${q.max}` : null,
      q.equals !== undefined && value !== q.equals ? `${value} ≠ ${q.equals}` : null,
    ].filter((p): p is string => p !== null);
    return { sql: q.sql, value, ok: problems.length === 0, ...(problems.length ? { problem: problems.join(', ') } : {}) };
  } catch (err) {
    return { sql: q.sql, value: null, ok: false, problem: errorMessage(err) };
  }
}

export async function runDrill(source: Engine, setup: BackupSetup, config: DrillConfig = {}, now = new Date()): Promise<DrillResult> {
  const queries: DrillQueryResult[] = [];
  const latest = await setup.repository.resolve('latest');
  const verification = await verifyBackup(source, setup, latest.manifest.name, 'restore', {
    checkRestored: async (restored) => {
      for (const q of config.queries ?? []) queries.push(await runQuery(restored, q));
      return queries.filter((q) => !q.ok).map((q) => `drill query ${JSON.stringify(q.sql)}: ${q.problem}`);
    },
  });
  const rtoSeconds = verification.restoreMs === undefined ? null : verification.restoreMs / 1000;
  const rpoSeconds = (now.getTime() - Date.parse(latest.manifest.finishedAt)) / 1000;
  const failures = verification.ok ? [] : verification.details.filter((d) => !/^(checksum|structure|restore): /.test(d));
  if (config.rtoSeconds !== undefined && (rtoSeconds === null || rtoSeconds > config.rtoSeconds)) {
    failures.push(`RTO missed: the restore took ${rtoSeconds?.toFixed(1) ?? '?'} s, objective ${config.rtoSeconds} s`);
  }
  if (config.rpoSeconds !== undefined && rpoSeconds > config.rpoSeconds) {
    failures.push(`RPO missed: the newest backup is ${Math.round(rpoSeconds)} s old, objective ${config.rpoSeconds} s`);
  }
  return {
    ok: failures.length === 0,
    backup: latest.manifest.name,
    verification,
    queries,
    rtoSeconds,
    rpoSeconds,
    objectives: { rtoSeconds: config.rtoSeconds ?? null, rpoSeconds: config.rpoSeconds ?? null },
    failures,
  };
}
