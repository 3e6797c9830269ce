/**
 * The SHA-256 and size of a file that a tool (zstd, age) is still writing, computed while it grows, and
 * its write-back to disk started while it grows: once the tool exits, what is left is the last
 * fraction of a second of output, not a whole pass over the file (the benchmark's large PostgreSQL
 * backup stores 155 MiB: hashing it afterwards took 0.2 s and its fsync another 0.1-0.15 s, both
 * after the dump had ended).
 *
 * Sound because the tools only ever append (zstd and age write a stream to their stdout, never seek):
 * every byte below the size the file has when it is read is final. finish() reads up to the end once
 * the writer has exited and checks that the file's size is what was hashed.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { promisify } from 'node:util';

const read = promisify(fs.read);
const fdatasync = promisify(fs.fdatasync);
const fstat = promisify(fs.fstat);

const POLL_MS = 100;
const BLOCK = 1024 * 1024;
/** Start the write-back once this much more has been written since the last one. */
const FLUSH_BYTES = 32 * 1024 * 1024;

export interface StoredFile {
  sha256: string;
  size: number;
}

export class GrowingFileDigest {
  private readonly fd: number;
  private readonly hash = createHash('sha256');
  private readonly buffer = Buffer.allocUnsafe(BLOCK);
  private readonly timer: NodeJS.Timeout;
  private size = 0;
  private flushed = 0;
  /** The poll in progress; polls never overlap. */
  private polling: Promise<void> | null = null;
  private closed = false;

  constructor(file: string) {
    this.fd = fs.openSync(file, 'r');
    this.timer = setInterval(() => this.poll(), POLL_MS);
    this.timer.unref();
  }

  private poll(): void {
    if (this.polling || this.closed) return;
    this.polling = this.catchUp(true)
      // A failed poll is not fatal: finish() reads the whole rest again and fails there if it must.
      .catch(() => undefined)
      .finally(() => (this.polling = null));
  }

  /** Hash what was appended since the last read; with flush, start the write-back of a large enough new part. */
  private async catchUp(flush: boolean): Promise<void> {
    for (;;) {
      if (this.closed) return;
      const { bytesRead } = await read(this.fd, this.buffer, 0, BLOCK, this.size);
      if (bytesRead === 0) break;
      this.hash.update(this.buffer.subarray(0, bytesRead));
      this.size += bytesRead;
    }
    if (flush && this.size - this.flushed >= FLUSH_BYTES) {
      const upTo = this.size;
      await fdatasync(this.fd);
      this.flushed = upTo;
    }
  }

  /** Call once the writer has exited: hashes the rest and returns the whole file's digest and size. */
  async finish(): Promise<StoredFile> {
    clearInterval(this.timer);
    try {
      await this.polling;
      // Tracked like a poll, so that close() waits for it before closing the descriptor.
      this.polling = this.catchUp(false);
      await this.polling;
      const { size } = await fstat(this.fd);
      if (size !== this.size) throw new Error(`The backup's data file changed while it was hashed (${size} bytes, ${this.size} hashed).`);
      return { sha256: this.hash.digest('hex'), size };
    } finally {
      this.close();
    }
  }

  /** Stop (the write failed or finished); idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    // A read in flight still uses the descriptor: close it once that is done.
    void (this.polling ?? Promise.resolve()).catch(() => undefined).finally(() => fs.close(this.fd, () => undefined));
  }
}
