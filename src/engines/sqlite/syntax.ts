/**
 * SQLite's own compiler as the authority on SQLite syntax: statements are prepared (never run) on an
 * in-memory database. Shared by migration lint and the safety gate's classifier.
 */
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import type { LexedStatement, Token } from '../../migrate/lint/lexer.js';

const require = createRequire(import.meta.url);

export class SqliteSyntax {
  private db: BetterSqlite3.Database | undefined;

  /** SQLite's message when it rejects the statement's syntax; undefined when it accepts it. */
  check(statement: LexedStatement): string | undefined {
    return this.inspect(statement).syntaxError;
  }

  /**
   * Compiles the statement (nothing runs): a syntax error, or SQLite's own opinion of whether it
   * only reads (`stmt.readonly`) when it compiles against this empty database (a statement naming
   * tables it does not have fails with "no such table", which is not a syntax error).
   */
  inspect(statement: { text: string; tokens: Token[] }): { syntaxError?: string; readonly?: boolean } {
    if (!this.db) {
      const Database = require('better-sqlite3') as typeof BetterSqlite3;
      this.db = new Database(':memory:');
    }
    this.ensureAlteredTable(statement.tokens);
    // Most statements name tables this empty database lacks, and the "no such table" error's stack
    // trace would cost more than compiling the statement: errors here carry none.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return { readonly: this.db.prepare(statement.text).readonly };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const syntax = message.includes('syntax error') || message.includes('incomplete input') || message.includes('unrecognized token');
      return syntax ? { syntaxError: message } : {};
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
  }

  /** ALTER TABLE looks its table up before reading the rest; give it one so the whole statement is parsed. */
  private ensureAlteredTable(tokens: Token[]): void {
    if (tokens[0]?.upper !== 'ALTER' || tokens[1]?.upper !== 'TABLE' || !tokens[2] || tokens[3]?.text === '.') return;
    const name = unquote(tokens[2]);
    this.db?.exec(`CREATE TABLE IF NOT EXISTS "${name.replaceAll('"', '""')}" (dbward_lint_placeholder)`);
  }

  close(): void {
    this.db?.close();
  }
}

export function unquote(token: Token): string {
  if (token.kind !== 'quoted' && token.kind !== 'string') return token.text;
  return token.text.slice(1, -1);
}

