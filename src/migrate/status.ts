/**
 * Compare the migrations on disk with the history table: what is applied (and whether its file was
 * edited since, or is gone), what is pending (and whether it is older than something already
 * applied), and what failed. Pure: no database access.
 */
import { checksumMatches } from './checksum.js';
import type { HistoryEntry } from './history.js';
import { compareIds, type Finding, type Layout, type MigrationSource } from './sources.js';

export interface AppliedMigration {
  id: string;
  appliedAt: Date | null;
  checksum: string;
  /** The file changed since it was applied (LF/CRLF-only differences are not changes). */
  edited: boolean;
  /** No file for it in the migrations folder. */
  missing: boolean;
}

export interface PendingMigration {
  id: string;
  name: string;
  /** Sorts before a migration that is already applied (a late merge, or a renamed file). */
  outOfOrder: boolean;
}

export interface FailedMigration {
  id: string;
  startedAt: Date | null;
  error: string | null;
  failedStatement: string | null;
}

export interface MigrationStatus {
  layout: Layout;
  /** The history table this layout uses. */
  table: string;
  applied: AppliedMigration[];
  pending: PendingMigration[];
  failed: FailedMigration[];
  findings: Finding[];
  /** Nothing pending, failed or edited. */
  upToDate: boolean;
}

export function assess(source: MigrationSource, entries: HistoryEntry[], table: string): MigrationStatus {
  const files = new Map(source.migrations.map((m) => [m.id, m]));
  const appliedEntries = new Map<string, HistoryEntry>();
  for (const e of entries) if (e.status === 'applied') appliedEntries.set(e.id, e);
  const failedEntries = new Map<string, HistoryEntry>();
  for (const e of entries) if (e.status === 'failed' && !appliedEntries.has(e.id)) failedEntries.set(e.id, e);

  const applied = [...appliedEntries.values()].map((e): AppliedMigration => {
    const file = files.get(e.id);
    return { id: e.id, appliedAt: e.finishedAt, checksum: e.checksum, edited: !!file && !checksumMatches(file.up.text, e.checksum), missing: !file };
  });
  const compare = compareIds(source.layout);
  const lastApplied = applied.map((a) => a.id).sort(compare).at(-1);
  const pending = source.migrations
    .filter((m) => !appliedEntries.has(m.id) && !failedEntries.has(m.id))
    .map((m): PendingMigration => ({ id: m.id, name: m.name, outOfOrder: lastApplied !== undefined && compare(m.id, lastApplied) < 0 }));
  const failed = [...failedEntries.values()].map((e): FailedMigration => ({ id: e.id, startedAt: e.startedAt, error: e.error, failedStatement: e.failedStatement }));

  const findings: Finding[] = [...source.findings];
  for (const f of failed) findings.push({ level: 'error', code: 'failed', migration: f.id, message: `${f.id} failed${f.error ? `: ${f.error}` : ''}` });
  for (const a of applied) {
    if (a.edited) findings.push({ level: 'error', code: 'edited', migration: a.id, message: `${a.id} was edited after it was applied (${fileOf(source, a.id)} no longer matches the checksum recorded in ${table}).` });
    if (a.missing) findings.push({ level: 'warning', code: 'missing', migration: a.id, message: `${a.id} is recorded as applied in ${table} but has no file in ${source.dir}.` });
  }
  for (const p of pending.filter((x) => x.outOfOrder)) {
    findings.push({ level: 'warning', code: 'out-of-order', migration: p.id, message: `${p.id} is pending but sorts before migrations that are already applied; it will be applied after them.` });
  }
  const upToDate = pending.length === 0 && failed.length === 0 && !applied.some((a) => a.edited);
  return { layout: source.layout, table, applied, pending, failed, findings, upToDate };
}

function fileOf(source: MigrationSource, id: string): string {
  return source.migrations.find((m) => m.id === id)?.up.path ?? id;
}
