/**
 * The byte transforms of the backup pipeline: compression (zstd through the real zstd tool, or gzip)
 * and age encryption through the real age tool, both ways. All streaming, constant memory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Duplex, Writable } from 'node:stream';
import zlib from 'node:zlib';
import { OperationError } from '../core/errors.js';
import { filterProcess } from '../core/filter-process.js';
import { redactText } from '../core/redact.js';
import { FILE_MODE } from '../core/fsx.js';
import { findOnPath } from '../core/tools.js';
import { GrowingFileDigest, type StoredFile } from './growing-file.js';
import { openPipe, type Pipe } from '../core/pipe.js';
import type { Compression } from './manifest.js';

const ZSTD_HINT = 'Install zstd (Debian: apt-get install zstd), or set backup.compression: gzip.';
const AGE_HINT = 'Install age (Debian: apt-get install age).';
const GZIP_HINT = 'Install gzip (Debian: apt-get install gzip), or set backup.compression: zstd.';

export function decompressor(kind: Compression): Duplex {
  return kind === 'zstd' ? filterProcess('zstd', ['-q', '-d', '-c'], { installHint: ZSTD_HINT }) : zlib.createGunzip();
}

/**
 * The write side of the backup pipeline: raw dump bytes into the blocking descriptor `input`, stored
 * bytes (compressed, then encrypted when recipients are given) into a file.
 */
export interface Encoder {
  /** The write end of a blocking pipe into the compressor (the driver's worker thread writes to it). */
  input: number;
  /** Close `input` (the compressor's end of input); idempotent. */
  endInput(): void;
  /**
   * Resolves when every tool finished successfully and the file is complete, with its SHA-256 and size
   * (hashed while it was written); rejects with the first tool's own error.
   */
  finished: Promise<StoredFile>;
  /** Stop the tools and the file's digest (a failure elsewhere); `input` stays open until endInput(). */
  destroy(): void;
}

/**
 * The compressor (zstd, or gzip) and age run as child processes connected to each other directly
 * (the compressor's stdout is age's stdin) and the last one writes `file` itself; node writes only the
 * raw bytes, into a blocking pipe to the compressor (core/pipe.ts), so that a worker thread can. (Reading
 * the stored bytes back through node into the file cost 0.35-0.55 CPU-s on the benchmark's large
 * PostgreSQL backup, 155 MiB stored.) The file is hashed while it grows (growing-file.ts). `file` is
 * created with mode 0640 and must not exist yet.
 */
export function encoder(compression: Compression, recipients: readonly string[] | null, file: string): Encoder {
  const fd = fs.openSync(file, 'wx', FILE_MODE);
  let pipe: Pipe | null = null;
  let stages: Stage[];
  try {
    pipe = openPipe();
    stages = startStages(compression, recipients, pipe.readFd, fd);
  } catch (err) {
    if (pipe) fs.closeSync(pipe.writeFd);
    throw err;
  } finally {
    // Each tool has its own copy of the descriptors it reads and writes.
    if (pipe) fs.closeSync(pipe.readFd);
    fs.closeSync(fd);
  }
  const input = pipe.writeFd;
  let inputOpen = true;
  const endInput = () => {
    if (inputOpen) fs.closeSync(input);
    inputOpen = false;
  };
  const kill = () => stages.forEach((s) => s.kill());
  const digest = new GrowingFileDigest(file);
  const finished = Promise.all(stages.map((s) => s.exited)).then(
    () => digest.finish(),
    (err: unknown) => {
      kill();
      digest.close();
      throw err;
    },
  );
  finished.catch(() => undefined);
  return {
    input,
    endInput,
    finished,
    // Not endInput(): a thread may be writing to it, and a descriptor closed under it could be reused
    // by the next file opened. The killed compressor makes those writes fail; the writer ends input.
    destroy: () => {
      kill();
      digest.close();
    },
  };
}

/** compressor → (age) → fd; the first tool reads `stdin`. */
function startStages(compression: Compression, recipients: readonly string[] | null, stdin: number, fd: number): Stage[] {
  const age = recipients ? stage('age', recipients.flatMap((r) => ['-r', r]), AGE_HINT, 'pipe', fd) : null;
  try {
    const [tool, args, hint] = compression === 'zstd' ? ['zstd', ['-q', '-c', '-3', '-T0'], ZSTD_HINT] : ['gzip', ['-c', '-6', '-n'], GZIP_HINT];
    const compressor = stage(tool, args, hint, stdin, age ? (age.child.stdin as Writable) : fd);
    // age reads the compressor's output directly; node's own end of that pipe must go, or age never sees its end.
    age?.child.stdin?.destroy();
    return age ? [compressor, age] : [compressor];
  } catch (err) {
    age?.kill();
    throw err;
  }
}

interface Stage {
  child: ChildProcess;
  /** Resolves when the tool exited with 0; rejects with its (redacted) message otherwise. */
  exited: Promise<void>;
  kill(): void;
}

/** A tool reading `stdin` and writing into `stdout`: a file descriptor or the next tool's stdin. */
function stage(tool: string, args: string[], hint: string, stdin: number | 'pipe', stdout: number | Writable): Stage {
  const toolPath = findOnPath(tool);
  if (!toolPath) throw new OperationError(`${tool} is not installed (not found on PATH)`, hint);
  const child = spawn(toolPath, args, { stdio: [stdin, stdout, 'pipe'] });
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


/** The identity (secret key) stays in its file; only the path is passed. */
export function decryptor(identityFile: string): Duplex {
  return filterProcess('age', ['-d', '-i', identityFile], { installHint: AGE_HINT });
}

export function fingerprintRecipient(recipient: string): string {
  return createHash('sha256').update(recipient.trim()).digest('hex');
}
