/** Read a stored backup back: re-hash its files, or stream its raw dump (decrypt → decompress). */
import { createHash } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ConfigError } from '../core/errors.js';
import { decompressor, decryptor } from './codec.js';
import type { Manifest } from './manifest.js';
import type { BackupRepository } from './repository.js';

/** Compare every stored file with the manifest: one line per difference. */
export async function checksumDifferences(repository: BackupRepository, manifest: Manifest): Promise<string[]> {
  const problems: string[] = [];
  for (const file of manifest.files) {
    const key = repository.key(manifest.name, file.name);
    const size = await repository.storage.size(key);
    if (size === null) {
      problems.push(`${file.name}: missing`);
      continue;
    }
    const hash = createHash('sha256');
    for await (const chunk of await repository.storage.get(key)) hash.update(chunk as Buffer);
    const digest = hash.digest('hex');
    if (size !== file.size) problems.push(`${file.name}: size ${size} bytes, manifest says ${file.size}`);
    if (digest !== file.sha256) problems.push(`${file.name}: SHA-256 ${digest.slice(0, 16)}…, manifest says ${file.sha256.slice(0, 16)}…`);
  }
  return problems;
}

/** The raw dump as the engine wrote it. Encrypted backups need the age identity file. */
export async function openRawDump(repository: BackupRepository, manifest: Manifest, identityFile: string | null): Promise<Readable> {
  if (manifest.encryption && !identityFile) {
    throw new ConfigError(
      `Backup "${manifest.name}" is encrypted with age and no identity is configured to decrypt it.`,
      [],
      'Set DBWARD_AGE_IDENTITY_FILE or backup.encryption.identityFile to the file with the age secret key.',
    );
  }
  const stored = await repository.storage.get(repository.key(manifest.name, manifest.dataFile));
  const stages = [stored, ...(manifest.encryption ? [decryptor(identityFile!)] : []), decompressor(manifest.compression)];
  // The first failure of any stage (a wrong key, a corrupt file) becomes the error of the stream the caller reads.
  const out = new PassThrough();
  pipeline([...stages, out]).catch((err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))));
  return out;
}
