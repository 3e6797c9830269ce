/** Human rendering of the safety gate's notice, plans and exec results. */
import type { Painter } from '../core/output.js';
import type { Notice } from '../guard/gate.js';
import type { Plan } from '../guard/plans.js';
import type { StatementResult } from '../guard/execute.js';
import { formatBytes } from './format.js';

function duration(seconds: number | null): string {
  if (seconds === null) return 'unknown';
  if (seconds < 120) return `~${seconds} s`;
  if (seconds < 7200) return `~${Math.round(seconds / 60)} min`;
  return `~${(seconds / 3600).toFixed(1)} h`;
}

function age(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} days`;
}

/** The protocol's notice: operation, risk, data at risk, backup to be taken, recovery time, restore command. */
export function renderNotice(notice: Notice, plan: Plan | null, paint: Painter): string {
  const a = notice.assessment;
  const r = notice.recovery;
  const risk = a.risk === 'HIGH' ? paint.red(paint.bold(a.risk)) : a.risk === 'MEDIUM' ? paint.yellow(a.risk) : a.risk;
  const lines = [
    paint.bold(`SAFETY GATE: ${a.class} operation, risk ${risk}`),
    `  operation     ${notice.operation.replace(/\s+/g, ' ')}`,
    `  database      ${notice.target} (${notice.environment})`,
    `  data at risk  ${a.rowsAtRisk === null ? 'unknown (could not be measured; treat as everything it can reach)' : `${a.rowsAtRisk} rows`}${a.tablesAtRisk.length ? ` in ${a.tablesAtRisk.join(', ')}` : ''}`,
  ];
  for (const s of a.statements) {
    if (s.class === 'read') continue;
    lines.push(`  ${s.index + 1}. ${s.kind} — ${s.class}${s.reasons.length ? `: ${s.reasons.join('; ')}` : ''}`);
    const effects = s.tables.map((t) => `${t.table} ${t.rows} ${t.effect}`).join(', ');
    lines.push(`       ${s.method === 'dry-run' ? 'measured (dry run, rolled back)' : s.method === 'metadata' ? 'counted' : 'not measured'}: ${effects || (s.rows === null ? 'unknown' : 'no rows')}${s.note && s.method !== 'dry-run' ? ` (${s.note})` : ''}`);
    for (const d of s.dependents) lines.push(`       reaches ${d}`);
  }
  const latest = r.latestVerifiedBackup;
  lines.push(
    `  backup        ${plan ? `${r.restoreFrom} will be taken and verified before anything runs` : 'none is taken for this'}`,
    `  last verified ${latest ? `${latest.name} (${age(latest.ageSeconds)} old, ${latest.level} check at ${latest.verifiedAt})` : 'none'}`,
    `  recovery      ${duration(r.estimatedSeconds)} (${r.basis})`,
    `  restore with  ${r.restoreCommand ?? 'no backup to restore from'}`,
  );
  if (plan) lines.push(`  plan          ${plan.id} (expires ${plan.expiresAt})`);
  return lines.join('\n');
}

export function renderPlans(plans: readonly Plan[]): string {
  if (!plans.length) return 'no plans';
  return plans
    .map((p) => {
      const op = p.action.kind === 'sql' ? p.action.sql.replace(/\s+/g, ' ') : p.action.argv.join(' ');
      return `${p.id}  ${p.status.padEnd(8)}  risk ${p.assessment.risk.padEnd(6)}  ${p.database}  expires ${p.expiresAt}  ${op.length > 70 ? `${op.slice(0, 70)}…` : op}`;
    })
    .join('\n');
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return `<${formatBytes(value.length)}>`;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Rows as a plain text table; writes as "N rows changed". */
export function renderResults(results: readonly StatementResult[]): string {
  return results
    .map((r) => {
      if (!r.rows.length) return `${r.kind}: ${r.rowCount} row${r.rowCount === 1 ? '' : 's'}`;
      const columns = Object.keys(r.rows[0]!);
      const body = r.rows.map((row) => columns.map((c) => cell(row[c])));
      const widths = columns.map((c, i) => Math.min(60, Math.max(c.length, ...body.map((b) => b[i]!.length))));
      const line = (values: string[]) => values.map((v, i) => (v.length > widths[i]! ? `${v.slice(0, widths[i]! - 1)}…` : v.padEnd(widths[i]!))).join('  ').trimEnd();
      return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...body.map(line), `(${r.rows.length} row${r.rows.length === 1 ? '' : 's'})`].join('\n');
    })
    .join('\n\n');
}
