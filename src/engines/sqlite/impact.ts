/** SQLite impact probe: transactional DDL; rows are counted before and after (SQLite keeps no per-table counters). */
import type { ImpactProbe, TableName } from '../impact-probe.js';

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

export const sqliteImpactProbe: ImpactProbe = {
  dryRunsDdl: true,
  // better-sqlite3 has no statement timeout; the dry run holds the write lock only while it runs.
  async beginDryRun() {},
  async endDryRun() {},
  async countRows(db, table: TableName) {
    const { rows } = await db.query<{ n: number }>(`SELECT count(*) AS n FROM ${quote(table.schema)}.${quote(table.name)}`);
    return Number(rows[0]?.n ?? 0);
  },
  async changeCounters() {
    return null;
  },
  async nonTransactionalTables() {
    return [];
  },
};
