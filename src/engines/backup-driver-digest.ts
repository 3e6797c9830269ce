/**
 * Table contents from a dump's own bytes: the backup drivers of PostgreSQL and MySQL/MariaDB count
 * the rows of each table and digest them while the dump streams past (no second pass over the data
 * on the server), and verification digests a fresh dump of the restored database the same way.
 *
 * The checksum is independent of row order: every row's bytes (one COPY line, one INSERT tuple) get a
 * 64-bit hash, two 32-bit lanes over the row's little-endian 32-bit words with different multipliers
 * and shifts, finished with the row length and MurmurHash3's finaliser; the table's checksum is the
 * sum of these per-row hashes (each lane mod 2^32) with the row and byte counts. Not cryptographic: it
 * tells a faithful restore from a damaged or different one, while the SHA-256 of the stored file
 * guards the backup itself. Pure JavaScript on the bytes as they arrive, constant memory, ≈ 1 GB/s.
 */
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { OperationError, errorMessage } from '../core/errors.js';
import { openPipe } from '../core/pipe.js';
import { redactText } from '../core/redact.js';
import { findOnPath } from '../core/tools.js';
import type { TableContent } from './backup-driver.js';

const SEED1 = 0x243f6a88;
const SEED2 = 0x85a308d3;

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

let lastBuffer: Uint8Array | null = null;
let lastView: DataView | null = null;

/** A DataView on the chunk being hashed, made once per chunk rather than once per row. */
function viewOf(buf: Uint8Array): DataView {
  if (buf !== lastBuffer) {
    lastBuffer = buf;
    lastView = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  return lastView as DataView;
}

const hex8 = (n: number) => (n >>> 0).toString(16).padStart(8, '0');

/** The rows of one table: feed each row's bytes in pieces with update(), close it with endRow(). */
export class TableDigest {
  rows = 0;
  bytes = 0;
  private sum1 = 0;
  private sum2 = 0;
  // The row being hashed: lanes, length so far, and 0-3 bytes of an incomplete word.
  private h1 = SEED1;
  private h2 = SEED2;
  private length = 0;
  private carry = 0;
  private carried = 0;

  constructor(
    readonly schema: string,
    readonly name: string,
  ) {}

  /** Add bytes [start, end) of `buf` to the current row. */
  update(buf: Uint8Array, start: number, end: number): void {
    let i = start;
    let h1 = this.h1;
    let h2 = this.h2;
    if (this.carried > 0) {
      let w = this.carry;
      let n = this.carried;
      while (n < 4 && i < end) w |= (buf[i++] as number) << (8 * n++);
      if (n < 4) {
        this.carry = w;
        this.carried = n;
        this.length += end - start;
        return;
      }
      h1 = Math.imul(h1 ^ w, 0x9e3779b1);
      h1 ^= h1 >>> 15;
      h2 = Math.imul((h2 + w) | 0, 0x85ebca77);
      h2 ^= h2 >>> 13;
      this.carry = 0;
      this.carried = 0;
    }
    const words = i + ((end - i) & ~3);
    // A DataView reads a little-endian word at once: a quarter faster than four byte reads.
    const view = viewOf(buf);
    for (; i < words; i += 4) {
      const w = view.getInt32(i, true);
      h1 = Math.imul(h1 ^ w, 0x9e3779b1);
      h1 ^= h1 >>> 15;
      h2 = Math.imul((h2 + w) | 0, 0x85ebca77);
      h2 ^= h2 >>> 13;
    }
    if (i < end) {
      let w = 0;
      let n = 0;
      while (i < end) w |= (buf[i++] as number) << (8 * n++);
      this.carry = w;
      this.carried = n;
    }
    this.h1 = h1;
    this.h2 = h2;
    this.length += end - start;
  }

  endRow(): void {
    let h1 = this.h1;
    let h2 = this.h2;
    if (this.carried > 0) {
      // The last 1-3 bytes, marked with their count so that trailing zero bytes still count.
      const w = this.carry | (this.carried << 24);
      h1 = Math.imul(h1 ^ w, 0x9e3779b1);
      h2 = Math.imul((h2 + w) | 0, 0x85ebca77);
    }
    this.sum1 = (this.sum1 + fmix(h1 ^ this.length)) | 0;
    this.sum2 = (this.sum2 + fmix(h2 ^ Math.imul(this.length, 0x27d4eb2f))) | 0;
    this.rows++;
    this.bytes += this.length;
    this.dropRow();
  }

  /** Forget the bytes given since the last endRow(): they were not a row. */
  dropRow(): void {
    this.h1 = SEED1;
    this.h2 = SEED2;
    this.length = 0;
    this.carry = 0;
    this.carried = 0;
  }

  /** "<sum lane 1><sum lane 2><bytes>": 32 hex digits; the row count is recorded beside it. */
  checksum(): string {
    return hex8(this.sum1) + hex8(this.sum2) + Math.floor(this.bytes).toString(16).padStart(16, '0');
  }

  content(): TableContent {
    return { schema: this.schema, name: this.name, rows: this.rows, checksum: this.checksum() };
  }
}

/** Byte order of names as the manifest lists tables: schema, then name. */
export function byQualifiedName(a: TableContent, b: TableContent): number {
  const ka = Buffer.from(`${a.schema}\0${a.name}`);
  const kb = Buffer.from(`${b.schema}\0${b.name}`);
  return Buffer.compare(ka, kb);
}

/** A dump that is not what its digest expects (truncated, or not the tool's format). */
export class DumpFormatError extends Error {
  override name = 'DumpFormatError';
}

/** What PostgreSQL's ArchiveDigest and MySQL's SqlDumpDigest have in common. */
export interface DumpDigester {
  bytes: number;
  /** The version of the tool that wrote the dump, when the dump records it (pg_dump's archive header). */
  toolVersion?: string | null;
  feed(chunk: Buffer): void;
  /** Throws DumpFormatError when the dump ended early. */
  finish(): TableContent[];
}

export interface DigestJob {
  /** The dump's format, or null to copy it without a digest (a SQLite file, whose rows are digested by SQLite). */
  format: 'pg_dump-custom' | 'mysql-sql' | null;
  /** The read end of a blocking pipe (core/pipe.ts) the dump tool writes to, or a file. */
  input: number;
  /** A blocking descriptor the dump is written on to (the compressor's pipe), or null for nowhere. */
  output: number | null;
}

/** What the worker is given: the job, and how often to report progress. */
export interface WorkerJob extends DigestJob {
  progressBytes: number;
}

const PROGRESS_BYTES = 4 * 1024 * 1024;

export interface DigestResult {
  tables: TableContent[];
  bytes: number;
  /** DumpDigester.toolVersion, or null. */
  toolVersion: string | null;
}

export type DigestMessage =
  | { progress: number }
  | { done: DigestResult }
  /** format: a DumpFormatError; atEnd: thrown at the end of the input (the dump ended too soon). */
  | { error: { message: string; code: string | null; format: boolean; atEnd: boolean } };

/**
 * Read a dump from job.input in a worker thread (dump-digest-worker.ts), count and digest its rows,
 * and write it on to job.output. Resolves once the input ended; rejects with a DumpFormatError when
 * the dump is damaged or truncated, or with the I/O error (e.g. EPIPE: the compressor is gone).
 * job.input is closed once the worker is gone, so a dump tool still writing gets EPIPE; job.output
 * stays the caller's.
 */
export function digestDump(job: DigestJob, onProgress?: (bytes: number) => void): Promise<DigestResult> {
  let worker: Worker;
  try {
    worker = new Worker(workerFile(), { workerData: { ...job, progressBytes: PROGRESS_BYTES } satisfies WorkerJob });
  } catch (err) {
    // Without a reader, a dump tool still writing gets EPIPE rather than waiting forever.
    fs.closeSync(job.input);
    return Promise.reject(err);
  }
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (message: DigestMessage) => {
      if (settled || 'progress' in message) return;
      settled = true;
      if ('done' in message) return resolve(message.done);
      const { message: text, code, format, atEnd } = message.error;
      reject(Object.assign(format ? new DumpFormatError(text) : new Error(text), { atEnd }, code ? { code } : {}));
    };
    worker.on('message', (message: DigestMessage) => ('progress' in message ? onProgress?.(message.progress) : settle(message)));
    worker.once('error', (err) => settle({ error: { message: err.message, code: null, format: false, atEnd: false } }));
    worker.once('exit', () => {
      fs.closeSync(job.input);
      settle({ error: { message: 'The dump digest stopped without a result', code: null, format: false, atEnd: false } });
    });
  });
}

/**
 * Run a dump tool into a new blocking pipe that digestDump reads, digests and writes on to `output`
 * (or nowhere, when null). `start` spawns the tool with its stdout on the given descriptor (the tool
 * keeps its own copy) and resolves when it exited successfully.
 *
 * When both fail and the digest ended early because the dump did (its end came too soon), the tool's
 * own error explains it; any other failure of the digest (a damaged dump, an output that cannot be
 * written) is the cause, and the tool's error (a broken pipe) only its consequence. A damaged dump
 * gets `unreadable`'s message, a failed write "Writing the dump failed".
 */
export async function digestToolOutput(
  format: NonNullable<DigestJob['format']>,
  start: (stdoutFd: number) => Promise<void>,
  output: number | null,
  onProgress: ((bytes: number) => void) | undefined,
  unreadable: (err: DumpFormatError) => OperationError,
): Promise<DigestResult> {
  const pipe = openPipe();
  let ran: Promise<void>;
  try {
    ran = start(pipe.writeFd);
  } catch (err) {
    fs.closeSync(pipe.readFd);
    throw err;
  } finally {
    // The digest sees the end of the dump when the tool's copy of the write end is closed.
    fs.closeSync(pipe.writeFd);
  }
  const [tool, digest] = await Promise.allSettled([ran, digestDump({ format, input: pipe.readFd, output }, onProgress)]);
  if (digest.status === 'rejected' && !(tool.status === 'rejected' && (digest.reason as { atEnd?: unknown }).atEnd)) {
    const err: unknown = digest.reason;
    throw err instanceof DumpFormatError ? unreadable(err) : new OperationError(`Writing the dump failed: ${redactText(errorMessage(err))}`, undefined, err);
  }
  if (tool.status === 'rejected') throw tool.reason;
  const result = (digest as PromiseFulfilledResult<DigestResult>).value;
  onProgress?.(result.bytes);
  return result;
}

/** The worker's JavaScript beside this module; from the TypeScript sources (the test suite), the build's copy. */
function workerFile(): URL {
  return import.meta.url.endsWith('.ts') ? new URL('../../dist/engines/dump-digest-worker.js', import.meta.url) : new URL('./dump-digest-worker.js', import.meta.url);
}

let stdbufPath: string | null | undefined;

/**
 * The command that runs `command args` with stdout fully buffered in blocks of `size` (stdbuf's
 * syntax, e.g. '1M'), through coreutils' stdbuf when it is installed (otherwise unchanged). pg_dump
 * and mariadb-dump write their output with stdio, in 4 KiB writes by default: 120 000 writes for a
 * 500 MB dump, each a wake-up and a small read for the reader. Measured on the benchmark's large
 * databases: pg_dump with 1 MiB blocks, node reads 8 000 chunks instead of 53 000 (node's CPU for
 * reading 0.76 → 0.29 s); mariadb-dump is fastest with 64 KiB blocks (its dump read and digested by
 * node: 4.3 s with 4 KiB, 3.6 s with 64 KiB, 3.9 s with 1 MiB, where its writes wait longer for the
 * reader).
 */
export function withBufferedStdout(command: string, args: string[], size: string): [string, string[]] {
  stdbufPath ??= findOnPath('stdbuf');
  return stdbufPath ? [stdbufPath, [`-o${size}`, command, ...args]] : [command, args];
}
