/** Runs a corpus through classifySql and reports every mismatch as a readable line. */
import { classifySql } from '../../../src/guard/classify/index.js';
import type { ClassifiedStatement, Dialect } from '../../../src/guard/classify/types.js';
import type { CorpusCase } from './types.js';

export function problemsOf(dialect: Dialect, c: CorpusCase): string[] {
  const problems: string[] = [];
  let result: ClassifiedStatement[];
  try {
    result = classifySql(dialect, c.sql);
  } catch (error) {
    return [`threw ${String(error)}`];
  }
  const expected = Array.isArray(c.classes) ? c.classes : [c.classes];
  const got = result.map((s) => s.class);
  if (got.join(',') !== expected.join(',')) problems.push(`classes ${got.join(',')} (expected ${expected.join(',')}); reasons: ${result.map((s) => s.reasons.join(' | ')).join(' ;; ')}`);
  const last = result[result.length - 1];
  if (!last) return problems;
  const destructive = result.filter((s) => s.class === 'destructive');
  for (const word of c.mentions ?? []) {
    const text = destructive.map((s) => s.reasons.join(' ')).join(' ').toLowerCase();
    if (!text.includes(word.toLowerCase())) problems.push(`reasons do not mention "${word}": ${destructive.map((s) => s.reasons.join(' | ')).join(' ;; ')}`);
  }
  for (const s of destructive) if (s.reasons.length === 0) problems.push(`destructive statement ${s.index} has no reason`);
  if (c.kind !== undefined && last.kind !== c.kind) problems.push(`kind ${last.kind} (expected ${c.kind})`);
  if (c.rowBounded !== undefined && last.rowBounded !== c.rowBounded) problems.push(`rowBounded ${last.rowBounded} (expected ${c.rowBounded})`);
  if (c.nonTransactional !== undefined && last.nonTransactional !== c.nonTransactional) problems.push(`nonTransactional ${last.nonTransactional} (expected ${c.nonTransactional})`);
  if (c.transactionControl !== undefined && last.transactionControl !== c.transactionControl) problems.push(`transactionControl ${last.transactionControl} (expected ${c.transactionControl})`);
  if (c.runsCode !== undefined && (last.runsCode ?? false) !== c.runsCode) problems.push(`runsCode ${last.runsCode} (expected ${c.runsCode})`);
  for (const t of c.targets ?? []) {
    const found = last.targets.some((x) => Object.entries(t).every(([k, v]) => (x as unknown as Record<string, unknown>)[k] === v));
    if (!found) problems.push(`no target ${JSON.stringify(t)} in ${JSON.stringify(last.targets)}`);
  }
  return problems;
}
