/**
 * The byte transforms of the backup pipeline: compression (zstd through the real zstd tool, or gzip),
 * age encryption through the real age tool, and hashing/counting. All streaming, constant memory.
 */
import { createHash } from 'node:crypto';
import { Transform, type Duplex } from 'node:stream';
import zlib from 'node:zlib';
import { filterProcess } from '../core/filter-process.js';
import type { Compression } from './manifest.js';

const ZSTD_HINT = 'Install zstd (Debian: apt-get install zstd), or set backup.compression: gzip.';
const AGE_HINT = 'Install age (Debian: apt-get install age).';

export function compressor(kind: Compression): Duplex {
  return kind === 'zstd'
    ? filterProcess('zstd', ['-q', '-c', '-3', '-T0'], { installHint: ZSTD_HINT })
    : zlib.createGzip({ level: 6 });
}

export function decompressor(kind: Compression): Duplex {
  return kind === 'zstd' ? filterProcess('zstd', ['-q', '-d', '-c'], { installHint: ZSTD_HINT }) : zlib.createGunzip();
}

/** Recipients are public keys: they may appear in argv. */
export function encryptor(recipients: readonly string[]): Duplex {
  return filterProcess('age', recipients.flatMap((r) => ['-r', r]), { installHint: AGE_HINT });
}

/** The identity (secret key) stays in its file; only the path is passed. */
export function decryptor(identityFile: string): Duplex {
  return filterProcess('age', ['-d', '-i', identityFile], { installHint: AGE_HINT });
}

/** A pass-through that counts bytes and, unless told not to, computes SHA-256 of everything that flows through. */
export class Measure extends Transform {
  bytes = 0;
  private readonly hash: ReturnType<typeof createHash> | null;

  constructor(options: { hash: boolean } = { hash: true }) {
    super();
    this.hash = options.hash ? createHash('sha256') : null;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null, data?: Buffer) => void): void {
    this.bytes += chunk.length;
    this.hash?.update(chunk);
    done(null, chunk);
  }

  digest(): string {
    if (!this.hash) throw new Error('Measure was created without hashing');
    return this.hash.digest('hex');
  }
}

export function fingerprintRecipient(recipient: string): string {
  return createHash('sha256').update(recipient.trim()).digest('hex');
}
