/**
 * Per-table row counts and content checksums read from a pg_dump custom-format archive as it
 * streams past (uncompressed: --compress=0), so that they describe exactly the rows of the dump.
 *
 * The archive (pg_backup_archiver.c, pg_backup_custom.c): a header ("PGDMP", version, integer and
 * offset sizes, format, compression, creation time, names and versions), the table of contents (one
 * entry per object: dump id, tag, description, namespace, …), then the data blocks in TOC order. An
 * integer is a sign byte and intSize little-endian bytes; a string its length (-1 for NULL) and its
 * bytes. A data block is the byte 1, the dump id and chunks (a length, then that many bytes) ended by a
 * zero length; the chunks of a TABLE DATA entry are COPY text, one line per row (newlines inside values
 * are written as \n), which is what gets hashed. Large-object blocks (byte 3) are skipped.
 *
 * Supported: archive versions 1.12 to 1.16 (pg_dump 9.5 to 17 and later while the format stays).
 */
import type { TableContent } from '../backup-driver.js';
import { DumpFormatError, TableDigest, byQualifiedName } from '../backup-driver-digest.js';

export class ArchiveFormatError extends DumpFormatError {}

const MIN_VERSION = 0x010c00;
const MAX_VERSION = 0x011000;
const BLK_DATA = 1;
const BLK_BLOBS = 3;
const CUSTOM_FORMAT = 1;
/** The bytes "\." as lineHead holds them. */
const END_OF_COPY = 0x5c2e;

/** Thrown by Reader when the bytes end before the structure does: wait for more. */
class NeedMore extends Error {}
const NEED_MORE = new NeedMore();

class Reader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    start: number,
    private readonly intSize: number,
  ) {
    this.pos = start;
  }

  byte(): number {
    if (this.pos >= this.buf.length) throw NEED_MORE;
    return this.buf[this.pos++] as number;
  }

  int(size = this.intSize): number {
    if (this.pos + 1 + size > this.buf.length) throw NEED_MORE;
    const negative = this.buf[this.pos] !== 0;
    let value = 0;
    for (let i = 0; i < size; i++) value += (this.buf[this.pos + 1 + i] as number) * 2 ** (8 * i);
    this.pos += 1 + size;
    return negative ? -value : value;
  }

  str(): string | null {
    const length = this.int();
    if (length < 0) return null;
    if (this.pos + length > this.buf.length) throw NEED_MORE;
    const text = this.buf.toString('utf8', this.pos, this.pos + length);
    this.pos += length;
    return text;
  }

  skip(n: number): void {
    if (this.pos + n > this.buf.length) throw NEED_MORE;
    this.pos += n;
  }
}

type State = 'header' | 'toc' | 'block' | 'block-id' | 'chunk' | 'payload' | 'blob-oid' | 'blob-chunk' | 'blob-payload';

export class ArchiveDigest {
  private state: State = 'header';
  private pending: Buffer | null = null;
  private version = 0;
  private intSize = 4;
  private offSize = 8;
  private entriesLeft = -1;
  private readonly tables = new Map<number, TableDigest>();
  private current: TableDigest | null = null;
  private remaining = 0;
  private blockType = 0;
  /** The current COPY line: its length so far and its first two bytes; whether "\." was seen. */
  private lineLength = 0;
  private lineHead = 0;
  private copyEnded = false;
  /** Raw bytes seen. */
  bytes = 0;
  /** The version of the pg_dump that wrote the archive, from its header (e.g. "15.19 (Debian 15.19-0+deb12u1)"). */
  toolVersion: string | null = null;

  feed(chunk: Buffer): void {
    this.bytes += chunk.length;
    let buf = chunk;
    if (this.pending) {
      buf = Buffer.concat([this.pending, chunk]);
      this.pending = null;
    }
    let pos = 0;
    const end = buf.length;
    while (pos < end) {
      if (this.state === 'payload') {
        const stop = Math.min(end, pos + this.remaining);
        if (this.current) this.rows(buf, pos, stop);
        this.remaining -= stop - pos;
        pos = stop;
        if (this.remaining === 0) this.state = 'chunk';
        continue;
      }
      if (this.state === 'blob-payload') {
        const stop = Math.min(end, pos + this.remaining);
        this.remaining -= stop - pos;
        pos = stop;
        if (this.remaining === 0) this.state = 'blob-chunk';
        continue;
      }
      if (this.state === 'chunk' && pos + 1 + this.intSize <= end && this.intSize === 4) {
        // The hot path: one chunk header per row.
        const length = (buf[pos + 1] as number) + (buf[pos + 2] as number) * 0x100 + (buf[pos + 3] as number) * 0x10000 + (buf[pos + 4] as number) * 0x1000000;
        if (length > 0 && buf[pos] === 0) {
          pos += 5;
          const stop = pos + length;
          // pg_dump writes each COPY row as a chunk of its own: hash a whole one-line chunk directly.
          if (stop <= end && this.current && !this.copyEnded && this.lineLength === 0 && buf.indexOf(10, pos) === stop - 1 && !(length === 3 && buf[pos] === 0x5c && buf[pos + 1] === 0x2e)) {
            this.current.update(buf, pos, stop - 1);
            this.current.endRow();
            pos = stop;
            continue;
          }
          this.remaining = length;
          this.state = 'payload';
          continue;
        }
      }
      const reader = new Reader(buf, pos, this.intSize);
      try {
        this.step(reader);
      } catch (err) {
        if (err !== NEED_MORE) throw err;
        this.pending = Buffer.from(buf.subarray(pos));
        return;
      }
      pos = reader.pos;
    }
  }

  /** The end of the archive: throws when it ends inside the header, the TOC or a data block. */
  finish(): TableContent[] {
    if (this.state !== 'block' || this.pending) {
      const where = this.state === 'header' || this.state === 'toc' ? 'its table of contents' : 'a data block';
      throw new ArchiveFormatError(`the archive ends inside ${where} (truncated dump)`);
    }
    return [...this.tables.values()].map((t) => t.content()).sort(byQualifiedName);
  }

  /** Everything but payload bytes: one structure at a time, so that an incomplete one is retried whole. */
  private step(r: Reader): void {
    switch (this.state) {
      case 'header':
        this.header(r);
        this.state = 'toc';
        return;
      case 'toc':
        if (this.entriesLeft < 0) this.entriesLeft = r.int();
        else {
          this.entry(r);
          this.entriesLeft--;
        }
        if (this.entriesLeft === 0) this.state = 'block';
        return;
      case 'block': {
        this.blockType = r.byte();
        if (this.blockType !== BLK_DATA && this.blockType !== BLK_BLOBS) throw new ArchiveFormatError(`unknown data block type ${this.blockType}`);
        this.state = 'block-id';
        return;
      }
      case 'block-id': {
        const id = r.int();
        this.current = this.blockType === BLK_DATA ? (this.tables.get(id) ?? null) : null;
        this.copyEnded = false;
        this.lineLength = 0;
        this.lineHead = 0;
        this.state = this.blockType === BLK_DATA ? 'chunk' : 'blob-oid';
        return;
      }
      case 'chunk': {
        const length = r.int();
        if (length < 0) throw new ArchiveFormatError(`negative chunk length ${length}`);
        if (length > 0) {
          this.remaining = length;
          this.state = 'payload';
          return;
        }
        if (this.current && this.lineLength > 0) throw new ArchiveFormatError(`the data of ${this.current.schema}.${this.current.name} ends inside a row`);
        this.current = null;
        this.state = 'block';
        return;
      }
      case 'blob-oid':
        this.state = r.int() === 0 ? 'block' : 'blob-chunk';
        return;
      case 'blob-chunk': {
        const length = r.int();
        if (length < 0) throw new ArchiveFormatError(`negative chunk length ${length}`);
        this.remaining = length;
        this.state = length > 0 ? 'blob-payload' : 'blob-oid';
        return;
      }
      default:
        throw new Error(`unexpected state ${this.state}`);
    }
  }

  private header(r: Reader): void {
    if (r.buf.length - r.pos < 8) throw NEED_MORE;
    if (r.buf.toString('latin1', r.pos, r.pos + 5) !== 'PGDMP') throw new ArchiveFormatError('not a pg_dump archive (no PGDMP header)');
    r.skip(5);
    const [major, minor, revision] = [r.byte(), r.byte(), r.byte()];
    this.version = (major << 16) | (minor << 8) | revision;
    if (this.version < MIN_VERSION || this.version > MAX_VERSION) {
      throw new ArchiveFormatError(`pg_dump archive version ${major}.${minor}.${revision} is not one dbward reads (1.12 to 1.16)`);
    }
    this.intSize = r.byte();
    this.offSize = r.byte();
    if (this.intSize < 1 || this.intSize > 8 || this.offSize < 1 || this.offSize > 16) throw new ArchiveFormatError('implausible integer sizes in the archive header');
    if (r.byte() !== CUSTOM_FORMAT) throw new ArchiveFormatError('not a custom-format archive');
    const fields = new Reader(r.buf, r.pos, this.intSize);
    const compression = this.version >= 0x010f00 ? fields.byte() : fields.int();
    if (compression !== 0) throw new ArchiveFormatError('the archive is compressed (dbward dumps with --compress=0)');
    for (let i = 0; i < 7; i++) fields.int(); // creation time
    fields.str(); // database name
    fields.str(); // server version
    this.toolVersion = fields.str();
    r.pos = fields.pos;
  }

  private entry(r: Reader): void {
    const id = r.int();
    r.int(); // had a data dumper
    r.str(); // table oid
    r.str(); // oid
    const tag = r.str();
    const desc = r.str();
    r.int(); // section
    r.str(); // definition
    r.str(); // drop statement
    r.str(); // copy statement
    const namespace = r.str();
    r.str(); // tablespace
    if (this.version >= 0x010e00) r.str(); // table access method
    if (this.version >= 0x011000) r.int(); // relkind
    r.str(); // owner
    r.str(); // "false" (WITH OIDS)
    while (r.str() !== null); // dependencies
    r.skip(1 + this.offSize); // data offset (custom format)
    if (desc === 'TABLE DATA' && tag !== null) this.tables.set(id, new TableDigest(namespace ?? '', tag));
  }

  /**
   * COPY text: each line is a row, up to the end-of-data line "\." that pg_dump appends (followed by
   * blank lines), after which the rest of the block is not data.
   */
  private rows(buf: Buffer, start: number, end: number): void {
    const table = this.current as TableDigest;
    let p = start;
    while (p < end && !this.copyEnded) {
      const nl = buf.indexOf(10, p);
      const stop = nl < 0 || nl >= end ? end : nl;
      if (this.lineLength < 2) {
        for (let i = p; i < stop && this.lineLength + i - p < 2; i++) this.lineHead = (this.lineHead << 8) | (buf[i] as number);
      }
      this.lineLength += stop - p;
      table.update(buf, p, stop);
      if (stop === end) return;
      if (this.lineLength === 2 && this.lineHead === END_OF_COPY) {
        table.dropRow();
        this.copyEnded = true;
      } else table.endRow();
      this.lineLength = 0;
      this.lineHead = 0;
      p = nl + 1;
    }
  }
}
