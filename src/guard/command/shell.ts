/**
 * Shell command lines (npm scripts, `sh -c` strings, shell script files) turned into the simple
 * commands they run, for the guard's command inspection. Nothing is executed.
 *
 * Tokenising is shell-quote's (quotes, escapes, operators, `$VAR`); a small pre-pass covers what it
 * does not: newlines separate commands, `#` starts a comment only at the start of a word, `\` before a
 * newline continues the line, and here-documents (`<<EOF … EOF`) become the command's standard input.
 * Command substitutions (`$(…)`, backticks) and process substitutions (`<(…)`) are returned as
 * commands of their own (they run too), and the word they produce is marked as known only at run time
 * (UNKNOWN). Variables are left as placeholders for expandWord, so that assignments earlier in the same
 * script are honoured.
 *
 * This is a model of the shell good enough to find which programs a script starts and with which
 * arguments; it is not a shell. Where it cannot know a value it says so (UNKNOWN) and the inspection
 * fails closed.
 */
import { parse, type ParseEntry } from 'shell-quote';

/** Marks (part of) a word whose value only exists at run time: a command substitution, `$?`, npm's own variables. */
export const UNKNOWN = '\u0001';

/** Variable placeholder delimiters as produced by the tokeniser: VAR_MARK + name + VAR_MARK. */
const VAR_MARK = '\u0000';
/** Here-document placeholder: HEREDOC_MARK + index + HEREDOC_MARK, inside single quotes. */
const HEREDOC_MARK = '\u0002';
/** A variable placeholder in a word; group 1 is the expression (`NAME`, `NAME:-default`, `1`, `@`, …). */
const PLACEHOLDER = new RegExp(`${VAR_MARK}([^${VAR_MARK}]*)${VAR_MARK}`, 'g');

export function hasUnknown(word: string): boolean {
  return word.includes(UNKNOWN);
}

/** A word for messages: run-time values shown as `…`, placeholders as $NAME. */
export function showWord(word: string): string {
  return word
    .replace(PLACEHOLDER, (_m, name: string) => (name === '' ? '$(…)' : `$${name}`))
    .split(UNKNOWN)
    .join('…');
}

/** Where a command's standard input comes from. */
export type StdinSpec =
  | { kind: 'inherit' }
  | { kind: 'file'; path: string }
  | { kind: 'text'; text: string; origin: string }
  | { kind: 'pipe'; from: ShellCommand }
  | { kind: 'unknown'; origin: string };

export interface ShellCommand {
  /** Words as written, with variable placeholders still in them (see expandWord). */
  words: string[];
  stdin: StdinSpec;
}

interface Prescanned {
  text: string;
  heredocs: string[];
  /** A backtick outside single quotes: backticks in words are command substitutions. */
  backticks: boolean;
}

const WORD_BREAK = /[\s;&|()<>]/;

function prescan(script: string): Prescanned {
  let out = '';
  const heredocs: string[] = [];
  const pending: { index: number; delim: string; stripTabs: boolean }[] = [];
  let backticks = false;
  let state: 'none' | 'single' | 'double' | 'ansi' = 'none';
  let i = 0;
  const n = script.length;

  const readHeredocBodies = (): void => {
    // i points just after a newline: the bodies follow, one per pending here-document, in order.
    for (const doc of pending) {
      const lines: string[] = [];
      for (;;) {
        if (i >= n) break;
        const nl = script.indexOf('\n', i);
        const line = nl === -1 ? script.slice(i) : script.slice(i, nl);
        i = nl === -1 ? n : nl + 1;
        const cmp = doc.stripTabs ? line.replace(/^\t+/, '') : line;
        if (cmp === doc.delim) break;
        lines.push(doc.stripTabs ? line.replace(/^\t+/, '') : line);
      }
      heredocs[doc.index] = lines.join('\n') + (lines.length ? '\n' : '');
    }
    pending.length = 0;
  };

  while (i < n) {
    const c = script[i]!;
    if (state === 'single') {
      out += c;
      if (c === "'") state = 'none';
      i++;
      continue;
    }
    if (state === 'ansi') {
      out += c;
      if (c === '\\' && i + 1 < n) {
        out += script[i + 1];
        i += 2;
        continue;
      }
      if (c === "'") state = 'none';
      i++;
      continue;
    }
    if (state === 'double') {
      if (c === '\\' && script[i + 1] === '\n') {
        i += 2;
        continue;
      }
      out += c;
      if (c === '\\' && i + 1 < n) {
        out += script[i + 1];
        i += 2;
        continue;
      }
      if (c === '`') backticks = true;
      if (c === '"') state = 'none';
      i++;
      continue;
    }
    // Outside quotes.
    if (c === '\\') {
      if (script[i + 1] === '\n') {
        i += 2; // line continuation
        continue;
      }
      out += c + (script[i + 1] ?? '');
      i += 2;
      continue;
    }
    if (c === "'") {
      state = 'single';
      out += c;
      i++;
      continue;
    }
    if (c === '$' && script[i + 1] === "'") {
      state = 'ansi';
      out += "$'";
      i += 2;
      continue;
    }
    if (c === '"') {
      state = 'double';
      out += c;
      i++;
      continue;
    }
    if (c === '`') backticks = true;
    if (c === '#') {
      const prev = script[i - 1];
      if (prev === '$' || prev === '{') {
        out += c; // $# and ${#NAME}: part of a parameter expansion
        i++;
        continue;
      }
      if (prev === undefined || WORD_BREAK.test(prev)) {
        while (i < n && script[i] !== '\n') i++;
        continue;
      }
      out += '\\#';
      i++;
      continue;
    }
    if (c === '<' && script[i + 1] === '<') {
      if (script[i + 2] === '<') {
        out += '<<<';
        i += 3;
        continue;
      }
      // Here-document: <<[-] WORD, WORD possibly quoted.
      let j = i + 2;
      const stripTabs = script[j] === '-';
      if (stripTabs) j++;
      while (j < n && (script[j] === ' ' || script[j] === '\t')) j++;
      let delim = '';
      while (j < n && !/[\s;&|()<>]/.test(script[j]!)) {
        const ch = script[j]!;
        if (ch === "'" || ch === '"') {
          const close = script.indexOf(ch, j + 1);
          if (close === -1) break;
          delim += script.slice(j + 1, close);
          j = close + 1;
          continue;
        }
        if (ch === '\\') {
          delim += script[j + 1] ?? '';
          j += 2;
          continue;
        }
        delim += ch;
        j++;
      }
      const index = heredocs.length + pending.length;
      heredocs[index] = '';
      pending.push({ index, delim, stripTabs });
      out += ` <<< '${HEREDOC_MARK}${index}${HEREDOC_MARK}' `;
      i = j;
      continue;
    }
    if (c === '\n') {
      out += ' ; ';
      i++;
      if (pending.length) readHeredocBodies();
      continue;
    }
    out += c;
    i++;
  }
  if (pending.length) readHeredocBodies();
  return { text: out, heredocs, backticks };
}

/** The control operator a token is, if it is one. */
function opOf(t: ParseEntry | undefined): string | undefined {
  return typeof t === 'object' && t !== null && 'op' in t && t.op !== 'glob' ? t.op : undefined;
}

function isOp(t: ParseEntry | undefined, op: string): boolean {
  return opOf(t) === op;
}

/** Index of the `)` closing the group opened just before `start`. */
function closingParen(tokens: ParseEntry[], start: number): number {
  let depth = 1;
  for (let k = start; k < tokens.length; k++) {
    const t = tokens[k];
    if (isOp(t, '(') || isOp(t, '<(')) depth++;
    else if (isOp(t, ')')) {
      depth--;
      if (depth === 0) return k;
    }
  }
  return tokens.length;
}

/** Index after the `)` matching the `(` at `open` in a string, or -1. */
function matchParenInString(s: string, open: number): number {
  let depth = 0;
  let quote: string | null = null;
  for (let k = open; k < s.length; k++) {
    const ch = s[k]!;
    if (quote) {
      if (ch === quote) quote = null;
      continue;
    }
    if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')') {
      depth--;
      if (depth === 0) return k + 1;
    }
  }
  return -1;
}

/**
 * The simple commands a shell command line runs, in order. Commands inside substitutions come before
 * the command whose word they produce; a pipeline's producers come before their consumer, which
 * refers to them through stdin.
 */
export function parseCommandLine(script: string): ShellCommand[] {
  const pre = prescan(script);
  const tokens = parse(pre.text, (key: string) => `${VAR_MARK}${key}${VAR_MARK}`);
  return convert(tokens, pre);
}

function convert(tokens: ParseEntry[], pre: Prescanned): ShellCommand[] {
  const out: ShellCommand[] = [];
  let words: string[] = [];
  let stdin: StdinSpec | null = null;
  let pipeFrom: ShellCommand | null = null;
  let last: ShellCommand | null = null;

  const finish = (): void => {
    if (words.length) {
      const cmd: ShellCommand = { words, stdin: stdin ?? (pipeFrom ? { kind: 'pipe', from: pipeFrom } : { kind: 'inherit' }) };
      out.push(cmd);
      last = cmd;
    }
    words = [];
    stdin = null;
    pipeFrom = null;
  };

  /** Command substitutions written inside a word (double quotes, backticks): run them, mark the word. */
  const substituteInWord = (word: string): string => {
    let w = word;
    let at = w.indexOf(`${VAR_MARK}${VAR_MARK}(`);
    while (at !== -1) {
      const end = matchParenInString(w, at + 2);
      const inner = end === -1 ? w.slice(at + 3) : w.slice(at + 3, end - 1);
      out.push(...parseCommandLine(inner));
      w = w.slice(0, at) + UNKNOWN + (end === -1 ? '' : w.slice(end));
      at = w.indexOf(`${VAR_MARK}${VAR_MARK}(`);
    }
    if (pre.backticks && w.includes('`')) {
      w = w.replace(/`([^`]*)`?/g, (_m, inner: string) => {
        out.push(...parseCommandLine(inner));
        return UNKNOWN;
      });
    }
    return w;
  };

  const heredocText = (word: string): string | null => {
    const m = new RegExp(`^${HEREDOC_MARK}(\\d+)${HEREDOC_MARK}$`).exec(word);
    return m ? (pre.heredocs[Number(m[1])] ?? '') : null;
  };

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (typeof t === 'string') {
      if (t.endsWith(`${VAR_MARK}${VAR_MARK}`) && isOp(tokens[i + 1], '(')) {
        // $( … ) outside quotes: tokens up to the matching ')' are a command line of their own.
        const close = closingParen(tokens, i + 2);
        const saved: { words: string[]; stdin: StdinSpec | null; pipeFrom: ShellCommand | null } = { words, stdin, pipeFrom };
        out.push(...convert(tokens.slice(i + 2, close), pre));
        ({ words, stdin, pipeFrom } = saved);
        words.push(substituteInWord(t.slice(0, -2)) + UNKNOWN);
        i = close;
        continue;
      }
      words.push(substituteInWord(t));
      continue;
    }
    if ('comment' in t) continue;
    if (t.op === 'glob') {
      words.push(substituteInWord((t as { pattern: string }).pattern));
      continue;
    }
    switch (t.op) {
      case '|':
      case '|&': {
        finish();
        pipeFrom = last;
        break;
      }
      case '&&':
      case '||':
      case ';':
      case ';;':
      case '&':
      case '(':
      case ')':
        finish();
        break;
      case '<': {
        const target = tokens[i + 1];
        if (typeof target === 'string') {
          stdin = { kind: 'file', path: substituteInWord(target) };
          i++;
        }
        break;
      }
      case '<<<': {
        const target = tokens[i + 1];
        if (typeof target === 'string') {
          const doc = heredocText(target);
          stdin = doc !== null ? { kind: 'text', text: doc, origin: 'a here-document' } : { kind: 'text', text: substituteInWord(target), origin: 'a here-string' };
          i++;
        }
        break;
      }
      case '<<': {
        stdin = { kind: 'unknown', origin: 'a here-document' };
        if (typeof tokens[i + 1] === 'string') i++;
        break;
      }
      case '<(': {
        const close = closingParen(tokens, i + 1);
        const saved: { words: string[]; stdin: StdinSpec | null; pipeFrom: ShellCommand | null } = { words, stdin, pipeFrom };
        out.push(...convert(tokens.slice(i + 1, close), pre));
        ({ words, stdin, pipeFrom } = saved);
        words.push(UNKNOWN);
        i = close;
        break;
      }
      default: {
        // Output redirections (>, >>, >&, …): drop a preceding file-descriptor number and the target.
        if (t.op.startsWith('>') || t.op.endsWith('>')) {
          if (words.length && /^\d+$/.test(words[words.length - 1]!)) words.pop();
          if (typeof tokens[i + 1] === 'string') i++;
        }
        break;
      }
    }
  }
  finish();
  return out;
}

export interface ExpandContext {
  env: Readonly<Record<string, string | undefined>>;
  /** $1, $2, … and "$@" (sh -c 'script' $0 $1 …). */
  positional: readonly string[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function variableValue(expr: string, ctx: ExpandContext): string {
  if (expr === '') return UNKNOWN; // a command substitution that was not recognised as one
  if (/^\d+$/.test(expr)) return ctx.positional[Number(expr) - 1] ?? '';
  if (expr === '@' || expr === '*') return ctx.positional.join(' ');
  if (expr === '#') return String(ctx.positional.length);
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(:?[-=+?])(.*)$/s.exec(expr);
  if (m) {
    const [, name, op, word] = m as unknown as [string, string, string, string];
    const value = lookup(name, ctx);
    const set = value !== undefined && (op.startsWith(':') ? value !== '' : true);
    if (op.endsWith('+')) return set ? word : '';
    return set ? value : word;
  }
  if (NAME.test(expr)) return lookup(expr, ctx) ?? '';
  return UNKNOWN; // $?, $$, $!, ${#X}, ${X/a/b}, …
}

function lookup(name: string, ctx: ExpandContext): string | undefined {
  const value = ctx.env[name];
  if (value !== undefined) return value;
  // npm sets these for scripts; the script runner is whichever package manager runs it.
  if (name === 'npm_execpath') return 'npm';
  if (name === 'npm_node_execpath') return 'node';
  if (name.startsWith('npm_')) return UNKNOWN;
  return undefined;
}

/**
 * Expand the variable placeholders of one word. A word that is exactly "$@" (or "$*") expands to the
 * positional parameters as separate words; everything else to one word. Values are not re-split.
 */
export function expandWord(word: string, ctx: ExpandContext): string[] {
  if (word === `${VAR_MARK}@${VAR_MARK}` || word === `${VAR_MARK}*${VAR_MARK}`) return [...ctx.positional];
  return [word.replace(PLACEHOLDER, (_m, expr: string) => variableValue(expr, ctx))];
}

/** A leading NAME=value word of a simple command. */
export function assignment(word: string): { name: string; value: string } | null {
  const eq = word.indexOf('=');
  if (eq <= 0) return null;
  const name = word.slice(0, eq);
  return NAME.test(name) ? { name, value: word.slice(eq + 1) } : null;
}

/** Split a string into words the way `env -S` and `npx -c` arguments are split (no operators kept). */
export function splitWords(text: string): string[] {
  return parse(text, (key: string) => `$${key}`).map((t) => (typeof t === 'string' ? t : 'pattern' in t ? t.pattern : 'op' in t ? t.op : ''));
}
