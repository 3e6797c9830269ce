/**
 * Password hashing for the admin bootstrap.
 *
 * argon2id (default) with the OWASP Password Storage Cheat Sheet's first recommended configuration:
 * m = 19 MiB (19456 KiB), t = 2 iterations, p = 1 lane; 16-byte random salt, 32-byte output, in the
 * standard PHC string format (`$argon2id$v=19$m=19456,t=2,p=1$…`) that every argon2 library verifies.
 *
 * bcrypt (option, for apps that verify bcrypt) with cost 12 (`$2b$12$…`).
 */
import type { Algorithm } from '@node-rs/argon2';
import type { HashAlgorithm } from './schema.js';

// Loaded when a password is hashed or checked: importing @node-rs/argon2 (a native add-on behind
// napi-rs's loader) cost every dbward command ≈ 60 ms of start-up.
const argon2 = () => import('@node-rs/argon2');
const bcryptjs = async () => (await import('bcryptjs')).default;

type Verifier = (stored: string, password: string) => Promise<boolean>;
const argon2Verifier = async (): Promise<Verifier> => (await argon2()).verify;
const bcryptVerifier = async (): Promise<Verifier> => {
  const { compare } = await bcryptjs();
  return (stored, password) => compare(password, stored);
};

export const ARGON2ID_PARAMETERS = {
  /** KiB: 19 MiB. */
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
  outputLen: 32,
} as const;

export const BCRYPT_COST = 12;

/** @node-rs/argon2 declares Algorithm as a const enum, which isolatedModules cannot read: Argon2id = 2. */
const ARGON2ID = 2 as Algorithm;

export async function hashPassword(password: string, algorithm: HashAlgorithm): Promise<string> {
  if (algorithm === 'bcrypt') return (await bcryptjs()).hash(password, BCRYPT_COST);
  return (await argon2()).hash(password, { ...ARGON2ID_PARAMETERS, algorithm: ARGON2ID });
}

/** Which algorithm produced a stored hash, or null when it is neither argon2 nor bcrypt. */
export function hashAlgorithmOf(stored: string): 'argon2' | 'bcrypt' | null {
  if (/^\$argon2(id|i|d)\$/.test(stored)) return 'argon2';
  if (/^\$2[abxy]\$\d{2}\$/.test(stored)) return 'bcrypt';
  return null;
}

/** True when the stored hash (argon2 or bcrypt, whichever it is) verifies the password. Never throws on a malformed hash. */
export async function verifyPassword(stored: unknown, password: string): Promise<boolean> {
  if (typeof stored !== 'string' && !Buffer.isBuffer(stored)) return false;
  const text = String(stored).trim();
  const algorithm = hashAlgorithmOf(text);
  if (algorithm === null) return false;
  // Loaded outside the try: a library that cannot load is an error, not a password that does not match.
  const matches = algorithm === 'argon2' ? await argon2Verifier() : await bcryptVerifier();
  try {
    return await matches(text, password);
  } catch {
    return false;
  }
}
