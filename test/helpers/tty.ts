/**
 * Run the built CLI on a real pseudo-terminal (util-linux `script`), so that stdin and stderr are TTYs
 * as they are for a human; `input` is typed into it. stdout and stderr arrive merged, as on a screen.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './databases.js';

const BIN = path.join(ROOT, 'bin', 'dbward.js');
const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function runCliTty(args: string[], options: { cwd: string; env?: Record<string, string | undefined>; input: string }): Promise<{ status: number | null; output: string }> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', TERM: 'dumb', NO_COLOR: '1' };
  for (const [k, v] of Object.entries(options.env ?? {})) if (v !== undefined) env[k] = v;
  const command = [process.execPath, BIN, ...args].map(shellQuote).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], { cwd: options.cwd, env });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, output }));
    child.stdin.end(options.input);
  });
}
