import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, parseJson } from '../helpers/cli.js';
import { tempDir } from '../helpers/databases.js';

let cwd: string;
beforeAll(() => {
  cwd = tempDir();
});
afterAll(() => fs.rmSync(cwd, { recursive: true, force: true }));

describe('CLI usage and bad input', () => {
  it('prints help listing the commands and exits 0', async () => {
    const r = await runCli(['--help'], { cwd });
    expect(r.status).toBe(0);
    for (const cmd of ['doctor', 'inspect', 'log']) expect(r.stdout).toContain(cmd);
  });

  it('exits 2 on an unknown command or option', async () => {
    expect((await runCli(['frobnicate'], { cwd })).status).toBe(2);
    const r = await runCli(['inspect', '--tables', 'x'], { cwd, env: { DATABASE_URL: 'file:./x.db' } });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--tables'/);
  });

  it.each([
    ['mongodb://u:Pw0rd-77@h/db', /Unsupported database URL scheme "mongodb:"/],
    ['postgres://u:Pw0rd-77@h/db?sslmode=maybe', /Unsupported sslmode "maybe"/],
    ['file:', /No file path/],
  ])('rejects the bad URL %s with exit 2, a clear message and no secret', async (url, message) => {
    for (const args of [['--url', url, 'inspect'], ['inspect']]) {
      const r = await runCli(args, { cwd, env: args.length === 1 ? { DATABASE_URL: url } : {} });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(r.stdout + r.stderr).not.toContain('Pw0rd-77');
    }
    const json = await runCli(['--json', '--url', url, 'doctor'], { cwd });
    expect(json.status).toBe(2);
    const body = parseJson<{ error: { message: string; exitCode: number } }>(json);
    expect(body.error.exitCode).toBe(2);
    expect(body.error.message).toMatch(message);
  });

  it('reports a missing DATABASE_URL with exit 2', async () => {
    const r = await runCli(['doctor'], { cwd });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/DATABASE_URL is not set/);
  });

  it('rejects a bad config file naming the bad key, with exit 2 and no change', async () => {
    const dir = tempDir();
    try {
      fs.writeFileSync(path.join(dir, 'dbward.config.json'), JSON.stringify({ environment: 'prod', auditlog: 'x' }));
      const r = await runCli(['inspect'], { cwd: dir, env: { DATABASE_URL: 'file:./db.sqlite' } });
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('key "environment"');
      expect(r.stderr).toContain('unknown key "auditlog"');
      expect(fs.readdirSync(dir)).toEqual(['dbward.config.json']);

      fs.writeFileSync(path.join(dir, 'dbward.config.json'), '{ not json');
      const broken = await runCli(['--json', 'doctor'], { cwd: dir, env: { DATABASE_URL: 'file:./db.sqlite' } });
      expect(broken.status).toBe(2);
      expect(parseJson<{ error: { message: string } }>(broken).error.message).toMatch(/not valid JSON/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('does not create a SQLite database when inspecting a missing file', async () => {
    const r = await runCli(['inspect'], { cwd, env: { DATABASE_URL: 'file:./missing.db' } });
    expect(r.status).toBe(1);
    expect(fs.existsSync(path.join(cwd, 'missing.db'))).toBe(false);
  });
});
