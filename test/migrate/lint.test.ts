import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatFinding, hasErrors, lintFiles, lintSql, newLintHistory, ruleCatalogue, runsInTransaction } from '../../src/migrate/lint/lint.js';
import type { Finding, LintDialect } from '../../src/migrate/lint/lint.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'lint');
const DIALECTS: LintDialect[] = ['postgres', 'mysql', 'sqlite'];
const EXPECT = /--\s*expect:\s*(.+)$/;

/** `line rule` pairs declared in a fixture with `-- expect: rule[, rule]` comments on the line. */
function expectations(file: string): string[] {
  const pairs: string[] = [];
  readFileSync(file, 'utf8').split('\n').forEach((text, index) => {
    const match = EXPECT.exec(text);
    if (match) for (const rule of (match[1] ?? '').split(',')) pairs.push(`${index + 1} ${rule.trim()}`);
  });
  return pairs.sort();
}

function actual(findings: Finding[], file: string): string[] {
  return findings.filter((f) => f.file === file).map((f) => `${f.line} ${f.rule}`).sort();
}

/** Each fixture is a file, or a folder of migrations linted in order (knowledge carries across them). */
function fixtures(dialect: LintDialect, kind: 'safe' | 'unsafe'): { name: string; files: string[]; path: string }[] {
  const dir = join(FIXTURES, dialect, kind);
  return readdirSync(dir).sort().map((name) => {
    const path = join(dir, name);
    const files = statSync(path).isDirectory() ? readdirSync(path).sort().map((f) => join(path, f)) : [path];
    return { name, files, path };
  });
}

describe.each(DIALECTS)('%s fixtures', (dialect) => {
  for (const fixture of fixtures(dialect, 'unsafe')) {
    it(`finds the declared problems in unsafe/${fixture.name}`, () => {
      const findings = lintFiles([fixture.path], dialect);
      for (const file of fixture.files) {
        const expected = expectations(file);
        expect(expected.length + (fixture.files.length > 1 ? 1 : 0)).toBeGreaterThan(0);
        expect(actual(findings, file), findings.map(formatFinding).join('\n')).toEqual(expected);
      }
      expect(findings.length).toBeGreaterThan(0);
    });
  }
  for (const fixture of fixtures(dialect, 'safe')) {
    it(`is quiet on safe/${fixture.name} (warnings only where declared)`, () => {
      const findings = lintFiles([fixture.path], dialect);
      expect(findings.filter((f) => f.severity === 'error').map(formatFinding)).toEqual([]);
      for (const file of fixture.files) expect(actual(findings, file)).toEqual(expectations(file));
    });
  }
});

describe('findings', () => {
  it('carry rule, severity, file:line, statement, problem and fix', () => {
    const [finding] = lintSql('SET lock_timeout = 1000;\nSET statement_timeout = 1000;\n\nALTER TABLE users\n  DROP COLUMN legacy;\n', { dialect: 'postgres', file: 'm.sql', inTransaction: true });
    expect(finding).toMatchObject({ rule: 'drop-column', severity: 'error', file: 'm.sql', line: 4, column: 1, statement: 'ALTER TABLE users' });
    expect(finding?.problem).toContain('legacy');
    expect(finding?.fix.length).toBeGreaterThan(20);
    expect(JSON.parse(JSON.stringify(finding))).toEqual(finding);
  });

  it.each(DIALECTS)('%s: multi-byte UTF-8 before a statement keeps lines and columns right', (dialect) => {
    const sql = [
      '-- Ünïcödé 日本語 🚀 comment',
      "INSERT INTO notes (body) VALUES ('héllo 🌍 wörld;');",
      '/* ✓ block — comment */ DELETE FROM notes;',
      "SELECT '🚀🚀🚀'; DELETE FROM audit;",
    ].join('\n');
    const findings = lintSql(sql, { dialect, file: 'u.sql', inTransaction: true }).filter((f) => f.rule === 'delete-without-where');
    expect(findings.map((f) => [f.line, f.column])).toEqual([[3, 25], [4, 15]]);
  });
});

describe('inline ignore comments', () => {
  const opts = { dialect: 'postgres' as const, file: 'i.sql', inTransaction: true };
  const head = "SET lock_timeout = '5s';\nSET statement_timeout = '5s';\n";

  it('silence the named rules on the next statement when they give a reason', () => {
    const sql = `${head}-- dbward-lint-ignore drop-table, truncate: archived to S3 in OPS-12\n-- (another comment line is fine)\nDROP TABLE old;\nDROP TABLE other;\n`;
    expect(lintSql(sql, opts).map((f) => `${f.line} ${f.rule}`)).toEqual(['6 drop-table']);
  });

  it('without a reason are themselves an error and silence nothing', () => {
    const sql = `${head}-- dbward-lint-ignore drop-table\nDROP TABLE old;\n-- dbward-lint-ignore drop-table:   \nDROP TABLE other;\n`;
    const findings = lintSql(sql, opts);
    expect(findings.map((f) => `${f.line} ${f.rule}`)).toEqual(['3 invalid-ignore', '4 drop-table', '5 invalid-ignore', '6 drop-table']);
    expect(findings[0]?.severity).toBe('error');
    expect(findings[0]?.problem).toContain('no reason');
  });

  it('naming an unknown rule is an error; one that silences nothing is a warning', () => {
    const sql = `${head}-- dbward-lint-ignore drop-tabel: typo\nDROP TABLE old;\n-- dbward-lint-ignore truncate: not what fires here\nCREATE TABLE x (id bigint);\n`;
    const findings = lintSql(sql, opts);
    expect(findings.map((f) => `${f.line} ${f.rule} ${f.severity}`)).toEqual(['3 invalid-ignore error', '4 drop-table error', '5 unused-ignore warning']);
  });

  it.each(['mysql', 'sqlite'] as const)('work the same on %s', (dialect) => {
    const sql = '-- dbward-lint-ignore delete-without-where: table is a cache, rebuilt on start\nDELETE FROM cache;\nDELETE FROM cache2;\n';
    expect(lintSql(sql, { dialect, file: 'i.sql', inTransaction: false }).map((f) => `${f.line} ${f.rule}`)).toEqual(['3 delete-without-where']);
  });
});

describe('unparseable SQL', () => {
  it('postgres: a parse-error at the bad statement, later statements still checked', () => {
    const findings = lintSql("SELECT 1;\nALTER TABLE t ADD COLUMN x int4 DEFAULT;\nTRUNCATE t;", { dialect: 'postgres', file: 'p.sql', inTransaction: true });
    expect(findings.map((f) => `${f.line} ${f.rule} ${f.severity}`)).toContain('2 parse-error error');
    expect(findings.map((f) => f.rule)).toContain('truncate');
  });

  it('postgres: an unterminated string is a parse-error for the rest of the file', () => {
    const findings = lintSql("SELECT 1;\nSELECT 'oops;\n", { dialect: 'postgres', file: 'p.sql', inTransaction: true });
    expect(findings.map((f) => f.rule)).toEqual(['parse-error']);
  });

  it('sqlite: SQLite itself rejects it (parse-error); syntax SQLite has but the analyser lacks is unparsed-statement', () => {
    const findings = lintSql('SELEC 1;\nCREATE VIRTUAL TABLE docs USING fts5(body);\n', { dialect: 'sqlite', file: 's.sql', inTransaction: true });
    expect(findings.map((f) => `${f.line} ${f.rule} ${f.severity}`)).toEqual(['1 parse-error error', '2 unparsed-statement warning']);
  });

  it('mysql: a statement neither grammar reads is unparsed-statement; an unterminated quote is a parse-error', () => {
    expect(lintSql('SELEC 1;', { dialect: 'mysql', file: 'm.sql', inTransaction: false }).map((f) => `${f.rule} ${f.severity}`)).toEqual(['unparsed-statement warning']);
    expect(lintSql("SELECT 1;\nSELECT 'oops;", { dialect: 'mysql', file: 'm.sql', inTransaction: false }).map((f) => `${f.line} ${f.rule}`)).toEqual(['2 parse-error']);
  });
});

describe('framework', () => {
  it('reads the runner marker for transactions (never on MySQL)', () => {
    expect(runsInTransaction('ALTER TABLE t ADD c int;', 'postgres')).toBe(true);
    expect(runsInTransaction('-- dbward:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (c);', 'postgres')).toBe(false);
    expect(runsInTransaction('SELECT 1; -- dbward:no-transaction', 'sqlite')).toBe(true);
    expect(runsInTransaction('CREATE TABLE t (id int);', 'mysql')).toBe(false);
  });

  it('PostgreSQL < 12 cannot add enum values in a transaction; < 11 rewrites for any default', () => {
    const enumSql = "ALTER TYPE mood ADD VALUE 'meh';";
    expect(lintSql(enumSql, { dialect: 'postgres', file: 'e.sql', inTransaction: true, serverVersion: 11 }).map((f) => f.rule)).toEqual(['enum-add-value-in-transaction']);
    expect(lintSql(enumSql, { dialect: 'postgres', file: 'e.sql', inTransaction: true }).map((f) => f.rule)).toEqual([]);
    const defaultSql = "SET lock_timeout = '1s'; SET statement_timeout = '1s'; ALTER TABLE t ADD COLUMN c text DEFAULT 'x';";
    expect(lintSql(defaultSql, { dialect: 'postgres', file: 'd.sql', inTransaction: true, serverVersion: 10 }).map((f) => f.rule)).toEqual(['adding-volatile-default']);
    expect(lintSql(defaultSql, { dialect: 'postgres', file: 'd.sql', inTransaction: true }).map((f) => f.rule)).toEqual([]);
  });

  it('carries column types across files through a shared history', () => {
    const history = newLintHistory();
    lintSql("CREATE TABLE t (c VARCHAR(200));", { dialect: 'mysql', file: '1.sql', inTransaction: false, history });
    const findings = lintSql('SET SESSION lock_wait_timeout = 5;\nALTER TABLE t MODIFY c VARCHAR(50), ALGORITHM=INPLACE, LOCK=NONE;', { dialect: 'mysql', file: '2.sql', inTransaction: false, history });
    expect(findings.map((f) => `${f.line} ${f.rule}`)).toEqual(['2 narrowing-type-change']);
  });

  it('hasErrors decides the exit code: errors fail, warnings alone do not', () => {
    const opts = { dialect: 'postgres' as const, file: 'x.sql', inTransaction: true };
    expect(hasErrors(lintSql('CREATE TABLE t (id int);', opts))).toBe(false);
    expect(hasErrors(lintSql('DROP DATABASE prod;', { ...opts, inTransaction: false }))).toBe(true);
  });

  it('has a catalogue entry, with problem and fix, for every rule', () => {
    const catalogue = ruleCatalogue();
    const ids = catalogue.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of catalogue) {
      expect(r.problem.length, r.id).toBeGreaterThan(20);
      expect(r.fix.length, r.id).toBeGreaterThan(10);
      expect(r.dialects.length, r.id).toBeGreaterThan(0);
    }
    expect(ids).toEqual(expect.arrayContaining(['drop-database', 'create-index-non-concurrently', 'missing-online-ddl-options', 'alter-requires-rebuild', 'parse-error', 'invalid-ignore']));
  });
});
