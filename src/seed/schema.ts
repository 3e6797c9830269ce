/**
 * The seed file format (see docs/seed.md). Validated strictly: an unknown key is an error, and
 * every error names the key path (`tables.2.rows.0.role_id`).
 *
 * A row maps column names to values. A value is
 *   - a scalar: string, number, boolean or null;
 *   - a reference `{ ref: TABLE, where: { COLUMN: scalar, … }, column?: COLUMN }`: the value of
 *     `column` in the one row of TABLE that matches `where` (default column: the one the foreign key
 *     points at, else the referenced table's single-column primary key);
 *   - a JSON value: any other object or array, or `{ json: ANY }` to store an object that would
 *     otherwise look like a reference.
 * In a row (not in `values`), the key `environments` is reserved: the row applies only there.
 */
import * as z from 'zod';
import { ConfigError } from '../core/errors.js';

export const SEED_ENVIRONMENTS = ['development', 'test', 'staging', 'production'] as const;
export type SeedEnvironment = (typeof SEED_ENVIRONMENTS)[number];

export const HASH_ALGORITHMS = ['argon2id', 'bcrypt'] as const;
export type HashAlgorithm = (typeof HASH_ALGORITHMS)[number];

export type Scalar = string | number | boolean | null;

export interface RefValue {
  /** Table to look the row up in. */
  ref: string;
  /** Column values that identify exactly one row (usually its natural key). */
  where: Record<string, Scalar>;
  /** Column whose value to use. Default: the column the foreign key references, else the single-column primary key. */
  column?: string;
}

export interface JsonWrapper {
  json: unknown;
}

/** Date is accepted from TS/JS seed modules; YAML and JSON write dates and timestamps as strings. */
export type SeedValue = Scalar | Date | RefValue | JsonWrapper | unknown[] | { [key: string]: unknown };

/** Column → value. In `tables[].rows`, the key `environments` restricts the row to those environments. */
export type SeedRow = Record<string, SeedValue>;

export interface SeedTable {
  /** Table name, or schema.table when the name exists in more than one schema. */
  table: string;
  /** The natural key: columns that identify a row across databases (never a generated id). */
  key: string[];
  /** Apply this block only in these environments. */
  environments?: SeedEnvironment[];
  /** false: insert missing rows but never change existing ones. Default true. */
  updateExisting?: boolean;
  rows: SeedRow[];
}

export interface SeedAdminLink {
  /** Link table, e.g. memberships or user_roles. */
  table: string;
  /** Column of the link table that references the admin's row. */
  userColumn: string;
  /** Natural key of the link row. Default: userColumn plus every column in values. */
  key?: string[];
  /** The link row's other columns (often references). */
  values?: SeedRow;
}

export interface SeedAdmin {
  table: string;
  /** Default email. */
  emailColumn?: string;
  /** Default password_hash. */
  passwordHashColumn?: string;
  /** Default argon2id. */
  hash?: HashAlgorithm;
  /** The admin row's other columns. */
  values?: SeedRow;
  environments?: SeedEnvironment[];
  /** false: never change an existing admin's other columns. Default true. */
  updateExisting?: boolean;
  links?: SeedAdminLink[];
}

export interface SeedFile {
  /** Apply this whole file only in these environments. */
  environments?: SeedEnvironment[];
  admin?: SeedAdmin;
  tables?: SeedTable[];
}

/** Identity function that gives TS/JS seed modules their type: `export default defineSeed({ … })`. */
export function defineSeed(seed: SeedFile): SeedFile {
  return seed;
}

const RESERVED_ROW_KEY = 'environments';

const name = z
  .string()
  .min(1, 'must not be empty')
  .max(128, 'is longer than 128 characters')
  .refine((s) => !s.includes('\0'), 'must not contain a NUL character');

const environments = z.array(z.enum(SEED_ENVIRONMENTS)).min(1, 'needs at least one environment');

const scalar = z.union([z.string(), z.number().finite(), z.boolean(), z.null()], {
  error: 'must be a string, a finite number, a boolean or null',
});

const refSchema = z
  .object({
    ref: name,
    where: z.record(name, scalar).refine((w) => Object.keys(w).length > 0, 'needs at least one column'),
    column: name.optional(),
  })
  .strict();

/** An object literal (not an array, Date or Buffer): a reference, `{ json: … }` or a JSON object. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

export function isRef(value: unknown): value is RefValue {
  return isPlainObject(value) && 'ref' in value;
}

export function isJsonWrapper(value: unknown): value is JsonWrapper {
  return isPlainObject(value) && Object.keys(value).length === 1 && 'json' in value;
}

type Ctx = z.RefinementCtx;

function checkValue(value: unknown, path: PropertyKey[], ctx: Ctx): void {
  if (isRef(value)) {
    const parsed = refSchema.safeParse(value);
    if (!parsed.success) for (const issue of parsed.error.issues) addIssue(ctx, issue, path);
    return;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    ctx.addIssue({ code: 'custom', message: 'must be a finite number', path });
  }
  if (value instanceof Date && Number.isNaN(value.getTime())) ctx.addIssue({ code: 'custom', message: 'is an invalid Date', path });
  const plainKind = value === null || Array.isArray(value) || value instanceof Date || isPlainObject(value) || ['string', 'number', 'boolean'].includes(typeof value);
  if (!plainKind) {
    ctx.addIssue({ code: 'custom', message: 'must be a string, number, boolean, null, a Date, a reference or a JSON value (write big integers as strings)', path });
  }
}

function addIssue(ctx: Ctx, issue: z.core.$ZodIssue, base: PropertyKey[]): void {
  if (issue.code === 'unrecognized_keys') {
    ctx.addIssue({ code: 'custom', message: `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`, path: [...base, ...issue.path] });
  } else {
    ctx.addIssue({ code: 'custom', message: issue.message, path: [...base, ...issue.path] });
  }
}

/** Column values; `environments` allowed (and reserved) only where allowEnvironments. */
function rowSchema(allowEnvironments: boolean) {
  return z.record(name, z.unknown()).superRefine((row, ctx) => {
    for (const [key, value] of Object.entries(row)) {
      if (key === RESERVED_ROW_KEY && allowEnvironments) {
        const parsed = environments.safeParse(value);
        if (!parsed.success) for (const issue of parsed.error.issues) addIssue(ctx, issue, [key]);
        continue;
      }
      checkValue(value, [key], ctx);
    }
  });
}

function uniqueNames(list: string[]): boolean {
  return new Set(list).size === list.length;
}

const tableSchema = z
  .object({
    table: name,
    key: z.array(name).min(1, 'needs at least one column').refine(uniqueNames, 'lists a column twice'),
    environments: environments.optional(),
    updateExisting: z.boolean().optional(),
    rows: z.array(rowSchema(true)),
  })
  .strict()
  .superRefine((block, ctx) => {
    block.rows.forEach((row, i) => {
      for (const column of block.key) {
        if (!(column in row)) ctx.addIssue({ code: 'custom', message: `is missing key column "${column}"`, path: ['rows', i] });
        else if (!isScalarOrRef(row[column])) {
          ctx.addIssue({ code: 'custom', message: 'a key column needs a scalar or a reference', path: ['rows', i, column] });
        }
      }
    });
  });

function isScalarOrRef(value: unknown): boolean {
  return value === null || value instanceof Date || ['string', 'number', 'boolean'].includes(typeof value) || isRef(value);
}

const linkSchema = z
  .object({
    table: name,
    userColumn: name,
    key: z.array(name).min(1, 'needs at least one column').refine(uniqueNames, 'lists a column twice').optional(),
    values: rowSchema(false).optional(),
  })
  .strict()
  .superRefine((link, ctx) => {
    const values = link.values ?? {};
    if (link.userColumn in values) ctx.addIssue({ code: 'custom', message: 'must not set userColumn: it is the admin', path: ['values', link.userColumn] });
    for (const column of link.key ?? []) {
      if (column !== link.userColumn && !(column in values)) {
        ctx.addIssue({ code: 'custom', message: `key column "${column}" is neither userColumn nor in values`, path: ['key'] });
      }
    }
  });

const adminSchema = z
  .object({
    table: name,
    emailColumn: name.optional(),
    passwordHashColumn: name.optional(),
    hash: z.enum(HASH_ALGORITHMS).optional(),
    values: rowSchema(false).optional(),
    environments: environments.optional(),
    updateExisting: z.boolean().optional(),
    links: z.array(linkSchema).optional(),
  })
  .strict()
  .superRefine((admin, ctx) => {
    const values = admin.values ?? {};
    for (const column of [admin.emailColumn ?? 'email', admin.passwordHashColumn ?? 'password_hash']) {
      if (column in values) {
        ctx.addIssue({ code: 'custom', message: 'is set from ADMIN_BOOTSTRAP_EMAIL / ADMIN_BOOTSTRAP_PASSWORD, not from values', path: ['values', column] });
      }
    }
  });

export const seedFileSchema = z
  .object({
    environments: environments.optional(),
    admin: adminSchema.optional(),
    tables: z.array(tableSchema).optional(),
  })
  .strict();

function describePath(path: readonly PropertyKey[]): string {
  return path.length ? path.map(String).join('.') : '(top level)';
}

/** One line per problem, each naming the key path. */
export function seedIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const base = issue.path.length ? `${describePath(issue.path)}.` : '';
      return issue.keys.map((k) => `unknown key "${base}${k}"`).join('; ');
    }
    return `key "${describePath(issue.path)}": ${issue.message}`;
  });
}

/** Validate a parsed seed document; `source` names it in the error. */
export function parseSeedFile(raw: unknown, source: string): SeedFile {
  const parsed = seedFileSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new ConfigError(`Invalid seed file ${source}:`, seedIssues(parsed.error));
  return parsed.data as SeedFile;
}
