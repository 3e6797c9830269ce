/**
 * runPassthrough / exitLikeChild with real processes. A harness process (node, running the module
 * transpiled on its own: it has only node: imports) stands for `dbward guard`: the test talks to the
 * harness through real pipes and signals, and the harness runs the child through runPassthrough with
 * inherited stdio, exactly as the CLI does.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { exitCodeOf, GUARD_ENV, readStdin } from '../../src/guard/command/passthrough.js';

const repo = path.resolve(import.meta.dirname, '../..');
let dir: string;
let harness: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbward-passthrough-'));
  const source = fs.readFileSync(path.join(repo, 'src/guard/command/passthrough.ts'), 'utf8');
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
  fs.writeFileSync(path.join(dir, 'passthrough.mjs'), js);
  harness = path.join(dir, 'harness.mjs');
  fs.writeFileSync(
    harness,
    [
      "import { runPassthrough, exitLikeChild } from './passthrough.mjs';",
      'const spec = JSON.parse(process.argv[2]);',
      'const options = { cwd: spec.cwd ?? process.cwd(), env: process.env };',
      "if (spec.stdinFile !== undefined) options.stdinData = (await import('node:fs')).readFileSync(spec.stdinFile);",
      'const result = await runPassthrough(spec.argv, options);',
      "if (spec.resultFile) (await import('node:fs')).writeFileSync(spec.resultFile, JSON.stringify(result));",
      'process.exitCode = exitLikeChild(result);',
      '',
    ].join('\n'),
  );
  // A stand-in for the dbward CLI for the shim test: `dbward guard -- CMD…` runs CMD through the harness module.
  const fakeBin = path.join(dir, 'fake-dbward-bin');
  fs.mkdirSync(fakeBin);
  fs.writeFileSync(
    path.join(fakeBin, 'dbward.mjs'),
    [
      `import { runPassthrough, exitLikeChild } from ${JSON.stringify(path.join(dir, 'passthrough.mjs'))};`,
      'const [, , verb, dashes, ...argv] = process.argv;',
      "if (verb !== 'guard' || dashes !== '--') { process.stderr.write('bad usage\\n'); process.exit(2); }",
      "process.stderr.write(`dbward guard -- ${argv.join(' ')}\\n`);",
      'process.exitCode = exitLikeChild(await runPassthrough(argv, { cwd: process.cwd(), env: process.env }));',
      '',
    ].join('\n'),
  );
  fs.writeFileSync(path.join(fakeBin, 'dbward'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(fakeBin, 'dbward.mjs'))} "$@"\n`, { mode: 0o755 });
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Run {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: Buffer; stderr: Buffer; result: { exitCode: number | null; signal: string | null; error?: string } | null }>;
}

/** Start the harness with a spec; stdin is a pipe the test controls. */
function start(spec: { argv: string[]; stdinData?: Buffer; cwd?: string }, env: NodeJS.ProcessEnv = process.env): Run {
  const id = crypto.randomUUID();
  const resultFile = path.join(dir, `result-${id}.json`);
  let stdinFile: string | undefined;
  if (spec.stdinData !== undefined) {
    stdinFile = path.join(dir, `stdin-${id}`);
    fs.writeFileSync(stdinFile, spec.stdinData);
  }
  const child = spawn(
    process.execPath,
    [harness, JSON.stringify({ argv: spec.argv, cwd: spec.cwd, resultFile, stdinFile })],
    { stdio: ['pipe', 'pipe', 'pipe'], env },
  );
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout!.on('data', (b: Buffer) => stdout.push(b));
  child.stderr!.on('data', (b: Buffer) => stderr.push(b));
  const done = new Promise<Awaited<Run['done']>>((resolve) => {
    child.on('close', (code, signal) => {
      let result = null;
      try {
        result = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
      } catch {
        // the harness died before writing it
      }
      resolve({ code, signal, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr), result });
    });
  });
  return { child, done };
}

function node(script: string): string[] {
  return [process.execPath, '-e', script];
}

async function waitFor(run: Run, text: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${text}`)), 20_000);
    run.child.stdout!.on('data', (b: Buffer) => {
      buf += b.toString();
      if (buf.includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

describe('runPassthrough: stdio', () => {
  it('passes stdout and stderr bytes unchanged', async () => {
    const out = Buffer.from([0, 1, 2, 0xff, 0xfe, 10, 13, 0x1b, 0x5b, 0x33, 0x31, 0x6d]);
    const err = Buffer.from('ünïcödé ✓ on stderr\r\n', 'utf8');
    const run = start({
      argv: node(`process.stdout.write(Buffer.from(${JSON.stringify(out.toString('base64'))}, 'base64')); process.stderr.write(Buffer.from(${JSON.stringify(err.toString('base64'))}, 'base64'))`),
    });
    run.child.stdin!.end();
    const r = await run.done;
    expect(r.code).toBe(0);
    expect(r.stdout.equals(out)).toBe(true);
    expect(r.stderr.equals(err)).toBe(true);
  });

  it('passes the inherited stdin through unchanged (1 MiB of random bytes)', async () => {
    const input = crypto.randomBytes(1024 * 1024);
    const run = start({ argv: node('process.stdin.pipe(process.stdout)') });
    run.child.stdin!.end(input);
    const r = await run.done;
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBe(input.length);
    expect(r.stdout.equals(input)).toBe(true);
  });

  it('gives stdinData to the child when the guard has read its own stdin', async () => {
    const data = Buffer.concat([Buffer.from('DROP TABLE users;\n'), crypto.randomBytes(4096)]);
    const run = start({ argv: node('process.stdin.pipe(process.stdout)'), stdinData: data });
    run.child.stdin!.end('this is not what the child must see');
    const r = await run.done;
    expect(r.stdout.equals(data)).toBe(true);
  });

  it('does not fail when the child exits without reading stdinData', async () => {
    const run = start({ argv: node('process.exit(3)'), stdinData: crypto.randomBytes(4 * 1024 * 1024) });
    run.child.stdin!.end();
    const r = await run.done;
    expect(r.code).toBe(3);
  });

  it('readStdin reads a stream to the end, bytes unchanged', async () => {
    const parts = [Buffer.from([0, 255]), Buffer.from('DROP TABLE t;\n'), crypto.randomBytes(100_000)];
    expect((await readStdin(Readable.from(parts))).equals(Buffer.concat(parts))).toBe(true);
    expect((await readStdin(Readable.from([]))).length).toBe(0);
  });

  it('runs in the given directory and marks the environment', async () => {
    const run = start({ argv: node(`process.stdout.write(process.cwd() + '|' + process.env.${GUARD_ENV})`), cwd: dir });
    run.child.stdin!.end();
    const r = await run.done;
    expect(r.stdout.toString()).toBe(`${fs.realpathSync(dir)}|1`);
  });
});

describe('runPassthrough: exit codes and signals', () => {
  it.each([0, 1, 42, 255])('exit code %i is preserved', async (code) => {
    const run = start({ argv: node(`process.exit(${code})`) });
    run.child.stdin!.end();
    const r = await run.done;
    expect(r.result).toEqual({ exitCode: code, signal: null });
    expect(r.code).toBe(code);
    expect(r.signal).toBeNull();
  });

  it.each(['SIGTERM', 'SIGKILL', 'SIGINT', 'SIGHUP'] as const)('a child killed by %s is reported, and the guard dies by the same signal', async (sig) => {
    const run = start({ argv: node(`process.kill(process.pid, '${sig}'); setTimeout(() => {}, 10000)`) });
    run.child.stdin!.end();
    const r = await run.done;
    expect(r.result).toEqual({ exitCode: null, signal: sig });
    expect(r.signal).toBe(sig);
    expect(r.code).toBeNull();
  });

  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)('%s sent to the guard reaches the child, which decides how to end', async (sig) => {
    const script = `process.on('${sig}', () => { process.stdout.write('child got ${sig}\\n'); process.exit(7); }); process.stdout.write('ready\\n'); setInterval(() => {}, 1000);`;
    const run = start({ argv: node(script) });
    run.child.stdin!.end();
    await waitFor(run, 'ready');
    run.child.kill(sig);
    const r = await run.done;
    expect(r.stdout.toString()).toContain(`child got ${sig}`);
    expect(r.result).toEqual({ exitCode: 7, signal: null });
    expect(r.code).toBe(7);
  });

  it('SIGINT to the guard ends a child that does not handle it, and the guard dies by SIGINT too', async () => {
    const run = start({ argv: node(`process.stdout.write('ready\\n'); setInterval(() => {}, 1000);`) });
    run.child.stdin!.end();
    await waitFor(run, 'ready');
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.result).toEqual({ exitCode: null, signal: 'SIGINT' });
    expect(r.signal).toBe('SIGINT');
  });

  it('exitCodeOf: the code, else 128 + the signal number', () => {
    expect(exitCodeOf({ exitCode: 42, signal: null })).toBe(42);
    expect(exitCodeOf({ exitCode: null, signal: 'SIGINT' })).toBe(130);
    expect(exitCodeOf({ exitCode: null, signal: 'SIGTERM' })).toBe(143);
  });
});

describe('runPassthrough: commands that cannot start', () => {
  it('an unknown command: 127 and a message naming it', async () => {
    const run = start({ argv: ['dbward-no-such-command-xyz', '--flag'] });
    run.child.stdin!.end();
    const r = await run.done;
    expect(r.code).toBe(127);
    expect(r.result?.exitCode).toBe(127);
    expect(r.stderr.toString()).toBe('dbward guard: dbward-no-such-command-xyz: command not found\n');
  });

  it('a missing path: 127, "no such file"', async () => {
    const run = start({ argv: ['./no/such/tool'] });
    run.child.stdin!.end();
    const r = await run.done;
    expect(r.code).toBe(127);
    expect(r.stderr.toString()).toContain('./no/such/tool: no such file');
  });

  it('a file that is not executable: 126', async () => {
    const file = path.join(dir, 'not-executable.sh');
    fs.writeFileSync(file, '#!/bin/sh\necho hi\n', { mode: 0o644 });
    const run = start({ argv: [file] });
    run.child.stdin!.end();
    const r = await run.done;
    expect(r.code).toBe(126);
    expect(r.stderr.toString()).toContain('cannot be executed');
  });

  it('a working directory that does not exist: 126 with a message', async () => {
    const run = start({ argv: ['true'], cwd: path.join(dir, 'nope') });
    run.child.stdin!.end();
    const r = await run.done;
    expect(r.code).toBe(126);
    expect(r.stderr.toString()).toContain('does not exist');
  });
});

describe('examples/guard-shims', () => {
  const shimSource = path.join(repo, 'examples/guard-shims/bin');

  function setup(): { shims: string; real: string; fakeDbward: string; project: string } {
    const base = fs.mkdtempSync(path.join(dir, 'shims-'));
    const shims = path.join(base, 'shims');
    fs.mkdirSync(shims);
    for (const f of ['_dbward-shim', 'prisma', 'psql', 'drizzle-kit']) fs.copyFileSync(path.join(shimSource, f), path.join(shims, f));
    for (const f of fs.readdirSync(shims)) fs.chmodSync(path.join(shims, f), 0o755);
    const real = path.join(base, 'real-bin');
    fs.mkdirSync(real);
    fs.writeFileSync(path.join(real, 'prisma'), '#!/bin/sh\necho "real prisma: $* (DBWARD_GUARD=${DBWARD_GUARD:-})"\nexit 5\n', { mode: 0o755 });
    const project = path.join(base, 'project', 'sub');
    fs.mkdirSync(path.join(base, 'project', 'node_modules', '.bin'), { recursive: true });
    fs.mkdirSync(project, { recursive: true });
    fs.writeFileSync(path.join(base, 'project', 'node_modules', '.bin', 'drizzle-kit'), '#!/bin/sh\necho "local drizzle-kit: $*"\n', { mode: 0o755 });
    return { shims, real, fakeDbward: path.join(dir, 'fake-dbward-bin'), project };
  }

  function sh(cmd: string[], env: NodeJS.ProcessEnv, cwd?: string) {
    return spawnSync(cmd[0]!, cmd.slice(1), { env, cwd, encoding: 'utf8' });
  }

  it('runs the real tool found further down PATH through dbward guard, with its exit code', () => {
    const { shims, real, fakeDbward } = setup();
    // The shim directory appears twice (once through a symlink): both are skipped.
    const alias = `${shims}-alias`;
    fs.symlinkSync(shims, alias);
    const env = { PATH: [shims, alias, fakeDbward, real, '/usr/bin', '/bin'].join(':'), HOME: dir };
    const r = sh(['prisma', 'migrate', 'status', '--schema', 'a b.prisma'], env);
    expect(r.stderr).toBe(`dbward guard -- ${real}/prisma migrate status --schema a b.prisma\n`);
    expect(r.stdout).toBe('real prisma: migrate status --schema a b.prisma (DBWARD_GUARD=1)\n');
    expect(r.status).toBe(5);
  });

  it('runs the real tool directly when already under a guard', () => {
    const { shims, real, fakeDbward } = setup();
    const r = sh(['prisma', 'generate'], { PATH: [shims, fakeDbward, real, '/usr/bin', '/bin'].join(':'), DBWARD_GUARD: '1' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('real prisma: generate (DBWARD_GUARD=1)\n');
  });

  it('falls back to node_modules/.bin above the current directory', () => {
    const { shims, fakeDbward, project } = setup();
    const r = sh([path.join(shims, 'drizzle-kit'), 'push'], { PATH: [shims, fakeDbward, '/usr/bin', '/bin'].join(':') }, project);
    expect(r.stdout).toBe('local drizzle-kit: push\n');
    expect(r.stderr).toMatch(/^dbward guard -- .*\/project\/node_modules\/\.bin\/drizzle-kit push\n$/);
  });

  it('a tool found nowhere else: 127 and a message, and never itself', () => {
    const { shims, fakeDbward } = setup();
    const r = sh([path.join(shims, 'psql'), '-c', 'select 1'], { PATH: [shims, fakeDbward, '/nonexistent'].join(':') }, '/');
    expect(r.status).toBe(127);
    expect(r.stderr).toContain('dbward shim: psql: command not found');
  });

  it('uses $DBWARD when set', () => {
    const { shims, real } = setup();
    const r = sh(['prisma', 'migrate', 'deploy'], { PATH: [shims, real, '/usr/bin', '/bin'].join(':'), DBWARD: path.join(dir, 'fake-dbward-bin', 'dbward') });
    expect(r.stdout).toContain('real prisma: migrate deploy');
    expect(r.stderr).toContain('dbward guard -- ');
  });
});
