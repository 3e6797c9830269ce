/**
 * A native tool as a stream filter: bytes in on stdin, bytes out on stdout (zstd, age). The stream
 * fails with the tool's own (redacted) message when the tool exits non-zero, so a pipeline never
 * mistakes a failed tool for a short success and reports the real cause (not a broken pipe).
 * Arguments never carry secrets.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { Duplex, type Readable, type Writable } from 'node:stream';
import { OperationError } from './errors.js';
import { redactText } from './redact.js';
import { findOnPath } from './tools.js';

export interface FilterOptions {
  env?: NodeJS.ProcessEnv;
  /** Hint shown when the tool is not installed. */
  installHint: string;
}

class ProcessFilter extends Duplex {
  private stderr = '';
  private stdoutEnded = false;
  private exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;

  constructor(
    private readonly child: ChildProcessByStdio<Writable, Readable, Readable>,
    private readonly tool: string,
    hint: string,
  ) {
    super();
    child.stderr.on('data', (d: Buffer) => {
      if (this.stderr.length < 4096) this.stderr += d.toString();
    });
    child.stdout.on('data', (d: Buffer) => {
      if (!this.push(d)) child.stdout.pause();
    });
    child.stdout.on('end', () => {
      this.stdoutEnded = true;
      this.settle();
    });
    child.on('close', (code, signal) => {
      this.exit = { code, signal };
      this.stdoutEnded = true;
      this.settle();
    });
    child.on('error', (err) => this.destroy(new OperationError(`${tool} could not run: ${err.message}`, hint)));
    // Writing into a tool that already exited gives EPIPE; its exit status carries the real reason.
    child.stdin.on('error', () => undefined);
  }

  private settle(): void {
    if (!this.stdoutEnded || !this.exit || this.destroyed) return;
    if (this.exit.code === 0) this.push(null);
    else {
      const why = this.exit.signal ? `killed by ${this.exit.signal}` : `exit ${this.exit.code}`;
      this.destroy(new OperationError(`${this.tool} failed (${why}): ${redactText(this.stderr.trim().split('\n')[0] ?? '') || 'no message'}`));
    }
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    if (this.child.stdin.write(chunk)) done();
    else this.child.stdin.once('drain', () => done());
  }

  override _final(done: (err?: Error | null) => void): void {
    this.child.stdin.end();
    done();
  }

  override _read(): void {
    this.child.stdout.resume();
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    done(err);
  }
}

export function filterProcess(tool: string, args: readonly string[], options: FilterOptions): Duplex {
  const toolPath = findOnPath(tool);
  if (!toolPath) throw new OperationError(`${tool} is not installed (not found on PATH)`, options.installHint);
  const child = spawn(toolPath, [...args], { stdio: ['pipe', 'pipe', 'pipe'], env: options.env ?? process.env });
  return new ProcessFilter(child, tool, options.installHint);
}
