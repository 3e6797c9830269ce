/** Local-directory storage: directories 0750, files 0640, atomic writes. */
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { UsageError } from '../core/errors.js';
import { FILE_MODE, ensureSecureDir, fsyncDir, writeFileAtomic } from '../core/fsx.js';
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

  async put(key: string, data: Readable): Promise<{ size: number }> {
    const file = this.resolve(key);
    const dir = path.dirname(file);
    ensureSecureDir(dir);
    const temp = path.join(dir, `.${path.basename(file)}.partial-${process.pid}`);
    let size = 0;
    data.on('data', (chunk: Buffer) => (size += chunk.length));
    try {
      const out = fs.createWriteStream(temp, { mode: FILE_MODE, flags: 'wx' });
      await pipeline(data, out);
      const fd = fs.openSync(temp, 'r');
      try {
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(temp, file);
      fsyncDir(dir);
    } catch (err) {
      fs.rmSync(temp, { force: true });
      throw err;
    }
    return { size };
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
