/**
 * The safety gate's statement classification: what one statement does, decided from a real parse
 * (libpg-query for PostgreSQL, node-sql-parser + SQLite's own compiler for SQLite, node-sql-parser
 * for MySQL/MariaDB). Classification never touches a database; the impact assessment
 * (src/guard/impact.ts) runs later and may turn a row-bounded write into a destructive one.
 */
import type { EngineName } from '../../core/url.js';

export type Dialect = EngineName;

/**
 * read: cannot change data or schema. write: changes rows in a bounded way (INSERT, or UPDATE/DELETE
 * with a real WHERE, whose affected rows the assessment compares with the threshold). destructive:
 * needs approval and a verified backup.
 */
export type StatementClass = 'read' | 'write' | 'destructive';

export type TargetAction = 'insert' | 'update' | 'delete' | 'truncate' | 'drop' | 'alter' | 'other';

/** An object a statement changes or removes. */
export interface StatementTarget {
  /** table, view, materialized view, index, schema, database, function, type, role, policy, sequence, column, constraint, … */
  objectType: string;
  /** Schema (PostgreSQL) or database (MySQL) qualifier when the statement gives one. */
  schema?: string;
  /** The object's name as written, unquoted. For a column: its table's name (the column is in `column`). */
  name: string;
  column?: string;
  action: TargetAction;
}

export interface ClassifiedStatement {
  /** 0-based position in the input. */
  index: number;
  /** The statement's source text, without the trailing semicolon. */
  text: string;
  /** Offsets of text in the input. */
  start: number;
  end: number;
  /** Short upper-case label: SELECT, INSERT, UPDATE, DELETE, DROP TABLE, TRUNCATE, ALTER TABLE, DO, BEGIN, UNPARSED, … */
  kind: string;
  class: StatementClass;
  /** Why it is a write or destructive: one human sentence each ("DELETE without WHERE on orders"). Empty for reads. */
  reasons: string[];
  /** What it changes or removes (tables for DML; the dropped/altered objects for DDL). */
  targets: StatementTarget[];
  /**
   * UPDATE/DELETE (also inside a CTE) with a WHERE that is not always true: a write when the number of
   * rows it changes stays within the configured limit, destructive above it. The assessment counts.
   */
  rowBounded: boolean;
  /** BEGIN/START TRANSACTION, COMMIT, ROLLBACK, SAVEPOINT, RELEASE, SET TRANSACTION …; undefined otherwise. */
  transactionControl?: 'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'other';
  /**
   * Cannot run inside a transaction block or commits implicitly: PostgreSQL CREATE/DROP DATABASE,
   * CREATE INDEX CONCURRENTLY, VACUUM …; every DDL statement on MySQL; VACUUM on SQLite.
   */
  nonTransactional: boolean;
  /**
   * The statement runs code or acts outside the database transaction in ways the parse cannot see:
   * DO blocks, CALL, EXECUTE/PREPARE, COPY … PROGRAM, calls of functions that are not known harmless
   * built-ins (user functions, dblink, pg_terminate_backend, lo_unlink …). The impact assessment never
   * runs such a statement, not even in a transaction it rolls back. Optional: absent means false.
   */
  runsCode?: boolean;
}
