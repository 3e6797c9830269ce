/**
 * The admin bootstrap's input rules: a pragmatic email check and the password policy. Messages
 * describe the rule that failed and never contain the value checked.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { HashAlgorithm } from './schema.js';

export const MIN_PASSWORD_LENGTH = 12;
/** Longer inputs are refused before hashing, so that hashing cost stays bounded. */
export const MAX_PASSWORD_LENGTH = 1024;
/** bcrypt uses only the first 72 bytes; longer passwords would be silently truncated. */
export const BCRYPT_MAX_BYTES = 72;
/** Local parts shorter than this are too short to be a meaningful part of a password. */
const MIN_LOCAL_PART_MATCH = 3;
/** Dot/plus/hyphen-separated pieces of the local part at least this long are checked too (john.smith → smith). */
const MIN_SEGMENT_MATCH = 4;

const MAX_EMAIL_LENGTH = 254;
const MAX_LOCAL_LENGTH = 64;
// RFC 5322 dot-atom local part (atext characters, single dots, no leading or trailing dot).
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
// A DNS host name with at least two labels; the top-level label is letters or punycode (xn--).
const DOMAIN_LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const TOP_LABEL = /^([A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$/;

/**
 * A pragmatic subset of RFC 5322: `local@domain` with a dot-atom local part (no quoted strings or
 * comments) and a DNS domain (no IP literals), at most 254 characters. Returns a message or null.
 */
export function validateEmail(email: string): string | null {
  if (email !== email.trim()) return 'must not start or end with white space';
  if (email.length > MAX_EMAIL_LENGTH) return `must be at most ${MAX_EMAIL_LENGTH} characters long`;
  const at = email.lastIndexOf('@');
  if (at <= 0 || at === email.length - 1) return 'must look like name@example.com';
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (local.length > MAX_LOCAL_LENGTH) return `the part before @ must be at most ${MAX_LOCAL_LENGTH} characters long`;
  if (!LOCAL_PART.test(local)) return 'the part before @ may contain only letters, digits, single dots and !#$%&\'*+/=?^_`{|}~-';
  const labels = domain.split('.');
  if (labels.length < 2) return 'the domain must have at least two parts (example.com)';
  if (!labels.every((l) => DOMAIN_LABEL.test(l))) return 'the domain must be a host name of letters, digits and hyphens';
  if (!TOP_LABEL.test(labels[labels.length - 1]!)) return 'the domain must end in a top-level domain of letters (e.g. .com)';
  return null;
}

let commonPasswords: Set<string> | null = null;

/** Where the list lives: beside this module (src/seed, dist/seed, the CLI's bundle in dist/bundle), or in src/seed. */
function listLocations(): string[] {
  return ['./common-passwords.txt', '../../src/seed/common-passwords.txt'].map((rel) => fileURLToPath(new URL(rel, import.meta.url)));
}

/** The common-password list, lower-cased (loaded once). */
export function loadCommonPasswords(): ReadonlySet<string> {
  if (commonPasswords) return commonPasswords;
  const file = listLocations().find((f) => fs.existsSync(f));
  if (!file) throw new Error(`The common-password list is missing (looked in ${listLocations().join(', ')})`);
  const entries = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && l !== '#' && !l.startsWith('# '))
    .map((l) => l.toLowerCase());
  commonPasswords = new Set(entries);
  return commonPasswords;
}

/**
 * True when the password is on the list (case-insensitively), or is a listed password of 4+
 * characters with only digits and symbols added before or after it ("Sunshine2024!").
 */
export function isCommonPassword(password: string): boolean {
  const list = loadCommonPasswords();
  const lower = password.toLowerCase();
  if (list.has(lower)) return true;
  const core = lower.replace(/^[^a-z]+/, '').replace(/[^a-z]+$/, '');
  return core.length >= 4 && core !== lower && list.has(core);
}

function localPartPieces(email: string): string[] {
  const at = email.lastIndexOf('@');
  const local = (at > 0 ? email.slice(0, at) : email).toLowerCase();
  const pieces = local.length >= MIN_LOCAL_PART_MATCH ? [local] : [];
  for (const segment of local.split(/[.+_-]/)) if (segment.length >= MIN_SEGMENT_MATCH) pieces.push(segment);
  return pieces;
}

export interface PasswordPolicyOptions {
  /** The admin's email: the password must not contain its local part. */
  email?: string;
  /** bcrypt limits the password to 72 bytes. */
  hash?: HashAlgorithm;
}

/** Every rule the password breaks, as messages that never contain it; empty when it passes. */
export function checkPasswordPolicy(password: string, options: PasswordPolicyOptions = {}): string[] {
  const problems: string[] = [];
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) problems.push(`must be at least ${MIN_PASSWORD_LENGTH} characters long`);
  if (length > MAX_PASSWORD_LENGTH) problems.push(`must be at most ${MAX_PASSWORD_LENGTH} characters long`);
  if (options.hash === 'bcrypt' && Buffer.byteLength(password, 'utf8') > BCRYPT_MAX_BYTES) {
    problems.push(`must be at most ${BCRYPT_MAX_BYTES} bytes for bcrypt, which ignores the rest (use argon2id for longer passwords)`);
  }
  if (password.trim() === '' && password !== '') problems.push('must not be only white space');
  if (isCommonPassword(password)) problems.push('is a commonly used password (or one with digits or symbols added); choose a unique one');
  if (options.email && localPartPieces(options.email).some((piece) => password.toLowerCase().includes(piece))) {
    problems.push("must not contain the email address's local part (the name before @)");
  }
  return problems;
}
