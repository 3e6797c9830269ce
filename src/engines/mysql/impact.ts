/**
 * MySQL/MariaDB impact probe: DDL commits implicitly, so only DML is dry-run (and only on tables whose
 * storage engine can roll back); everything else is assessed from metadata.
 */
import type { ImpactProbe, TableName } from '../impact-probe.js';
import { quoteIdent } from './sql.js';

export const mysqlImpactProbe: ImpactProbe = {
  dryRunsDdl: false,
  async beginDryRun(tx, timeoutMs) {
    const { rows } = await tx.query<{ v: string }>('SELECT VERSION() AS v');
    const seconds = Math.max(0.001, timeoutMs / 1000);
    if (/mariadb/i.test(rows[0]?.v ?? '')) await tx.query(`SET SESSION max_statement_time = ${seconds}`);
    else await tx.query(`SET SESSION max_execution_time = ${Math.round(seconds * 1000)}`);
    await tx.query(`SET SESSION innodb_lock_wait_timeout = ${Math.max(1, Math.ceil(seconds))}`);
  },
  async endDryRun(tx) {
    const { rows } = await tx.query<{ v: string }>('SELECT VERSION() AS v');
    if (/mariadb/i.test(rows[0]?.v ?? '')) await tx.query('SET SESSION max_statement_time = DEFAULT');
    else await tx.query('SET SESSION max_execution_time = DEFAULT');
    await tx.query('SET SESSION innodb_lock_wait_timeout = DEFAULT');
  },
  async countRows(db, table: TableName) {
    const { rows } = await db.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${quoteIdent(table.schema)}.${quoteIdent(table.name)}`);
    return Number(rows[0]?.n ?? 0);
  },
  async changeCounters() {
    return null;
  },
  async nonTransactionalTables(db, tables) {
    if (!tables.length) return [];
    const { rows } = await db.query<{ s: string; t: string; e: string | null }>(
      `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t, ENGINE AS e FROM information_schema.TABLES WHERE (TABLE_SCHEMA, TABLE_NAME) IN (${tables.map(() => '(?, ?)').join(', ')})`,
      tables.flatMap((t) => [t.schema, t.name]),
    );
    return rows.filter((r) => r.e !== null && !/^innodb$/i.test(r.e)).map((r) => ({ schema: r.s, name: r.t }));
  },
};
