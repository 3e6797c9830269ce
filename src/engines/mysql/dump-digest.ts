/**
 * Per-table row counts and content checksums read from a mariadb-dump / mysqldump SQL dump as it
 * streams past, so that they describe exactly the rows in the dump.
 *
 * A table's rows are the tuples of the `INSERT INTO \`t\` VALUES …;` statements in its data section
 * (after the "-- Dumping data for table `t`" comment, which the tools write for every table whose data
 * they dump, empty ones included). Each tuple's text, from "(" to ")", is hashed (TableDigest).
 * mariadb-dump writes one tuple per line ("VALUES\n(…),\n(…);"): a raw newline never occurs inside a
 * value (strings escape it as \n, binary values are hex with --hex-blob), so lines are rows and are
 * found with a native search. mysqldump writes a statement on one line ("VALUES (…),(…);"): its tuples
 * are found by a scanner that knows quoted strings and their backslash escapes.
 */
import type { TableContent } from '../backup-driver.js';
import { DumpFormatError, TableDigest, byQualifiedName } from '../backup-driver-digest.js';

export class SqlDumpFormatError extends DumpFormatError {}

const NL = 0x0a;
const QUOTE = 0x27;
const BACKSLASH = 0x5c;
const OPEN = 0x28;
const CLOSE = 0x29;
const COMMA = 0x2c;
const SEMICOLON = 0x3b;
/** Longest line start kept while waiting for the rest of an INSERT header or a comment. */
const MAX_HEAD = 1024 * 1024;
const HEAD_WINDOW = 4096;

const SECTION = /^-- Dumping data for table `((?:[^`]|``)+)`$/;
const INSERT_HEAD = /^INSERT INTO `((?:[^`]|``)+)`(?: \((?:`(?:[^`]|``)*`(?:,\s*)?)*\))? VALUES(\n| )/;

type State =
  | 'line' // at the start of a line outside INSERT values
  | 'skip' // inside a line that is not interesting, up to its newline
  | 'row-lines' // one tuple per line
  | 'tuples' // tuples on one line: between tuples
  | 'tuple' // inside a tuple, outside strings
  | 'string'; // inside a quoted string of a tuple

export class SqlDumpDigest {
  private state: State = 'line';
  /** A line start kept until it is long enough to classify. */
  private head: Buffer | null = null;
  private section: string | null = null;
  private readonly tables = new Map<string, TableDigest>();
  private table: TableDigest | null = null;
  /** row-lines: bytes of the current line so far, and its last byte (not hashed yet: it may be the "," or ";" after the tuple). */
  private lineLength = 0;
  private held = -1;
  /** string: the number of backslashes right before the current position. */
  private backslashes = 0;
  bytes = 0;

  feed(chunk: Buffer): void {
    this.bytes += chunk.length;
    let buf = chunk;
    if (this.head) {
      buf = Buffer.concat([this.head, chunk]);
      this.head = null;
    }
    let p = 0;
    const end = buf.length;
    while (p < end) {
      switch (this.state) {
        case 'line':
          p = this.lineStart(buf, p);
          break;
        case 'skip': {
          const nl = buf.indexOf(NL, p);
          if (nl < 0) return;
          this.state = 'line';
          p = nl + 1;
          break;
        }
        case 'row-lines':
          p = this.rowLines(buf, p);
          break;
        default:
          p = this.tuples(buf, p);
      }
    }
  }

  /** The end of the dump: the tables of every data section, sorted by name. */
  finish(): TableContent[] {
    if (this.state !== 'line' && this.state !== 'skip') throw new SqlDumpFormatError('the dump ends inside an INSERT statement (truncated dump)');
    return [...this.tables.values()].map((t) => t.content()).sort(byQualifiedName);
  }

  /** Which tables had a data section (empty or not). */
  sectionTables(): string[] {
    return [...this.tables.keys()];
  }

  private lineStart(buf: Buffer, p: number): number {
    const first = buf[p];
    // Only comments ("-- …") and INSERT statements matter; everything else is skipped line by line.
    if (first !== 0x2d && first !== 0x49) {
      this.state = 'skip';
      return p;
    }
    const nl = buf.indexOf(NL, p);
    const lineEnd = nl < 0 ? buf.length : nl;
    if (first === 0x2d) {
      if (nl < 0) return this.keep(buf, p);
      const line = buf.toString('utf8', p, lineEnd);
      if (line.startsWith('-- ')) {
        const name = SECTION.exec(line)?.[1]?.replace(/``/g, '`');
        this.section = name ?? null;
        if (name !== undefined && !this.tables.has(name)) this.tables.set(name, new TableDigest('', name));
      }
      this.state = 'line';
      return nl + 1;
    }
    // "INSERT INTO `t` (columns) VALUES" then a newline or a space: need the header whole (a short
    // look first: single-line statements are long).
    let head: RegExpExecArray | null = null;
    let probe = '';
    for (const window of [HEAD_WINDOW, MAX_HEAD]) {
      probe = buf.toString('utf8', p, Math.min(lineEnd + 1, p + window));
      head = INSERT_HEAD.exec(probe);
      if (head || probe.length < window) break;
    }
    if (!head) {
      const partial = 'INSERT INTO `'.startsWith(probe.slice(0, 13)) && !/ VALUES[\n ]/.test(probe);
      if (nl < 0 && partial && probe.length < MAX_HEAD) return this.keep(buf, p);
      this.state = 'skip';
      return p;
    }
    const name = (head[1] as string).replace(/``/g, '`');
    if (name !== this.section) {
      // Not table data (e.g. a line of a trigger body that happens to start like an INSERT).
      this.state = 'skip';
      return p;
    }
    this.table = this.tables.get(name) as TableDigest;
    this.state = head[2] === '\n' ? 'row-lines' : 'tuples';
    this.lineLength = 0;
    this.held = -1;
    return p + Buffer.byteLength(head[0]);
  }

  /** Keep the start of a line for the next chunk. */
  private keep(buf: Buffer, p: number): number {
    if (buf.length - p > MAX_HEAD) {
      this.state = 'skip';
      return p;
    }
    this.head = Buffer.from(buf.subarray(p));
    return buf.length;
  }

  /** mariadb-dump's layout: "(…),\n" per row, the last "(…);\n". */
  private rowLines(buf: Buffer, p: number): number {
    const table = this.table as TableDigest;
    const end = buf.length;
    while (p < end) {
      const nl = buf.indexOf(NL, p);
      const stop = nl < 0 ? end : nl;
      if (this.lineLength === 0 && stop > p && buf[p] !== OPEN) throw new SqlDumpFormatError(`a row of ${table.name} does not start with "("`);
      if (stop > p) {
        if (this.held >= 0) table.update(HELD.fill(this.held), 0, 1);
        table.update(buf, p, stop - 1);
        this.held = buf[stop - 1] as number;
        this.lineLength += stop - p;
      }
      if (nl < 0) return end;
      const last = this.held;
      if (this.lineLength < 3 || (last !== COMMA && last !== SEMICOLON)) throw new SqlDumpFormatError(`a row of ${table.name} does not end with "," or ";"`);
      table.endRow();
      this.held = -1;
      this.lineLength = 0;
      p = nl + 1;
      if (last === SEMICOLON) {
        this.state = 'line';
        return p;
      }
    }
    return p;
  }

  /** mysqldump's layout: "(…),(…);" on one line, with quoted strings. */
  private tuples(buf: Buffer, p: number): number {
    const table = this.table as TableDigest;
    const end = buf.length;
    let start = this.state === 'tuple' || this.state === 'string' ? p : -1;
    while (p < end) {
      if (this.state === 'string') {
        const q = buf.indexOf(QUOTE, p);
        if (q < 0) {
          this.backslashes = trailingBackslashes(buf, p, end, this.backslashes);
          p = end;
          break;
        }
        const escaped = trailingBackslashes(buf, p, q, this.backslashes) % 2 === 1;
        this.backslashes = 0;
        p = q + 1;
        if (!escaped) this.state = 'tuple';
        continue;
      }
      const c = buf[p] as number;
      if (this.state === 'tuples') {
        if (c === OPEN) {
          this.state = 'tuple';
          start = p;
        } else if (c === SEMICOLON) {
          this.state = 'skip';
          return p + 1;
        } else if (c !== COMMA && c !== 0x20 && c !== NL && c !== 0x0d && c !== 0x09) {
          throw new SqlDumpFormatError(`unexpected "${String.fromCharCode(c)}" between the rows of ${table.name}`);
        }
        p++;
        continue;
      }
      // Inside a tuple, outside strings.
      if (c === QUOTE) this.state = 'string';
      else if (c === CLOSE) {
        table.update(buf, start, p + 1);
        table.endRow();
        start = -1;
        this.state = 'tuples';
      } else if (c === OPEN || c === NL) throw new SqlDumpFormatError(`unexpected "${c === NL ? '\\n' : '('}" inside a row of ${table.name}`);
      p++;
    }
    if (start >= 0) table.update(buf, start, end);
    return end;
  }
}

const HELD = new Uint8Array(1);

/** Backslashes right before `end` (down to `from`, plus `carried` when the run reaches `from`). */
function trailingBackslashes(buf: Buffer, from: number, end: number, carried: number): number {
  let n = 0;
  let i = end - 1;
  while (i >= from && buf[i] === BACKSLASH) {
    n++;
    i--;
  }
  return i < from ? n + carried : n;
}
