/**
 * A small SQL lexer for MySQL and SQLite: it knows strings, quoted identifiers and comments, so that
 * a file can be split into statements at top-level semicolons and each statement handed to a real
 * parser. It does not classify statements; the parsers do.
 */
import type { StatementSpan } from './types.js';

export type TokenKind = 'word' | 'string' | 'quoted' | 'number' | 'punct';

export interface Token {
  kind: TokenKind;
  /** Source text of the token. */
  text: string;
  /** Upper-cased text for words, the raw text otherwise. */
  upper: string;
  start: number;
  end: number;
}

export interface LexerDialect {
  /** MySQL: `#` starts a comment and `--` needs a following space. */
  mysqlComments: boolean;
  /** MySQL: backslash escapes inside strings. */
  backslashEscapes: boolean;
  /** SQLite: `[identifier]`. */
  bracketIdentifiers: boolean;
  /** SQLite: `CREATE TRIGGER … BEGIN …; END` bodies contain semicolons. */
  triggerBodies: boolean;
}

export const MYSQL_LEXER: LexerDialect = { mysqlComments: true, backslashEscapes: true, bracketIdentifiers: false, triggerBodies: false };
export const SQLITE_LEXER: LexerDialect = { mysqlComments: false, backslashEscapes: false, bracketIdentifiers: true, triggerBodies: true };

export class LexError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
  }
}

function isWordStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === '$' || c > '\u007f';
}
function isWordPart(c: string): boolean {
  return isWordStart(c) || (c >= '0' && c <= '9');
}
function isSpace(c: string | undefined): boolean {
  return c === undefined || c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
}
function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function closeQuote(text: string, start: number, quote: string, backslash: boolean): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text[i];
    if (backslash && c === '\\') {
      i += 2;
    } else if (c === quote) {
      if (text[i + 1] === quote) i += 2;
      else return i + 1;
    } else {
      i++;
    }
  }
  throw new LexError(`unterminated ${quote} quote`, start);
}

export function tokenize(text: string, dialect: LexerDialect): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: TokenKind, start: number, end: number): void => {
    const t = text.slice(start, end);
    tokens.push({ kind, text: t, upper: kind === 'word' ? t.toUpperCase() : t, start, end });
  };
  while (i < text.length) {
    const c = text[i] as string;
    const next = text[i + 1];
    if (isSpace(c)) {
      i++;
    } else if (c === '-' && next === '-' && (!dialect.mysqlComments || isSpace(text[i + 2]))) {
      const nl = text.indexOf('\n', i);
      i = nl === -1 ? text.length : nl + 1;
    } else if (c === '#' && dialect.mysqlComments) {
      const nl = text.indexOf('\n', i);
      i = nl === -1 ? text.length : nl + 1;
    } else if (c === '/' && next === '*') {
      const close = text.indexOf('*/', i + 2);
      if (close === -1) throw new LexError('unterminated /* comment', i);
      i = close + 2;
    } else if (c === "'") {
      const end = closeQuote(text, i, "'", dialect.backslashEscapes);
      push('string', i, end);
      i = end;
    } else if (c === '"' || c === '`') {
      const end = closeQuote(text, i, c, dialect.backslashEscapes && c === '"');
      push(c === '"' && dialect.mysqlComments ? 'string' : 'quoted', i, end);
      i = end;
    } else if (c === '[' && dialect.bracketIdentifiers) {
      const close = text.indexOf(']', i + 1);
      if (close === -1) throw new LexError('unterminated [ identifier', i);
      push('quoted', i, close + 1);
      i = close + 1;
    } else if (isDigit(c) || (c === '.' && isDigit(next))) {
      let j = i + 1;
      while (j < text.length && (isWordPart(text[j] as string) || text[j] === '.')) j++;
      push('number', i, j);
      i = j;
    } else if (isWordStart(c)) {
      let j = i + 1;
      while (j < text.length && isWordPart(text[j] as string)) j++;
      push('word', i, j);
      i = j;
    } else {
      push('punct', i, i + 1);
      i++;
    }
  }
  return tokens;
}

export interface LexedStatement extends StatementSpan {
  tokens: Token[];
  text: string;
}

function isTriggerStart(tokens: Token[]): boolean {
  const words = tokens.slice(0, 4).map((t) => t.upper);
  if (words[0] !== 'CREATE') return false;
  return words[1] === 'TRIGGER' || ((words[1] === 'TEMP' || words[1] === 'TEMPORARY') && words[2] === 'TRIGGER');
}

/** Splits a file into statements at top-level semicolons (trigger bodies kept whole). */
export function splitStatements(text: string, dialect: LexerDialect): LexedStatement[] {
  const statements: LexedStatement[] = [];
  let current: Token[] = [];
  let depth = 0;
  const flush = (): void => {
    const first = current[0];
    const last = current[current.length - 1];
    if (first && last) statements.push({ start: first.start, end: last.end, tokens: current, text: text.slice(first.start, last.end) });
    current = [];
    depth = 0;
  };
  for (const token of tokenize(text, dialect)) {
    if (token.kind === 'punct' && token.text === ';' && depth === 0) {
      flush();
      continue;
    }
    current.push(token);
    if (dialect.triggerBodies && token.kind === 'word' && isTriggerStart(current)) {
      if (token.upper === 'BEGIN' || token.upper === 'CASE') depth++;
      else if (token.upper === 'END' && depth > 0) depth--;
    }
  }
  flush();
  return statements;
}
