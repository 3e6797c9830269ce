import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJson, runCli } from '../helpers/cli.js';
import { DATASETS, tempDir } from '../helpers/databases.js';

interface Report {
  ok: boolean;
  checks: { id: string; status: string; detail: string }[];
}

let cwd: string;
let dbDir: string;
let dbFile: string;
beforeAll(() => {
  cwd = tempDir();
  dbDir = path.join(cwd, 'data');
  fs.mkdirSync(dbDir);
  dbFile = path.join(dbDir, 'app.db');
  fs.copyFileSync(path.join(DATASETS, 'chinook', 'Chinook_Sqlite.sqlite'), dbFile);
});
afterAll(() => fs.rmSync(cwd, { recursive: true, force: true }));

const status = (report: Report, id: string) => report.checks.find((c) => c.id === id)?.status;
const doctor = async (...args: string[]) => runCli(['doctor', ...args], { cwd, env: { DATABASE_URL: 'file:./data/app.db' } });

describe('doctor on SQLite', () => {
  it('passes file and directory permissions at 0640/0750', async () => {
    fs.chmodSync(dbDir, 0o750);
    fs.chmodSync(dbFile, 0o640);
    const report = parseJson<Report>(await doctor('--json'));
    expect(status(report, 'sqlite.directory')).toBe('pass');
    expect(status(report, 'sqlite.file')).toBe('pass');
    expect(status(report, 'connection')).toBe('pass');
  });

  it('warns when the file, its -wal/-shm or the directory are wider', async () => {
    fs.chmodSync(dbDir, 0o755);
    fs.chmodSync(dbFile, 0o644);
    fs.writeFileSync(`${dbFile}-wal`, '', { mode: 0o666 });
    fs.chmodSync(`${dbFile}-wal`, 0o666);
    try {
      const report = parseJson<Report>(await doctor('--json'));
      expect(status(report, 'sqlite.directory')).toBe('warn');
      expect(status(report, 'sqlite.file')).toBe('warn');
      expect(status(report, 'sqlite.file-wal')).toBe('warn');
      expect(report.checks.find((c) => c.id === 'sqlite.file')!.detail).toContain('0644, wider than 0640');
      const human = await doctor('--no-color');
      expect(human.stdout).toMatch(/\[warn\] database file: .*0644, wider than 0640/);
      expect(human.stdout).toMatch(/→ chmod 640/);
      // warnings alone do not fail doctor
      expect(human.status).toBe(report.checks.some((c) => c.status === 'fail') ? 1 : 0);
    } finally {
      fs.rmSync(`${dbFile}-wal`);
      fs.chmodSync(dbDir, 0o750);
      fs.chmodSync(dbFile, 0o640);
    }
  });

  it('uses no colour with NO_COLOR or when not on a TTY', async () => {
    const r = await runCli(['doctor'], { cwd, env: { DATABASE_URL: 'file:./data/app.db', NO_COLOR: '1' } });
    expect(r.stdout).not.toContain("\u001b[");
    expect(r.stdout).toMatch(/\[pass\] reachable/);
  });

  it('fails with exit 1 when the database file does not exist, and creates nothing', async () => {
    const r = await runCli(['doctor', '--json'], { cwd, env: { DATABASE_URL: 'file:./data/nope.db' } });
    expect(r.status).toBe(1);
    const report = parseJson<Report>(r);
    expect(report.ok).toBe(false);
    expect(status(report, 'sqlite.file')).toBe('fail');
    expect(status(report, 'connection')).toBe('fail');
    expect(status(report, 'server.version')).toBe('skip');
    expect(fs.existsSync(path.join(dbDir, 'nope.db'))).toBe(false);
  });
});

describe('doctor on an unreachable server', () => {
  it('fails the reachability check with exit 1 and skips what needs a connection', async () => {
    const dir = tempDir();
    try {
      fs.writeFileSync(path.join(dir, 'dbward.config.yaml'), 'connect:\n  deadlineSeconds: 1\n');
      const r = await runCli(['doctor', '--json'], { cwd: dir, env: { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/x' } });
      expect(r.status).toBe(1);
      const report = parseJson<Report>(r);
      expect(status(report, 'connection')).toBe('fail');
      expect(status(report, 'privileges')).toBe('skip');
      // Tools are still checked: they do not need the server.
      expect(status(report, 'tool.pg_dump')).toBe('pass');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('log', () => {
  it('records doctor runs and detects a tampered log with exit 4', async () => {
    await doctor('--json');
    const ok = await runCli(['log', 'verify', '--json'], { cwd });
    expect(ok.status).toBe(0);
    expect(parseJson<{ ok: boolean; entries: number }>(ok).entries).toBeGreaterThan(0);
    const shown = await runCli(['log', '--json'], { cwd });
    expect(parseJson<{ entries: { operation: string }[] }>(shown).entries.some((e) => e.operation === 'doctor')).toBe(true);

    const file = path.join(cwd, '.dbward', 'audit.log');
    const original = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, original.replace('"outcome":"ok"', '"outcome":"failed"'));
    try {
      const bad = await runCli(['log', 'verify'], { cwd });
      expect(bad.status).toBe(4);
      expect(bad.stdout).toMatch(/TAMPERED/);
    } finally {
      fs.writeFileSync(file, original);
    }
  });
});
