/**
 * What dbward reads in a mysql-sql dump: the structural check (a full scan, statement by statement)
 * and the filter that keeps only some tables' sections for a partial restore.
 */
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TextDecoder } from 'node:util';
import { VerificationError } from '../../core/errors.js';
import { DumpScanner, DumpSyntaxError, dumpText } from './dump-scanner.js';

const HEADER = /^-- (MariaDB|MySQL) dump\b/;
const TRAILER = /^-- Dump completed\b/;
/** First keywords of the statements mariadb-dump and mysqldump write (after executable-comment markers). */
const STATEMENT_KEYWORDS = new Set(['alter', 'create', 'do', 'drop', 'insert', 'lock', 'select', 'set', 'unlock', 'use']);
const CREATE_TABLE = /^create table (?:if not exists )?`/i;
const INSERT = /^insert into `(?:[^`]|``)+` values /i;

/** Scan a whole dump; resolves to a one-line summary, throws VerificationError when it is damaged or truncated. */
export async function checkDump(input: Readable): Promise<string> {
  let header: string | undefined;
  let complete = false;
  let statements = 0;
  let tables = 0;
  let inserts = 0;
  const scanner = new DumpScanner({
    comment(text) {
      if (header === undefined && statements === 0 && HEADER.test(text)) header = text.slice(3).replace(/,.*$/, '');
      if (TRAILER.test(text)) complete = true;
    },
    statement(head) {
      const keyword = /^[a-z]+/i.exec(head)?.[0].toLowerCase();
      if (!keyword || !STATEMENT_KEYWORDS.has(keyword)) {
        throw new DumpSyntaxError(`statement ${statements + 1} starts with something no dump tool writes: "${head.slice(0, 60)}"`);
      }
      if (keyword === 'insert' && !INSERT.test(head)) throw new DumpSyntaxError(`statement ${statements + 1} is a malformed INSERT`);
      statements++;
      complete = false;
      if (CREATE_TABLE.test(head)) tables++;
      if (keyword === 'insert') inserts++;
    },
  });
  try {
    await pipeline(input, dumpText, async (text: AsyncIterable<string>) => {
      for await (const chunk of text) scanner.feed(chunk);
    });
    scanner.finish();
  } catch (err) {
    if (err instanceof DumpSyntaxError) throw new VerificationError(`The SQL dump is damaged: ${err.message}.`);
    throw err;
  }
  if (header === undefined) {
    throw new VerificationError('The SQL dump is damaged: it does not start with the "-- MariaDB dump" or "-- MySQL dump" header.');
  }
  if (!complete) {
    throw new VerificationError(
      'The SQL dump is incomplete: it does not end with the "-- Dump completed" line the dump tool writes last.',
      'The dump was cut short (interrupted dump, full disk or truncated copy).',
    );
  }
  return `${header}: ${statements} statements, ${tables} CREATE TABLE, ${inserts} INSERT, complete`;
}

/** The comment line that opens each object's section in a dump, and the object it belongs to. */
const OBJECT_SECTION =
  /^-- (?:Table structure for table|Dumping data for table|Sequence structure for|Temporary table structure for view|Final view structure for view) `((?:[^`]|``)+)`$/;
const DATABASE_SECTION = /^-- Dumping (?:routines|events) for database '/;

/**
 * Pass the header and the sections of the named tables (structure, data and their triggers, or a
 * view's or sequence's sections when named) and drop all others, including routines and events.
 * A section starts at its marker comment line; the marker line itself is harmless either way.
 */
export class TableSectionFilter extends Transform {
  readonly found = new Set<string>();
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private readonly scanner: DumpScanner;
  private keep = true;
  /** Decoded text not yet passed on or dropped, starting at absolute character offset `start`. */
  private pending = '';
  private start = 0;

  constructor(private readonly tables: ReadonlySet<string>) {
    super();
    this.scanner = new DumpScanner({
      comment: (text, end) => {
        const object = OBJECT_SECTION.exec(text)?.[1]?.replace(/``/g, '`');
        if (object === undefined && !DATABASE_SECTION.test(text)) return;
        this.release(end);
        this.keep = object !== undefined && this.tables.has(object);
        if (this.keep && object !== undefined) this.found.add(object);
      },
    });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.run(callback, () => this.scan(this.decoder.decode(chunk, { stream: true })));
  }

  override _flush(callback: TransformCallback): void {
    this.run(callback, () => {
      this.scan(this.decoder.decode());
      this.scanner.finish();
      this.release(this.scanner.processed);
    });
  }

  private run(callback: TransformCallback, fn: () => void): void {
    try {
      fn();
      callback();
    } catch (err) {
      callback(err instanceof TypeError ? new DumpSyntaxError('the dump contains bytes that are not UTF-8') : (err as Error));
    }
  }

  private scan(text: string): void {
    this.pending += text;
    this.scanner.feed(text);
    this.release(this.scanner.processed);
  }

  /** Pass on (or drop) the pending text up to absolute offset `end`. */
  private release(end: number): void {
    const part = this.pending.slice(0, end - this.start);
    this.pending = this.pending.slice(part.length);
    this.start = end;
    if (this.keep && part) this.push(Buffer.from(part, 'utf8'));
  }
}
