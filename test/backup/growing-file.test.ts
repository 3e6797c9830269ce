/**
 * GrowingFileDigest: the SHA-256 of a file computed while another process is still appending to it
 * equals the SHA-256 of the finished file, and a file that is not what was hashed is refused.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GrowingFileDigest } from '../../src/backup/growing-file.js';
import { tempDir } from '../helpers/databases.js';

const dir = tempDir('growing-file');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** A real writer: a shell appending random blocks with pauses, so the digest reads while it grows. */
function appendSlowly(file: string, blocks: number): Promise<void> {
  const script = `for i in $(seq ${blocks}); do head -c 700000 /dev/urandom; sleep 0.03; done`;
  const fd = fs.openSync(file, 'a');
  const child = spawn('sh', ['-c', script], { stdio: ['ignore', fd, 'inherit'] });
  fs.closeSync(fd);
  return new Promise((resolve, reject) => child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`writer exit ${code}`)))));
}

describe('GrowingFileDigest', () => {
  it('hashes a file while it is appended to, the same as the finished file', async () => {
    const file = path.join(dir, 'growing.bin');
    fs.writeFileSync(file, '');
    const digest = new GrowingFileDigest(file);
    await appendSlowly(file, 20);
    const result = await digest.finish();
    expect(result.size).toBe(fs.statSync(file).size);
    expect(result.size).toBe(20 * 700000);
    expect(result.sha256).toBe(sha256(file));
  });

  it('hashes an empty file', async () => {
    const file = path.join(dir, 'empty.bin');
    fs.writeFileSync(file, '');
    const result = await new GrowingFileDigest(file).finish();
    expect(result).toEqual({ size: 0, sha256: createHash('sha256').digest('hex') });
  });

  it('refuses a file that shrank after it was hashed', async () => {
    const file = path.join(dir, 'shrinking.bin');
    fs.writeFileSync(file, Buffer.alloc(3 * 1024 * 1024, 7));
    const digest = new GrowingFileDigest(file);
    // Let a poll read it all, then cut it short: what was hashed is no longer the file.
    await new Promise((r) => setTimeout(r, 400));
    fs.truncateSync(file, 1024);
    await expect(digest.finish()).rejects.toThrow(/changed while it was hashed/);
  });
});
