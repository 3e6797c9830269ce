/**
 * What a seed run did (or, in a dry run, would do): counts per table, the rows that changed (by
 * natural key and column names — never values), the admin's status, and a one-line summary.
 * Nothing in a report is secret: the password never reaches it, nor does the hash.
 */
import type { AdminReport } from './admin.js';
import type { RowOutcome } from './rows.js';
import type { SeedEnvironment } from './schema.js';

export interface RowChange {
  action: 'inserted' | 'updated';
  /** The natural key, e.g. `name=owner` or `role_id=roles(name=owner), permission_id=…`. */
  key: string;
  /** For updates: the columns that changed. */
  columns: string[];
}

export interface TableReport {
  table: string;
  inserted: number;
  updated: number;
  unchanged: number;
  /** Rows not applied because of the environment. */
  skipped: number;
  changes: RowChange[];
}

export interface SeedTotals {
  inserted: number;
  updated: number;
  unchanged: number;
  skipped: number;
}

export interface SeedReport {
  environment: SeedEnvironment;
  dryRun: boolean;
  /** Each seed file and whether it applies in this environment. */
  files: { source: string; applied: boolean }[];
  /** In the order the tables were seeded; tables with only skipped rows last. */
  tables: TableReport[];
  /** The admin bootstrap, or null when the seed has none or it does not apply here. */
  admin: AdminReport | null;
  totals: SeedTotals;
  /** True when the run changed (or a dry run would change) anything. */
  changed: boolean;
  /** Informational lines (e.g. what was skipped and why). */
  notes: string[];
  /** Things worth acting on (e.g. an admin password that was kept). */
  warnings: string[];
  summary: string;
}

export function emptyTableReport(table: string): TableReport {
  return { table, inserted: 0, updated: 0, unchanged: 0, skipped: 0, changes: [] };
}

export function countOutcome(report: TableReport, outcome: RowOutcome, key: string): void {
  report[outcome.action] += 1;
  if (outcome.action !== 'unchanged') report.changes.push({ action: outcome.action, key, columns: outcome.columns });
}

export function totalsOf(tables: readonly TableReport[]): SeedTotals {
  const totals: SeedTotals = { inserted: 0, updated: 0, unchanged: 0, skipped: 0 };
  for (const t of tables) {
    totals.inserted += t.inserted;
    totals.updated += t.updated;
    totals.unchanged += t.unchanged;
    totals.skipped += t.skipped;
  }
  return totals;
}

function rows(n: number): string {
  return `${n} row${n === 1 ? '' : 's'}`;
}

export function summarize(totals: SeedTotals, options: { dryRun: boolean; environment: SeedEnvironment }): string {
  const skipped = totals.skipped ? `; ${rows(totals.skipped)} skipped in ${options.environment}` : '';
  if (totals.inserted + totals.updated === 0) {
    return `Nothing to change: ${rows(totals.unchanged)} already up to date${skipped}.`;
  }
  const counts = `${totals.inserted} inserted, ${totals.updated} updated, ${totals.unchanged} unchanged`;
  return options.dryRun ? `Dry run, nothing written: would be ${counts}${skipped}.` : `Seeded: ${counts}${skipped}.`;
}
