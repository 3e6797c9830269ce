/** Positions in a migration's text: character offsets, UTF-8 byte offsets, lines and columns. */

export interface Position {
  /** 1-based. */
  line: number;
  /** 1-based, in Unicode code points (an emoji counts as one). */
  column: number;
}

export class SourceText {
  readonly text: string;
  private readonly lineStarts: number[];
  private utf8: Buffer | undefined;

  constructor(text: string) {
    this.text = text;
    this.lineStarts = [0];
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
    }
  }

  /** Position of a character offset. */
  position(offset: number): Position {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.lineStarts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    const lineStart = this.lineStarts[lo] ?? 0;
    let column = 1;
    for (const _ of this.text.slice(lineStart, offset)) column++;
    return { line: lo + 1, column };
  }

  /** The text of a 1-based line, without its line ending. */
  line(line: number): string {
    const start = this.lineStarts[line - 1];
    if (start === undefined) return '';
    const next = this.lineStarts[line];
    const end = next === undefined ? this.text.length : next - 1;
    return this.text.slice(start, end).replace(/\r$/, '');
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  /** Character offset of a UTF-8 byte offset (libpg-query reports byte offsets). */
  charOffset(byteOffset: number): number {
    this.utf8 ??= Buffer.from(this.text, 'utf8');
    // ASCII text (the usual case): bytes are characters; no need to decode the prefix (quadratic on long inputs).
    if (this.utf8.length === this.text.length) return Math.min(Math.max(0, byteOffset), this.text.length);
    return this.utf8.subarray(0, Math.max(0, byteOffset)).toString('utf8').length;
  }

  /** Byte length of the whole text in UTF-8. */
  get byteLength(): number {
    this.utf8 ??= Buffer.from(this.text, 'utf8');
    return this.utf8.length;
  }

  /** The first line of the text starting at `offset`, trimmed and shortened for display. */
  firstLine(offset: number, max = 120): string {
    const end = this.text.indexOf('\n', offset);
    const line = this.text.slice(offset, end === -1 ? undefined : end).trim();
    return line.length > max ? `${line.slice(0, max - 1)}…` : line;
  }
}

/**
 * Skips whitespace and SQL comments (`-- …`, `/* … *\/`, and `# …` when `hashComments`) from
 * `offset`; returns the offset of the next significant character.
 */
export function skipTrivia(text: string, offset: number, hashComments = false): number {
  let i = offset;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v') {
      i++;
    } else if ((c === '-' && text[i + 1] === '-') || (hashComments && c === '#')) {
      const nl = text.indexOf('\n', i);
      i = nl === -1 ? text.length : nl + 1;
    } else if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      i = close === -1 ? text.length : close + 2;
    } else {
      break;
    }
  }
  return i;
}
