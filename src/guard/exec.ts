/**
 * `dbward exec`: classify every statement, run reads at once, assess writes and destructive
 * statements, run bounded writes, and pass destructive ones through the gate (approval, verified
 * backup, execution, audit).
 */
import { appendAudit } from '../core/audit.js';
import { UsageError } from '../core/errors.js';
import { databaseName } from '../core/url.js';
import { classifySql } from './classify/index.js';
import { executeStatements, withoutOuterTransaction, type StatementResult } from './execute.js';
import { passGate, type GateDeps, type GateOutcome } from './gate.js';
import { assessImpact, type Assessment } from './impact.js';
import { actionSha256 } from './plans.js';

export type ExecOutcome =
  | GateOutcome<StatementResult[]>
  | { status: 'done'; class: 'read' | 'write'; assessment: Assessment | null; results: StatementResult[] };

export async function execSql(deps: GateDeps, sql: string): Promise<ExecOutcome> {
  let text = sql;
  if (deps.planId) {
    const plan = deps.store.get(deps.planId);
    if (plan.action.kind !== 'sql') throw new UsageError(`Plan ${plan.id} is for a command; run it with \`dbward guard --plan ${plan.id} -- …\`.`);
    if (text.trim() === '') text = plan.action.sql;
  }
  const statements = withoutOuterTransaction(classifySql(deps.engine.name, text));
  if (!statements.length) throw new UsageError('No SQL statement to run.', 'Pass SQL as an argument, with -f FILE, or on stdin.');

  // Reads run at once: nothing to assess, nothing to record.
  if (!deps.planId && statements.every((s) => s.class === 'read')) {
    return { status: 'done', class: 'read', assessment: null, results: await executeStatements(deps.engine, statements) };
  }

  deps.onStep?.('assessing the impact (dry run, rolled back)');
  const assessment = await assessImpact(deps.engine, statements, deps.policy, databaseName(deps.target));
  if (assessment.class !== 'destructive' && !deps.planId) {
    const started = Date.now();
    const results = await executeStatements(deps.engine, statements);
    await appendAudit(deps.auditLogPath, {
      operation: 'guard.exec',
      target: deps.target.redacted,
      outcome: 'ok',
      details: { action: 'sql', actionSha256: actionSha256({ kind: 'sql', sql: text }), class: assessment.class, statements: results.map((r) => ({ kind: r.kind, rows: r.rowCount })), durationMs: Date.now() - started },
    });
    return { status: 'done', class: assessment.class === 'read' ? 'read' : 'write', assessment, results };
  }
  return passGate(deps, { kind: 'sql', sql: text }, assessment, () => executeStatements(deps.engine, statements));
}
