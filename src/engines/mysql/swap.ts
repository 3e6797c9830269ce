/**
 * Swapping a restored database in place of the current one on the same server.
 *
 * Tables (and MariaDB sequences) move in one atomic RENAME TABLE: the current ones into a new
 * database `<current>__replaced_<UTC yyyymmddhhmmss>`, the restored ones into the current database.
 * The rest cannot be part of that statement and follows it, so it is not atomic:
 * - Triggers: RENAME TABLE refuses to move a table with triggers to another database ("Trigger in
 *   wrong schema"), so both databases' triggers are dropped just before the rename and created again
 *   on the moved tables right after (recreated as they were if the rename fails). Writes in that
 *   short window do not fire them.
 * - Views, procedures, functions and events live in a database, not on a table: the current ones are
 *   copied into the kept database (events there disabled) and replaced in the current database by
 *   the restored ones.
 * Definitions are read with SHOW CREATE while the object's database is the default one, so they name
 * their own database's objects without a qualifier and are created again in the other database with
 * each object's own sql_mode. Objects are created with their DEFINER, which needs the SET USER (or
 * SUPER) privilege when that is another user.
 * The restored database, empty by then, is dropped.
 */
import { OperationError, UsageError, errorMessage } from '../../core/errors.js';
import { redactText } from '../../core/redact.js';
import type { ServerTarget } from '../../core/url.js';
import type { Queryable, Row } from '../engine.js';
import { quoteIdent, sameServer, str, withSession } from './sql.js';

const MAX_NAME = 64;
type Kind = 'TRIGGER' | 'VIEW' | 'PROCEDURE' | 'FUNCTION' | 'EVENT';

interface DbObject {
  kind: Kind;
  name: string;
  sql: string;
  sqlMode: string | undefined;
}

const LISTS: Record<Kind, string> = {
  TRIGGER: 'SELECT TRIGGER_NAME AS name FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?',
  VIEW: 'SELECT TABLE_NAME AS name FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?',
  PROCEDURE: "SELECT ROUTINE_NAME AS name FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? AND ROUTINE_TYPE = 'PROCEDURE'",
  FUNCTION: "SELECT ROUTINE_NAME AS name FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? AND ROUTINE_TYPE = 'FUNCTION'",
  EVENT: 'SELECT EVENT_NAME AS name FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?',
};
const DEFINITION_COLUMN: Record<Kind, string> = {
  TRIGGER: 'SQL Original Statement', VIEW: 'Create View', PROCEDURE: 'Create Procedure', FUNCTION: 'Create Function', EVENT: 'Create Event',
};

export function keptName(current: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/\D/g, '').slice(0, 14);
  const suffix = `__replaced_${stamp}`;
  return current.slice(0, MAX_NAME - suffix.length) + suffix;
}

export async function swapDatabases(current: ServerTarget, restored: ServerTarget): Promise<{ replacedBy: string; keptAs: string }> {
  if (!sameServer(current, restored) || restored.database === current.database) {
    throw new UsageError(`Cannot swap ${restored.redacted} in place of ${current.redacted}: it must be another database on the same server.`);
  }
  const cur = current.database;
  const keep = keptName(cur);
  return withSession(current, async (s) => {
    const { rows } = await s.query<Row>(
      'SELECT SCHEMA_NAME AS db, DEFAULT_CHARACTER_SET_NAME AS cs, DEFAULT_COLLATION_NAME AS co FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN (?, ?)',
      [cur, restored.database],
    );
    const charset = rows.find((r) => str(r.db) === cur);
    if (!charset || rows.length !== 2) throw new OperationError(`The restored database ${restored.database} does not exist.`);
    const curObjects = await readObjects(s, cur);
    const newObjects = await readObjects(s, restored.database);
    const curTables = await tablesOf(s, cur);
    const newTables = await tablesOf(s, restored.database);

    // The kept database has the current one's defaults, so tables created in it later behave the same.
    await s.query(`CREATE DATABASE ${quoteIdent(keep)} CHARACTER SET ${str(charset.cs)} COLLATE ${str(charset.co)}`);
    const triggers = (objects: DbObject[]) => objects.filter((o) => o.kind === 'TRIGGER');
    await dropObjects(s, restored.database, triggers(newObjects));
    await dropObjects(s, cur, triggers(curObjects));
    const renames = [
      ...curTables.map((t) => `${quoteIdent(cur)}.${quoteIdent(t)} TO ${quoteIdent(keep)}.${quoteIdent(t)}`),
      ...newTables.map((t) => `${quoteIdent(restored.database)}.${quoteIdent(t)} TO ${quoteIdent(cur)}.${quoteIdent(t)}`),
    ];
    try {
      if (renames.length) await s.query(`RENAME TABLE ${renames.join(', ')}`);
    } catch (err) {
      await createObjects(s, cur, triggers(curObjects));
      await createObjects(s, restored.database, triggers(newObjects));
      await s.query(`DROP DATABASE ${quoteIdent(keep)}`);
      throw new OperationError(`Swapping ${restored.database} in place of ${cur} failed; nothing was changed: ${redactText(errorMessage(err))}`);
    }
    const others = (objects: DbObject[]) => objects.filter((o) => o.kind !== 'TRIGGER');
    await createObjects(s, keep, curObjects, { disableEvents: true });
    await dropObjects(s, cur, others(curObjects));
    await createObjects(s, cur, newObjects);
    await s.query(`DROP DATABASE ${quoteIdent(restored.database)}`);
    return { replacedBy: restored.database, keptAs: keep };
  });
}

async function tablesOf(s: Queryable, db: string): Promise<string[]> {
  const { rows } = await s.query<Row>(
    "SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE <> 'VIEW'",
    [db],
  );
  return rows.map((r) => str(r.name));
}

async function readObjects(s: Queryable, db: string): Promise<DbObject[]> {
  await s.query(`USE ${quoteIdent(db)}`);
  const objects: DbObject[] = [];
  for (const kind of Object.keys(LISTS) as Kind[]) {
    const { rows } = await s.query<Row>(LISTS[kind], [db]);
    for (const name of rows.map((r) => str(r.name))) {
      const { rows: shown } = await s.query<Row>(`SHOW CREATE ${kind} ${quoteIdent(name)}`);
      const row = shown[0] ?? {};
      objects.push({ kind, name, sql: str(row[DEFINITION_COLUMN[kind]]), sqlMode: row.sql_mode === undefined ? undefined : str(row.sql_mode) });
    }
  }
  return objects;
}

async function dropObjects(s: Queryable, db: string, objects: DbObject[]): Promise<void> {
  for (const o of objects) await s.query(`DROP ${o.kind} IF EXISTS ${quoteIdent(db)}.${quoteIdent(o.name)}`);
}

/** Create the objects in `db`; views are retried until those they depend on exist. */
async function createObjects(s: Queryable, db: string, objects: DbObject[], options = { disableEvents: false }): Promise<void> {
  await s.query(`USE ${quoteIdent(db)}`);
  const { rows } = await s.query<Row>('SELECT @@SESSION.sql_mode AS mode');
  let pending = objects;
  try {
    while (pending.length) {
      const failed: { object: DbObject; error: unknown }[] = [];
      for (const object of pending) {
        try {
          if (object.sqlMode !== undefined) await s.query('SET SESSION sql_mode = ?', [object.sqlMode]);
          await s.query(object.sql);
          if (object.kind === 'EVENT' && options.disableEvents) await s.query(`ALTER EVENT ${quoteIdent(object.name)} DISABLE`);
        } catch (error) {
          if (object.kind !== 'VIEW') throw error;
          failed.push({ object, error });
        }
      }
      if (failed.length === pending.length) throw failed[0]?.error;
      pending = failed.map((f) => f.object);
    }
  } finally {
    await s.query('SET SESSION sql_mode = ?', [str(rows[0]?.mode)]);
  }
}
