/**
 * Engine-neutral boolean expressions for the classifier: each dialect turns its parser's WHERE
 * clause into this small normalised form, and `alwaysTrue` decides whether it selects every row
 * (`1=1`, `true`, `'a'='a'`, `id = id`, `x IS NULL OR x IS NOT NULL`, `NOT false`, `1`, an OR with
 * one true branch …). It errs towards "always true": a WHERE that merely looks like a tautology makes
 * the statement destructive (approval needed), never the other way round. What it cannot decide is
 * left to the impact assessment, which counts the rows the statement really changes.
 */

export type CmpOp = '=' | '<>' | '<' | '<=' | '>' | '>=' | 'distinct' | 'notdistinct';

export type Expr =
  | { k: 'lit'; v: number | string | boolean | null }
  | { k: 'col'; name: string }
  | { k: 'and' | 'or'; args: Expr[] }
  | { k: 'not'; arg: Expr }
  | { k: 'cmp'; op: CmpOp; l: Expr; r: Expr }
  /** IS [NOT] NULL */
  | { k: 'null'; arg: Expr; neg: boolean }
  /** IS [NOT] TRUE / FALSE */
  | { k: 'is'; arg: Expr; value: boolean; neg: boolean }
  | { k: 'like'; arg: Expr; pattern: Expr; neg: boolean }
  | { k: 'in'; arg: Expr; list: Expr[]; neg: boolean }
  | { k: 'between'; arg: Expr; lo: Expr; hi: Expr; neg: boolean }
  | { k: 'arith'; op: string; l: Expr; r: Expr }
  | { k: 'neg'; arg: Expr }
  | { k: 'fn'; name: string; args: Expr[] }
  /** Anything else (subqueries, casts the converter does not read …): never known true or false. `key` '' never equals anything. */
  | { k: 'opaque'; key: string };

export const OPAQUE: Expr = { k: 'opaque', key: '' };
export const lit = (v: number | string | boolean | null): Expr => ({ k: 'lit', v });
export const col = (name: string): Expr => ({ k: 'col', name: name.toLowerCase() });

type Truth = 'T' | 'F' | 'U';

let unique = 0;

/** A structural key: two expressions with the same key compute the same value on the same row. */
export function exprKey(e: Expr): string {
  switch (e.k) {
    case 'lit': return `L${typeof e.v}:${String(e.v)}`;
    case 'col': return `C:${e.name}`;
    case 'and':
    case 'or': return `${e.k}(${e.args.map(exprKey).join(',')})`;
    case 'not': return `not(${exprKey(e.arg)})`;
    case 'cmp': return `cmp${e.op}(${exprKey(e.l)},${exprKey(e.r)})`;
    case 'null': return `null${e.neg ? '!' : ''}(${exprKey(e.arg)})`;
    case 'is': return `is${e.neg ? '!' : ''}${e.value}(${exprKey(e.arg)})`;
    case 'like': return `like${e.neg ? '!' : ''}(${exprKey(e.arg)},${exprKey(e.pattern)})`;
    case 'in': return `in${e.neg ? '!' : ''}(${exprKey(e.arg)};${e.list.map(exprKey).join(',')})`;
    case 'between': return `btw${e.neg ? '!' : ''}(${exprKey(e.arg)},${exprKey(e.lo)},${exprKey(e.hi)})`;
    case 'arith': return `a${e.op}(${exprKey(e.l)},${exprKey(e.r)})`;
    case 'neg': return `-(${exprKey(e.arg)})`;
    case 'fn': return `f:${e.name}(${e.args.map(exprKey).join(',')})`;
    case 'opaque': return e.key === '' ? `?${++unique}` : `O:${e.key}`;
  }
}

function same(a: Expr, b: Expr): boolean {
  if (a.k === 'opaque' || b.k === 'opaque') return a.k === 'opaque' && b.k === 'opaque' && a.key !== '' && a.key === b.key;
  return exprKey(a) === exprKey(b);
}

/** The constant value of an expression made of literals only; undefined otherwise. */
function constant(e: Expr): { v: number | string | boolean | null } | undefined {
  switch (e.k) {
    case 'lit': return { v: e.v };
    case 'neg': {
      const a = constant(e.arg);
      return a && a.v !== null ? { v: -toNumber(a.v) } : a;
    }
    case 'arith': {
      const l = constant(e.l);
      const r = constant(e.r);
      if (!l || !r) return undefined;
      if (l.v === null || r.v === null) return { v: null };
      const x = toNumber(l.v);
      const y = toNumber(r.v);
      switch (e.op) {
        case '+': return { v: x + y };
        case '-': return { v: x - y };
        case '*': return { v: x * y };
        case '/': return y === 0 ? { v: null } : { v: x / y };
        case '%': return y === 0 ? { v: null } : { v: x % y };
        default: return undefined;
      }
    }
    default: {
      const t = truthOf(e);
      return t === 'T' ? { v: true } : t === 'F' && isPredicate(e) ? { v: false } : undefined;
    }
  }
}

function isPredicate(e: Expr): boolean {
  return e.k === 'cmp' || e.k === 'null' || e.k === 'is' || e.k === 'like' || e.k === 'in' || e.k === 'between' || e.k === 'and' || e.k === 'or' || e.k === 'not';
}

/** MySQL/SQLite numeric conversion: the longest numeric prefix of a string, 0 when none. */
function toNumber(v: number | string | boolean): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  const m = /^\s*[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?/i.exec(v);
  return m ? Number(m[0]) : 0;
}

function truthOfValue(v: number | string | boolean | null): Truth {
  if (v === null) return 'F';
  if (typeof v === 'boolean') return v ? 'T' : 'F';
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (s === 't' || s === 'true' || s === 'yes' || s === 'on' || s === 'y') return 'T';
  }
  return toNumber(v) !== 0 ? 'T' : 'F';
}

function compare(op: CmpOp, a: number | string | boolean | null, b: number | string | boolean | null): Truth {
  if (op === 'notdistinct' || op === 'distinct') {
    const eq = a === null || b === null ? a === b : compare('=', a, b) === 'T';
    return (op === 'notdistinct') === eq ? 'T' : 'F';
  }
  if (a === null || b === null) return 'F';
  let c: number;
  if (typeof a === 'string' && typeof b === 'string') {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    c = x < y ? -1 : x > y ? 1 : 0;
  } else {
    c = Math.sign(toNumber(a) - toNumber(b));
  }
  const result = op === '=' ? c === 0 : op === '<>' ? c !== 0 : op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
  return result ? 'T' : 'F';
}

function likeMatches(value: string, pattern: string): boolean {
  let re = '^';
  for (const ch of pattern) re += ch === '%' ? '[\\s\\S]*' : ch === '_' ? '[\\s\\S]' : ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`${re}$`, 'i').test(value);
}

const flip = (t: Truth, neg: boolean): Truth => (!neg || t === 'U' ? t : t === 'T' ? 'F' : 'T');

/** The logical negation, normalised (NOT (a = b) → a <> b, NOT x IS NULL → x IS NOT NULL, De Morgan). */
export function negate(e: Expr): Expr {
  switch (e.k) {
    case 'not': return e.arg;
    case 'cmp': {
      const op: Record<CmpOp, CmpOp> = { '=': '<>', '<>': '=', '<': '>=', '>=': '<', '>': '<=', '<=': '>', distinct: 'notdistinct', notdistinct: 'distinct' };
      return { ...e, op: op[e.op] };
    }
    case 'null':
    case 'is':
    case 'like':
    case 'in':
    case 'between': return { ...e, neg: !e.neg };
    case 'and': return { k: 'or', args: e.args.map(negate) };
    case 'or': return { k: 'and', args: e.args.map(negate) };
    case 'lit': return { k: 'lit', v: e.v === null ? null : truthOfValue(e.v) === 'F' };
    default: return { k: 'not', arg: e };
  }
}

function truthOf(e: Expr): Truth {
  switch (e.k) {
    case 'lit': return truthOfValue(e.v);
    case 'col':
    case 'fn':
    case 'opaque': return 'U';
    case 'neg':
    case 'arith': {
      const c = constant(e);
      return c ? truthOfValue(c.v) : 'U';
    }
    case 'and': {
      const ts = e.args.map(truthOf);
      if (ts.includes('F')) return 'F';
      return ts.every((t) => t === 'T') ? 'T' : 'U';
    }
    case 'or': {
      const ts = e.args.map(truthOf);
      if (ts.includes('T')) return 'T';
      // a OR NOT a (x IS NULL OR x IS NOT NULL, x > 5 OR x <= 5 …): true for every row (NULLs aside, which we ignore: fail closed).
      const keys = new Set(e.args.map(exprKey));
      if (e.args.some((a) => keys.has(exprKey(negate(a))))) return 'T';
      return ts.every((t) => t === 'F') ? 'F' : 'U';
    }
    case 'not': return flip(truthOf(e.arg), true);
    case 'cmp': {
      const l = constant(e.l);
      const r = constant(e.r);
      if (l && r) return compare(e.op, l.v, r.v);
      if (same(e.l, e.r)) return e.op === '=' || e.op === '<=' || e.op === '>=' || e.op === 'notdistinct' ? 'T' : 'F';
      return 'U';
    }
    case 'null': {
      const c = constant(e.arg);
      if (c) return flip(c.v === null ? 'T' : 'F', e.neg);
      return 'U';
    }
    case 'is': {
      const t = truthOf(e.arg);
      if (t === 'U') return 'U';
      return flip((t === 'T') === e.value ? 'T' : 'F', e.neg);
    }
    case 'like': {
      const v = constant(e.arg);
      const p = constant(e.pattern);
      if (p && typeof p.v === 'string' && /^%+$/.test(p.v)) return flip('T', e.neg);
      if (v && p) return v.v === null || p.v === null ? 'F' : flip(likeMatches(String(v.v), String(p.v)) ? 'T' : 'F', e.neg);
      if (same(e.arg, e.pattern)) return flip('T', e.neg);
      return 'U';
    }
    case 'in': {
      if (e.list.some((item) => same(item, e.arg))) return flip('T', e.neg);
      const v = constant(e.arg);
      const items = e.list.map(constant);
      if (v && items.every((i) => i !== undefined)) {
        const hit = items.some((i) => i && compare('=', v.v, i.v) === 'T');
        if (hit) return flip('T', e.neg);
        // NOT IN with a NULL in the list is never true; IN without a hit is false.
        return e.neg && items.some((i) => i?.v === null) ? 'F' : flip('F', e.neg);
      }
      return 'U';
    }
    case 'between': {
      const v = constant(e.arg);
      const lo = constant(e.lo);
      const hi = constant(e.hi);
      if (v && lo && hi) {
        const inside = compare('>=', v.v, lo.v) === 'T' && compare('<=', v.v, hi.v) === 'T';
        return flip(inside ? 'T' : 'F', e.neg);
      }
      if (same(e.arg, e.lo) && same(e.arg, e.hi)) return flip('T', e.neg);
      return 'U';
    }
  }
}

/** Whether a WHERE clause selects every row (as far as can be told from the text). */
export function alwaysTrue(e: Expr): boolean {
  return truthOf(e) === 'T';
}

/** Whether a WHERE clause selects no row at all (`WHERE false`, `1=0`). */
export function alwaysFalse(e: Expr): boolean {
  return truthOf(e) === 'F';
}
