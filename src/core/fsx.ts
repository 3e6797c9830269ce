/**
 * File-system helpers for things that must never be half-written or world-readable:
 * secure directories (0750), secure files (0640), and atomic writes
 * (temp file → fsync → rename → fsync of the directory).
 */
import fs from 'node:fs';
import path from 'node:path';

export const DIR_MODE = 0o750;
export const FILE_MODE = 0o640;

/** Create the directory (and parents) with mode 0750; tighten it if it exists wider. */
export function ensureSecureDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  const mode = fs.statSync(dir).mode & 0o777;
  if (mode & ~DIR_MODE) fs.chmodSync(dir, mode & DIR_MODE);
}

export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Write a whole file atomically with mode 0640: readers see the old content or the new, never a mix. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}.tmp-${process.pid}-${Date.now()}`);
  const fd = fs.openSync(temp, 'w', FILE_MODE);
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(temp, file);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw err;
  }
  fsyncDir(dir);
}

/** Permission bits of a path, or null when it does not exist. */
export function modeOf(p: string): number | null {
  try {
    return fs.statSync(p).mode & 0o777;
  } catch {
    return null;
  }
}

export function formatMode(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}
