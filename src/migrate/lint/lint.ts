/**
 * Migration lint: parses every statement with a real parser for its dialect and applies the
 * dialect's rules (src/engines/<engine>/lint.ts). This module adds what is common to all dialects:
 * severities and texts from the catalogue, file:line positions, inline ignore comments and the
 * findings about them.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { mysqlLinter } from '../../engines/mysql/lint.js';
import { postgresLinter } from '../../engines/postgres/lint.js';
import { sqliteLinter } from '../../engines/sqlite/lint.js';
import { NO_TRANSACTION_MARKER } from '../sources.js';
import { FRAMEWORK_RULES, INVALID_IGNORE, UNUSED_IGNORE } from './framework-rules.js';
import { ignoresFor, parseIgnoreComments } from './ignore.js';
import { SourceText } from './source.js';
import type { DialectLinter, Finding, LintDialect, LintHistory, LintOptions, RawFinding, RuleDefinition, RuleInfo } from './types.js';

export type { Finding, LintDialect, LintHistory, LintOptions, RuleInfo, Severity } from './types.js';


const LINTERS: Record<LintDialect, DialectLinter> = {
  postgres: postgresLinter,
  mysql: mysqlLinter,
  sqlite: sqliteLinter,
};

export function newLintHistory(): LintHistory {
  return { columns: new Map() };
}

/** Whether the runner would wrap this migration in a transaction (MySQL has no transactional DDL); same test as sources.ts. */
export function runsInTransaction(sql: string, dialect: LintDialect): boolean {
  if (dialect === 'mysql') return false;
  return !sql.split('\n').some((line) => line.trim().toLowerCase() === NO_TRANSACTION_MARKER);
}

function rulesOf(dialect: LintDialect): Map<string, RuleDefinition> {
  const map = new Map<string, RuleDefinition>();
  for (const rule of [...FRAMEWORK_RULES, ...LINTERS[dialect].rules]) map.set(rule.id, rule);
  return map;
}

/** Every rule with the dialects it applies to, for docs and `migrate lint --rules`. */
export function ruleCatalogue(): RuleInfo[] {
  const byId = new Map<string, RuleInfo>();
  for (const dialect of Object.keys(LINTERS) as LintDialect[]) {
    for (const rule of rulesOf(dialect).values()) {
      const existing = byId.get(rule.id);
      if (existing) existing.dialects.push(dialect);
      else byId.set(rule.id, { ...rule, dialects: [dialect] });
    }
  }
  return [...byId.values()].sort((a, b) => a.category.localeCompare(b.category) || a.id.localeCompare(b.id));
}

/** Lints one migration's text. */
export function lintSql(sql: string, options: LintOptions): Finding[] {
  const linter = LINTERS[options.dialect];
  const rules = rulesOf(options.dialect);
  const source = new SourceText(sql);
  const raw = linter.lint(sql, { ...options, history: options.history ?? newLintHistory() });
  const ignores = parseIgnoreComments(source, new Set(rules.keys()));
  const findings: Finding[] = [];

  const toFinding = (r: RawFinding, rule: RuleDefinition): Finding => {
    const pos = source.position(r.at ?? r.statement.start);
    return {
      rule: rule.id,
      severity: rule.severity,
      file: options.file,
      line: pos.line,
      column: pos.column,
      statement: source.firstLine(r.statement.start),
      problem: r.problem ?? rule.problem,
      fix: r.fix ?? rule.fix,
    };
  };

  for (const r of raw) {
    const rule = rules.get(r.rule);
    if (!rule) throw new Error(`lint rule ${r.rule} is not in the ${options.dialect} catalogue`);
    const statementLine = source.position(r.statement.start).line;
    const silencing = ignoresFor(source, ignores, statementLine).filter((i) => i.rules.includes(rule.id));
    if (silencing.length > 0) {
      for (const i of silencing) i.used = true;
      continue;
    }
    findings.push(toFinding(r, rule));
  }

  for (const ignore of ignores) {
    const base = { file: options.file, line: ignore.line, column: 1, statement: source.line(ignore.line).trim() };
    if (ignore.invalid) {
      findings.push({ ...base, rule: INVALID_IGNORE.id, severity: INVALID_IGNORE.severity, problem: `This ignore comment ${ignore.invalid}, so it silences nothing. ${INVALID_IGNORE.problem}`, fix: INVALID_IGNORE.fix });
    } else if (!ignore.used) {
      findings.push({ ...base, rule: UNUSED_IGNORE.id, severity: UNUSED_IGNORE.severity, problem: UNUSED_IGNORE.problem, fix: UNUSED_IGNORE.fix });
    }
  }

  return findings.sort((a, b) => a.line - b.line || (a.column ?? 0) - (b.column ?? 0) || a.rule.localeCompare(b.rule));
}

const SKIPPED_IN_FOLDERS = new Set(['down.sql']);

/** Files to lint: each path as given, or for a folder every `.sql` file below it in name order (down scripts skipped). */
export function expandLintPaths(paths: readonly string[]): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.sql') && !SKIPPED_IN_FOLDERS.has(name) && !name.endsWith('.down.sql')) files.push(path);
    }
  };
  for (const path of paths) {
    if (statSync(path).isDirectory()) walk(path);
    else files.push(path);
  }
  return files;
}

export interface LintFilesOptions {
  serverVersion?: number;
}

/** Lints migration files in order, carrying schema knowledge (column types) from one to the next. */
export function lintFiles(paths: readonly string[], dialect: LintDialect, options: LintFilesOptions = {}): Finding[] {
  const history = newLintHistory();
  const findings: Finding[] = [];
  for (const file of expandLintPaths(paths)) {
    const sql = readFileSync(file, 'utf8');
    findings.push(...lintSql(sql, { dialect, file, inTransaction: runsInTransaction(sql, dialect), history, ...(options.serverVersion === undefined ? {} : { serverVersion: options.serverVersion }) }));
  }
  return findings;
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}

/** Human rendering: `file:line:column severity[rule] statement`, then the problem and the fix. */
export function formatFinding(f: Finding): string {
  const where = `${f.file}:${f.line}${f.column === undefined ? '' : `:${f.column}`}`;
  return `${where} ${f.severity}[${f.rule}] ${f.statement}\n  problem: ${f.problem}\n  fix: ${f.fix}`;
}
