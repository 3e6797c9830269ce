import { describe, expect, it } from 'vitest';
import { classifySql } from '../../src/guard/classify/index.js';
import { POSTGRES_CORPUS } from './corpus/postgres.js';
import { problemsOf } from './corpus/run.js';

describe('classifySql (PostgreSQL)', () => {
  it('has a substantial corpus', () => {
    expect(POSTGRES_CORPUS.length).toBeGreaterThanOrEqual(60);
  });

  it.each(POSTGRES_CORPUS.map((c) => [c.sql, c] as const))('%s', (_sql, c) => {
    expect(problemsOf('postgres', c)).toEqual([]);
  });

  it('returns [] for empty input and comments only', () => {
    expect(classifySql('postgres', '')).toEqual([]);
    expect(classifySql('postgres', '  \n -- nothing\n /* at all */ ;')).toEqual([]);
  });

  it('gives each statement its text and offsets', () => {
    const sql = 'SELECT 1;\n  DELETE FROM t WHERE id = 2 ;  -- bye\n';
    const [a, b] = classifySql('postgres', sql);
    expect(a).toMatchObject({ index: 0, text: 'SELECT 1', start: 0 });
    expect(b?.index).toBe(1);
    expect(b?.text.startsWith('DELETE FROM t WHERE id = 2')).toBe(true);
    expect(sql.slice(b?.start, b?.end)).toBe(b?.text);
  });

  it('never throws, whatever the input', () => {
    for (const input of ['(', ')', "'", '$$', 'DO $$', ';;;', '\u0000', 'SELECT ' + '('.repeat(2000), 'x'.repeat(10000)]) {
      const result = classifySql('postgres', input);
      for (const s of result) expect(['read', 'write', 'destructive']).toContain(s.class);
    }
  });
});
