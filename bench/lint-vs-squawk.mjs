// Compares dbward's PostgreSQL migration lint with squawk on the same files.
// Run after `npm run build`: node bench/lint-vs-squawk.mjs [fixture-dir …] > comparison.md
// Prints a Markdown table (per file: findings both tools report, only dbward, only squawk) and the
// reason for every rule where they differ.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lintFiles, runsInTransaction } from '../dist/migrate/lint/lint.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// squawk is not a project dependency (its npm package pulls platform binaries that not every registry
// mirror carries): install it beside the project first with `npm install --no-save squawk-cli@2.66.0`.
const squawkBin = join(root, 'node_modules', '.bin', 'squawk');
if (!existsSync(squawkBin)) {
  console.error('squawk is not installed: run `npm install --no-save squawk-cli@2.66.0` first.');
  process.exit(2);
}
const PG_VERSION = 15;

/** squawk rule → the dbward rules that report the same hazard. */
const EQUIVALENT = {
  'ban-drop-database': ['drop-database'],
  'ban-drop-table': ['drop-table'],
  'ban-drop-column': ['drop-column'],
  'ban-truncate-cascade': ['truncate'],
  'require-concurrent-index-creation': ['create-index-non-concurrently'],
  'require-concurrent-index-deletion': ['drop-index-non-concurrently'],
  'require-concurrent-reindex': ['reindex-non-concurrently'],
  'require-concurrent-partition-detach': ['detach-partition-non-concurrently'],
  'constraint-missing-not-valid': ['adding-foreign-key', 'adding-check-constraint', 'validate-in-same-transaction', 'adding-unique-constraint', 'adding-primary-key'],
  'adding-foreign-key-constraint': ['adding-foreign-key'],
  'disallowed-unique-constraint': ['adding-unique-constraint'],
  'adding-serial-primary-key-field': ['adding-primary-key'],
  'adding-not-nullable-field': ['set-not-null'],
  'adding-required-field': ['adding-required-column'],
  'adding-field-with-default': ['adding-volatile-default', 'adding-stored-generated-column'],
  'changing-column-type': ['changing-column-type', 'narrowing-type-change'],
  'renaming-table': ['rename-table'],
  'renaming-column': ['rename-column'],
  'ban-drop-not-null': ['drop-not-null'],
  'require-enum-value-ordering': ['enum-value-order'],
  'ban-concurrent-index-creation-in-transaction': ['concurrently-in-transaction'],
  'transaction-nesting': ['transaction-nesting'],
  'ban-uncommitted-transaction': ['uncommitted-transaction'],
  'require-lock-timeout': ['require-lock-timeout'],
  'require-statement-timeout': ['require-statement-timeout'],
  'require-timeout-settings': ['require-lock-timeout', 'require-statement-timeout'],
  'prefer-bigint-over-int': ['prefer-bigint-over-int'],
  'prefer-bigint-over-smallint': ['prefer-bigint-over-int'],
  'prefer-identity': ['prefer-identity'],
  'prefer-text-field': ['prefer-text-over-varchar'],
  'prefer-timestamp-tz': ['prefer-timestamptz'],
  'ban-char-field': ['ban-char-field'],
  'identifier-too-long': ['identifier-too-long'],
  'ban-create-domain-with-constraint': ['domain-check-constraint'],
  'ban-alter-domain-with-add-constraint': ['domain-check-constraint'],
  'prefer-repack': ['table-rewrite'],
  'unused-ignore': ['unused-ignore'],
};

/** Why the tools differ, by rule (dbward id, or squawk id for squawk-only rules). */
const REASONS = {
  'prefer-robust-stmts': 'dbward has no such rule: migrations run in a transaction (or are recorded as failed and block later runs until `migrate resolve`), and IF NOT EXISTS on CREATE INDEX CONCURRENTLY would silently keep an INVALID index after a failed build.',
  'constraint-missing-not-valid': 'squawk reports a second, generic finding next to its specific rule; dbward reports one finding per hazard.',
  'adding-field-with-default': 'squawk flags every default it cannot prove constant, even on a table created earlier in the same file (empty, so nothing is rewritten); dbward treats known-stable functions (now(), …) as safe on PostgreSQL 11+, names the volatile function it found, and skips tables created in the file.',
  'ban-drop-table': 'Silenced in dbward by a `-- dbward-lint-ignore drop-table: <reason>` comment, which squawk does not read (squawk has its own `squawk-ignore`).',
  'ban-drop-not-null': 'Silenced in dbward by a `-- dbward-lint-ignore drop-not-null: <reason>` comment, which squawk does not read.',
  'drop-column': 'After a syntax error squawk reports nothing more in the file; dbward re-splits the file with PostgreSQL\'s lexer and keeps checking the statements after it.',
  'syntax-error': 'squawk\'s own parser reports the syntax error without a rule name; dbward reports it as parse-error (see above).',
  'require-enum-value-ordering': 'Opposite advice: squawk wants BEFORE/AFTER on every ADD VALUE; dbward warns on BEFORE/AFTER because inserting in the middle changes existing ORDER BY / comparison results and makes comparisons slower (PostgreSQL docs).',
  'enum-value-order': 'Opposite advice to squawk\'s require-enum-value-ordering (see above).',
  'delete-without-where': 'dbward only: a DELETE without WHERE in a migration deletes every row.',
  'narrowing-type-change': 'dbward only: compares with the column type learnt from earlier migrations, and reports data loss separately from the lock.',
  'changing-column-type': 'dbward skips binary-compatible widenings (varchar → text, larger varchar/numeric precision) when the old type is known from earlier migrations; squawk reports every type change.',
  'validate-in-same-transaction': 'dbward only: VALIDATE in the transaction that added the constraint NOT VALID still scans under the ACCESS EXCLUSIVE lock.',
  'enum-add-value-in-transaction': 'dbward only: using an enum value added in the same transaction fails ("unsafe use of new value").',
  'not-allowed-in-transaction': 'dbward only: VACUUM / CREATE DATABASE / DROP DATABASE fail inside the runner\'s transaction.',
  'table-rewrite': 'dbward flags VACUUM FULL, CLUSTER, SET TABLESPACE and SET LOGGED/UNLOGGED; squawk 2.66 reported none of them by default.',
  'concurrently-in-transaction': 'dbward knows from the runner marker whether the file runs in a transaction and also covers DROP INDEX / REINDEX / DETACH … CONCURRENTLY.',
  'drop-schema': 'squawk has no rule for DROP SCHEMA.',
  'truncate': 'squawk only flags TRUNCATE … CASCADE; dbward flags every TRUNCATE (it deletes all rows).',
  'require-lock-timeout': 'Both report the first risky statement without lock_timeout; they disagree on which statements are risky: dbward counts only statements that lock a table not created in the same file (not CREATE DOMAIN, DROP DATABASE, or an index on a new table).',
  'require-statement-timeout': 'As require-lock-timeout; dbward accepts statement_timeout = 0 only as "not set".',
  'adding-primary-key': 'squawk reports ADD PRIMARY KEY under adding-serial-primary-key-field; same hazard.',
  'drop-table': 'dbward does not report tables created earlier in the same file.',
  'parse-error': 'Both find the syntax error; squawk reports it without a rule name (shown as syntax-error), dbward as parse-error with PostgreSQL\'s own message.',
  'prefer-bigint-over-int': 'dbward reports int/smallint/serial under one rule; squawk splits int and smallint.',
  'adding-volatile-default': 'dbward also reports serial/identity columns added to existing tables (each row gets a sequence value: rewrite).',
  'prefer-identity': 'Both report serial types.',
  'drop-index-non-concurrently': 'Same hazard; dbward warns.',
  'identifier-too-long': 'Both read the raw token; the AST already holds the truncated name.',
  'set-not-null': 'dbward recognises the safe CHECK (col IS NOT NULL) NOT VALID → VALIDATE → SET NOT NULL sequence in the same file; squawk reports SET NOT NULL even then.',
  'domain-check-constraint': 'Same hazard.',
  'adding-required-column': 'Same hazard.',
};

function fixtureEntries(dirs) {
  const entries = [];
  for (const dir of dirs) {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const files = statSync(path).isDirectory() ? readdirSync(path).sort().map((f) => join(path, f)) : [path];
      entries.push({ path, files });
    }
  }
  return entries;
}

function squawk(file) {
  const sql = readFileSync(file, 'utf8');
  const args = ['--reporter', 'json', `--pg-version=${PG_VERSION}.0`];
  if (runsInTransaction(sql, 'postgres')) args.push('--assume-in-transaction');
  const result = spawnSync(squawkBin, [...args, file], { encoding: 'utf8' });
  if (result.error) throw result.error;
  const parsed = JSON.parse(result.stdout || '[]');
  return parsed.map((f) => ({ line: f.line + 1, rule: f.rule_name ?? 'syntax-error' }));
}

function compare(ours, theirs) {
  const both = [];
  const onlySquawk = [];
  const matched = new Set();
  for (const s of theirs) {
    const equivalents = EQUIVALENT[s.rule] ?? [];
    const hit = ours.findIndex((o, i) => !matched.has(i) && o.line === s.line && equivalents.includes(o.rule));
    if (hit >= 0) {
      matched.add(hit);
      both.push(`${s.line} ${ours[hit].rule}`);
    } else if (ours.some((o) => o.line === s.line && equivalents.includes(o.rule))) {
      both.push(`${s.line} ${s.rule} (again)`);
    } else {
      onlySquawk.push(`${s.line} ${s.rule}`);
    }
  }
  const onlyDbward = ours.filter((_, i) => !matched.has(i)).map((o) => `${o.line} ${o.rule}`);
  return { both, onlyDbward, onlySquawk };
}

const dirs = process.argv.length > 2 ? process.argv.slice(2) : ['unsafe', 'safe'].map((k) => join(root, 'test', 'fixtures', 'lint', 'postgres', k));
const differing = new Set();
const totals = { both: 0, onlyDbward: 0, onlySquawk: 0 };
const rows = [];
for (const entry of fixtureEntries(dirs)) {
  const findings = lintFiles([entry.path], 'postgres', { serverVersion: PG_VERSION });
  for (const file of entry.files) {
    const ours = findings.filter((f) => f.file === file).map((f) => ({ line: f.line, rule: f.rule }));
    const result = compare(ours, squawk(file));
    for (const key of ['both', 'onlyDbward', 'onlySquawk']) totals[key] += result[key].length;
    for (const item of [...result.onlyDbward, ...result.onlySquawk]) differing.add(item.split(' ')[1]);
    const cell = (items) => (items.length ? items.join('<br>') : '—');
    rows.push(`| \`${relative(root, file)}\` | ${cell(result.both)} | ${cell(result.onlyDbward)} | ${cell(result.onlySquawk)} |`);
  }
}

console.log(`squawk ${spawnSync(squawkBin, ['--version'], { encoding: 'utf8' }).stdout.trim()} vs dbward, PostgreSQL ${PG_VERSION}; squawk run with --assume-in-transaction unless the file has the \`-- dbward:no-transaction\` marker. Entries are \`line rule\`.\n`);
console.log('| file | both report | only dbward | only squawk |');
console.log('|---|---|---|---|');
for (const row of rows) console.log(row);
console.log(`\nTotals: both ${totals.both}, only dbward ${totals.onlyDbward}, only squawk ${totals.onlySquawk}.\n`);
console.log('Why they differ:\n');
for (const rule of [...differing].sort()) console.log(`- \`${rule}\`: ${REASONS[rule] ?? 'unexplained — investigate.'}`);
