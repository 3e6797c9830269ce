/**
 * Read the current database's catalog (information_schema, the same queries on MySQL and MariaDB)
 * into the engine-neutral SchemaModel. The schema is the database.
 *
 * Normalisations, so that MySQL 8 and MariaDB describe the same DDL the same way:
 * - Integer display widths are dropped (`int(11)` → `int`), except `tinyint(1)`, the boolean idiom.
 * - Defaults follow MariaDB's convention: string literals quoted ('x'), numbers and expressions bare,
 *   null when there is no default or the default is NULL. MySQL's unquoted literals are quoted.
 * - MariaDB's JSON is LONGTEXT plus an automatic CHECK (json_valid(`col`)) named after the column:
 *   such a column is reported with type `json`, and that automatic check is left out of `checks`.
 * - View definitions are stored qualified with the database name; that qualifier is removed so the
 *   same view gives the same fingerprint in any database.
 * - Index key parts: a column name, with `(n)` for a prefix length and ` DESC` for a descending part;
 *   expression parts (MySQL ≥ 8.0.13) carry the expression text.
 * MariaDB sequences (TABLE_TYPE 'SEQUENCE') are reported as sequences, not tables.
 * The fingerprint leaves the database name out even where it serves as the schema name (see below).
 */
import { UsageError } from '../../core/errors.js';
import { finalizeModel, type SchemaParts } from '../../schema/fingerprint.js';
import type {
  CheckConstraint,
  Column,
  ForeignKey,
  Index,
  ReferentialAction,
  SchemaModel,
  Sequence,
  Table,
  TypeCategory,
  View,
} from '../../schema/model.js';
import type { IntrospectOptions, Queryable, Row } from '../engine.js';

const CATEGORY_BY_DATA_TYPE: Record<string, TypeCategory> = {
  tinyint: 'integer', smallint: 'integer', mediumint: 'integer', int: 'integer', integer: 'integer', bigint: 'integer',
  decimal: 'decimal', numeric: 'decimal',
  float: 'float', double: 'float', real: 'float',
  char: 'text', varchar: 'text', tinytext: 'text', text: 'text', mediumtext: 'text', longtext: 'text',
  binary: 'binary', varbinary: 'binary', tinyblob: 'binary', blob: 'binary', mediumblob: 'binary', longblob: 'binary',
  date: 'date', time: 'time', datetime: 'timestamp', timestamp: 'timestamp',
  json: 'json', enum: 'enum', uuid: 'uuid',
};
const NUMERIC: TypeCategory[] = ['integer', 'decimal', 'float', 'boolean'];

/** information_schema text can arrive as a Buffer on MySQL 8 (binary collations); read it as UTF-8. */
function text(value: unknown): string {
  return Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
}

function textOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : text(value);
}

function numberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function quoteIdent(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

function groupBy<T extends Row>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    groups.set(k, [...(groups.get(k) ?? []), row]);
  }
  return groups;
}

const byTable = (row: Row): string => text(row.tableName);

function normaliseType(columnType: string): string {
  const type = columnType.toLowerCase();
  return type.startsWith('tinyint(1)') ? type : type.replace(/^(tinyint|smallint|mediumint|int|bigint|year)\(\d+\)/, '$1');
}

function categoryOf(dataType: string, type: string): TypeCategory {
  if (type.startsWith('tinyint(1)')) return 'boolean';
  return CATEGORY_BY_DATA_TYPE[dataType] ?? 'other';
}

function normaliseDefault(raw: string | null, extra: string, category: TypeCategory, mariadb: boolean): string | null {
  if (raw === null) return null;
  if (mariadb) return raw === 'NULL' ? null : raw;
  const expression = /DEFAULT_GENERATED/i.test(extra) || /^current_timestamp(\(\d*\))?$/i.test(raw);
  if (expression || NUMERIC.includes(category)) return raw;
  return `'${raw.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** Which optional information_schema columns this server has (they differ by product and version). */
async function catalogColumns(db: Queryable): Promise<Set<string>> {
  const { rows } = await db.query(
    `SELECT TABLE_NAME AS tableName, COLUMN_NAME AS columnName FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = 'information_schema' AND TABLE_NAME IN ('STATISTICS', 'CHECK_CONSTRAINTS')`,
  );
  return new Set(rows.map((r) => `${text(r.tableName)}.${text(r.columnName)}`.toUpperCase()));
}

async function readChecks(db: Queryable, database: string, catalog: Set<string>): Promise<Row[]> {
  if (!catalog.has('CHECK_CONSTRAINTS.CHECK_CLAUSE')) return [];
  // MariaDB scopes check names to the table (and says which); MySQL scopes them to the schema.
  const sameTable = catalog.has('CHECK_CONSTRAINTS.TABLE_NAME') ? 'AND cc.TABLE_NAME = tc.TABLE_NAME' : '';
  const { rows } = await db.query(
    `SELECT tc.TABLE_NAME AS tableName, cc.CONSTRAINT_NAME AS name, cc.CHECK_CLAUSE AS clause
       FROM information_schema.TABLE_CONSTRAINTS tc
       JOIN information_schema.CHECK_CONSTRAINTS cc
         ON cc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME ${sameTable}
      WHERE tc.TABLE_SCHEMA = ? AND tc.CONSTRAINT_TYPE = 'CHECK'`,
    [database],
  );
  return rows;
}

/** MariaDB's automatic JSON check: named after its (LONGTEXT) column, clause json_valid(`column`). */
function isJsonCheck(check: Row): boolean {
  return text(check.clause) === `json_valid(${quoteIdent(text(check.name))})`;
}

function buildColumns(rows: Row[], jsonColumns: Set<string>, mariadb: boolean): Column[] {
  return rows.map((r) => {
    const name = text(r.name);
    const isJson = jsonColumns.has(name);
    const type = isJson ? 'json' : normaliseType(text(r.type));
    const typeCategory = isJson ? 'json' : categoryOf(text(r.dataType).toLowerCase(), type);
    const extra = text(r.extra ?? '');
    return {
      name,
      position: Number(r.position),
      type,
      typeCategory,
      nullable: text(r.nullable) === 'YES',
      default: normaliseDefault(textOrNull(r.def), extra, typeCategory, mariadb),
      autoIncrement: /auto_increment/i.test(extra),
      generated: /\b(VIRTUAL|STORED) GENERATED\b/i.test(extra) ? textOrNull(r.generated) : null,
    };
  });
}

function buildIndexes(rows: Row[], uniqueConstraints: Set<string>): Index[] {
  return [...groupBy(rows, (r) => text(r.name))].map(([name, parts]) => {
    const expressions = parts.map((p) => p.expression !== null && p.expression !== undefined);
    const columns = parts.map((p, i) => {
      if (expressions[i]) return text(p.expression);
      const prefix = p.subPart !== null && p.subPart !== undefined ? `(${text(p.subPart)})` : '';
      return `${text(p.columnName)}${prefix}${text(p.collation) === 'D' ? ' DESC' : ''}`;
    });
    const first = parts[0] as Row;
    return {
      name,
      columns,
      expressions,
      unique: Number(first.nonUnique) === 0,
      where: null,
      method: text(first.method).toLowerCase(),
      backsConstraint: name === 'PRIMARY' || uniqueConstraints.has(name),
    };
  });
}

function buildForeignKeys(rows: Row[]): ForeignKey[] {
  return [...groupBy(rows, (r) => text(r.name))].map(([name, parts]) => {
    const first = parts[0] as Row;
    return {
      name,
      columns: parts.map((p) => text(p.columnName)),
      referencedSchema: text(first.refSchema),
      referencedTable: text(first.refTable),
      referencedColumns: parts.map((p) => text(p.refColumn)),
      onDelete: text(first.onDelete) as ReferentialAction,
      onUpdate: text(first.onUpdate) as ReferentialAction,
    };
  });
}

async function readSequence(db: Queryable, schema: string, name: string): Promise<Sequence> {
  const { rows } = await db.query(
    `SELECT start_value AS start, increment, minimum_value AS min, maximum_value AS max, cycle_option AS cycle
       FROM ${quoteIdent(schema)}.${quoteIdent(name)}`,
  );
  const r = rows[0] ?? {};
  return {
    schema,
    name,
    type: 'bigint',
    start: text(r.start),
    increment: text(r.increment),
    min: textOrNull(r.min),
    max: textOrNull(r.max),
    cycle: Number(r.cycle) === 1,
    ownedBy: null,
  };
}

export async function introspectMysql(db: Queryable, options: IntrospectOptions = {}): Promise<SchemaModel> {
  const { rows: head } = await db.query('SELECT DATABASE() AS db, VERSION() AS version');
  const database = text(head[0]?.db);
  const serverVersion = text(head[0]?.version);
  const mariadb = /mariadb/i.test(serverVersion);
  const catalog = await catalogColumns(db);
  const args = [database];
  const hasExpression = catalog.has('STATISTICS.EXPRESSION');

  const [tables, columns, indexes, constraints, foreignKeys, checks, triggers, views] = await Promise.all([
    db.query(
      `SELECT TABLE_NAME AS name, TABLE_TYPE AS type, TABLE_COMMENT AS comment, TABLE_ROWS AS rowEstimate,
              DATA_LENGTH AS dataLength, INDEX_LENGTH AS indexLength
         FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE IN ('BASE TABLE', 'SEQUENCE')`,
      args,
    ),
    db.query(
      `SELECT TABLE_NAME AS tableName, COLUMN_NAME AS name, ORDINAL_POSITION AS position, COLUMN_TYPE AS type,
              DATA_TYPE AS dataType, IS_NULLABLE AS nullable, COLUMN_DEFAULT AS def, EXTRA AS extra,
              GENERATION_EXPRESSION AS \`generated\`
         FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION`,
      args,
    ),
    db.query(
      `SELECT TABLE_NAME AS tableName, INDEX_NAME AS name, NON_UNIQUE AS nonUnique, COLUMN_NAME AS columnName,
              SUB_PART AS subPart, COLLATION AS collation, INDEX_TYPE AS method,
              ${hasExpression ? 'EXPRESSION' : 'NULL'} AS expression
         FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
      args,
    ),
    db.query(
      `SELECT TABLE_NAME AS tableName, CONSTRAINT_NAME AS name FROM information_schema.TABLE_CONSTRAINTS
        WHERE TABLE_SCHEMA = ? AND CONSTRAINT_TYPE = 'UNIQUE'`,
      args,
    ),
    db.query(
      `SELECT k.TABLE_NAME AS tableName, k.CONSTRAINT_NAME AS name, k.COLUMN_NAME AS columnName,
              k.REFERENCED_TABLE_SCHEMA AS refSchema, k.REFERENCED_TABLE_NAME AS refTable,
              k.REFERENCED_COLUMN_NAME AS refColumn, r.DELETE_RULE AS onDelete, r.UPDATE_RULE AS onUpdate
         FROM information_schema.KEY_COLUMN_USAGE k
         JOIN information_schema.REFERENTIAL_CONSTRAINTS r
           ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME
        WHERE k.TABLE_SCHEMA = ? ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION`,
      args,
    ),
    readChecks(db, database, catalog),
    db.query(
      `SELECT EVENT_OBJECT_TABLE AS tableName, TRIGGER_NAME AS name, ACTION_TIMING AS timing,
              EVENT_MANIPULATION AS event, ACTION_ORIENTATION AS level, ACTION_STATEMENT AS definition
         FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?`,
      args,
    ),
    db.query(`SELECT TABLE_NAME AS name, VIEW_DEFINITION AS definition FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?`, args),
  ]);

  const columnsByTable = groupBy(columns.rows, byTable);
  const indexesByTable = groupBy(indexes.rows, byTable);
  const uniqueByTable = groupBy(constraints.rows, byTable);
  const fksByTable = groupBy(foreignKeys.rows, byTable);
  const checksByTable = groupBy(checks, byTable);
  const triggersByTable = groupBy(triggers.rows, byTable);

  let baseTables = tables.rows.filter((t) => text(t.type) === 'BASE TABLE');
  if (options.table !== undefined) {
    const wanted = options.table;
    baseTables = baseTables.filter((t) => wanted === text(t.name) || wanted === `${database}.${text(t.name)}`);
    if (baseTables.length === 0) throw new UsageError(`Table "${wanted}" not found in database ${database}.`);
  }

  const modelTables: Table[] = baseTables.map((t) => {
    const name = text(t.name);
    const tableColumns = columnsByTable.get(name) ?? [];
    const allChecks = checksByTable.get(name) ?? [];
    const longtext = new Set(tableColumns.filter((c) => text(c.dataType) === 'longtext').map((c) => text(c.name)));
    const jsonChecks = mariadb ? allChecks.filter((c) => isJsonCheck(c) && longtext.has(text(c.name))) : [];
    const uniqueNames = new Set((uniqueByTable.get(name) ?? []).map((u) => text(u.name)));
    const tableIndexes = buildIndexes(indexesByTable.get(name) ?? [], uniqueNames);
    const primary = tableIndexes.find((i) => i.name === 'PRIMARY');
    const dataLength = numberOrNull(t.dataLength);
    const indexLength = numberOrNull(t.indexLength);
    return {
      schema: database,
      name,
      columns: buildColumns(tableColumns, new Set(jsonChecks.map((c) => text(c.name))), mariadb),
      primaryKey: primary ? { name: 'PRIMARY', columns: primary.columns } : null,
      uniqueConstraints: tableIndexes.filter((i) => uniqueNames.has(i.name)).map((i) => ({ name: i.name, columns: i.columns })),
      indexes: tableIndexes,
      foreignKeys: buildForeignKeys(fksByTable.get(name) ?? []),
      checks: allChecks
        .filter((c) => !jsonChecks.includes(c))
        .map((c): CheckConstraint => ({ name: text(c.name), expression: text(c.clause) })),
      triggers: (triggersByTable.get(name) ?? []).map((tr) => ({
        name: text(tr.name),
        timing: text(tr.timing),
        events: [text(tr.event)],
        level: text(tr.level),
        definition: text(tr.definition),
      })),
      rowLevelSecurity: null,
      comment: text(t.comment ?? '') || null,
      stats: {
        rowEstimate: numberOrNull(t.rowEstimate),
        sizeBytes: dataLength === null && indexLength === null ? null : (dataLength ?? 0) + (indexLength ?? 0),
      },
    };
  });

  const wholeDatabase = options.table === undefined;
  const qualifier = `${quoteIdent(database)}.`;
  const modelViews: View[] = wholeDatabase
    ? views.rows.map((v) => ({
        schema: database,
        name: text(v.name),
        materialized: false,
        definition: text(v.definition).split(qualifier).join(''),
        columns: (columnsByTable.get(text(v.name)) ?? []).map((c) => text(c.name)),
      }))
    : [];
  const sequenceNames = tables.rows.filter((t) => text(t.type) === 'SEQUENCE').map((t) => text(t.name));
  const sequences = wholeDatabase ? await Promise.all(sequenceNames.map((n) => readSequence(db, database, n))) : [];

  const parts: SchemaParts = {
    engine: 'mysql',
    database,
    serverVersion,
    schemas: [database],
    tables: modelTables,
    views: modelViews,
    sequences,
    enums: [],
  };
  return finalizeModel(parts);
}
