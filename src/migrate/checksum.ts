/**
 * Migration checksums as Prisma computes and compares them (prisma-engines,
 * schema-engine/connectors/schema-connector/src/checksum.rs):
 * - the checksum is the lowercase hex SHA-256 of the migration.sql text as read from disk;
 * - a script matches a stored checksum when the SHA-256 of the script as is, with CRLF turned into
 *   LF, or with LF turned into CRLF matches, so git's line-ending conversion is not an edit;
 * - stored checksums shorter than 64 characters come from an old Prisma that did not zero-pad the
 *   hex bytes, and are compared in that format.
 */
import { createHash } from 'node:crypto';

const CHECKSUM_LENGTH = 64;

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function unpaddedHex(data: string): string {
  return [...createHash('sha256').update(data).digest()].map((byte) => byte.toString(16)).join('');
}

export function checksumMatches(script: string, stored: string): boolean {
  const variants = [script, script.replaceAll('\r\n', '\n'), script.replaceAll('\n', '\r\n')];
  const format = stored.length !== CHECKSUM_LENGTH && stored.length > 0 ? unpaddedHex : sha256Hex;
  return variants.some((variant) => format(variant) === stored);
}
