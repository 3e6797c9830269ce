/**
 * SQLite's table contents (content method sqlite-row-sha256/1, unchanged since manifest format 1):
 * per table the row count and an order-independent digest, where each row's declared columns are
 * encoded with a type tag, hashed with SHA-256, and the first 128 bits of the row hashes are summed
 * modulo 2^128 (a sum, not XOR, so duplicate rows count). Aggregated inside SQLite: constant memory.
 *
 * The sum can be taken in parts: a large table is split at the middle of its rowids, and a worker
 * thread (content-worker.ts) digests the second half on a connection of its own while this thread
 * digests the first; the halves' counts and sums add up to the table's. One SHA-256 per row through a
 * JavaScript callback is the most expensive part of a SQLite backup (1.9 million rows: ≈ 9 s on one
 * core), and a second core halves it.
 */
import { hash } from 'node:crypto';
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { TableContent } from '../backup-driver.js';

export const CONTENT_METHOD = 'sqlite-row-sha256/1';

const HASH_MASK = (1n << 128n) - 1n;
/** The page cache of a connection that only scans (a negative cache_size is KiB): 2 MiB by default, which a scan does not use. */
export const SCAN_CACHE_KIB = -256;
/** Tables with fewer rowids than this are digested in one piece. */
const SPLIT_ROWS = 50_000n;

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Declared columns (generated columns excluded: they follow from the others). */
export function columnsOf(db: Database.Database, table: string, schema: string): string[] {
  return db.prepare('SELECT name FROM pragma_table_info(?, ?) ORDER BY cid').pluck().all(table, schema) as string[];
}

/** Rows [from, to] by rowid, through the column alias `key`. */
export interface RowRange {
  key: string;
  from: bigint;
  to: bigint;
}

interface PartContent {
  rows: number;
  checksum: string;
}

/**
 * The contents of `tables` in the main schema of `db`. With `file` (the database's file, which nothing writes
 * to meanwhile: a backup's private copy, a restored scratch database), large tables are digested in
 * two halves at once, the second by a worker thread reading the file.
 */
export async function contentsOf(db: Database.Database, tables: string[], file: string | null): Promise<TableContent[]> {
  const helper = file && fs.existsSync(file) ? new ContentWorker(file) : null;
  try {
    const contents: TableContent[] = [];
    for (const name of tables) {
      const halves = helper ? splitRows(db, name) : null;
      if (!halves) {
        contents.push({ schema: 'main', name, ...hashRows(db, name, null) });
        continue;
      }
      const second = (helper as ContentWorker).hash(name, halves[1]);
      second.catch(() => undefined);
      const first = hashRows(db, name, halves[0]);
      const other = await second;
      const sum = (BigInt(`0x${first.checksum}`) + BigInt(`0x${other.checksum}`)) & HASH_MASK;
      contents.push({ schema: 'main', name, rows: first.rows + other.rows, checksum: sum.toString(16).padStart(32, '0') });
    }
    return contents;
  } finally {
    await helper?.close();
    // A table with huge rows grew the row buffer; do not keep that memory.
    if (rowBytes.length > ROW_BUFFER_BYTES) rowBytes = Buffer.allocUnsafe(ROW_BUFFER_BYTES);
  }
}

/** Two halves of a table's rowids, or null for a small table, a table without rowid, or one whose columns hide every rowid alias. */
export function splitRows(db: Database.Database, table: string): [RowRange, RowRange] | null {
  const info = db.prepare(`SELECT wr FROM pragma_table_list WHERE schema = 'main' AND name = ?`).get(table) as { wr: number } | undefined;
  if (!info || info.wr) return null;
  const columns = new Set(columnsOf(db, table, 'main').map((c) => c.toLowerCase()));
  const key = ['rowid', '_rowid_', 'oid'].find((k) => !columns.has(k));
  if (!key) return null;
  const bounds = db.prepare(`SELECT min(${key}) AS lo, max(${key}) AS hi FROM main.${quoteIdent(table)}`).safeIntegers(true).get() as { lo: bigint | null; hi: bigint | null };
  if (bounds.lo === null || bounds.hi === null || bounds.hi - bounds.lo < SPLIT_ROWS) return null;
  const middle = bounds.lo + (bounds.hi - bounds.lo) / 2n;
  return [
    { key, from: bounds.lo, to: middle },
    { key, from: middle + 1n, to: bounds.hi },
  ];
}

/** Count and digest the rows of one table of the main schema, or of a range of its rowids. */
export function hashRows(db: Database.Database, table: string, range: RowRange | null): PartContent {
  registerAggregate(db);
  const columns = columnsOf(db, table, 'main').map(quoteIdent).join(', ');
  const where = range ? ` WHERE ${range.key} BETWEEN ? AND ?` : '';
  const statement = db.prepare(`SELECT count(*) AS rows, dbward_content_hash(${columns}) AS checksum FROM main.${quoteIdent(table)}${where}`);
  return (range ? statement.get(range.from, range.to) : statement.get()) as PartContent;
}

const registered = new WeakSet<Database.Database>();

function registerAggregate(db: Database.Database): void {
  if (registered.has(db)) return;
  db.aggregate<bigint>('dbward_content_hash', {
    varargs: true,
    deterministic: true,
    safeIntegers: true, // 64-bit integers arrive as bigint, without precision loss
    start: 0n,
    step: (total: bigint, ...values: unknown[]) => (total + rowHash(values)) & HASH_MASK,
    result: (total) => total.toString(16).padStart(32, '0'),
  });
  registered.add(db);
}

function rowHash(values: unknown[]): bigint {
  const length = encodeRow(values);
  const digest = hash('sha256', rowBytes.subarray(0, length), 'buffer') as unknown as Buffer;
  return (digest.readBigUInt64BE(0) << 64n) | digest.readBigUInt64BE(8);
}

/** The encoding a row is hashed in, written into one buffer reused for every row. */
const TAG = { null: 0x6e, integer: 0x69, real: 0x72, text: 0x74, blob: 0x62 } as const; // n i r t b
const ROW_BUFFER_BYTES = 64 * 1024;
let rowBytes = Buffer.allocUnsafe(ROW_BUFFER_BYTES);

/** Room for `more` bytes after the first `used`. */
function reserve(used: number, more: number): void {
  if (used + more <= rowBytes.length) return;
  const grown = Buffer.allocUnsafe(Math.max(rowBytes.length * 2, used + more));
  rowBytes.copy(grown, 0, 0, used);
  rowBytes = grown;
}

/**
 * Each value with a type tag: 'n' (NULL); 'i' and a 64-bit big-endian integer; 'r' and a big-endian
 * double; 't' or 'b', a 32-bit big-endian length and the UTF-8 text or the blob. Returns the length.
 * (The same bytes as one Buffer per value gave, without allocating per row: 13.4 → 7.5 s for the
 * benchmark's large database, whose checksums are unchanged.)
 */
function encodeRow(values: unknown[]): number {
  let n = 0;
  for (const value of values) {
    if (value === null) {
      reserve(n, 1);
      rowBytes[n++] = TAG.null;
    } else if (typeof value === 'bigint') {
      reserve(n, 9);
      rowBytes[n] = TAG.integer;
      rowBytes.writeBigInt64BE(value, n + 1);
      n += 9;
    } else if (typeof value === 'number') {
      reserve(n, 9);
      rowBytes[n] = TAG.real;
      rowBytes.writeDoubleBE(value, n + 1);
      n += 9;
    } else if (typeof value === 'string') {
      reserve(n, 5 + 3 * value.length); // at most 3 UTF-8 bytes per UTF-16 code unit
      rowBytes[n] = TAG.text;
      const written = rowBytes.write(value, n + 5, 'utf8');
      rowBytes.writeUInt32BE(written, n + 1);
      n += 5 + written;
    } else {
      const blob = value as Buffer;
      reserve(n, 5 + blob.length);
      rowBytes[n] = TAG.blob;
      rowBytes.writeUInt32BE(blob.length, n + 1);
      blob.copy(rowBytes, n + 5);
      n += 5 + blob.length;
    }
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// The worker thread

export interface ContentJob {
  table: string;
  range: RowRange;
}

export type ContentReply = { ok: PartContent } | { error: string };

/** One worker thread with a read-only connection to `file`, digesting one range at a time. */
class ContentWorker {
  private readonly worker: Worker;
  private pending: { resolve: (part: PartContent) => void; reject: (err: Error) => void } | null = null;
  private failure: Error | null = null;

  constructor(file: string) {
    this.worker = new Worker(workerFile(), { workerData: { file } });
    this.worker.on('message', (reply: ContentReply) => this.settle(reply));
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', () => this.fail(new Error('The SQLite content worker stopped')));
  }

  hash(table: string, range: RowRange): Promise<PartContent> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage({ table, range } satisfies ContentJob);
    });
  }

  private settle(reply: ContentReply): void {
    const pending = this.pending;
    this.pending = null;
    if ('ok' in reply) pending?.resolve(reply.ok);
    else pending?.reject(new Error(reply.error));
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.pending?.reject(err);
    this.pending = null;
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}

/** The worker's JavaScript beside this module; from the TypeScript sources (the test suite), the build's copy. */
function workerFile(): URL {
  return import.meta.url.endsWith('.ts') ? new URL('../../../dist/engines/sqlite/content-worker.js', import.meta.url) : new URL('./content-worker.js', import.meta.url);
}
