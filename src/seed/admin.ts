/**
 * The admin bootstrap: an admin user built from ADMIN_BOOTSTRAP_EMAIL and ADMIN_BOOTSTRAP_PASSWORD.
 *
 * The password is registered as a secret the moment it is read (so every redacted output hides it),
 * kept in a SecretString that prints as *** (so logging an options object cannot leak it), checked
 * against the policy with messages that never contain it, and written only as an argon2id (or
 * bcrypt) hash. No child process is ever started here.
 *
 * Idempotency: the admin is found by email (case-insensitively). If it exists and its stored hash
 * verifies the current password, nothing changes. If the hash does not verify (the admin changed
 * the password in the app, or the variable changed), the stored hash is kept and the report says so;
 * only `resetAdminPassword` replaces it. Reseeding must never silently undo a password change.
 */
import { inspect } from 'node:util';
import { resolveEnv, type EnvRequirement } from '../core/config.js';
import { OperationError } from '../core/errors.js';
import { REDACTED, registerSecret } from '../core/redact.js';
import { hashPassword, verifyPassword } from './hash.js';
import type { CompiledAdmin } from './plan.js';
import { checkPasswordPolicy, validateEmail } from './policy.js';
import type { RowOutcome, SeedRunner } from './rows.js';
import type { HashAlgorithm } from './schema.js';
import { PendingValue, displayValue } from './values.js';

export const ADMIN_EMAIL_VAR = 'ADMIN_BOOTSTRAP_EMAIL';
export const ADMIN_PASSWORD_VAR = 'ADMIN_BOOTSTRAP_PASSWORD';

/** A secret string that never shows itself: String(), JSON and util.inspect all give ***. */
export class SecretString {
  readonly #value: string;
  constructor(value: string) {
    registerSecret(value);
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
  [inspect.custom](): string {
    return REDACTED;
  }
}

export interface AdminCredentials {
  email: string;
  password: SecretString;
}

export interface EnvSources {
  env: NodeJS.ProcessEnv;
  dotenv: Record<string, string>;
}

function lookup(sources: EnvSources, name: string): string | undefined {
  const value = sources.env[name] ?? sources.dotenv[name];
  return value === '' ? undefined : value;
}

/**
 * The two variables as EnvRequirements for resolveEnv, which reports every problem at once. The
 * password's validator registers it as a secret before anything else, and checks the local-part
 * rule against the email from the same sources.
 */
export function adminEnvRequirements(options: { sources: EnvSources; hash?: HashAlgorithm }): EnvRequirement[] {
  return [
    {
      name: ADMIN_EMAIL_VAR,
      description: "the bootstrap admin's email address (the seed file defines an admin)",
      required: true,
      validate: (value) => {
        const problem = validateEmail(value);
        return problem ? `not a usable email address: ${problem}` : null;
      },
    },
    {
      name: ADMIN_PASSWORD_VAR,
      description: "the bootstrap admin's initial password (stored only as a hash)",
      required: true,
      validate: (value) => {
        registerSecret(value);
        const email = lookup(options.sources, ADMIN_EMAIL_VAR);
        const usableEmail = email !== undefined && validateEmail(email) === null ? email : undefined;
        const problems = checkPasswordPolicy(value, { email: usableEmail, hash: options.hash });
        return problems.length ? `the password ${problems.join('; ')}` : null;
      },
    },
  ];
}

/** Read and check both variables (all problems at once, ConfigError exit 2). */
export function resolveAdminCredentials(options: { sources: EnvSources; hash?: HashAlgorithm }): AdminCredentials {
  // Register first: even a password that fails the policy must never be shown.
  registerSecret(lookup(options.sources, ADMIN_PASSWORD_VAR));
  const values = resolveEnv(adminEnvRequirements(options), options.sources);
  return { email: values[ADMIN_EMAIL_VAR]!, password: new SecretString(values[ADMIN_PASSWORD_VAR]!) };
}

/**
 * set: new admin, hash stored; verified: the stored hash verifies the password; kept: it does not,
 * and was left alone; reset: it was replaced (resetAdminPassword).
 */
export type AdminPasswordStatus = 'set' | 'verified' | 'kept' | 'reset';

export interface AdminReport {
  table: string;
  email: string;
  hash: HashAlgorithm;
  action: RowOutcome['action'];
  /** What happened to the password hash (named so that output redaction of "password" keys leaves it readable). */
  passwordStatus: AdminPasswordStatus;
  /** Columns an update changed (names only). */
  columns: string[];
}

export interface AdminOutcome {
  report: AdminReport;
  /** The value link rows store for the admin, per admin-table column (PendingValue in a dry run). */
  idFor(column: string): unknown;
}

/** Insert or update the admin row. */
export async function applyAdmin(
  runner: SeedRunner,
  admin: CompiledAdmin,
  credentials: AdminCredentials,
  options: { resetPassword: boolean; tableLabel: string },
): Promise<AdminOutcome> {
  const { table, emailColumn, hashColumn } = admin;
  const what = `the admin in "${options.tableLabel}"`;
  const values = await runner.resolveValues(admin.values);
  const linkColumns = admin.links.map((l) => l.adminColumn.name);
  const select = [...new Set([emailColumn.name, hashColumn.name, ...values.keys(), ...linkColumns])];
  const params = [credentials.email.toLowerCase()];
  const sql = `SELECT ${select.map((c) => runner.q(c)).join(', ')} FROM ${runner.ref(table)} WHERE LOWER(${runner.q(emailColumn.name)}) = ${runner.dialect.placeholder(1)}`;
  const found = await runner.run(sql, params, what);
  if (found.length > 1) {
    throw new OperationError(`${found.length} rows in "${options.tableLabel}" have the admin's email (compared case-insensitively); nothing was written.`, 'Resolve the duplicate users first.');
  }

  const report = (action: RowOutcome['action'], password: AdminPasswordStatus, columns: string[]): AdminReport => ({
    table: options.tableLabel,
    email: credentials.email,
    hash: admin.hash,
    action,
    passwordStatus: password,
    columns,
  });

  if (found.length === 0) {
    const hash = runner.dryRun ? null : await hashPassword(credentials.password.reveal(), admin.hash);
    registerSecret(hash);
    await runner.insert(table, new Map<string, unknown>([[emailColumn.name, credentials.email], [hashColumn.name, hash], ...values]), what);
    const stored = runner.dryRun ? null : await runner.run(sql, params, what);
    return {
      report: report('inserted', 'set', []),
      idFor: (column) => (stored ? stored[0]?.[column] : new PendingValue(`admin ${displayValue(credentials.email)}`)),
    };
  }

  const row = found[0]!;
  const changed = admin.updateExisting ? runner.changedColumns(table, row, values) : [];
  const set = new Map(changed.map((c) => [c, values.get(c)]));
  let password: AdminPasswordStatus = (await verifyPassword(row[hashColumn.name], credentials.password.reveal())) ? 'verified' : 'kept';
  if (password === 'kept' && options.resetPassword) {
    const hash = runner.dryRun ? null : await hashPassword(credentials.password.reveal(), admin.hash);
    registerSecret(hash);
    set.set(hashColumn.name, hash);
    password = 'reset';
  }
  if (set.size) await runner.update(table, set, new Map([[emailColumn.name, row[emailColumn.name]]]), what);
  return { report: report(set.size ? 'updated' : 'unchanged', password, [...set.keys()]), idFor: (column) => row[column] };
}
