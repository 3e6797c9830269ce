/** Empty a scratch (shadow) database: every user schema dropped with what it holds, public recreated. */
import type { Engine } from '../engine.js';

export async function emptyPostgresDatabase(engine: Engine): Promise<void> {
  const { rows } = await engine.query<{ name: string }>(
    `SELECT nspname AS name FROM pg_namespace
      WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
        AND nspname NOT LIKE 'pg\\_temp\\_%' AND nspname NOT LIKE 'pg\\_toast\\_temp\\_%'`,
  );
  await engine.transaction(async (tx) => {
    for (const { name } of rows) await tx.query(`DROP SCHEMA "${name.replace(/"/g, '""')}" CASCADE`);
    await tx.query('CREATE SCHEMA IF NOT EXISTS public');
  });
}
