/**
 * `dbward approve PLAN_ID`: a human, at a terminal, approves a plan after seeing its notice again and
 * typing the database name. Refused without a terminal and when an AI-agent marker is set, so that an
 * agent cannot approve its own plan. Every attempt is recorded in the audit log.
 */
import { appendAudit } from '../core/audit.js';
import { RefusedError } from '../core/errors.js';
import { describeAction, type Notice } from './gate.js';
import { approvalBy, type Plan, type PlanStore } from './plans.js';
import { approvalRoute, type GuardPolicy } from './policy.js';

export interface ApproveDeps {
  store: PlanStore;
  policy: GuardPolicy;
  auditLogPath: string;
  env: NodeJS.ProcessEnv;
  /** stdin and stderr are terminals. */
  interactive: boolean;
  /** Show the notice and return what the human typed. */
  askTypedName: (notice: Notice, plan: Plan) => Promise<string>;
}

export async function approvePlan(deps: ApproveDeps, id: string): Promise<Plan> {
  const plan = deps.store.get(id);
  const audit = (outcome: 'ok' | 'refused', details: Record<string, unknown>) =>
    appendAudit(deps.auditLogPath, { operation: 'guard.approve', target: plan.target, outcome, details: { plan: plan.id, actionSha256: plan.actionSha256, ...details } });
  const route = approvalRoute({ env: deps.env, markers: deps.policy.agentMarkers, interactive: deps.interactive });
  if (route.kind === 'out-of-band') {
    await audit('refused', { reason: route.why });
    throw new RefusedError(`Plans are approved by a human at a terminal, and ${route.why}.`, `A human runs \`dbward approve ${plan.id}\` in their own terminal.`);
  }
  const notice: Notice = { operation: describeAction(plan.action), target: plan.target, database: plan.database, environment: deps.policy.environment, assessment: plan.assessment, recovery: plan.recovery };
  const typed = (await deps.askTypedName(notice, plan)).trim();
  if (typed !== plan.database) {
    await audit('refused', { reason: 'the typed database name did not match' });
    throw new RefusedError('Not approved: the typed name did not match.');
  }
  const approved = await deps.store.approve(plan.id, approvalBy('approve'));
  await audit('ok', { approval: approved.approval });
  return approved;
}
