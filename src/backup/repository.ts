/**
 * The backup repository of one database: `<storage>/<database-id>/<NAME>/` holding the data file,
 * RESTORE.txt, the manifest (last) and the latest verification result.
 */
import fs from 'node:fs';
import path from 'node:path';
import { acquireFileLock, type FileLock } from '../core/lockfile.js';
import { ensureSecureDir } from '../core/fsx.js';
import { UsageError } from '../core/errors.js';
import type { LocalStorage } from '../storage/local.js';
import { MANIFEST_FILE, VERIFICATION_FILE, parseManifest, type Manifest, type VerificationRecord } from './manifest.js';
import { validateBackupName } from './names.js';

export interface BackupEntry {
  manifest: Manifest;
  lastVerification: VerificationRecord | null;
  pinned: boolean;
}

const PIN_FILE = 'PINNED';

export class BackupRepository {
  constructor(
    readonly storage: LocalStorage,
    readonly databaseId: string,
  ) {}

  key(name: string, file = ''): string {
    return `${this.databaseId}/${name}/${file}`;
  }

  /** Backup directories, complete or not. */
  private async names(): Promise<string[]> {
    return (await this.storage.list(`${this.databaseId}/`))
      .filter((k) => k.endsWith('/'))
      .map((k) => k.slice(this.databaseId.length + 1, -1))
      .filter((n) => !n.startsWith('.'));
  }

  async manifest(name: string): Promise<Manifest | null> {
    return parseManifest(await this.storage.getSmall(this.key(name, MANIFEST_FILE)));
  }

  /** Complete backups, newest first. */
  async list(): Promise<BackupEntry[]> {
    const entries: BackupEntry[] = [];
    for (const name of await this.names()) {
      const manifest = await this.manifest(name);
      if (!manifest) continue;
      const verification = await this.storage.getSmall(this.key(name, VERIFICATION_FILE));
      entries.push({
        manifest,
        lastVerification: verification ? (JSON.parse(verification) as VerificationRecord) : null,
        pinned: (await this.storage.size(this.key(name, PIN_FILE))) !== null,
      });
    }
    return entries.sort((a, b) => b.manifest.finishedAt.localeCompare(a.manifest.finishedAt) || b.manifest.name.localeCompare(a.manifest.name));
  }

  /** Backup directories without a manifest: leftovers of interrupted backups. */
  async incomplete(): Promise<string[]> {
    const out: string[] = [];
    for (const name of await this.names()) if (!(await this.manifest(name))) out.push(name);
    return out;
  }

  /** Remove leftovers of interrupted backups. Call only while holding the repository lock. */
  async cleanupIncomplete(): Promise<string[]> {
    const leftovers = await this.incomplete();
    for (const name of leftovers) await this.storage.delete(this.key(name));
    await this.storage.delete(`${this.databaseId}/.work/`);
    return leftovers;
  }

  /** Resolve NAME or `latest` to a complete backup; a clear usage error when there is none. */
  async resolve(nameOrLatest: string): Promise<BackupEntry> {
    const all = await this.list();
    if (nameOrLatest === 'latest') {
      const latest = all[0];
      if (!latest) throw new UsageError(`There are no complete backups of this database in ${this.storage.location}.`, 'Take one with `dbward backup`.');
      return latest;
    }
    validateBackupName(nameOrLatest);
    const found = all.find((e) => e.manifest.name === nameOrLatest);
    if (!found) {
      throw new UsageError(`No complete backup named "${nameOrLatest}" for this database.`, 'List them with `dbward backups`.');
    }
    return found;
  }

  async recordVerification(name: string, record: VerificationRecord): Promise<void> {
    await this.storage.putSmall(this.key(name, VERIFICATION_FILE), `${JSON.stringify(record, null, 2)}\n`);
  }

  async setPinned(name: string, pinned: boolean): Promise<void> {
    await this.resolve(name);
    if (pinned) await this.storage.putSmall(this.key(name, PIN_FILE), `pinned ${new Date().toISOString()}\n`);
    else await this.storage.delete(this.key(name, PIN_FILE));
  }

  /** Delete a whole backup: the manifest first, so a half-deleted backup is never listed. */
  async remove(name: string): Promise<void> {
    await this.storage.delete(this.key(name, MANIFEST_FILE));
    await this.storage.delete(this.key(name));
  }

  /** A private scratch directory on the repository's file system; remove it with removeWorkDir. */
  workDir(): string {
    const dir = path.join(this.storage.location, this.databaseId, '.work', `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`);
    ensureSecureDir(dir);
    return dir;
  }

  removeWorkDir(dir: string): void {
    fs.rmSync(dir, { recursive: true, force: true });
    try {
      fs.rmdirSync(path.dirname(dir)); // only when no other operation uses it
    } catch {
      // not empty, or already gone
    }
  }

  /** One operation per repository and database at a time. */
  lock(waitMs: number): Promise<FileLock> {
    const dir = path.join(this.storage.location, this.databaseId);
    ensureSecureDir(dir);
    return acquireFileLock(path.join(dir, '.lock'), { waitMs, what: `The backup repository of ${this.databaseId}` });
  }
}
