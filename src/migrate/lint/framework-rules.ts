/** Rules that belong to the framework rather than to one dialect. */
import type { RuleDefinition } from './types.js';

export const PARSE_ERROR: RuleDefinition = {
  id: 'parse-error',
  severity: 'error',
  category: 'parse',
  summary: "The engine's grammar rejects the statement.",
  problem: 'The statement is not valid SQL for this engine: the migration fails when it reaches it (on MySQL, after the statements before it have been committed).',
  fix: 'Correct the statement; run it against a scratch database to confirm.',
};

export const UNPARSED_STATEMENT: RuleDefinition = {
  id: 'unparsed-statement',
  severity: 'warning',
  category: 'parse',
  summary: "The linter's parser cannot read the statement, so no rule checked it.",
  problem: 'The statement could not be parsed by the analysing parser, so none of the safety rules were applied to it; it may still be valid for the engine.',
  fix: 'Review the statement by hand; if it is safe, add `-- dbward-lint-ignore unparsed-statement: <reason>` above it.',
};

export const INVALID_IGNORE: RuleDefinition = {
  id: 'invalid-ignore',
  severity: 'error',
  category: 'lint',
  summary: 'An ignore comment without a reason, or naming no or unknown rules.',
  problem: 'An ignore comment must name the rules it silences and say why the statement is safe; this one does not, so it silences nothing.',
  fix: 'Write `-- dbward-lint-ignore <rule-id>[, <rule-id>]: <reason>` on the line before the statement.',
};

export const UNUSED_IGNORE: RuleDefinition = {
  id: 'unused-ignore',
  severity: 'warning',
  category: 'lint',
  summary: 'An ignore comment that silences nothing.',
  problem: 'The ignore comment names a rule that does not fire on the next statement; it would silently hide a future problem there.',
  fix: 'Remove the comment, or move it to the line directly above the statement it is meant for.',
};

export const FRAMEWORK_RULES: readonly RuleDefinition[] = [PARSE_ERROR, UNPARSED_STATEMENT, INVALID_IGNORE, UNUSED_IGNORE];
