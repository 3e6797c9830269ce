/** The admin bootstrap's rules without a database: email, password policy, env variables, hashing, secrecy. */
import fs from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { redactText } from '../../src/core/redact.js';
import {
  ADMIN_EMAIL_VAR,
  ADMIN_PASSWORD_VAR,
  SecretString,
  checkPasswordPolicy,
  hashPassword,
  isCommonPassword,
  resolveAdminCredentials,
  validateEmail,
  verifyPassword,
} from '../../src/seed/index.js';
import { loadCommonPasswords } from '../../src/seed/policy.js';
import { ROOT } from '../helpers/databases.js';

const GOOD = 'Velvet-Quasar-Lantern-42';

function credentials(env: Record<string, string>, dotenv: Record<string, string> = {}, hash?: 'argon2id' | 'bcrypt') {
  return resolveAdminCredentials({ sources: { env, dotenv }, hash });
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('email validation', () => {
  it.each(['a@example.com', 'first.last+tag@sub.example.co.uk', "o'brien@example.ie", 'ops_team-1@xn--bcher-kva.example', 'X@EXAMPLE.ORG'])(
    'accepts %s',
    (email) => expect(validateEmail(email)).toBeNull(),
  );

  it.each([
    ['', 'name@example.com'],
    ['plain', 'name@example.com'],
    ['@example.com', 'name@example.com'],
    ['a@', 'name@example.com'],
    ['a@localhost', 'at least two parts'],
    ['a..b@example.com', 'single dots'],
    ['.a@example.com', 'single dots'],
    ['a b@example.com', 'single dots'],
    ['"quoted"@example.com', 'single dots'],
    ['a@-example.com', 'host name'],
    ['a@exa_mple.com', 'host name'],
    ['a@example.c0m', 'top-level domain'],
    ['a@[127.0.0.1]', 'host name'],
    [' a@example.com', 'white space'],
    [`${'x'.repeat(65)}@example.com`, 'at most 64'],
    [`a@${['b', 'c', 'd', 'e', 'f'].map((c) => c.repeat(60)).join('.')}.com`, 'at most 254'],
  ])('rejects %j with a message that does not echo it', (email, expected) => {
    const message = validateEmail(email);
    expect(message).toContain(expected);
    if (email.length > 3 && email !== '@example.com') expect(message).not.toContain(email.trim());
  });
});

describe('password policy', () => {
  it('ships a common-password list of a few thousand entries', () => {
    expect(loadCommonPasswords().size).toBeGreaterThan(3000);
    const text = fs.readFileSync(path.join(ROOT, 'src/seed/common-passwords.txt'), 'utf8');
    expect(text).toContain('It is assumed to be in the public\n# domain.');
  });

  it('accepts a long, uncommon password', () => {
    expect(checkPasswordPolicy(GOOD, { email: 'jane.doe@example.com' })).toEqual([]);
  });

  it.each([
    ['Sh0rt-pass', 'at least 12 characters'],
    ['password1234', 'commonly used'],
    ['PASSWORD1234', 'commonly used'],
    ['winniethepooh', 'commonly used'],
    ['Sunshine2024!!', 'commonly used'],
    ['2024!Dragon2024', 'commonly used'],
    ['correcthorsebatterystaple', 'commonly used'],
  ])('rejects %j', (password, expected) => {
    const problems = checkPasswordPolicy(password);
    expect(problems.join('; ')).toContain(expected);
    expect(problems.join('; ')).not.toContain(password);
  });

  it('rejects a password containing the email local part (case-insensitively), or a long piece of it', () => {
    expect(checkPasswordPolicy('xx-JANE.DOE-Quasar-9', { email: 'jane.doe@example.com' })).toEqual([
      "must not contain the email address's local part (the name before @)",
    ]);
    expect(checkPasswordPolicy('Smithereens-Quasar-9', { email: 'john.smith@example.com' })).toHaveLength(1);
    // A one- or two-letter local part is not meaningful: 'al' appears in many good passwords.
    expect(checkPasswordPolicy('Velvet-Lantern-Alps-42', { email: 'al@example.com' })).toEqual([]);
  });

  it('reports every rule a password breaks', () => {
    const problems = checkPasswordPolicy('jane2024', { email: 'jane@example.com' });
    expect(problems).toContain('must be at least 12 characters long');
    expect(problems).toContain("must not contain the email address's local part (the name before @)");
  });

  it('limits bcrypt passwords to 72 bytes (bcrypt ignores the rest) but not argon2id ones', () => {
    const long = `${'Ünïcödé-Quasar-'.repeat(5)}`;
    expect(Buffer.byteLength(long)).toBeGreaterThan(72);
    expect(checkPasswordPolicy(long, { hash: 'bcrypt' }).join()).toContain('at most 72 bytes');
    expect(checkPasswordPolicy(long, { hash: 'argon2id' })).toEqual([]);
  });

  it('isCommonPassword matches case-insensitively and with digits or symbols added around a listed word', () => {
    expect(isCommonPassword('LetMeIn')).toBe(true);
    expect(isCommonPassword('!!letmein99')).toBe(true);
    expect(isCommonPassword('letmeinside-Quasar')).toBe(false);
  });
});

describe('admin environment variables', () => {
  it('returns the email and the password wrapped so it never prints', () => {
    const creds = credentials({ [ADMIN_EMAIL_VAR]: 'ops@example.com', [ADMIN_PASSWORD_VAR]: GOOD });
    expect(creds.email).toBe('ops@example.com');
    expect(creds.password.reveal()).toBe(GOOD);
    expect(String(creds.password)).toBe('***');
    expect(JSON.stringify(creds)).not.toContain(GOOD);
    expect(inspect(creds)).not.toContain(GOOD);
    expect(`${creds.password}`).toBe('***');
  });

  it('reads .env when the environment does not set them, the environment winning', () => {
    const creds = credentials({ [ADMIN_EMAIL_VAR]: 'env@example.com' }, { [ADMIN_EMAIL_VAR]: 'file@example.com', [ADMIN_PASSWORD_VAR]: GOOD });
    expect(creds.email).toBe('env@example.com');
    expect(creds.password.reveal()).toBe(GOOD);
  });

  it('reports both missing variables at once', () => {
    const err = configError(() => credentials({}));
    expect(err.exitCode).toBe(2);
    expect(err.problems).toHaveLength(2);
    expect(err.problems[0]).toMatch(/^ADMIN_BOOTSTRAP_EMAIL is not set/);
    expect(err.problems[1]).toMatch(/^ADMIN_BOOTSTRAP_PASSWORD is not set/);
  });

  it.each([
    ['too short', 'Qz7-short', 'must be at least 12 characters long'],
    ['common', 'baseball1234', 'is a commonly used password'],
    ['containing the local part', 'Opsadmin-Quasar-Lantern', "must not contain the email address's local part"],
  ])('rejects a password that is %s, with a clear message that does not contain it', (_what, password, expected) => {
    const err = configError(() => credentials({ [ADMIN_EMAIL_VAR]: 'OpsAdmin@example.com', [ADMIN_PASSWORD_VAR]: password }));
    expect(err.problems).toEqual([`ADMIN_BOOTSTRAP_PASSWORD is malformed: the password ${expected}${expected.startsWith('is a') ? ' (or one with digits or symbols added); choose a unique one' : expected.startsWith('must not contain') ? ' (the name before @)' : ''}`]);
    expect(`${err.message}\n${err.hint ?? ''}\n${inspect(err)}`).not.toContain(password);
    // Registered as a secret the moment it was read: redacted wherever it might appear later.
    expect(redactText(`x ${password} y`)).toBe('x *** y');
  });

  it('reports a bad email and a bad password together', () => {
    const err = configError(() => credentials({ [ADMIN_EMAIL_VAR]: 'not-an-email', [ADMIN_PASSWORD_VAR]: 'short' }));
    expect(err.problems).toHaveLength(2);
    expect(err.problems[0]).toContain('ADMIN_BOOTSTRAP_EMAIL is malformed: not a usable email address');
    expect(err.problems[1]).toContain('ADMIN_BOOTSTRAP_PASSWORD is malformed');
  });

  it('applies the bcrypt byte limit when the seed asks for bcrypt', () => {
    const long = 'Quasar-Lantern-'.repeat(6);
    expect(() => credentials({ [ADMIN_EMAIL_VAR]: 'ops@example.com', [ADMIN_PASSWORD_VAR]: long }, {}, 'argon2id')).not.toThrow();
    expect(configError(() => credentials({ [ADMIN_EMAIL_VAR]: 'ops@example.com', [ADMIN_PASSWORD_VAR]: long }, {}, 'bcrypt')).message).toContain('72 bytes');
  });

  it('SecretString hides itself from every formatter', () => {
    const s = new SecretString('Quiet-Secret-Value-77');
    expect(`${s}`).toBe('***');
    expect(JSON.stringify({ s })).toBe('{"s":"***"}');
    expect(inspect({ s })).not.toContain('Quiet');
  });
});

describe('hashing', () => {
  it('argon2id uses the OWASP parameters and verifies', async () => {
    const hash = await hashPassword(GOOD, 'argon2id');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await verifyPassword(hash, GOOD)).toBe(true);
    expect(await verifyPassword(hash, GOOD.toLowerCase())).toBe(false);
    expect(await hashPassword(GOOD, 'argon2id')).not.toBe(hash);
  });

  it('bcrypt uses cost 12 and verifies', async () => {
    const hash = await hashPassword(GOOD, 'bcrypt');
    expect(hash).toMatch(/^\$2b\$12\$/);
    expect(await verifyPassword(hash, GOOD)).toBe(true);
    expect(await verifyPassword(hash, 'other')).toBe(false);
  });

  it('verifyPassword is false, never an exception, for anything that is not a hash', async () => {
    for (const stored of [null, undefined, '', 'plaintext', '$argon2id$garbage', '$2b$12$short', 42]) {
      expect(await verifyPassword(stored, GOOD)).toBe(false);
    }
  });
});

describe('no child processes', () => {
  it('seeding code never imports child_process (the password can never reach a process list)', () => {
    const files = [
      ...fs.readdirSync(path.join(ROOT, 'src/seed')).filter((f) => f.endsWith('.ts')).map((f) => path.join(ROOT, 'src/seed', f)),
      ...['sqlite', 'postgres', 'mysql'].map((e) => path.join(ROOT, 'src/engines', e, 'seed.ts')),
    ];
    expect(files.length).toBeGreaterThan(8);
    for (const file of files) expect(fs.readFileSync(file, 'utf8'), file).not.toMatch(/child_process|\bexeca\b|\bspawn\(/);
  });
});
