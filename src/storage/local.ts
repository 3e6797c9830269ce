/** Local-directory storage: directories 0750, files 0640, atomic writes. */
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { UsageError } from '../core/errors.js';
import { ensureSecureDir, fsyncDir, writeFileAtomic } from '../core/fsx.js';
import type { Storage } from './storage.js';

export class LocalStorage implements Storage {
  readonly location: string;

  constructor(root: string) {
    this.location = path.resolve(root);
  }

  private resolve(key: string): string {
    const parts = key.split('/').filter((p) => p !== '');
    if (parts.some((p) => p === '..' || p === '.' || p.includes('\0'))) throw new UsageError(`Invalid storage key "${key}"`);
    return path.join(this.location, ...parts);
  }

  async putFile(key: string, file: string): Promise<void> {
    const target = this.resolve(key);
    const dir = path.dirname(target);
    ensureSecureDir(dir);
    const fd = fs.openSync(file, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    // The work directory is inside the repository, so this is a rename within one file system.
    fs.renameSync(file, target);
    fsyncDir(dir);
  }

  async putSmall(key: string, data: string): Promise<void> {
    const file = this.resolve(key);
    ensureSecureDir(path.dirname(file));
    writeFileAtomic(file, data);
  }

  async get(key: string): Promise<Readable> {
    const file = this.resolve(key);
    await fs.promises.access(file);
    return fs.createReadStream(file);
  }

  async getSmall(key: string): Promise<string | null> {
    try {
      return await fs.promises.readFile(this.resolve(key), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const dir = this.resolve(prefix);
    const base = prefix.replace(/\/*$/, '');
    let entries: fs.Dirent[];
    try {
      entries = await fs.promises.readdir(dir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return entries
      .map((e) => `${base ? `${base}/` : ''}${e.name}${e.isDirectory() ? '/' : ''}`)
      .sort();
  }

  async delete(key: string): Promise<void> {
    const target = this.resolve(key);
    await fs.promises.rm(target, { recursive: key.endsWith('/'), force: true });
    fsyncDir(path.dirname(target));
  }

  async size(key: string): Promise<number | null> {
    try {
      return (await fs.promises.stat(this.resolve(key))).size;
    } catch {
      return null;
    }
  }
}
