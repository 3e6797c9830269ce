/**
 * The engine-neutral schema model. Every engine's introspection produces exactly this shape, so that
 * drift detection, the safety gate, RLS and privacy tooling work the same way on all three engines.
 *
 * Conventions:
 * - Names are as the engine stores them (no case folding).
 * - `type` is the engine's own column type, lower-cased (e.g. `character varying(160)`, `nvarchar(160)`);
 *   `typeCategory` is the engine-neutral meaning of that type.
 * - Expressions (defaults, checks, index predicates) are the engine's own canonical text.
 * - `stats` holds measurements (row estimates, sizes); they are never part of the fingerprint.
 * - SQLite has one schema, named `main`; MySQL's schema is the database.
 */
import type { EngineName } from '../core/url.js';

export type TypeCategory =
  | 'integer'
  | 'decimal'
  | 'float'
  | 'boolean'
  | 'text'
  | 'binary'
  | 'date'
  | 'time'
  | 'timestamp'
  | 'interval'
  | 'json'
  | 'uuid'
  | 'enum'
  | 'array'
  | 'other';

export type ReferentialAction = 'NO ACTION' | 'RESTRICT' | 'CASCADE' | 'SET NULL' | 'SET DEFAULT';

export interface Column {
  name: string;
  /** 1-based position in the table. Column order is part of the schema (INSERT without a column list depends on it). */
  position: number;
  type: string;
  typeCategory: TypeCategory;
  nullable: boolean;
  /** Default expression as text, or null when there is none. */
  default: string | null;
  /** Filled by the database: SERIAL/IDENTITY (PostgreSQL), AUTO_INCREMENT (MySQL), INTEGER PRIMARY KEY / AUTOINCREMENT (SQLite). */
  autoIncrement: boolean;
  /** Generation expression for generated/computed columns, else null. */
  generated: string | null;
}

export interface PrimaryKey {
  /** Constraint name where the engine has one (MySQL always calls it PRIMARY, SQLite has none). */
  name: string | null;
  columns: string[];
}

export interface UniqueConstraint {
  name: string;
  columns: string[];
}

export interface Index {
  name: string;
  /** Key parts in order: a column name, or the expression text for an expression part. */
  columns: string[];
  /** For each key part: true when it is an expression rather than a plain column. */
  expressions: boolean[];
  unique: boolean;
  /** Partial index predicate (PostgreSQL, SQLite), else null. */
  where: string | null;
  /** Access method: btree, hash, gin, gist, fulltext, spatial, … (lower-case). */
  method: string;
  /** True when the index exists to back a primary key or unique constraint. */
  backsConstraint: boolean;
}

export interface ForeignKey {
  /** Constraint name where the engine has one; SQLite's are unnamed unless declared. */
  name: string | null;
  columns: string[];
  referencedSchema: string;
  referencedTable: string;
  referencedColumns: string[];
  onDelete: ReferentialAction;
  onUpdate: ReferentialAction;
}

export interface CheckConstraint {
  name: string | null;
  expression: string;
}

export interface Trigger {
  name: string;
  /** BEFORE, AFTER or INSTEAD OF. */
  timing: string;
  /** INSERT, UPDATE, DELETE, TRUNCATE — sorted. */
  events: string[];
  /** ROW or STATEMENT. */
  level: string;
  /** The engine's full definition text. */
  definition: string;
}

export interface Policy {
  name: string;
  /** PERMISSIVE or RESTRICTIVE. */
  kind: string;
  /** ALL, SELECT, INSERT, UPDATE or DELETE. */
  command: string;
  roles: string[];
  using: string | null;
  withCheck: string | null;
}

export interface RowLevelSecurity {
  enabled: boolean;
  forced: boolean;
  policies: Policy[];
}

export interface TableStats {
  /** The engine's estimate (PostgreSQL reltuples, MySQL TABLE_ROWS, SQLite an exact count); null when unknown. */
  rowEstimate: number | null;
  /** Bytes on disk including indexes where the engine tells; null when unknown. */
  sizeBytes: number | null;
}

export interface Table {
  schema: string;
  name: string;
  columns: Column[];
  primaryKey: PrimaryKey | null;
  uniqueConstraints: UniqueConstraint[];
  indexes: Index[];
  foreignKeys: ForeignKey[];
  checks: CheckConstraint[];
  triggers: Trigger[];
  /** PostgreSQL only; null on engines without row-level security. */
  rowLevelSecurity: RowLevelSecurity | null;
  /** MySQL: the next AUTO_INCREMENT value lives in stats territory; here only whether the table has one. */
  comment: string | null;
  stats: TableStats;
}

export interface View {
  schema: string;
  name: string;
  materialized: boolean;
  definition: string;
  columns: string[];
}

export interface Sequence {
  schema: string;
  name: string;
  /** Data type, e.g. bigint. */
  type: string;
  start: string;
  increment: string;
  min: string | null;
  max: string | null;
  cycle: boolean;
  /** "schema.table.column" when the sequence is owned by a column (SERIAL/IDENTITY), else null. */
  ownedBy: string | null;
}

export interface EnumType {
  schema: string;
  name: string;
  /** In declaration order: the order is part of the type. */
  values: string[];
}

export interface SchemaModel {
  engine: EngineName;
  /** Database name (SQLite: the file name). Not part of the fingerprint. */
  database: string;
  /** Server version string. Not part of the fingerprint. */
  serverVersion: string;
  schemas: string[];
  tables: Table[];
  views: View[];
  sequences: Sequence[];
  /** PostgreSQL enum types. MySQL ENUM columns carry their values in the column type. */
  enums: EnumType[];
  /** Hex SHA-256 of the schema's structure (see schema/fingerprint.ts). */
  fingerprint: string;
}
