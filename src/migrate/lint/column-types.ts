/**
 * Comparing a column's old and new type, to tell a widening change from a narrowing one. Dialect
 * modules normalise their parser's type names into ColumnType first.
 */
import type { ColumnType } from './types.js';

export type TypeChange = 'same' | 'widening' | 'narrowing' | 'enum-removed' | 'enum-reordered';

const INT_BYTES: Record<string, number> = { tinyint: 1, smallint: 2, mediumint: 3, int: 4, bigint: 8 };
const FLOAT_BYTES: Record<string, number> = { real: 4, float: 4, double: 8 };
const TEXT_CAPACITY: Record<string, number> = { tinytext: 255, text: Number.POSITIVE_INFINITY, mediumtext: 16_777_215, longtext: Number.POSITIVE_INFINITY };
const STRING_TYPES = new Set(['varchar', 'char', ...Object.keys(TEXT_CAPACITY)]);

function family(t: ColumnType): string {
  if (t.name in INT_BYTES) return 'int';
  if (t.name in FLOAT_BYTES) return 'float';
  if (STRING_TYPES.has(t.name)) return 'string';
  return t.name;
}

/** How many values (or characters) the type can hold, for comparison within its family. */
function capacity(t: ColumnType): number {
  if (t.name in INT_BYTES) return INT_BYTES[t.name] ?? 0;
  if (t.name in FLOAT_BYTES) return FLOAT_BYTES[t.name] ?? 0;
  if (t.name in TEXT_CAPACITY) return TEXT_CAPACITY[t.name] ?? 0;
  if (t.name === 'varchar' || t.name === 'char') return t.args[0] ?? Number.POSITIVE_INFINITY;
  return t.args[0] ?? Number.POSITIVE_INFINITY;
}

function compareEnum(old: string[], next: string[]): TypeChange {
  if (old.some((v) => !next.includes(v))) return 'enum-removed';
  const prefixKept = old.every((v, i) => next[i] === v);
  if (!prefixKept) return 'enum-reordered';
  return next.length === old.length ? 'same' : 'widening';
}

export function compareTypes(old: ColumnType, next: ColumnType): TypeChange {
  if ((old.name === 'enum' || old.name === 'set') && next.name === old.name) return compareEnum(old.values ?? [], next.values ?? []);
  const oldFamily = family(old);
  const nextFamily = family(next);
  if (oldFamily !== nextFamily) {
    // Anything can be written as unbounded text; every other conversion can fail or lose information.
    return nextFamily === 'string' && capacity(next) === Number.POSITIVE_INFINITY ? 'widening' : 'narrowing';
  }
  if (oldFamily === 'numeric' || oldFamily === 'decimal') {
    const [p1 = 1000, s1 = 0] = old.args;
    const [p2 = 1000, s2 = 0] = next.args;
    if (p2 - s2 < p1 - s1 || s2 < s1) return 'narrowing';
    return p1 === p2 && s1 === s2 ? 'same' : 'widening';
  }
  if (oldFamily === 'timestamp' || oldFamily === 'timestamptz' || oldFamily === 'time' || oldFamily === 'interval') {
    const a = old.args[0] ?? 6;
    const b = next.args[0] ?? 6;
    return b < a ? 'narrowing' : b === a ? 'same' : 'widening';
  }
  const a = capacity(old);
  const b = capacity(next);
  if (b < a) return 'narrowing';
  return a === b ? 'same' : 'widening';
}
