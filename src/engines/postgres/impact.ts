/** PostgreSQL impact probe: transactional DDL, statement_timeout, and pg_stat_xact_user_tables. */
import type { ChangeCounts, ImpactProbe, TableName } from '../impact-probe.js';

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

export const postgresImpactProbe: ImpactProbe = {
  dryRunsDdl: true,
  async beginDryRun(tx, timeoutMs) {
    await tx.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.round(timeoutMs))}`);
    await tx.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.round(timeoutMs))}`);
  },
  // SET LOCAL ends with the transaction.
  async endDryRun() {},
  async countRows(db, table: TableName) {
    const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${quote(table.schema)}.${quote(table.name)}`);
    return Number(rows[0]?.n ?? 0);
  },
  async changeCounters(tx) {
    const { rows } = await tx.query<{ schemaname: string; relname: string; ins: string; upd: string; del: string }>(
      'SELECT schemaname, relname, n_tup_ins AS ins, n_tup_upd AS upd, n_tup_del AS del FROM pg_stat_xact_user_tables WHERE n_tup_ins + n_tup_upd + n_tup_del > 0',
    );
    const counts = new Map<string, ChangeCounts>();
    for (const r of rows) counts.set(`${r.schemaname}.${r.relname}`, { inserted: Number(r.ins), updated: Number(r.upd), deleted: Number(r.del) });
    return counts;
  },
  async nonTransactionalTables() {
    return [];
  },
};
