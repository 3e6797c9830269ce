import { describe, expect, it } from 'vitest';
import { classifySql } from '../../src/guard/classify/index.js';
import { MYSQL_CORPUS } from './corpus/mysql.js';
import { problemsOf } from './corpus/run.js';

describe('classifySql (MySQL/MariaDB)', () => {
  it('has a substantial corpus', () => {
    expect(MYSQL_CORPUS.length).toBeGreaterThanOrEqual(60);
  });

  it.each(MYSQL_CORPUS.map((c) => [c.sql, c] as const))('%s', (_sql, c) => {
    expect(problemsOf('mysql', c)).toEqual([]);
  });

  it('returns [] for empty input and comments only', () => {
    expect(classifySql('mysql', '')).toEqual([]);
    expect(classifySql('mysql', '  \n -- nothing\n /* at all */ ;')).toEqual([]);
  });

  it('gives each statement its text and offsets', () => {
    const sql = 'SELECT 1;\n  DELETE FROM t WHERE id = 2 ;  -- bye\n';
    const [a, b] = classifySql('mysql', sql);
    expect(a).toMatchObject({ index: 0, text: 'SELECT 1', start: 0 });
    expect(b?.index).toBe(1);
    expect(b?.text.startsWith('DELETE FROM t WHERE id = 2')).toBe(true);
    expect(sql.slice(b?.start, b?.end)).toBe(b?.text);
  });

  it('never throws, whatever the input', () => {
    for (const input of ['(', ')', "'", '/*!', '/*M!1 DROP', '`', ';;;', '\u0000', 'SELECT ' + '('.repeat(2000), 'x'.repeat(10000)]) {
      const result = classifySql('mysql', input);
      for (const s of result) expect(['read', 'write', 'destructive']).toContain(s.class);
    }
  });
});
