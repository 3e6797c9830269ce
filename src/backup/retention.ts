/**
 * Retention: which backups `dbward prune` keeps and which it deletes. Pure — no I/O, no clock; the
 * caller passes the complete backups (interrupted ones are never candidates), the policy and `now`.
 *
 * Order. Backups are ranked newest first by `createdAt`; equal timestamps are ordered by name, the
 * name that sorts later (plain code-unit comparison) counting as newer — default names are UTC
 * timestamps, so this matches creation order. Rank #1 is the newest. The result lists every backup
 * once, in this order.
 *
 * Limits. A backup is *expired* when it is beyond `keepLast` (rank > keepLast) OR older than
 * `maxAgeDays` (now − createdAt > maxAgeDays × 24 h; exactly maxAgeDays old is not older). Both limits
 * bound retention: to bound by one only, set the other high. Every backup counts towards the rank,
 * pinned and unverified ones included.
 *
 * Protection. A backup is deleted only when it is expired and no protection applies:
 *   - pinned;
 *   - minimum: among the `minimum` newest (rank ≤ minimum), whatever its age — when backups have
 *     been failing for weeks, the last good ones stay. minimum > keepLast is allowed and then
 *     simply keeps more;
 *   - the newest backup whose last verification passed (`lastVerification.ok`); a backup whose last
 *     verification failed or that was never verified does not count, even if an earlier one passed;
 *   - GFS: for each of daily / weekly / monthly / yearly = N, the newest backup in each of the N most
 *     recent periods that contain a backup (as restic's --keep-daily: periods without a backup are
 *     skipped, not counted; `now` plays no part). Periods are UTC: calendar day, ISO-8601 week
 *     (Monday first; the week-year may differ from the calendar year around 1 January), calendar
 *     month, calendar year. GFS ignores verification. GFS-kept backups are kept past maxAgeDays and
 *     keepLast — that is what GFS is for. 0 or absent disables a period.
 *
 * Reasons. A kept backup lists every rule that keeps it (protections, and "within keepLast and
 * maxAgeDays" when it is not expired); a deleted one lists every limit it breaks.
 *
 * Defaults: keepLast 30, maxAgeDays 90, minimum 3 (three fallbacks if the newest turns out bad),
 * no GFS. All values are integers; keepLast, maxAgeDays and minimum are at least 1, GFS counts at
 * least 0. Unknown keys are errors.
 */
import * as z from 'zod';
import { ConfigError, OperationError } from '../core/errors.js';

const count = (min: number) => z.number().int().min(min);

export const retentionPolicySchema = z
  .object({
    /** Keep at most the newest N backups (unless protected). */
    keepLast: count(1).default(30),
    /** Delete backups older than D days (unless protected). */
    maxAgeDays: count(1).default(90),
    /** Grandfather-father-son: how many daily / weekly / monthly / yearly backups to keep. */
    gfs: z
      .object({ daily: count(0).optional(), weekly: count(0).optional(), monthly: count(0).optional(), yearly: count(0).optional() })
      .strict()
      .optional(),
    /** The newest N backups are always kept, whatever their age. */
    minimum: count(1).default(3),
  })
  .strict();

export interface RetentionPolicy {
  keepLast: number;
  maxAgeDays: number;
  gfs?: { daily?: number; weekly?: number; monthly?: number; yearly?: number };
  minimum: number;
}

export interface RetentionCandidate {
  name: string;
  createdAt: Date;
  pinned: boolean;
  lastVerification: { ok: boolean; at: Date } | null;
}

export interface RetentionDecision {
  name: string;
  keep: boolean;
  /** Why kept (every rule that applies) or why deleted (every limit broken). Never empty. */
  reasons: string[];
}

/** Validate a policy (the config key `retention`); errors name the key, e.g. `retention.gfs.weekly`. */
export function parseRetentionPolicy(input: unknown): RetentionPolicy {
  const parsed = retentionPolicySchema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const key = ['retention', ...issue.path.map(String)].join('.');
    if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => `unknown key "${key}.${k}"`).join('; ');
    return `key "${key}": ${issue.message}`;
  });
  throw new ConfigError('Invalid retention policy:', problems);
}

const DAY_MS = 86_400_000;
type GfsPeriod = 'daily' | 'weekly' | 'monthly' | 'yearly';
const GFS_PERIODS: readonly GfsPeriod[] = ['daily', 'weekly', 'monthly', 'yearly'];

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The UTC period a date falls in: 2024-05-03, 2024-W18 (ISO week), 2024-05, 2024. */
export function gfsPeriodKey(period: GfsPeriod, date: Date): string {
  const y = date.getUTCFullYear();
  switch (period) {
    case 'daily':
      return `${y}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
    case 'monthly':
      return `${y}-${pad(date.getUTCMonth() + 1)}`;
    case 'yearly':
      return String(y);
    case 'weekly': {
      // The ISO week is the one containing this week's Thursday; its year is the Thursday's year.
      const mondayBased = (date.getUTCDay() + 6) % 7;
      const thursday = Date.UTC(y, date.getUTCMonth(), date.getUTCDate() - mondayBased + 3);
      const weekYear = new Date(thursday).getUTCFullYear();
      const week = Math.floor((thursday - Date.UTC(weekYear, 0, 1)) / (7 * DAY_MS)) + 1;
      return `${weekYear}-W${pad(week)}`;
    }
  }
}

function newestFirst(a: RetentionCandidate, b: RetentionCandidate): number {
  const byTime = b.createdAt.getTime() - a.createdAt.getTime();
  if (byTime !== 0) return byTime;
  return a.name < b.name ? 1 : a.name > b.name ? -1 : 0;
}

/** GFS reasons by backup name; `sorted` is newest first, so the first backup seen in a period is its newest. */
function gfsReasons(sorted: readonly RetentionCandidate[], gfs: RetentionPolicy['gfs']): Map<string, string[]> {
  const reasons = new Map<string, string[]>();
  for (const period of GFS_PERIODS) {
    const wanted = gfs?.[period] ?? 0;
    let taken = 0;
    let lastKey: string | undefined;
    for (const backup of sorted) {
      if (taken >= wanted) break;
      const key = gfsPeriodKey(period, backup.createdAt);
      if (key === lastKey) continue;
      lastKey = key;
      taken++;
      const list = reasons.get(backup.name) ?? [];
      list.push(`gfs ${period}: newest backup of ${key} (${taken} of ${wanted})`);
      reasons.set(backup.name, list);
    }
  }
  return reasons;
}

function checkInputs(backups: readonly RetentionCandidate[], now: Date): void {
  if (Number.isNaN(now.getTime())) throw new OperationError('Retention: "now" is not a valid date');
  const seen = new Set<string>();
  for (const b of backups) {
    if (seen.has(b.name)) throw new OperationError(`Retention: backup name "${b.name}" appears twice`);
    seen.add(b.name);
    if (Number.isNaN(b.createdAt.getTime())) throw new OperationError(`Retention: backup "${b.name}" has an invalid creation time`);
  }
}

const days = (ms: number) => (ms / DAY_MS).toFixed(1);

/** Decide, for every backup, keep or delete, with reasons. Newest first. See the file header for the rules. */
export function decideRetention(backups: readonly RetentionCandidate[], policy: RetentionPolicy, now: Date): RetentionDecision[] {
  const p = parseRetentionPolicy(policy);
  checkInputs(backups, now);
  const sorted = [...backups].sort(newestFirst);
  const gfs = gfsReasons(sorted, p.gfs);
  const newestVerified = sorted.find((b) => b.lastVerification?.ok === true);

  return sorted.map((backup, index) => {
    const rank = index + 1;
    const ageMs = now.getTime() - backup.createdAt.getTime();
    const withinCount = rank <= p.keepLast;
    const withinAge = ageMs <= p.maxAgeDays * DAY_MS;

    const keep: string[] = [];
    if (backup.pinned) keep.push('pinned');
    if (rank <= p.minimum) keep.push(`minimum: #${rank} of the ${p.minimum} newest backups, always kept whatever their age`);
    if (backup === newestVerified) {
      keep.push(`newest backup that passed verification (verified ${backup.lastVerification!.at.toISOString()})`);
    }
    keep.push(...(gfs.get(backup.name) ?? []));
    if (withinCount && withinAge) {
      keep.push(`within keepLast and maxAgeDays: #${rank} of the newest ${p.keepLast}, ${days(ageMs)} days old (limit ${p.maxAgeDays})`);
    }
    if (keep.length > 0) return { name: backup.name, keep: true, reasons: keep };

    const remove: string[] = [];
    if (!withinCount) remove.push(`beyond keepLast: #${rank}, only the newest ${p.keepLast} are kept`);
    if (!withinAge) {
      remove.push(`older than maxAgeDays: created ${backup.createdAt.toISOString()}, ${days(ageMs)} days ago (limit ${p.maxAgeDays})`);
    }
    return { name: backup.name, keep: false, reasons: remove };
  });
}
