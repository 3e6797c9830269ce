/**
 * Split a migration script into statements with a tokenizer that knows each dialect's quoting and
 * comments, so a `;` inside a string, identifier, comment or body never ends a statement:
 *
 *   all      '…' strings ('' escape), "…" (identifiers, or strings on MySQL), -- and /* *\/ comments,
 *            BEGIN … END and CASE … END blocks (trigger and routine bodies, `BEGIN ATOMIC`)
 *   postgres $tag$ … $tag$ dollar quotes, E'…' backslash escapes, nested /* *\/ comments
 *   mysql    `…` identifiers, backslash escapes in strings, # comments, `-- ` needs a space,
 *            the client's DELIMITER command, /*! … *\/ executable comments kept as statement text
 *   sqlite   `…` and […] identifiers
 *
 * Leading comments are not part of a statement; a script of comments only has no statements.
 */
export type SqlDialect = 'postgres' | 'mysql' | 'sqlite';

export interface ScriptStatement {
  /** The statement without its delimiter, leading comments or surrounding whitespace. */
  sql: string;
  /** 1-based line where the statement starts. */
  line: number;
  /** Character offsets of the statement in the script (end exclusive, before the delimiter). */
  start: number;
  end: number;
}

const WORD_START = /[A-Za-z_]/;
const WORD_CHAR = /[A-Za-z0-9_$]/;
/** END followed by one of these closes a block whose opener is not counted (IF, loops). */
const UNCOUNTED_END = new Set(['IF', 'LOOP', 'WHILE', 'REPEAT', 'FOR']);

export function splitStatements(script: string, dialect: SqlDialect): ScriptStatement[] {
  return new Splitter(script, dialect).run();
}

/** The first line of a statement, shortened for messages. */
export function firstLine(sql: string, max = 100): string {
  const line = sql.split(/\r?\n/, 1)[0]!.trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** 1-based line number of a character offset. */
export function lineAt(script: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < script.length; i++) if (script.charCodeAt(i) === 10) line++;
  return line;
}

class Splitter {
  private i = 0;
  private delimiter = ';';
  /** Open BEGIN/CASE blocks and parentheses: a `;` inside them does not end the statement. */
  private depth = 0;
  private parens = 0;
  /** Offset of the current statement's first significant character, or -1 before it. */
  private start = -1;
  /** Significant words seen in the current statement (only the count and the first matter). */
  private words = 0;
  private previousSignificant = '';
  private readonly out: ScriptStatement[] = [];

  constructor(
    private readonly s: string,
    private readonly dialect: SqlDialect,
  ) {}

  run(): ScriptStatement[] {
    const { s } = this;
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (this.start === -1 && /\s/.test(c)) {
        this.i++;
      } else if (this.atDelimiter()) {
        this.finish(this.i);
        this.i += this.delimiter.length;
      } else if (this.skipComment()) {
        // comments are skipped; executable MySQL comments mark the statement as begun
      } else if (/\s/.test(c)) {
        this.i++;
      } else {
        this.mark();
        if (!this.skipQuoted()) this.token();
      }
    }
    this.finish(s.length);
    return this.out;
  }

  private atDelimiter(): boolean {
    if (this.delimiter !== ';') return this.s.startsWith(this.delimiter, this.i);
    return this.s[this.i] === ';' && this.depth === 0 && this.parens === 0;
  }

  private mark(): void {
    if (this.start === -1) this.start = this.i;
  }

  private finish(end: number): void {
    if (this.start !== -1) {
      const sql = this.s.slice(this.start, end).trim();
      if (sql) this.out.push({ sql, line: lineAt(this.s, this.start), start: this.start, end });
    }
    this.start = -1;
    this.words = 0;
    this.depth = 0;
    this.parens = 0;
    this.previousSignificant = '';
  }

  /** Skip a comment at i; true when there was one. */
  private skipComment(): boolean {
    const { s, i } = this;
    const two = s.slice(i, i + 2);
    if (two === '--' && (this.dialect !== 'mysql' || i + 2 >= s.length || /\s/.test(s[i + 2]!))) {
      this.i = this.lineEnd(i);
      return true;
    }
    if (s[i] === '#' && this.dialect === 'mysql') {
      this.i = this.lineEnd(i);
      return true;
    }
    if (two !== '/*') return false;
    if (this.dialect === 'mysql' && (s[i + 2] === '!' || s.startsWith('M!', i + 2))) this.mark();
    let nesting = 0;
    let j = i;
    while (j < s.length) {
      if (s.startsWith('/*', j)) {
        nesting = this.dialect === 'postgres' ? nesting + 1 : 1;
        j += 2;
      } else if (s.startsWith('*/', j)) {
        j += 2;
        if (--nesting === 0) break;
      } else {
        j++;
      }
    }
    this.i = j;
    return true;
  }

  private lineEnd(from: number): number {
    const nl = this.s.indexOf('\n', from);
    return nl === -1 ? this.s.length : nl + 1;
  }

  /** Skip a quoted string or identifier at i; true when there was one. */
  private skipQuoted(): boolean {
    const { s, i, dialect } = this;
    const c = s[i]!;
    if (c === "'") {
      const eString = dialect === 'postgres' && /[eE]/.test(s[i - 1] ?? '') && !WORD_CHAR.test(s[i - 2] ?? '');
      this.i = this.closeQuote(i, "'", dialect === 'mysql' || eString);
    } else if (c === '"') {
      this.i = this.closeQuote(i, '"', dialect === 'mysql');
    } else if (c === '`' && dialect !== 'postgres') {
      this.i = this.closeQuote(i, '`', false);
    } else if (c === '[' && dialect === 'sqlite') {
      const close = s.indexOf(']', i + 1);
      this.i = close === -1 ? s.length : close + 1;
    } else if (c === '$' && dialect === 'postgres' && !WORD_CHAR.test(s[i - 1] ?? '')) {
      const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(s.slice(i, i + 64))?.[0];
      if (!tag) return false;
      const close = s.indexOf(tag, i + tag.length);
      this.i = close === -1 ? s.length : close + tag.length;
    } else {
      return false;
    }
    this.previousSignificant = c;
    return true;
  }

  /** Offset just past the closing quote (a doubled quote is an escaped one). */
  private closeQuote(open: number, quote: string, backslashEscapes: boolean): number {
    const { s } = this;
    let j = open + 1;
    while (j < s.length) {
      const c = s[j]!;
      if (backslashEscapes && c === '\\') {
        j += 2;
      } else if (c === quote) {
        if (s[j + 1] !== quote) return j + 1;
        j += 2;
      } else {
        j++;
      }
    }
    return s.length;
  }

  /** A word (keyword or identifier) or any other single character. */
  private token(): void {
    const { s } = this;
    const c = s[this.i]!;
    if (!WORD_START.test(c)) {
      if (c === '(') this.parens++;
      else if (c === ')' && this.parens > 0) this.parens--;
      this.previousSignificant = c;
      this.i++;
      return;
    }
    let j = this.i;
    while (j < s.length && WORD_CHAR.test(s[j]!)) j++;
    const word = s.slice(this.i, j).toUpperCase();
    const previous = this.previousSignificant;
    const first = this.words === 0;
    this.words++;
    this.previousSignificant = word;
    this.i = j;
    // `t.end` is a column, and the CASE of `END CASE` closes rather than opens.
    if (previous === '.' || (previous === 'END' && word === 'CASE')) return;
    if (first && word === 'DELIMITER' && this.dialect === 'mysql') return this.delimiterCommand();
    if (word === 'CASE') this.depth++;
    else if (word === 'BEGIN' && (!first || this.nextWord() === 'NOT')) this.depth++;
    else if (word === 'END' && !first && this.depth > 0 && !UNCOUNTED_END.has(this.nextWord())) this.depth--;
  }

  private nextWord(): string {
    return /^\s*([A-Za-z_]+)/.exec(this.s.slice(this.i, this.i + 64))?.[1]?.toUpperCase() ?? '';
  }

  /** `DELIMITER x` (a mysql client command): the rest of the line is the new delimiter. */
  private delimiterCommand(): void {
    const end = this.lineEnd(this.i);
    const value = this.s.slice(this.i, end).trim().split(/\s+/)[0];
    if (value) this.delimiter = value;
    this.i = end;
    this.start = -1;
    this.words = 0;
  }
}
