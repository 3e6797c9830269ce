/**
 * The worker thread behind digestDump() (backup-driver-digest.ts): reads a dump tool's output from a
 * blocking pipe (or a SQLite copy from its file) in 1 MiB blocks into one reused buffer, feeds each
 * block to the engine's dump digest and writes it on to the compressor's pipe (or nowhere), with
 * synchronous calls only. Node's streams
 * over child_process sockets cost 0.25-0.3 CPU-s more on a 0.5 GB dump (a new Buffer and a stream hop
 * per 64 KiB each way), on a machine whose two cores the native pipeline already keeps busy.
 *
 * It never closes the descriptors (the main thread does, once this thread is gone) and reports
 * progress, the result or the error as messages (DigestMessage).
 */
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { DumpFormatError, type DigestMessage, type DumpDigester, type WorkerJob } from './backup-driver-digest.js';
import { SqlDumpDigest } from './mysql/dump-digest.js';
import { ArchiveDigest } from './postgres/dump-digest.js';

const BLOCK = 1024 * 1024;

/** No digest: the bytes are only counted. */
class ByteCount implements DumpDigester {
  bytes = 0;
  feed(chunk: Buffer): void {
    this.bytes += chunk.length;
  }
  finish() {
    return [];
  }
}

function post(message: DigestMessage): void {
  parentPort?.postMessage(message);
}

function run(job: WorkerJob): void {
  const digest: DumpDigester = job.format === 'pg_dump-custom' ? new ArchiveDigest() : job.format === 'mysql-sql' ? new SqlDumpDigest() : new ByteCount();
  const buffer = Buffer.allocUnsafe(BLOCK);
  let reported = 0;
  for (;;) {
    const n = fs.readSync(job.input, buffer, 0, BLOCK, null);
    if (n === 0) break;
    // The digest may keep a piece of a block across calls: it copies what it keeps, since the buffer is reused.
    digest.feed(buffer.subarray(0, n));
    if (job.output !== null) {
      for (let written = 0; written < n; ) written += fs.writeSync(job.output, buffer, written, n - written);
    }
    if (digest.bytes - reported >= job.progressBytes) post({ progress: (reported = digest.bytes) });
  }
  let tables;
  try {
    tables = digest.finish();
  } catch (err) {
    throw Object.assign(err as Error, { atEnd: true });
  }
  post({ done: { tables, bytes: digest.bytes, toolVersion: digest.toolVersion ?? null } });
}

try {
  run(workerData as WorkerJob);
} catch (err) {
  const e = err as NodeJS.ErrnoException & { atEnd?: boolean };
  post({ error: { message: e.message, code: e.code ?? null, format: e instanceof DumpFormatError, atEnd: e.atEnd === true } });
}
