/**
 * The gate every destructive action passes: a plan bound to the exact action and database, a human's
 * approval (typed at this terminal, or out of band with `dbward approve`), a fresh backup verified at
 * level structure, then the action, then one audit entry linking plan, approval, backup and result.
 * If any step fails, the action does not run.
 */
import type { BackupSetup } from '../backup/setup.js';
import { takeSafetyBackup } from '../backup/safety.js';
import { appendAudit } from '../core/audit.js';
import { errorMessage, RefusedError } from '../core/errors.js';
import { databaseName, type ConnectionTarget } from '../core/url.js';
import { databaseId } from '../backup/names.js';
import type { Engine } from '../engines/engine.js';
import type { Assessment } from './impact.js';
import { actionSha256, approvalBy, newPlanId, planBackupName, runCommandFor, type Approval, type Plan, type PlanAction, type PlanStore } from './plans.js';
import { approvalRoute, type GuardPolicy } from './policy.js';
import { recoveryFacts, type Recovery } from './recovery.js';

export interface GateDeps {
  engine: Engine;
  target: ConnectionTarget;
  setup: BackupSetup;
  policy: GuardPolicy;
  store: PlanStore;
  auditLogPath: string;
  env: NodeJS.ProcessEnv;
  /** A human may be asked at this terminal (stdin and stderr are TTYs, not --json). */
  interactive: boolean;
  /** Show the notice and return what the human typed (terminal route only). */
  askTypedName?: (notice: Notice, plan: Plan) => Promise<string>;
  /** Run an approved plan (`--plan`). */
  planId?: string;
  onStep?: (step: string) => void;
}

export interface Notice {
  operation: string;
  target: string;
  database: string;
  environment: string;
  assessment: Assessment;
  recovery: Recovery;
}

export type GateOutcome<T> =
  | { status: 'done'; notice: Notice; plan: Plan | null; approval: Approval | null; backup: string | null; result: T }
  | { status: 'approval-required'; notice: Notice; plan: Plan; why: string; approveCommand: string; runCommand: string }
  | { status: 'declined'; notice: Notice; plan: Plan };

/** The operation as one line for notices and the audit log. */
export function describeAction(action: PlanAction): string {
  return action.kind === 'sql' ? `exec ${action.sql.length > 200 ? `${action.sql.slice(0, 200)}…` : action.sql}` : `guard -- ${action.argv.join(' ')}`;
}

/** Audit details that identify the action without repeating its text (SQL may hold secrets). */
function actionDetails(plan: Plan | null, action: PlanAction, assessment: Assessment): Record<string, unknown> {
  return {
    action: action.kind,
    actionSha256: plan?.actionSha256,
    ...(action.kind === 'command' ? { command: action.argv[0] } : {}),
    plan: plan?.id ?? null,
    class: assessment.class,
    risk: assessment.risk,
    rowsAtRisk: assessment.rowsAtRisk,
    statements: assessment.statements.map((s) => ({ kind: s.kind, class: s.class, rows: s.rows })),
  };
}

/**
 * Pass a destructive action through the gate. `run` executes it; it is called only after approval and
 * a verified backup. Without approval the plan is left pending and the outcome says how to approve it.
 */
export async function passGate<T>(deps: GateDeps, action: PlanAction, assessment: Assessment, run: () => Promise<T>): Promise<GateOutcome<T>> {
  const database = databaseName(deps.target);
  const id = databaseId(deps.target);
  const entries = await deps.setup.repository.list();
  const planId = deps.planId ?? newPlanId();
  const notice: Notice = {
    operation: describeAction(action),
    target: deps.target.redacted,
    database,
    environment: deps.policy.environment,
    assessment,
    recovery: recoveryFacts(entries, { database, backupToTake: planBackupName(planId), databaseBytes: assessment.databaseBytes }),
  };
  const audit = (outcome: 'ok' | 'failed' | 'refused', plan: Plan | null, details: Record<string, unknown>) =>
    appendAudit(deps.auditLogPath, { operation: action.kind === 'sql' ? 'guard.exec' : 'guard.command', target: deps.target.redacted, outcome, details: { ...actionDetails(plan, action, assessment), ...details } });

  let plan: Plan;
  let approval: Approval | null = null;
  if (deps.planId) {
    plan = deps.store.get(deps.planId);
    try {
      checkPlanStillHolds(plan, id, action, assessment);
    } catch (err) {
      await audit('refused', plan, { error: errorMessage(err) });
      throw err;
    }
    approval = plan.approval;
  } else {
    plan = deps.store.create(planId, { action, databaseId: id, database, target: deps.target.redacted, assessment, recovery: notice.recovery }, deps.policy.planTtlMs);
    if (deps.policy.destructive === 'approve') {
      const route = approvalRoute({ env: deps.env, markers: deps.policy.agentMarkers, interactive: deps.interactive && Boolean(deps.askTypedName) });
      if (route.kind === 'out-of-band') {
        await audit('refused', plan, { reason: `approval needed: ${route.why}` });
        return {
          status: 'approval-required',
          notice,
          plan,
          why: route.why,
          approveCommand: `dbward approve ${plan.id}`,
          runCommand: runCommandFor(plan),
        };
      }
      const typed = (await deps.askTypedName!(notice, plan)).trim();
      if (typed !== database) {
        await audit('refused', plan, { reason: 'the typed database name did not match' });
        return { status: 'declined', notice, plan };
      }
      approval = approvalBy('terminal');
      plan = await deps.store.approve(plan.id, approval);
    }
  }

  const backupName = planBackupName(plan.id);
  let backup: string;
  try {
    deps.onStep?.(`taking and verifying backup ${backupName}`);
    backup = await takeSafetyBackup(deps.engine, deps.setup, backupName);
  } catch (err) {
    await audit('failed', plan, { approval, error: `backup failed, nothing was run: ${errorMessage(err)}` });
    throw err;
  }
  // Single use: the plan is consumed only now, under its lock, after the backup exists.
  plan =
    plan.status === 'approved'
      ? await deps.store.consume(plan.id, { databaseId: id, action })
      : await deps.store.update(plan.id, (p) => ({ ...p, status: 'used', usedAt: new Date().toISOString() })); // policy "backup": no approval needed
  deps.onStep?.('running');
  const started = Date.now();
  try {
    const result = await run();
    await audit('ok', plan, { approval, backup, durationMs: Date.now() - started });
    return { status: 'done', notice, plan, approval, backup, result };
  } catch (err) {
    await audit('failed', plan, { approval, backup, error: errorMessage(err), durationMs: Date.now() - started });
    throw err;
  }
}

/** An approved plan runs only unchanged: same database, same action, not used, not expired, impact not grown. */
function checkPlanStillHolds(plan: Plan, id: string, action: PlanAction, assessment: Assessment): void {
  // consume() repeats these checks under the lock; checking first means nothing (not even a backup) happens for a bad plan.
  if (plan.status === 'used') throw new RefusedError(`Plan ${plan.id} has already been used (at ${plan.usedAt}); a plan runs once.`, 'Plan again and have the new plan approved.');
  if (Date.parse(plan.expiresAt) <= Date.now()) throw new RefusedError(`Plan ${plan.id} expired at ${plan.expiresAt}.`, 'Plan again and have the new plan approved.');
  if (plan.status === 'pending') throw new RefusedError(`Plan ${plan.id} has not been approved.`, `Ask a human to run \`dbward approve ${plan.id}\` in their own terminal.`);
  if (plan.databaseId !== id) throw new RefusedError(`Plan ${plan.id} was made for another database (${plan.target}).`);
  if (plan.actionSha256 !== actionSha256(action)) {
    throw new RefusedError(`Plan ${plan.id} was approved for different ${plan.action.kind === 'sql' ? 'SQL' : 'command'}.`, 'An approval covers exactly the planned text; plan the new one and have it approved.');
  }
  const before = plan.assessment.rowsAtRisk;
  const now = assessment.rowsAtRisk;
  if ((before !== null && now === null) || (before !== null && now !== null && now > before)) {
    throw new RefusedError(
      `The impact grew since plan ${plan.id} was approved: ${now ?? 'an unmeasurable number of'} rows at risk now, ${before} when approved.`,
      'Nothing was run. Plan again so a human can approve what it does now.',
    );
  }
}
