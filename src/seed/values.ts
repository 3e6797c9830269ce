/**
 * Values between the seed file, the drivers and the comparison that decides "unchanged".
 *
 * Drivers return the same stored value in different shapes (PostgreSQL bigint and numeric as
 * strings, booleans as 0/1 on SQLite and MySQL, JSON as text or parsed, timestamps as Date or text),
 * so both sides are reduced to one canonical string per column type before comparing.
 */
import type { Column } from '../schema/model.js';
import { isJsonWrapper, isPlainObject } from './schema.js';

/** Stands for the key of a row a dry run would insert: it matches nothing stored. */
export class PendingValue {
  constructor(readonly label: string) {}
  toString(): string {
    return `(new ${this.label})`;
  }
}

/** True when the seed value is stored as JSON text (objects, arrays, `{ json: … }`). */
export function isJsonValue(value: unknown): boolean {
  return Array.isArray(value) || isPlainObject(value);
}

function unwrapJson(value: unknown): unknown {
  return isJsonWrapper(value) ? value.json : value;
}

/** The parameter to bind for a literal seed value in this column. */
export function toParam(value: unknown, column: Column): unknown {
  const v = unwrapJson(value);
  if (isJsonValue(v)) return JSON.stringify(v);
  if (column.typeCategory === 'json' && typeof v !== 'string' && v !== null) return JSON.stringify(v);
  return v;
}

/** JSON with sorted object keys: jsonb and MySQL reorder keys, so order never counts as a change. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (isPlainObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/;

function canonicalDecimal(text: string): string {
  const t = text.trim();
  if (/e/i.test(t)) {
    const n = Number(t);
    return Number.isFinite(n) ? canonicalDecimal(n.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 })) : t;
  }
  const m = DECIMAL.exec(t);
  if (!m) return t;
  const int = (m[2] ?? '').replace(/^0+/, '') || '0';
  const frac = (m[3] ?? '').replace(/0+$/, '');
  const sign = m[1] === '-' && (int !== '0' || frac !== '') ? '-' : '';
  return `${sign}${int}${frac ? `.${frac}` : ''}`;
}

function canonicalBoolean(value: unknown): string {
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number' || typeof value === 'bigint') return String(value !== 0 && value !== 0n);
  if (typeof value === 'string') {
    const s = value.trim().toLowerCase();
    if (['1', 't', 'true', 'y', 'yes', 'on'].includes(s)) return 'true';
    if (['0', 'f', 'false', 'n', 'no', 'off'].includes(s)) return 'false';
  }
  return String(value);
}

function canonicalJson(value: unknown): string {
  if (typeof value === 'string') {
    try {
      return stableJson(JSON.parse(value));
    } catch {
      return stableJson(value);
    }
  }
  if (Buffer.isBuffer(value)) return canonicalJson(value.toString('utf8'));
  return stableJson(value);
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function canonicalDate(value: unknown): string {
  // pg returns DATE as a Date at local midnight.
  if (value instanceof Date) return `${pad(value.getFullYear(), 4)}-${pad(value.getMonth() + 1)}-${pad(value.getDate())}`;
  const s = String(value);
  return /^\d{4}-\d{2}-\d{2}/.test(s) ? s.slice(0, 10) : s;
}

function canonicalTimestamp(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  const s = String(value).trim();
  // Date.parse reads "YYYY-MM-DD HH:MM:SS" (no zone) as local time, as pg and mysql2 do for zone-less columns.
  const ms = Date.parse(s.includes(' ') && !s.includes('T') ? s.replace(' ', 'T') : s);
  return Number.isNaN(ms) ? s : new Date(ms).toISOString();
}

function canonicalScalar(value: unknown): string {
  if (Buffer.isBuffer(value)) return `\\x${value.toString('hex')}`;
  if (value instanceof Date) return value.toISOString();
  if (isJsonValue(value)) return stableJson(value);
  return String(value);
}

/**
 * The canonical text of a value in a column, or null for SQL NULL. Equal canonical texts mean the
 * stored value already is what the seed says.
 */
export function canonical(value: unknown, column: Column): string | null {
  const v = unwrapJson(value);
  if (v === null || v === undefined) return null;
  if (v instanceof PendingValue) return `\u0000pending:${v.label}`;
  if (isJsonValue(v) && column.typeCategory !== 'json') return stableJson(v);
  switch (column.typeCategory) {
    case 'boolean':
      return canonicalBoolean(v);
    case 'integer': {
      if (typeof v === 'boolean') return v ? '1' : '0';
      const s = String(v).trim();
      return INTEGER.test(s) ? BigInt(s).toString() : canonicalDecimal(s);
    }
    case 'decimal':
    case 'float':
      if (typeof v === 'boolean') return v ? '1' : '0';
      return canonicalDecimal(String(v));
    case 'json':
      return canonicalJson(v);
    case 'date':
      return canonicalDate(v);
    case 'timestamp':
      return canonicalTimestamp(v);
    case 'uuid':
      return String(v).toLowerCase();
    default:
      return canonicalScalar(v);
  }
}

/** Short display of a value for key labels: never used for secrets. */
export function displayValue(value: unknown): string {
  if (value instanceof PendingValue) return value.toString();
  if (typeof value === 'string') return /^[\w.@:/+-]+$/.test(value) ? value : JSON.stringify(value);
  if (isJsonValue(value)) return stableJson(value);
  return String(value);
}
