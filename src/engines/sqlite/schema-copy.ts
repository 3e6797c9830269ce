/**
 * A schema-only SQLite dump: a new database file built from the schema's own SQL, read in one read
 * transaction, instead of a copy of every page with every row then deleted (time and free space in
 * proportion to the database, for a file of a few pages).
 *
 * What the file keeps besides the CREATE statements: the header settings that take effect only before
 * the first table (page size, auto-vacuum, text encoding), the user version and application id, WAL
 * mode, and the statistics tables ANALYZE made (empty, like every other table). The shadow tables of
 * virtual tables (FTS, R*Tree) are made by their CREATE VIRTUAL TABLE; sqlite_sequence by the first
 * AUTOINCREMENT table.
 */
import Database from 'better-sqlite3';
import { quoteIdent } from './content-hash.js';

interface SchemaObject {
  type: 'table' | 'index' | 'view' | 'trigger';
  name: string;
  sql: string;
}

interface SourceSchema {
  pageSize: number;
  autoVacuum: number;
  encoding: string;
  userVersion: number;
  applicationId: number;
  wal: boolean;
  objects: SchemaObject[];
  /** Shadow tables of virtual tables and SQLite's own tables (sqlite_sequence, sqlite_stat1, …). */
  notCreated: Set<string>;
  statTables: string[];
}

/** Tables before the indexes, views and triggers on them; in creation order within each kind. */
const ORDER = ['table', 'index', 'view', 'trigger'] as const;

export function copySchema(source: Database.Database, file: string): void {
  const schema = readSchema(source);
  const db = new Database(file);
  try {
    // Settings that apply only to an empty file come first.
    db.pragma(`encoding = '${schema.encoding}'`);
    db.pragma(`page_size = ${schema.pageSize}`);
    db.pragma(`auto_vacuum = ${schema.autoVacuum}`);
    db.transaction(() => {
      for (const type of ORDER) {
        for (const object of schema.objects) {
          if (object.type === type && !schema.notCreated.has(object.name)) db.exec(object.sql);
        }
      }
      if (schema.statTables.length) keepStatTables(db, schema.statTables);
    })();
    db.pragma(`user_version = ${schema.userVersion}`);
    db.pragma(`application_id = ${schema.applicationId}`);
    if (schema.wal) db.pragma('journal_mode = WAL');
  } finally {
    db.close();
  }
}

function readSchema(source: Database.Database): SourceSchema {
  // One read transaction: the settings and the objects belong to the same state of the file.
  return source.transaction(() => {
    const number = (pragma: string) => Number(source.pragma(pragma, { simple: true }));
    const tables = source.prepare(`SELECT name, type FROM pragma_table_list WHERE schema = 'main'`).all() as { name: string; type: string }[];
    const internal = (name: string) => /^sqlite_/i.test(name);
    return {
      pageSize: number('main.page_size'),
      autoVacuum: number('main.auto_vacuum'),
      encoding: String(source.pragma('encoding', { simple: true })),
      userVersion: number('main.user_version'),
      applicationId: number('main.application_id'),
      wal: String(source.pragma('main.journal_mode', { simple: true })).toLowerCase() === 'wal',
      objects: source.prepare(`SELECT type, name, sql FROM main.sqlite_schema WHERE sql IS NOT NULL ORDER BY rowid`).all() as SchemaObject[],
      notCreated: new Set(tables.filter((t) => t.type === 'shadow' || internal(t.name)).map((t) => t.name)),
      statTables: tables.filter((t) => /^sqlite_stat\d$/i.test(t.name)).map((t) => t.name),
    };
  })();
}

/**
 * The statistics tables cannot be created by name: ANALYZE makes them. Those the source does not
 * have go again, and the rest are emptied, as a schema-only dump holds no rows.
 */
function keepStatTables(db: Database.Database, wanted: string[]): void {
  db.exec('ANALYZE');
  const made = db.prepare(`SELECT name FROM main.sqlite_schema WHERE type = 'table' AND name LIKE 'sqlite\\_stat%' ESCAPE '\\'`).pluck().all() as string[];
  for (const name of made) db.exec(wanted.includes(name) ? `DELETE FROM main.${quoteIdent(name)}` : `DROP TABLE main.${quoteIdent(name)}`);
}
