import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { classifySql } from '../../src/guard/classify/index.js';
import { SQLITE_CORPUS, SQLITE_SCHEMA } from './corpus/sqlite.js';
import { problemsOf } from './corpus/run.js';

describe('classifySql (SQLite)', () => {
  it('has a substantial corpus', () => {
    expect(SQLITE_CORPUS.length).toBeGreaterThanOrEqual(60);
  });

  it.each(SQLITE_CORPUS.map((c) => [c.sql, c] as const))('%s', (_sql, c) => {
    expect(problemsOf('sqlite', c)).toEqual([]);
  });

  it('returns [] for empty input and comments only', () => {
    expect(classifySql('sqlite', '')).toEqual([]);
    expect(classifySql('sqlite', '  \n -- nothing\n /* at all */ ;')).toEqual([]);
  });

  it('never throws, whatever the input', () => {
    for (const input of ['(', ')', "'", '[', '"', ';;;', '\u0000', 'CREATE TRIGGER x BEGIN', 'SELECT ' + '('.repeat(2000), 'x'.repeat(10000)]) {
      const result = classifySql('sqlite', input);
      for (const s of result) expect(['read', 'write', 'destructive']).toContain(s.class);
    }
  });

  describe("agrees with SQLite's own opinion (stmt.readonly) where SQLite can compile the statement", () => {
    const db = new Database(':memory:');
    db.exec(SQLITE_SCHEMA);
    afterAll(() => db.close());
    const statements = SQLITE_CORPUS.flatMap((c) => classifySql('sqlite', c.sql).map((s) => [s.text, s] as const));

    it.each(statements)('%s', (text, s) => {
      let readonly: boolean;
      try {
        readonly = db.prepare(text).readonly;
      } catch {
        return; // SQLite cannot compile it here (a table of another corpus case, a rejected statement …)
      }
      // SQLite says it writes: never a read (EXPLAIN, which only compiles its statement, and
      // BEGIN IMMEDIATE/EXCLUSIVE, which take the write lock, excepted).
      if (!readonly && s.kind !== 'EXPLAIN' && !s.transactionControl) expect(s.class, s.reasons.join('; ')).not.toBe('read');
      // We say it only reads: SQLite agrees.
      if (s.class === 'read' && s.kind !== 'EXPLAIN' && !s.transactionControl) expect(readonly).toBe(true);
    });

    it('compiles most of the corpus', () => {
      let compiled = 0;
      for (const [text] of statements) {
        try {
          db.prepare(text);
          compiled++;
        } catch {
          // not compilable here
        }
      }
      expect(compiled).toBeGreaterThan(statements.length * 0.7);
    });
  });
});
