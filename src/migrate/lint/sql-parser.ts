/**
 * Access to node-sql-parser (a PEG grammar per dialect) for the MySQL and SQLite rule sets: lazy
 * loading of one dialect's grammar, and small readers for the loosely typed AST it returns.
 */
import { createRequire } from 'node:module';
import type { ColumnType } from './types.js';

export type SqlAst = Record<string, unknown>;
export type ParserDatabase = 'mysql' | 'mariadb' | 'sqlite';

interface SqlParser {
  astify(sql: string, options: { database: string }): unknown;
}

const require = createRequire(import.meta.url);
const parsers = new Map<ParserDatabase, SqlParser>();

function parserFor(database: ParserDatabase): SqlParser {
  let parser = parsers.get(database);
  if (!parser) {
    // Each dialect's grammar is a separate build; loading only the one needed keeps start-up fast.
    const module = require(`node-sql-parser/build/${database}.js`) as { Parser: new () => SqlParser };
    parser = new module.Parser();
    parsers.set(database, parser);
  }
  return parser;
}

/** Parses one statement with the first grammar that accepts it; returns the error of the first grammar otherwise. */
export function astify(sql: string, databases: readonly ParserDatabase[]): { ast: SqlAst } | { error: string } {
  let firstError: string | undefined;
  for (const database of databases) {
    try {
      const result = parserFor(database).astify(sql, { database });
      const ast = Array.isArray(result) ? result[0] : result;
      if (ast && typeof ast === 'object') return { ast: ast as SqlAst };
    } catch (error) {
      firstError ??= error instanceof Error ? error.message : String(error);
    }
  }
  return { error: firstError ?? 'empty statement' };
}

export function field(node: unknown, key: string): unknown {
  return node !== null && typeof node === 'object' ? (node as SqlAst)[key] : undefined;
}

export function text(node: unknown, key: string): string | undefined {
  const value = field(node, key);
  return typeof value === 'string' ? value : undefined;
}

export function list(node: unknown, key: string): unknown[] {
  const value = field(node, key);
  return Array.isArray(value) ? value : [];
}

/** A column name from a column_ref (a string, or `{ expr: { value } }` in some grammars). */
export function columnName(ref: unknown): string {
  const column = field(ref, 'column');
  if (typeof column === 'string') return column;
  const value = field(field(column, 'expr'), 'value');
  return typeof value === 'string' ? value : '';
}

/** Table names of a `[{ db, table }]` list, qualified with the database when given. */
export function tableNames(nodes: unknown): string[] {
  const items = Array.isArray(nodes) ? nodes : nodes ? [nodes] : [];
  return items.map((t) => {
    const db = text(t, 'db');
    const table = text(t, 'table') ?? '';
    return (db ? `${db}.${table}` : table).toLowerCase();
  });
}

const TYPE_ALIASES: Record<string, string> = { integer: 'int', decimal: 'numeric', dec: 'numeric', bool: 'tinyint', boolean: 'tinyint', float: 'real', double: 'double' };

/** The column type of a column definition, normalised for compareTypes. */
export function columnTypeOf(definition: unknown): ColumnType {
  const raw = (text(definition, 'dataType') ?? '').toLowerCase();
  const name = TYPE_ALIASES[raw] ?? raw;
  const args = [field(definition, 'length'), field(definition, 'scale')].filter((n): n is number => typeof n === 'number');
  const values = list(field(definition, 'expr'), 'value').map((v) => String(field(v, 'value') ?? ''));
  return name === 'enum' || name === 'set' ? { name, args, values } : { name, args };
}

/** Whether a value node is a constant (number, string, boolean, NULL). */
export function isConstant(node: unknown): boolean {
  const type = text(node, 'type') ?? '';
  return ['number', 'single_quote_string', 'double_quote_string', 'string', 'bool', 'boolean', 'null', 'natural_string', 'hex_string', 'bit_string'].includes(type);
}
