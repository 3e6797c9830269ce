/** Empty a scratch (shadow) database file: every view, table and trigger (indexes go with their tables). */
import type { Engine } from '../engine.js';

export async function emptySqliteDatabase(engine: Engine): Promise<void> {
  const { rows } = await engine.query<{ type: string; name: string }>(
    "SELECT type, name FROM sqlite_schema WHERE type IN ('view', 'table', 'trigger') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type = 'table'",
  );
  await engine.query('PRAGMA foreign_keys = OFF');
  try {
    await engine.transaction(async (tx) => {
      for (const r of rows) await tx.query(`DROP ${r.type.toUpperCase()} IF EXISTS "${r.name.replace(/"/g, '""')}"`);
    });
  } finally {
    await engine.query('PRAGMA foreign_keys = ON');
  }
}
