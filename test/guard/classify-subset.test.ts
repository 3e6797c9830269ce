/**
 * The subset parser (src/guard/classify/simple.ts) is a fast path in front of node-sql-parser: on every
 * statement it accepts, it must reach the same verdict as the full parser.
 */
import { describe, expect, it } from 'vitest';
import { MYSQL_LEXER, SQLITE_LEXER, splitStatements } from '../../src/migrate/lint/lexer.js';
import { astify } from '../../src/migrate/lint/sql-parser.js';
import { classifySimple } from '../../src/guard/classify/simple.js';
import { classifyAst } from '../../src/guard/classify/sql-parser-ast.js';
import { MYSQL_POLICY } from '../../src/engines/mysql/classify.js';
import { SQLITE_POLICY } from '../../src/engines/sqlite/classify.js';
import { MYSQL_CORPUS } from './corpus/mysql.js';
import { SQLITE_CORPUS } from './corpus/sqlite.js';

const EXTRA = [
  'SELECT id, name FROM users WHERE id = 1',
  'SELECT * FROM orders o JOIN users u ON u.id = o.user_id WHERE o.total > 10 AND u.status <> \'x\' ORDER BY o.id DESC LIMIT 5',
  'SELECT COUNT(*) FROM orders WHERE status IN (\'a\', \'b\') AND total BETWEEN 1 AND 2',
  'SELECT a FROM t WHERE NOT (a IS NULL) AND b LIKE \'x%\'',
  "INSERT INTO users (name, email) VALUES ('a', 'b')",
  'UPDATE users SET score = score + 1, name = lower(name) WHERE id = 7',
  'UPDATE users SET x = 1 WHERE id = id',
  'UPDATE users SET x = 1 WHERE a = 1 OR NOT (a = 1)',
  'DELETE FROM sessions WHERE expires_at < 5',
  'DELETE FROM sessions WHERE 1 = 1',
  'DELETE FROM sessions WHERE 2 > 1 AND id = id',
  'DELETE FROM sessions',
  'UPDATE t SET a = 2',
  'DELETE FROM users WHERE id IN (SELECT id FROM t WHERE a = 1)',
  'DELETE FROM t WHERE a = 1 OR b = 2',
  'DELETE FROM t WHERE a NOT IN (1, 2)',
];

function summary(v: { class: string; rowBounded: boolean; targets: unknown[] }): unknown {
  return { class: v.class, rowBounded: v.rowBounded, targets: [...v.targets].map((t) => JSON.stringify(t)).sort() };
}

describe.each([
  ['mysql', MYSQL_CORPUS.map((c) => c.sql), MYSQL_LEXER, ['mysql', 'mariadb'] as const, MYSQL_POLICY, true],
  ['sqlite', SQLITE_CORPUS.map((c) => c.sql), SQLITE_LEXER, ['sqlite'] as const, SQLITE_POLICY, false],
] as const)('subset parser agrees with node-sql-parser (%s)', (_name, corpus, lexer, grammars, policy, mysql) => {
  const statements = [...corpus, ...EXTRA].flatMap((sql) => {
    try {
      return splitStatements(sql, lexer);
    } catch {
      return [];
    }
  });
  const accepted = statements.filter((s) => classifySimple(s.tokens, { mysql }) !== undefined);

  it('reads a good part of the everyday statements', () => {
    expect(accepted.length).toBeGreaterThan(30);
  });

  it.each(accepted.map((s) => [s.text, s] as const))('%s', (_text, s) => {
    const fast = classifySimple(s.tokens, { mysql });
    const parsed = astify(s.text, grammars);
    if ('error' in parsed) return; // the full grammar lacks it; the corpus checks the class
    const slow = classifyAst(parsed.ast, policy);
    expect(slow).toBeDefined();
    expect(summary(fast as never)).toEqual(summary(slow as never));
  });
});
