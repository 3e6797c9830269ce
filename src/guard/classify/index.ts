/**
 * The safety gate's statement classifier: splits the input into statements with each engine's real
 * parser and classifies every statement as read, write or destructive (src/engines/<engine>/classify.ts).
 * It never throws for bad SQL and never touches a database: what cannot be parsed is destructive.
 * docs/guard.md ("Classification") describes the rules and every judgement call.
 */
import { classifyMysql } from '../../engines/mysql/classify.js';
import { classifyPostgres } from '../../engines/postgres/classify.js';
import { classifySqlite } from '../../engines/sqlite/classify.js';
import type { ClassifiedStatement, Dialect } from './types.js';
import { unparsed } from './verdict.js';
import type { ClassifiedSpan } from './verdict.js';

export type { ClassifiedStatement, Dialect, StatementClass, StatementTarget, TargetAction } from './types.js';

const CLASSIFIERS: Record<Dialect, (sql: string) => ClassifiedSpan[]> = {
  postgres: classifyPostgres,
  mysql: classifyMysql,
  sqlite: classifySqlite,
};

/** Whether the text holds nothing but whitespace, semicolons and comments (in any of the three dialects). */
function isBlank(sql: string): boolean {
  for (let i = 0; i < sql.length; i++) {
    const c = sql.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11 || c === 59) continue;
    if ((c === 45 && sql.charCodeAt(i + 1) === 45) || c === 35) {
      const nl = sql.indexOf('\n', i);
      if (nl < 0) return true;
      i = nl;
      continue;
    }
    if (c === 47 && sql.charCodeAt(i + 1) === 42) {
      if (sql.charCodeAt(i + 2) === 33 || (sql.charCodeAt(i + 2) === 77 && sql.charCodeAt(i + 3) === 33)) return false; // MySQL executable comment
      const close = sql.indexOf('*/', i + 2);
      if (close < 0) return false;
      i = close + 1;
      continue;
    }
    return false;
  }
  return true;
}

/** Splits `sql` into statements and classifies each one. An empty input (or only comments) gives []. */
export function classifySql(dialect: Dialect, sql: string): ClassifiedStatement[] {
  if (isBlank(sql)) return [];
  const classify = CLASSIFIERS[dialect];
  let spans: ClassifiedSpan[];
  try {
    if (!classify) throw new Error(`unknown dialect ${String(dialect)}`);
    spans = classify(sql);
  } catch (error) {
    spans = [{ start: 0, end: sql.length, verdict: unparsed(error instanceof Error ? error.message : String(error)) }];
  }
  return spans.map((span, index) => {
    let end = span.end;
    while (end > span.start && /[\s;]/.test(sql[end - 1] as string)) end--;
    return { index, text: sql.slice(span.start, end), start: span.start, end, ...span.verdict.result() };
  });
}
