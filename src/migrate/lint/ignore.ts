/**
 * Inline ignore comments:
 *
 *     -- dbward-lint-ignore rule-id[, rule-id]: reason why this is safe here
 *     ALTER TABLE …;
 *
 * The comment applies to the next statement, with only blank or comment lines in between. The
 * reason is mandatory; an ignore without one (or naming an unknown rule) is itself a finding and
 * ignores nothing.
 */
import type { SourceText } from './source.js';

export const IGNORE_MARKER = 'dbward-lint-ignore';
const IGNORE_LINE = /^\s*--\s*dbward-lint-ignore\b(.*)$/;

export interface IgnoreComment {
  /** 1-based line of the comment. */
  line: number;
  rules: string[];
  reason: string;
  /** Why the comment is unusable, when it is. */
  invalid?: string;
  used: boolean;
}

export function parseIgnoreComments(source: SourceText, knownRules: ReadonlySet<string>): IgnoreComment[] {
  const ignores: IgnoreComment[] = [];
  for (let line = 1; line <= source.lineCount; line++) {
    const match = IGNORE_LINE.exec(source.line(line));
    if (!match) continue;
    const body = (match[1] ?? '').trim();
    const colon = body.indexOf(':');
    const ruleText = colon === -1 ? body : body.slice(0, colon);
    const reason = colon === -1 ? '' : body.slice(colon + 1).trim();
    const rules = ruleText.split(',').map((r) => r.trim()).filter((r) => r.length > 0);
    const ignore: IgnoreComment = { line, rules, reason, used: false };
    const unknown = rules.filter((r) => !knownRules.has(r));
    if (rules.length === 0) ignore.invalid = 'names no rule';
    else if (unknown.length > 0) ignore.invalid = `names unknown rule ${unknown.join(', ')}`;
    else if (reason.length === 0) ignore.invalid = 'gives no reason';
    ignores.push(ignore);
  }
  return ignores;
}

function isTriviaLine(text: string): boolean {
  const t = text.trim();
  return t.length === 0 || t.startsWith('--');
}

/** The valid ignore comments that apply to a statement starting on `statementLine`. */
export function ignoresFor(source: SourceText, ignores: IgnoreComment[], statementLine: number): IgnoreComment[] {
  const applicable: IgnoreComment[] = [];
  for (let line = statementLine - 1; line >= 1; line--) {
    const ignore = ignores.find((i) => i.line === line);
    if (ignore && !ignore.invalid) applicable.push(ignore);
    if (!isTriviaLine(source.line(line))) break;
  }
  return applicable;
}
