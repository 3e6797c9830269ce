/**
 * PostgreSQL parsing shared by migration lint and the safety gate's classifier: libpg-query (the
 * real PostgreSQL grammar compiled to WebAssembly, loaded once at import) turns a text into located
 * statements, and a few readers walk its JSON AST.
 */
import { hasSqlDetails, loadModule, parseSync, scanSync } from 'libpg-query';
import type { Node, ParseResult, RangeVar, RawStmt } from 'libpg-query';
import { SourceText, skipTrivia } from '../../migrate/lint/source.js';
import type { StatementSpan } from '../../migrate/lint/types.js';

await loadModule();

export type AnyNode = Record<string, unknown>;

export function nodeBody(node: Node | undefined): [string, AnyNode] | undefined {
  if (!node) return undefined;
  const [kind] = Object.keys(node);
  if (!kind) return undefined;
  return [kind, (node as unknown as Record<string, AnyNode>)[kind] as AnyNode];
}

export function as<T>(node: Node | undefined, kind: string): T | undefined {
  const body = nodeBody(node);
  return body && body[0] === kind ? (body[1] as T) : undefined;
}

export function stringsOf(nodes: Node[] | undefined): string[] {
  return (nodes ?? []).map((n) => as<{ sval?: string }>(n, 'String')?.sval ?? '');
}

export function tableKey(rel: RangeVar | undefined): string {
  if (!rel) return '';
  const schema = rel.schemaname && rel.schemaname !== 'public' ? `${rel.schemaname}.` : '';
  return `${schema}${rel.relname ?? ''}`;
}

export function nameListKey(nodes: Node[] | undefined): string {
  const parts = stringsOf(nodes);
  if (parts.length > 1 && parts[0] === 'public') parts.shift();
  return parts.join('.');
}

/** Visits every node object below `value` (depth first). */
export function walk(value: unknown, visit: (kind: string, body: AnyNode) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(item, visit);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, child] of Object.entries(value)) {
    if (child !== null && typeof child === 'object' && !Array.isArray(child) && key[0] === key[0]?.toUpperCase()) {
      visit(key, child as AnyNode);
    }
    walk(child, visit);
  }
}

// ---------------------------------------------------------------------------------------------
// Parsing into located statements

export interface ParsedStatement {
  span: StatementSpan;
  node?: Node;
  /** Set when the statement does not parse. */
  error?: { message: string; at: number };
}

function spanOf(source: SourceText, raw: RawStmt, byteBase = 0): StatementSpan {
  const startByte = byteBase + (raw.stmt_location ?? 0);
  const endByte = raw.stmt_len ? startByte + raw.stmt_len : source.byteLength;
  const start = skipTrivia(source.text, source.charOffset(startByte));
  return { start, end: Math.max(start, source.charOffset(endByte)) };
}

function parseError(error: unknown, source: SourceText, byteBase: number): { message: string; at: number } {
  const message = error instanceof Error ? error.message : String(error);
  const cursor = hasSqlDetails(error) ? (error.sqlDetails?.cursorPosition ?? 0) : 0;
  return { message, at: source.charOffset(byteBase + cursor) };
}

/** Splits at top-level semicolons with PostgreSQL's own lexer; used only when the file does not parse as a whole. */
function chunks(sql: string): { startByte: number; endByte: number }[] {
  const tokens = scanSync(sql).tokens;
  const result: { startByte: number; endByte: number }[] = [];
  let start = -1;
  let end = 0;
  for (const t of tokens) {
    if (t.tokenName === 'SQL_COMMENT' || t.tokenName === 'C_COMMENT') continue;
    if (t.text === ';' && t.tokenName === 'ASCII_59') {
      if (start >= 0) result.push({ startByte: start, endByte: end });
      start = -1;
      continue;
    }
    if (start < 0) start = t.start;
    end = t.end;
  }
  if (start >= 0) result.push({ startByte: start, endByte: end });
  return result;
}

export function parseStatements(source: SourceText): ParsedStatement[] {
  let result: ParseResult;
  try {
    result = parseSync(source.text);
    return (result.stmts ?? []).map((raw) => ({ span: spanOf(source, raw), ...(raw.stmt ? { node: raw.stmt } : {}) }));
  } catch (wholeError) {
    const bytes = Buffer.from(source.text, 'utf8');
    let pieces: { startByte: number; endByte: number }[];
    try {
      pieces = chunks(source.text);
    } catch {
      const error = parseError(wholeError, source, 0);
      return [{ span: { start: skipTrivia(source.text, 0), end: source.text.length }, error }];
    }
    return pieces.map(({ startByte, endByte }) => {
      const span = { start: source.charOffset(startByte), end: source.charOffset(endByte) };
      // Pad with spaces so that the parser's byte offsets are offsets into the whole file.
      const padded = ' '.repeat(startByte) + bytes.subarray(startByte, endByte).toString('utf8');
      try {
        const stmt = parseSync(padded).stmts?.[0];
        return { span, ...(stmt?.stmt ? { node: stmt.stmt } : {}) };
      } catch (error) {
        return { span, error: parseError(error, source, 0) };
      }
    });
  }
}

