/** Plans and policy without a database: single use, binding, expiry, tampering, agent detection. */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RefusedError } from '../../src/core/errors.js';
import type { Assessment } from '../../src/guard/impact.js';
import { approvalBy, newPlanId, PlanStore, type PlanAction } from '../../src/guard/plans.js';
import { approvalRoute, DEFAULT_AGENT_MARKERS, detectAgent, guardPolicy, guardPolicySchema } from '../../src/guard/policy.js';
import { tempDir } from '../helpers/databases.js';

const assessment: Assessment = { class: 'destructive', risk: 'HIGH', rowsAtRisk: 3, statements: [], tablesAtRisk: [], databaseBytes: null, durationMs: 1 };
const recovery = { latestVerifiedBackup: null, estimatedSeconds: null, basis: 'test', restoreFrom: null, restoreCommand: null };
const action: PlanAction = { kind: 'sql', sql: 'DELETE FROM t' };

describe('PlanStore', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  const store = () => {
    const dir = tempDir();
    dirs.push(dir);
    return new PlanStore(path.join(dir, 'plans'));
  };
  const create = (s: PlanStore, ttl = 60_000) => s.create(newPlanId(), { action, databaseId: 'db1', database: 'app', target: 'sqlite app', assessment, recovery }, ttl);

  it('writes plans 0640 in a 0750 directory, approves once and is consumed once', async () => {
    const s = store();
    const plan = create(s);
    expect(fs.statSync(s.dir).mode & 0o777).toBe(0o750);
    expect(fs.statSync(path.join(s.dir, `${plan.id}.json`)).mode & 0o777).toBe(0o640);
    await expect(s.consume(plan.id, { databaseId: 'db1', action })).rejects.toThrow(/not been approved/);
    await s.approve(plan.id, approvalBy('approve'));
    await expect(s.approve(plan.id, approvalBy('approve'))).rejects.toThrow(/already approved/);
    await expect(s.consume(plan.id, { databaseId: 'db2', action })).rejects.toThrow(/another database/);
    await expect(s.consume(plan.id, { databaseId: 'db1', action: { kind: 'sql', sql: 'DELETE FROM t ' } })).rejects.toThrow(/different SQL/);
    const used = await s.consume(plan.id, { databaseId: 'db1', action });
    expect(used.status).toBe('used');
    await expect(s.consume(plan.id, { databaseId: 'db1', action })).rejects.toThrow(/already been used/);
  });

  it('two concurrent consumers: exactly one wins', async () => {
    const s = store();
    const plan = create(s);
    await s.approve(plan.id, approvalBy('approve'));
    const results = await Promise.allSettled([s.consume(plan.id, { databaseId: 'db1', action }), s.consume(plan.id, { databaseId: 'db1', action })]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('refuses expired plans and plans whose SQL was edited on disk', async () => {
    const s = store();
    const expired = create(s, 1);
    await new Promise((r) => setTimeout(r, 5));
    await expect(s.approve(expired.id, approvalBy('approve'))).rejects.toThrow(/expired/);
    const plan = create(s);
    const file = path.join(s.dir, `${plan.id}.json`);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('DELETE FROM t', 'DROP TABLE t'));
    expect(() => s.get(plan.id)).toThrow(RefusedError);
    expect(() => s.get('../../etc/passwd')).toThrow(/not a plan id/);
  });
});

describe('guard policy', () => {
  it('detects agent markers, prefixes included, and ignores switched-off values', () => {
    expect(detectAgent({ CLAUDECODE: '1' }, DEFAULT_AGENT_MARKERS)).toBe('CLAUDECODE');
    expect(detectAgent({ CODEX_SANDBOX: 'seatbelt' }, DEFAULT_AGENT_MARKERS)).toBe('CODEX_SANDBOX');
    expect(detectAgent({ REPLIT_USER: 'x' }, DEFAULT_AGENT_MARKERS)).toBe('REPLIT_USER');
    expect(detectAgent({ AGENT: '0', AI_AGENT: 'false', HOME: '/root' }, DEFAULT_AGENT_MARKERS)).toBeNull();
    const policy = guardPolicy({ agentMarkers: ['MY_BOT'] }, 'development');
    expect(detectAgent({ MY_BOT: 'yes' }, policy.agentMarkers)).toBe('MY_BOT');
    expect(approvalRoute({ env: { MY_BOT: '1' }, markers: policy.agentMarkers, interactive: true })).toMatchObject({ kind: 'out-of-band' });
    expect(approvalRoute({ env: {}, markers: policy.agentMarkers, interactive: false })).toMatchObject({ kind: 'out-of-band', why: /no terminal/ });
    expect(approvalRoute({ env: {}, markers: policy.agentMarkers, interactive: true })).toEqual({ kind: 'terminal' });
  });

  it('production always needs approval; other environments are configurable', () => {
    expect(guardPolicySchema.safeParse({ destructive: { production: 'backup' } }).success).toBe(false);
    expect(guardPolicy({ destructive: { development: 'backup' } }, 'development').destructive).toBe('backup');
    expect(guardPolicy({ destructive: { development: 'backup' } }, 'production').destructive).toBe('approve');
    expect(guardPolicy(undefined, 'staging')).toMatchObject({ destructive: 'approve', maxDeleteRows: 1, maxUpdateRows: 100 });
  });
});
