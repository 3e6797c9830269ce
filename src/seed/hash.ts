/**
 * Password hashing for the admin bootstrap.
 *
 * argon2id (default) with the OWASP Password Storage Cheat Sheet's first recommended configuration:
 * m = 19 MiB (19456 KiB), t = 2 iterations, p = 1 lane; 16-byte random salt, 32-byte output, in the
 * standard PHC string format (`$argon2id$v=19$m=19456,t=2,p=1$…`) that every argon2 library verifies.
 *
 * bcrypt (option, for apps that verify bcrypt) with cost 12 (`$2b$12$…`).
 */
import { hash as argon2Hash, verify as argon2Verify, type Algorithm } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';
import type { HashAlgorithm } from './schema.js';

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
  if (algorithm === 'bcrypt') return bcrypt.hash(password, BCRYPT_COST);
  return argon2Hash(password, { ...ARGON2ID_PARAMETERS, algorithm: ARGON2ID });
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
  try {
    switch (hashAlgorithmOf(text)) {
      case 'argon2':
        return await argon2Verify(text, password);
      case 'bcrypt':
        return await bcrypt.compare(password, text);
      default:
        return false;
    }
  } catch {
    return false;
  }
}
