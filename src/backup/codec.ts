/**
 * The byte transforms of the backup pipeline: compression (zstd through the real zstd tool, or gzip)
 * and age encryption through the real age tool, both ways. All streaming, constant memory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { Duplex, Readable, Writable } from 'node:stream';
import zlib from 'node:zlib';
import { OperationError } from '../core/errors.js';
import { filterProcess } from '../core/filter-process.js';
import { redactText } from '../core/redact.js';
import { findOnPath } from '../core/tools.js';
import type { Compression } from './manifest.js';

const ZSTD_HINT = 'Install zstd (Debian: apt-get install zstd), or set backup.compression: gzip.';
const AGE_HINT = 'Install age (Debian: apt-get install age).';

export function decompressor(kind: Compression): Duplex {
  return kind === 'zstd' ? filterProcess('zstd', ['-q', '-d', '-c'], { installHint: ZSTD_HINT }) : zlib.createGunzip();
}

/**
 * The write side of the backup pipeline: raw dump bytes into `input`, stored bytes (compressed, then
 * encrypted when recipients are given) out of `output`.
 */
export interface Encoder {
  input: Writable;
  output: Readable;
  /** Resolves when every stage finished successfully; rejects with the first stage's own error. */
  finished: Promise<void>;
  /** Stop everything (a failure elsewhere). */
  destroy(): void;
}

/**
 * zstd and age run as child processes connected to each other directly (zstd's stdout is age's
 * stdin), so node moves the raw bytes into the first tool and the stored bytes out of the last one and
 * nothing in between. gzip runs in-process.
 */
export function encoder(compression: Compression, recipients: readonly string[] | null): Encoder {
  if (compression === 'gzip') {
    const gzip = zlib.createGzip({ level: 6 });
    if (!recipients) return { input: gzip, output: gzip, finished: streamFinished(gzip), destroy: () => gzip.destroy() };
    const age = stage('age', recipients.flatMap((r) => ['-r', r]), AGE_HINT, 'pipe');
    gzip.pipe(age.child.stdin as Writable);
    gzip.on('error', (err) => age.child.stdin?.destroy(err));
    const output = age.child.stdout as Readable;
    return {
      input: gzip,
      output,
      finished: Promise.all([streamFinished(gzip), age.exited]).then(() => undefined),
      destroy: () => {
        gzip.destroy();
        age.kill();
      },
    };
  }
  const age = recipients ? stage('age', recipients.flatMap((r) => ['-r', r]), AGE_HINT, 'pipe') : null;
  let zstd: Stage;
  try {
    zstd = stage('zstd', ['-q', '-c', '-3', '-T0'], ZSTD_HINT, age ? (age.child.stdin as Writable) : 'pipe');
  } catch (err) {
    age?.kill();
    throw err;
  }
  // age reads zstd's output directly; node's own end of that pipe must go, or age never sees its end.
  age?.child.stdin?.destroy();
  const stages = age ? [zstd, age] : [zstd];
  const output = (age ?? zstd).child.stdout as Readable;
  const input = zstd.child.stdin as Writable;
  // Writing into a tool that already exited gives EPIPE; its exit status carries the real reason.
  input.on('error', () => undefined);
  const finished = Promise.all(stages.map((s) => s.exited)).then(() => undefined);
  finished.catch((err: unknown) => {
    for (const s of stages) s.kill();
    output.destroy(err instanceof Error ? err : new Error(String(err)));
  });
  return {
    input,
    output,
    finished,
    destroy: () => {
      for (const s of stages) s.kill();
      input.destroy();
    },
  };
}

interface Stage {
  child: ChildProcess;
  /** Resolves when the tool exited with 0; rejects with its (redacted) message otherwise. */
  exited: Promise<void>;
  kill(): void;
}

function stage(tool: string, args: string[], hint: string, stdout: 'pipe' | Writable): Stage {
  const toolPath = findOnPath(tool);
  if (!toolPath) throw new OperationError(`${tool} is not installed (not found on PATH)`, hint);
  const child = spawn(toolPath, args, { stdio: ['pipe', stdout, 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    if (stderr.length < 4096) stderr += d.toString();
  });
  const exited = new Promise<void>((resolve, reject) => {
    child.once('error', (err) => reject(new OperationError(`${tool} could not run: ${err.message}`, hint)));
    child.once('close', (code, signal) => {
      if (code === 0) return resolve();
      const why = signal ? `killed by ${signal}` : `exit ${code}`;
      reject(new OperationError(`${tool} failed (${why}): ${redactText(stderr.trim().split('\n')[0] ?? '') || 'no message'}`));
    });
  });
  exited.catch(() => undefined);
  return {
    child,
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

function streamFinished(stream: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once('end', resolve);
    stream.once('error', reject);
  });
}

/** The identity (secret key) stays in its file; only the path is passed. */
export function decryptor(identityFile: string): Duplex {
  return filterProcess('age', ['-d', '-i', identityFile], { installHint: AGE_HINT });
}

export function fingerprintRecipient(recipient: string): string {
  return createHash('sha256').update(recipient.trim()).digest('hex');
}
