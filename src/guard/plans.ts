/**
 * Plans: what the safety gate was asked to run, bound to the exact SQL text (or command line), the
 * target database and an expiry. A plan is approved by a human (`dbward approve PLAN_ID`, at a
 * terminal) and used at most once (`dbward exec --plan PLAN_ID`). Plans are files of mode 0640 in a
 * 0750 directory; every state change happens under the plan's lock, so two runs cannot both use it.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sha256Hex } from '../core/audit.js';
import { RefusedError, UsageError } from '../core/errors.js';
import { ensureSecureDir, writeFileAtomic } from '../core/fsx.js';
import { acquireFileLock } from '../core/lockfile.js';
import { osUser } from '../core/os-user.js';
import type { Assessment } from './impact.js';
import type { Recovery } from './recovery.js';

export type PlanStatus = 'pending' | 'approved' | 'used';

/** What a plan runs: SQL through `dbward exec`, or a command line through `dbward guard`. */
export type PlanAction = { kind: 'sql'; sql: string } | { kind: 'command'; argv: string[]; cwd: string };

export interface Approval {
  by: string;
  host: string;
  at: string;
  /** terminal: typed at the prompt of the command itself; approve: `dbward approve` from a human's terminal. */
  via: 'terminal' | 'approve';
}

export interface Plan {
  v: 1;
  id: string;
  createdAt: string;
  expiresAt: string;
  action: PlanAction;
  /** SHA-256 of the action (SQL text, or command line and directory): what the approval is bound to. */
  actionSha256: string;
  databaseId: string;
  /** The database name a human types to approve. */
  database: string;
  /** Redacted description of the target. */
  target: string;
  assessment: Assessment;
  /** Recovery facts as they were when the plan was made (shown again by `dbward approve`). */
  recovery: Recovery;
  status: PlanStatus;
  approval: Approval | null;
  usedAt: string | null;
}

const PLAN_ID = /^plan-[0-9a-f]{12}$/;

export function newPlanId(): string {
  return `plan-${randomBytes(6).toString('hex')}`;
}

/** The name of the backup the gate takes before running a plan. */
export function planBackupName(id: string): string {
  return `guard-${id.slice('plan-'.length)}`;
}

/** The command that runs an approved plan. */
export function runCommandFor(plan: Plan): string {
  return plan.action.kind === 'sql' ? `dbward exec --plan ${plan.id}` : `dbward guard --plan ${plan.id} -- ${plan.action.argv.join(' ')}`;
}

export function actionSha256(action: PlanAction): string {
  return sha256Hex(action.kind === 'sql' ? `sql\n${action.sql}` : `command\n${action.cwd}\n${JSON.stringify(action.argv)}`);
}

export function approvalBy(via: Approval['via']): Approval {
  return { by: osUser(), host: os.hostname(), at: new Date().toISOString(), via };
}

export class PlanStore {
  constructor(readonly dir: string) {}

  private file(id: string): string {
    if (!PLAN_ID.test(id)) throw new UsageError(`"${id}" is not a plan id (plan- and 12 hex digits).`);
    return path.join(this.dir, `${id}.json`);
  }

  create(id: string, fields: Omit<Plan, 'v' | 'id' | 'createdAt' | 'expiresAt' | 'actionSha256' | 'status' | 'approval' | 'usedAt'>, ttlMs: number, now = Date.now()): Plan {
    ensureSecureDir(this.dir);
    const plan: Plan = {
      v: 1,
      id,
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + ttlMs).toISOString(),
      actionSha256: actionSha256(fields.action),
      status: 'pending',
      approval: null,
      usedAt: null,
      ...fields,
    };
    writeFileAtomic(this.file(plan.id), `${JSON.stringify(plan, null, 2)}\n`);
    return plan;
  }

  get(id: string): Plan {
    const file = this.file(id);
    let plan: Plan;
    try {
      plan = JSON.parse(fs.readFileSync(file, 'utf8')) as Plan;
    } catch {
      throw new UsageError(`No plan ${id} in ${this.dir}.`, 'Plans are created by `dbward exec` or `dbward guard` and shown in their notice; list them with `dbward plans`.');
    }
    if (plan.v !== 1 || plan.id !== id || plan.actionSha256 !== actionSha256(plan.action)) {
      throw new RefusedError(`Plan ${id} has been altered: its action does not match what was planned.`, 'Run the statement or command again to create a new plan.');
    }
    return plan;
  }

  list(): Plan[] {
    if (!fs.existsSync(this.dir)) return [];
    return fs
      .readdirSync(this.dir)
      .filter((f) => PLAN_ID.test(f.replace(/\.json$/, '')) && f.endsWith('.json'))
      .map((f) => this.get(f.replace(/\.json$/, '')))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /** Change a plan under its lock: change() sees the current state, and may throw to change nothing. */
  async update(id: string, change: (plan: Plan) => Plan): Promise<Plan> {
    const file = this.file(id);
    const lock = await acquireFileLock(`${file}.lock`, { waitMs: 10_000, what: `Plan ${id}` });
    try {
      const next = change(this.get(id));
      writeFileAtomic(file, `${JSON.stringify(next, null, 2)}\n`);
      return next;
    } finally {
      lock.release();
    }
  }

  /** Approve a pending plan. Refused when it is expired, already approved or used. */
  approve(id: string, approval: Approval, now = Date.now()): Promise<Plan> {
    return this.update(id, (plan) => {
      assertUsable(plan, now);
      if (plan.status !== 'pending') throw new RefusedError(`Plan ${id} is already ${plan.status}.`);
      return { ...plan, status: 'approved', approval };
    });
  }

  /**
   * Take an approved plan for execution (single use): it must be approved, unexpired, for this database
   * and for exactly this action. Nothing changes when any check fails.
   */
  consume(id: string, expected: { databaseId: string; action?: PlanAction }, now = Date.now()): Promise<Plan> {
    return this.update(id, (plan) => {
      assertUsable(plan, now);
      if (plan.status !== 'approved') {
        throw new RefusedError(`Plan ${id} has not been approved.`, `Ask a human to run \`dbward approve ${id}\` in their own terminal.`);
      }
      if (plan.databaseId !== expected.databaseId) {
        throw new RefusedError(`Plan ${id} was approved for another database (${plan.target}).`, 'Run it against the database it was made for, or plan again.');
      }
      if (expected.action && actionSha256(expected.action) !== plan.actionSha256) {
        throw new RefusedError(`Plan ${id} was approved for different ${plan.action.kind === 'sql' ? 'SQL' : 'command'}.`, 'An approval covers exactly the planned text; plan the new one and have it approved.');
      }
      return { ...plan, status: 'used', usedAt: new Date(now).toISOString() };
    });
  }
}

function assertUsable(plan: Plan, now: number): void {
  if (plan.status === 'used') throw new RefusedError(`Plan ${plan.id} has already been used (at ${plan.usedAt}); a plan runs once.`, 'Plan again and have the new plan approved.');
  if (Date.parse(plan.expiresAt) <= now) throw new RefusedError(`Plan ${plan.id} expired at ${plan.expiresAt}.`, 'Plan again and have the new plan approved.');
}
