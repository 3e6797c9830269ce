/** Empty a scratch (shadow) database: tables, views, sequences, routines and events of the current database. */
import type { Engine } from '../engine.js';

const q = (name: string) => `\`${name.replace(/`/g, '``')}\``;

export async function emptyMysqlDatabase(engine: Engine): Promise<void> {
  const tables = await engine.query<{ name: string; type: string }>(
    'SELECT TABLE_NAME AS name, TABLE_TYPE AS type FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()',
  );
  const routines = await engine.query<{ name: string; type: string }>(
    'SELECT ROUTINE_NAME AS name, ROUTINE_TYPE AS type FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()',
  );
  const events = await engine.query<{ name: string }>('SELECT EVENT_NAME AS name FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE()');
  // One connection: FOREIGN_KEY_CHECKS is a session setting (DDL commits implicitly on MySQL anyway).
  await engine.transaction(async (tx) => {
    await tx.query('SET FOREIGN_KEY_CHECKS = 0');
    try {
      for (const t of tables.rows) {
        const kind = t.type === 'VIEW' ? 'VIEW' : t.type === 'SEQUENCE' ? 'SEQUENCE' : 'TABLE';
        await tx.query(`DROP ${kind} IF EXISTS ${q(t.name)}`);
      }
      for (const r of routines.rows) await tx.query(`DROP ${r.type === 'FUNCTION' ? 'FUNCTION' : 'PROCEDURE'} IF EXISTS ${q(r.name)}`);
      for (const e of events.rows) await tx.query(`DROP EVENT IF EXISTS ${q(e.name)}`);
    } finally {
      await tx.query('SET FOREIGN_KEY_CHECKS = 1');
    }
  });
}
