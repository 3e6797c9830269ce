import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendAudit, readAuditLog, verifyAuditLog } from '../../src/core/audit.js';
import { tempDir } from '../helpers/databases.js';

let dir: string;
let log: string;

beforeEach(async () => {
  dir = tempDir();
  log = path.join(dir, 'audit', 'audit.log');
  for (let i = 1; i <= 4; i++) await appendAudit(log, { operation: `op${i}`, target: 'sqlite /x.db', outcome: 'ok', details: { i } });
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const lines = () => fs.readFileSync(log, 'utf8').split('\n').filter(Boolean);
const writeLines = (ls: string[]) => fs.writeFileSync(log, ls.map((l) => `${l}\n`).join(''));

describe('audit log', () => {
  it('chains entries and verifies an untouched log', () => {
    const entries = readAuditLog(log);
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(entries[0]!.prev).toBe('0'.repeat(64));
    expect(verifyAuditLog(log)).toEqual({ ok: true, entries: 4, problems: [] });
  });

  it('creates the directory 0750 and the file 0640', () => {
    expect(fs.statSync(path.dirname(log)).mode & 0o777).toBe(0o750);
    expect(fs.statSync(log).mode & 0o777).toBe(0o640);
  });

  it('detects an edited line', () => {
    const ls = lines();
    ls[1] = ls[1]!.replace('"op2"', '"op9"');
    writeLines(ls);
    const result = verifyAuditLog(log);
    expect(result.ok).toBe(false);
    expect(result.problems.some((p) => p.line === 3 && /hash chain broken/.test(p.problem))).toBe(true);
  });

  it('detects a removed line in the middle', () => {
    const ls = lines();
    ls.splice(1, 1);
    writeLines(ls);
    const result = verifyAuditLog(log);
    expect(result.ok).toBe(false);
    expect(result.problems.some((p) => p.line === 2 && /sequence 3 where 2/.test(p.problem))).toBe(true);
  });

  it('detects a removed last line (through the head file)', () => {
    writeLines(lines().slice(0, 3));
    const result = verifyAuditLog(log);
    expect(result.ok).toBe(false);
    expect(result.problems.some((p) => p.line === 0 && /head records 4 entries/.test(p.problem))).toBe(true);
  });

  it('detects reordered lines', () => {
    const ls = lines();
    [ls[1], ls[2]] = [ls[2]!, ls[1]!];
    writeLines(ls);
    const result = verifyAuditLog(log);
    expect(result.ok).toBe(false);
    expect(result.problems.length).toBeGreaterThan(0);
  });

  it('detects a removed first line', () => {
    writeLines(lines().slice(1));
    expect(verifyAuditLog(log).ok).toBe(false);
  });

  it('never writes secrets', async () => {
    await appendAudit(log, {
      operation: 'x',
      target: 'postgres://app:Sup3rSecret@h/db',
      outcome: 'failed',
      details: { error: 'password authentication failed for postgres://app:Sup3rSecret@h/db', password: 'Sup3rSecret' },
    });
    expect(fs.readFileSync(log, 'utf8')).not.toContain('Sup3rSecret');
    expect(verifyAuditLog(log).ok).toBe(true);
  });

  it('keeps the chain intact when processes append concurrently', async () => {
    const { spawn } = await import('node:child_process');
    // Child processes run the built module (npm test builds before running the suite).
    const built = path.resolve('dist/core/audit.js');
    expect(fs.existsSync(built), 'run `npm run build` first').toBe(true);
    const code = `import('${built}').then(async (m) => { for (let i = 0; i < 10; i++) await m.appendAudit(process.argv[1], { operation: 'child', outcome: 'ok' }); })`;
    await Promise.all(
      [1, 2, 3].map(
        () =>
          new Promise<void>((resolve, reject) => {
            const child = spawn(process.execPath, ['--input-type=module', '-e', code, log], { stdio: 'inherit' });
            child.on('exit', (status) => (status === 0 ? resolve() : reject(new Error(`child exited ${status}`))));
          }),
      ),
    );
    const result = verifyAuditLog(log);
    expect(result).toEqual({ ok: true, entries: 34, problems: [] });
  });
});
