/**
 * `dbward exec`, `dbward approve` and `dbward plans` end to end on every engine: reads run at once,
 * bounded writes run after a rolled-back dry run, destructive statements are refused until a human
 * approves them (typed at a terminal, or out of band), a verified backup is taken first, plans are
 * single-use and bound to the SQL, the database and an expiry, and nothing changes when any of that fails.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJson, runCli } from '../helpers/cli.js';
import { ALL_ENGINES, createDatabase, runSql, tempDir, type TestDatabase } from '../helpers/databases.js';
import { runCliTty } from '../helpers/tty.js';

const SCHEMA = `
CREATE TABLE customers (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL);
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE, total INTEGER NOT NULL);
CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100;
INSERT INTO customers (id, name) VALUES (1, 'ada'), (2, 'grace'), (3, 'edsger'), (4, 'barbara'), (5, 'alan');
INSERT INTO orders (id, customer_id, total) VALUES
 (1, 1, 10), (2, 1, 20), (3, 1, 150), (4, 1, 40), (5, 2, 50), (6, 2, 60), (7, 2, 170), (8, 2, 80),
 (9, 3, 90), (10, 3, 100), (11, 3, 110), (12, 3, 120), (13, 4, 130), (14, 4, 140), (15, 4, 15), (16, 4, 16),
 (17, 5, 17), (18, 5, 18), (19, 5, 190), (20, 5, 200);
`;
// MySQL ignores inline REFERENCES: declare the foreign key as a table constraint there.
const MYSQL_SCHEMA = SCHEMA.replace(
  'customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE, total INTEGER NOT NULL)',
  'customer_id INTEGER NOT NULL, total INTEGER NOT NULL, FOREIGN KEY (customer_id) REFERENCES customers(id) ON DELETE CASCADE) ENGINE=InnoDB',
);

interface Outcome {
  status: string;
  plan?: string;
  class?: string;
  backup?: string;
  approval?: { via: string } | null;
  why?: string;
  approveCommand?: string;
  runCommand?: string;
  notice?: { database: string; assessment: { risk: string; rowsAtRisk: number | null; class: string; statements: Array<{ kind: string; class: string; rows: number | null; tables: Array<{ table: string; rows: number; effect: string }>; dependents: string[] }> }; recovery: { restoreCommand: string | null } };
  results?: Array<{ kind: string; rowCount: number; rows: Array<Record<string, unknown>> }>;
  assessment?: { class: string } | null;
}

describe.each(ALL_ENGINES)('dbward exec on %s', (engine) => {
  let db: TestDatabase;
  let cwd: string;
  beforeAll(async () => {
    db = await createDatabase(engine);
    runSql(db, engine === 'mysql' ? MYSQL_SCHEMA : SCHEMA);
    cwd = tempDir();
  });
  afterAll(async () => {
    await db.drop();
    fs.rmSync(cwd, { recursive: true, force: true });
  });

  const env = (extra: Record<string, string> = {}) => ({ DATABASE_URL: db.url, ...extra });
  const exec = (args: string[], extra: Record<string, string> = {}) => runCli(['exec', '--json', ...args], { cwd, env: env(extra) });
  const count = async (table: string): Promise<number> => {
    const r = await exec([`SELECT COUNT(*) AS n FROM ${table}`]);
    expect(r.status, r.stderr + r.stdout).toBe(0);
    return Number(parseJson<Outcome>(r).results![0]!.rows[0]!.n);
  };
  const auditLines = () => fs.readFileSync(path.join(cwd, '.dbward', 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { operation: string; outcome: string; details: Record<string, unknown> });

  it('runs reads at once and returns their rows', async () => {
    const r = await exec(['SELECT id, name FROM customers WHERE id <= 2 ORDER BY id']);
    expect(r.status, r.stderr).toBe(0);
    const out = parseJson<Outcome>(r);
    expect(out).toMatchObject({ status: 'done', class: 'read', assessment: null });
    expect(out.results![0]!.rows.map((row) => row.name)).toEqual(['ada', 'grace']);
  });

  it('runs a bounded write after measuring it, and records it', async () => {
    const r = await exec(["UPDATE customers SET name = 'Ada' WHERE id = 1"]);
    expect(r.status, r.stderr).toBe(0);
    expect(parseJson<Outcome>(r)).toMatchObject({ status: 'done', class: 'write' });
    const last = auditLines().at(-1)!;
    expect(last).toMatchObject({ operation: 'guard.exec', outcome: 'ok' });
  });

  it('refuses DELETE without WHERE without a TTY: exit 3, exact rows at risk, a pending plan, nothing changed', async () => {
    const r = await exec(['DELETE FROM orders']);
    expect(r.status, r.stderr + r.stdout).toBe(3);
    const out = parseJson<Outcome>(r);
    expect(out.status).toBe('approval-required');
    expect(out.why).toMatch(/no terminal/);
    expect(out.approveCommand).toBe(`dbward approve ${out.plan}`);
    expect(out.runCommand).toBe(`dbward exec --plan ${out.plan}`);
    expect(out.notice!.assessment).toMatchObject({ class: 'destructive', risk: 'HIGH', rowsAtRisk: 20 });
    expect(out.notice!.assessment.statements[0]!.dependents.join('\n')).toMatch(/big_orders/);
    expect(out.notice!.recovery.restoreCommand).toMatch(/^dbward restore guard-[0-9a-f]{12} --confirm /);
    expect(await count('orders')).toBe(20);
    const plans = parseJson<Array<{ id: string; status: string }>>(await runCli(['plans', '--json'], { cwd, env: env() }));
    expect(plans.find((p) => p.id === out.plan)?.status).toBe('pending');
  });

  it('counts cascaded rows exactly: deleting one customer deletes its four orders', async () => {
    const r = await exec(['DELETE FROM customers WHERE id = 3']);
    expect(r.status).toBe(3);
    const a = parseJson<Outcome>(r).notice!.assessment;
    expect(a.rowsAtRisk).toBe(5);
    const effects = a.statements[0]!.tables.map((t) => `${t.table.split('.').pop()}:${t.effect}:${t.rows}`).sort();
    expect(effects).toEqual(['customers:deleted:1', 'orders:deleted:4']);
    expect(await count('orders')).toBe(20);
  });

  it('treats a multi-row DELETE with a WHERE as destructive (guard.maxDeleteRows 1), a one-row DELETE as a write', async () => {
    const many = await exec(['DELETE FROM orders WHERE total > 150']);
    expect(many.status).toBe(3);
    expect(parseJson<Outcome>(many).notice!.assessment.rowsAtRisk).toBe(3);
    const one = await exec(['DELETE FROM orders WHERE id = 1']);
    expect(one.status, one.stdout).toBe(0);
    expect(await count('orders')).toBe(19);
  });

  it('sees a destructive statement stacked behind a harmless one, and a tautology', async () => {
    const r = await exec(['SELECT 1; DELETE FROM orders WHERE 1 = 1']);
    expect(r.status).toBe(3);
    expect(parseJson<Outcome>(r).notice!.assessment.statements.map((s) => s.class)).toEqual(['read', 'destructive']);
    expect(await count('orders')).toBe(19);
  });

  it('out of band: a human approves at a terminal, the agent runs the plan once, after a verified backup', async () => {
    const refused = await exec(['DELETE FROM orders WHERE customer_id = 5'], { CLAUDECODE: '1' });
    expect(refused.status).toBe(3);
    const plan = parseJson<Outcome>(refused).plan!;
    expect(parseJson<Outcome>(refused).why).toMatch(/CLAUDECODE/);

    // The agent cannot approve, not even with a terminal.
    const selfApproval = await runCliTty(['approve', plan], { cwd, env: env({ CLAUDECODE: '1' }), input: `${db.name}\n` });
    expect(selfApproval.status).toBe(3);
    expect(selfApproval.output).toMatch(/AI agent/);
    // Not approved yet: refused, nothing changed.
    const early = await exec(['--plan', plan], { CLAUDECODE: '1' });
    expect(early.status).toBe(3);
    expect(await count('orders')).toBe(19);

    const human = await runCliTty(['approve', plan], { cwd, env: env(), input: `${db.name}\n` });
    expect(human.status, human.output).toBe(0);
    expect(human.output).toMatch(/SAFETY GATE/);
    expect(human.output).toMatch(new RegExp(`approved ${plan}`));

    // A different SQL text with this plan is refused and changes nothing.
    const other = await exec(['DELETE FROM orders', '--plan', plan], { CLAUDECODE: '1' });
    expect(other.status).toBe(3);
    expect(other.stdout).toMatch(/different SQL/);
    expect(await count('orders')).toBe(19);

    const ran = await exec(['--plan', plan], { CLAUDECODE: '1' });
    expect(ran.status, ran.stdout + ran.stderr).toBe(0);
    const done = parseJson<Outcome>(ran);
    expect(done.approval).toMatchObject({ via: 'approve' });
    expect(await count('orders')).toBe(15);
    const { backups } = parseJson<{ backups: Array<{ name: string; lastVerification: { level: string; ok: boolean } | null }> }>(await runCli(['backups', '--json'], { cwd, env: env() }));
    const backup = backups.find((b) => b.name === done.backup);
    expect(backup?.lastVerification).toMatchObject({ level: 'structure', ok: true });
    const entry = auditLines().filter((l) => l.operation === 'guard.exec' && l.outcome === 'ok').at(-1)!;
    expect(entry.details).toMatchObject({ plan, backup: done.backup, approval: { via: 'approve' } });

    // Single use.
    const again = await exec(['--plan', plan], { CLAUDECODE: '1' });
    expect(again.status).toBe(3);
    expect(again.stdout).toMatch(/already been used/);
  });

  it('on a terminal without agent markers, typing the database name approves; anything else changes nothing', async () => {
    const wrong = await runCliTty(['exec', 'DELETE FROM orders WHERE customer_id = 4'], { cwd, env: env(), input: 'nope\n' });
    expect(wrong.status, wrong.output).toBe(3);
    expect(wrong.output).toMatch(/SAFETY GATE/);
    expect(await count('orders')).toBe(15);
    const right = await runCliTty(['exec', 'DELETE FROM orders WHERE customer_id = 4'], { cwd, env: env(), input: `${db.name}\n` });
    expect(right.status, right.output).toBe(0);
    expect(await count('orders')).toBe(11);
  });

  it('refuses an approved plan whose impact grew since approval', async () => {
    const planned = await exec(['DELETE FROM orders WHERE total >= 100']);
    const plan = parseJson<Outcome>(planned).plan!;
    const before = parseJson<Outcome>(planned).notice!.assessment.rowsAtRisk!;
    expect((await runCliTty(['approve', plan], { cwd, env: env(), input: `${db.name}\n` })).status).toBe(0);
    expect((await exec(['INSERT INTO orders (id, customer_id, total) VALUES (100, 1, 999)'])).status).toBe(0);
    const r = await exec(['--plan', plan]);
    expect(r.status).toBe(3);
    expect(r.stdout).toMatch(/impact grew/);
    expect(await count('orders')).toBe(12);
    expect(before).toBeGreaterThan(0);
  });

  it('refuses an expired plan', async () => {
    const dir = tempDir();
    try {
      fs.writeFileSync(path.join(dir, 'dbward.config.json'), JSON.stringify({ guard: { planTtlMinutes: 0.0005 } }));
      const planned = await runCli(['exec', '--json', 'DELETE FROM orders'], { cwd: dir, env: env() });
      const plan = parseJson<Outcome>(planned).plan!;
      await new Promise((r) => setTimeout(r, 100));
      const r = await runCli(['exec', '--json', '--plan', plan], { cwd: dir, env: env() });
      expect(r.status).toBe(3);
      expect(r.stdout).toMatch(/expired/);
      expect(await count('orders')).toBe(12);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs nothing when the backup cannot be taken (development policy "backup": no approval, backup required)', async () => {
    const dir = tempDir();
    try {
      fs.writeFileSync(path.join(dir, 'not-a-directory'), '');
      fs.writeFileSync(path.join(dir, 'dbward.config.json'), JSON.stringify({ guard: { destructive: { development: 'backup' } }, backup: { repository: 'not-a-directory/backups' } }));
      const r = await runCli(['exec', '--json', 'DELETE FROM orders'], { cwd: dir, env: env() });
      expect(r.status, r.stdout).toBe(1);
      expect(await count('orders')).toBe(12);
      // With a working repository the same policy runs it after the backup, without approval.
      fs.writeFileSync(path.join(dir, 'dbward.config.json'), JSON.stringify({ guard: { destructive: { development: 'backup' } } }));
      const ok = await runCli(['exec', '--json', 'DELETE FROM orders WHERE customer_id = 1'], { cwd: dir, env: env() });
      expect(ok.status, ok.stdout + ok.stderr).toBe(0);
      expect(parseJson<Outcome>(ok).backup).toMatch(/^guard-/);
      expect(await count('orders')).toBeLessThan(12);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('guard policy', () => {
  it('rejects a production policy without approval', async () => {
    const dir = tempDir();
    try {
      fs.writeFileSync(path.join(dir, 'dbward.config.json'), JSON.stringify({ guard: { destructive: { production: 'backup' } } }));
      const r = await runCli(['exec', 'SELECT 1'], { cwd: dir, env: { DATABASE_URL: `file:${path.join(dir, 'x.db')}` } });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/production always needs approval/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
