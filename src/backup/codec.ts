/**
 * The byte transforms of the backup pipeline: compression (zstd through the real zstd tool, or gzip)
 * and age encryption through the real age tool, both ways. All streaming, constant memory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Duplex, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { OperationError } from '../core/errors.js';
import { filterProcess } from '../core/filter-process.js';
import { redactText } from '../core/redact.js';
import { FILE_MODE } from '../core/fsx.js';
import { findOnPath } from '../core/tools.js';
import { GrowingFileDigest, type StoredFile } from './growing-file.js';
import type { Compression } from './manifest.js';

const ZSTD_HINT = 'Install zstd (Debian: apt-get install zstd), or set backup.compression: gzip.';
const AGE_HINT = 'Install age (Debian: apt-get install age).';

export function decompressor(kind: Compression): Duplex {
  return kind === 'zstd' ? filterProcess('zstd', ['-q', '-d', '-c'], { installHint: ZSTD_HINT }) : zlib.createGunzip();
}

/**
 * The write side of the backup pipeline: raw dump bytes into `input`, stored bytes (compressed, then
 * encrypted when recipients are given) into a file.
 */
export interface Encoder {
  input: Writable;
  /**
   * Resolves when every stage finished successfully and the file is complete, with its SHA-256 and
   * size (hashed while it was written); rejects with the first stage's own error.
   */
  finished: Promise<StoredFile>;
  /** Stop everything (a failure elsewhere). */
  destroy(): void;
}

/** The stages' own outcome, before the file's digest is added. */
interface Stages {
  input: Writable;
  finished: Promise<unknown>;
  destroy(): void;
}

/**
 * zstd and age run as child processes connected to each other directly (zstd's stdout is age's
 * stdin) and the last one writes `file` itself, so node moves only the raw bytes, into the first tool.
 * (Reading the stored bytes back through node into the file cost 0.35-0.55 CPU-s on the benchmark's
 * large PostgreSQL backup, 155 MiB stored.) The file is hashed while it grows (growing-file.ts).
 * gzip runs in-process. `file` is created with mode 0640 and must not exist yet.
 */
export function encoder(compression: Compression, recipients: readonly string[] | null, file: string): Encoder {
  const stages = startStages(compression, recipients, fs.openSync(file, 'wx', FILE_MODE));
  const digest = new GrowingFileDigest(file);
  const finished = stages.finished.then(
    () => digest.finish(),
    (err: unknown) => {
      digest.close();
      throw err;
    },
  );
  finished.catch(() => undefined);
  return {
    input: stages.input,
    finished,
    destroy: () => {
      stages.destroy();
      digest.close();
    },
  };
}

/** The stages writing into `fd`, which they own from here on. */
function startStages(compression: Compression, recipients: readonly string[] | null, fd: number): Stages {
  if (compression === 'gzip' && !recipients) {
    const gzip = zlib.createGzip({ level: 6 });
    return { input: gzip, finished: pipeline(gzip, fs.createWriteStream('', { fd })), destroy: () => gzip.destroy() };
  }
  try {
    const age = recipients ? stage('age', recipients.flatMap((r) => ['-r', r]), AGE_HINT, fd) : null;
    if (compression === 'gzip') return gzipInto(age as Stage);
    let zstd: Stage;
    try {
      zstd = stage('zstd', ['-q', '-c', '-3', '-T0'], ZSTD_HINT, age ? (age.child.stdin as Writable) : fd);
    } catch (err) {
      age?.kill();
      throw err;
    }
    // age reads zstd's output directly; node's own end of that pipe must go, or age never sees its end.
    age?.child.stdin?.destroy();
    return fromStages(zstd, age ? [zstd, age] : [zstd]);
  } finally {
    // Each tool has its own copy of the descriptor.
    fs.closeSync(fd);
  }
}

/** gzip in-process, encrypted by age. */
function gzipInto(age: Stage): Stages {
  const gzip = zlib.createGzip({ level: 6 });
  gzip.pipe(age.child.stdin as Writable);
  gzip.on('error', (err) => age.child.stdin?.destroy(err));
  return {
    input: gzip,
    finished: Promise.all([streamFinished(gzip), age.exited]).then(() => undefined),
    destroy: () => {
      gzip.destroy();
      age.kill();
    },
  };
}

/** Raw bytes into the first tool's stdin; done when every tool exited with 0. */
function fromStages(first: Stage, stages: Stage[]): Stages {
  const input = first.child.stdin as Writable;
  // Writing into a tool that already exited gives EPIPE; its exit status carries the real reason.
  input.on('error', () => undefined);
  const finished = Promise.all(stages.map((s) => s.exited)).then(() => undefined);
  finished.catch(() => {
    for (const s of stages) s.kill();
  });
  return {
    input,
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

/** A tool writing into `stdout`: a file descriptor or the next tool's stdin. */
function stage(tool: string, args: string[], hint: string, stdout: number | Writable): Stage {
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
      const message = `${tool} failed (${why}): ${redactText(stderr.trim().split('\n')[0] ?? '') || 'no message'}`;
      // The tool writes the file: a full disk is its error, told apart by the system's own words.
      const errno = /No space left on device/i.test(stderr) ? 'ENOSPC' : /Disk quota exceeded/i.test(stderr) ? 'EDQUOT' : null;
      reject(errno ? Object.assign(new Error(message), { code: errno }) : new OperationError(message));
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
