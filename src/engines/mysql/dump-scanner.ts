/**
 * A streaming scanner for the SQL text that mariadb-dump and mysqldump write, splitting it into
 * statements the way the mysql/mariadb client does: quotes ('…', "…" with backslash escapes, `…`),
 * comments (`-- `, `#`, `/* … *\/`), executable comments (`/*!50003 … *\/`, `/*M!100616 … *\/`, whose
 * content is code) and `DELIMITER` lines. Memory is constant: a statement is reported by its first
 * HEAD_LENGTH characters only.
 *
 * The scanner works on text; dumpText() turns a byte stream into text and rejects bytes that are not
 * UTF-8 (dumps are written with --default-character-set=utf8mb4 and --hex-blob, so a dump is UTF-8
 * throughout unless it was damaged).
 */
import { TextDecoder } from 'node:util';

const HEAD_LENGTH = 256;
const COMMENT_LENGTH = 512;
/** `/*!999999 … *\/` is a version no server reaches: mariadb-dump's sandbox line, a plain comment to the server. */
const NEVER_VERSION = '999999';

export class DumpSyntaxError extends Error {}

export interface ScanHandler {
  /** A line comment (`-- …` or `# …`, without its newline) ended at absolute character offset `end`. */
  comment?(text: string, end: number): void;
  /** A statement ended; `head` is its start with comments removed and whitespace collapsed. */
  statement?(head: string): void;
}

type State = 'code' | 'single' | 'double' | 'backtick' | 'line-comment' | 'block-comment' | 'delimiter-line';

const CLOSING: Partial<Record<State, string>> = { single: "'", double: '"', backtick: '`' };

export class DumpScanner {
  private state: State = 'code';
  private escaped = false;
  private execComment = false;
  private delimiter = ';';
  /** Characters of the delimiter matched so far. */
  private matched = 0;
  private head = '';
  private hasCode = false;
  private text = '';
  private line = 1;
  private stateLine = 1;
  /** Unprocessed characters kept for lookahead, and the absolute offset where they start. */
  private carry = '';
  private offset = 0;
  private values: ValuesCheck | undefined;

  constructor(private readonly handler: ScanHandler) {}

  /** Absolute offset up to which all characters have been scanned. */
  get processed(): number {
    return this.offset;
  }

  feed(chunk: string): void {
    this.scan(this.carry + chunk, false);
  }

  /** The end of the input: throws DumpSyntaxError when it ends inside a quote, a comment or a statement. */
  finish(): void {
    this.scan(this.carry, true);
    if (this.state === 'line-comment') this.endComment(this.offset);
    if (this.state === 'delimiter-line') this.setDelimiter();
    const open: Partial<Record<State, string>> = {
      single: 'a quoted string', double: 'a quoted string', backtick: 'a quoted name', 'block-comment': 'a comment',
    };
    const inside = open[this.state] ?? (this.execComment ? 'an executable comment' : undefined);
    if (inside) throw new DumpSyntaxError(`the input ends inside ${inside} opened on line ${this.stateLine}`);
    if (this.hasCode) throw new DumpSyntaxError(`the last statement (line ${this.line}) is not terminated by "${this.delimiter}"`);
  }

  private scan(s: string, final: boolean): void {
    let i = 0;
    const need = (n: number) => final || i + n <= s.length;
    while (i < s.length) {
      // Fast path: a run of characters that change nothing but the head (string contents, comments, hex digits).
      const run = this.values?.inHex() ? HEX_RUN : this.escaped ? undefined : PLAIN_RUN[this.state];
      if (run) {
        run.lastIndex = i;
        if (run.test(s)) {
          const j = run.lastIndex;
          if (this.state === 'line-comment' || this.state === 'delimiter-line') this.text = (this.text + s.slice(i, j)).slice(0, COMMENT_LENGTH);
          else if (this.state !== 'block-comment' && this.head.length < HEAD_LENGTH) this.head += s.slice(i, Math.min(j, i + HEAD_LENGTH - this.head.length));
          i = j;
          continue;
        }
      }
      const c = s[i] as string;
      if (this.state !== 'code') {
        if (this.state === 'block-comment' && c === '*') {
          if (!need(2)) break;
          if (s[i + 1] === '/') {
            this.state = 'code';
            i += 2;
            continue;
          }
        } else if (this.state === 'line-comment' || this.state === 'delimiter-line') {
          if (c === '\n') {
            if (this.state === 'line-comment') this.endComment(this.offset + i + 1);
            else this.setDelimiter();
            this.state = 'code';
          } else if (this.text.length < COMMENT_LENGTH) this.text += c;
        } else if (this.state !== 'block-comment') {
          this.quoted(c);
        }
        this.advance(c);
        i++;
        continue;
      }
      if (this.matched > 0 && c !== this.delimiter[this.matched]) {
        // A partial delimiter match was ordinary code after all.
        this.code(this.delimiter.slice(0, this.matched));
        this.matched = 0;
        continue;
      }
      if (c === this.delimiter[this.matched]) {
        this.matched++;
        if (this.matched === this.delimiter.length) this.endStatement();
      } else if (c === "'" || c === '"' || c === '`') {
        this.values?.open(c);
        this.open(c === "'" ? 'single' : c === '"' ? 'double' : 'backtick');
        this.hasCode = true;
        if (this.head.length < HEAD_LENGTH) this.head += c;
      } else if (c === '#') {
        this.open('line-comment');
        this.text = c;
      } else if (c === '-') {
        if (!need(3)) break;
        const after = s[i + 2];
        // `--` starts a comment only when followed by white space, a control character or the end.
        if (s[i + 1] === '-' && (after === undefined || after <= ' ')) {
          this.open('line-comment');
          this.text = c;
        } else this.code(c);
      } else if (c === '/') {
        if (!need(2 + 2 + NEVER_VERSION.length)) break;
        if (s[i + 1] !== '*') this.code(c);
        else {
          const exec = /^\/\*M?!(\d*)/.exec(s.slice(i, i + 4 + NEVER_VERSION.length));
          if (exec && exec[1] !== NEVER_VERSION) {
            this.execComment = true;
            this.code(' ');
            i += exec[0].length;
            continue;
          }
          this.open('block-comment');
          i += 2;
          continue;
        }
      } else if (c === '*' && this.execComment) {
        if (!need(2)) break;
        if (s[i + 1] === '/') {
          this.execComment = false;
          this.code(' ');
          i += 2;
          continue;
        }
        this.code(c);
      } else {
        this.code(c);
      }
      this.advance(c);
      i++;
    }
    this.carry = s.slice(i);
    this.offset += i;
  }

  private advance(c: string): void {
    if (c === '\n') this.line++;
  }

  private open(state: State): void {
    this.state = state;
    this.stateLine = this.line;
  }

  private quoted(c: string): void {
    if (this.head.length < HEAD_LENGTH) this.head += c;
    if (this.escaped) this.escaped = false;
    else if (c === '\\' && this.state !== 'backtick') this.escaped = true;
    else if (c === CLOSING[this.state]) {
      this.state = 'code';
      this.values?.close();
    }
  }

  private code(text: string): void {
    for (const c of text) {
      this.values?.code(c);
      if (c <= ' ') {
        if (this.head.length > 0 && !this.head.endsWith(' ') && this.head.length < HEAD_LENGTH) this.head += ' ';
        if (!this.values && INSERT_VALUES.test(this.head)) this.values = new ValuesCheck(() => this.line);
        if (this.head.toLowerCase() === 'delimiter ') {
          this.state = 'delimiter-line';
          this.text = '';
          if (c === '\n') this.setDelimiter();
        }
      } else {
        this.hasCode = true;
        if (this.head.length < HEAD_LENGTH) this.head += c;
      }
    }
  }

  private endComment(end: number): void {
    this.handler.comment?.(this.text.replace(/\r$/, ''), end);
    this.text = '';
  }

  private setDelimiter(): void {
    const delimiter = this.text.trim().split(/\s/)[0];
    if (!delimiter) throw new DumpSyntaxError(`DELIMITER without a delimiter on line ${this.line}`);
    this.delimiter = delimiter;
    this.resetStatement();
  }

  private endStatement(): void {
    this.matched = 0;
    this.values?.end();
    if (this.hasCode) this.handler.statement?.(this.head.trim());
    this.resetStatement();
  }

  private resetStatement(): void {
    this.head = '';
    this.hasCode = false;
    this.values = undefined;
  }
}

const PLAIN_RUN: Partial<Record<State, RegExp>> = {
  single: /[^'\\\n]+/y, double: /[^"\\\n]+/y, backtick: /[^`\n]+/y,
  'line-comment': /[^\n]+/y, 'delimiter-line': /[^\n]+/y, 'block-comment': /[^*\n]+/y,
};
const HEX_RUN = /[0-9a-fA-F]+/y;

/** The start of the INSERT statements the dump tools write, after which only value tuples follow. */
export const INSERT_VALUES = /^insert into `(?:[^`]|``)+` values $/i;
const TOKEN_CHAR = /[\w.+-]/;
const TOKEN = /^(?:null|[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)$/i;
const MAX_TOKEN = 100;

/**
 * The grammar of `VALUES (v, …), (…), …` with v one of NULL, a number, 0x… hex, '…' or a prefixed
 * string (b'…', _binary '…'): a damaged quote or separator shows up here even when the quotes happen
 * to pair up again later.
 */
class ValuesCheck {
  private state: 'tuple' | 'value' | 'token' | 'string' | 'next' | 'after-tuple' = 'tuple';
  private token = '';
  private hex = false;
  /** The last thing seen closed a string: a quote now is a doubled quote ('it''s') inside it. */
  private closed = false;

  constructor(private readonly line: () => number) {}

  code(c: string): void {
    this.closed = false;
    if (this.state === 'token') {
      if (TOKEN_CHAR.test(c)) {
        if (this.hex || this.token.length >= MAX_TOKEN) this.fail();
        this.token += c;
        this.hex = /^0x$/i.test(this.token);
        return;
      }
      this.endToken();
    }
    if (c <= ' ') return;
    if (this.state === 'tuple' && c === '(') this.state = 'value';
    else if (this.state === 'value' && TOKEN_CHAR.test(c)) {
      this.state = 'token';
      this.token = c;
    } else if (this.state === 'next' && (c === ',' || c === ')')) this.state = c === ',' ? 'value' : 'after-tuple';
    else if (this.state === 'after-tuple' && c === ',') this.state = 'tuple';
    else this.fail();
  }

  open(quote: string): void {
    const prefixed = this.state === 'token' && /^(?:[bx]|_\w+)$/i.test(this.token);
    if (quote !== "'" || !(prefixed || this.closed || this.state === 'value')) this.fail();
    this.state = 'string';
  }

  close(): void {
    this.state = 'next';
    this.closed = true;
  }

  end(): void {
    if (this.state === 'token') this.endToken();
    if (this.state !== 'after-tuple') this.fail();
  }

  /** Inside 0x…: the scanner skips the hex digits; anything else ends the token. */
  inHex(): boolean {
    return this.hex;
  }

  private endToken(): void {
    if (!this.hex && !TOKEN.test(this.token)) this.fail();
    this.hex = false;
    this.state = 'next';
  }

  private fail(): never {
    throw new DumpSyntaxError(`malformed INSERT values on line ${this.line()}`);
  }
}

/** Decode a byte stream as UTF-8 text chunk by chunk; throws DumpSyntaxError at the first invalid byte sequence. */
export async function* dumpText(input: AsyncIterable<Buffer>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let bytes = 0;
  for await (const buffer of input) {
    yield decode(decoder, buffer, bytes, true);
    bytes += buffer.length;
  }
  yield decode(decoder, Buffer.alloc(0), bytes, false);
}

function decode(decoder: TextDecoder, buffer: Buffer, at: number, stream: boolean): string {
  try {
    return decoder.decode(buffer, { stream });
  } catch {
    throw new DumpSyntaxError(`bytes that are not UTF-8 in the ${buffer.length}-byte chunk at byte offset ${at}`);
  }
}
