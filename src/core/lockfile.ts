/**
 * An exclusive inter-process lock held by a lock file created with O_EXCL. The file records the
 * holder's pid and host; a lock whose holder on this host is no longer alive is stale and is taken
 * over (so a kill -9 never leaves a lock behind forever).
 */
import fs from 'node:fs';
import os from 'node:os';
import { LockBusyError } from './errors.js';

export interface FileLock {
  readonly path: string;
  release(): void;
}

interface Holder {
  pid: number;
  host: string;
  since: string;
}

function readHolder(lockPath: string): Holder | null {
  try {
    return JSON.parse(fs.readFileSync(lockPath, 'utf8')) as Holder;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isStale(holder: Holder | null): boolean {
  // An unreadable or half-written lock file is treated as held (fail closed) unless its holder is provably gone.
  if (!holder || typeof holder.pid !== 'number') return false;
  return holder.host === os.hostname() && !isAlive(holder.pid);
}

function tryCreate(lockPath: string): boolean {
  try {
    const fd = fs.openSync(lockPath, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY, 0o640);
    const holder: Holder = { pid: process.pid, host: os.hostname(), since: new Date().toISOString() };
    fs.writeSync(fd, JSON.stringify(holder));
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

function takeOverStale(lockPath: string): boolean {
  const holder = readHolder(lockPath);
  if (!isStale(holder)) return false;
  // Rename first so two processes that both see the stale lock cannot both take it over.
  const aside = `${lockPath}.stale-${process.pid}`;
  try {
    fs.renameSync(lockPath, aside);
  } catch {
    return false;
  }
  const moved = readHolder(aside);
  fs.rmSync(aside, { force: true });
  if (moved?.pid !== holder?.pid) return false;
  return tryCreate(lockPath);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Acquire the lock, waiting up to waitMs (0: try once). Throws LockBusyError naming the holder. */
export async function acquireFileLock(lockPath: string, options: { waitMs?: number; what?: string } = {}): Promise<FileLock> {
  const deadline = Date.now() + (options.waitMs ?? 0);
  for (;;) {
    if (tryCreate(lockPath) || takeOverStale(lockPath)) {
      let released = false;
      return {
        path: lockPath,
        release() {
          if (released) return;
          released = true;
          const holder = readHolder(lockPath);
          if (holder?.pid === process.pid) fs.rmSync(lockPath, { force: true });
        },
      };
    }
    if (Date.now() >= deadline) {
      const holder = readHolder(lockPath);
      const who = holder ? `process ${holder.pid} on ${holder.host} since ${holder.since}` : 'another process';
      throw new LockBusyError(
        `${options.what ?? 'The lock'} is held by ${who}.`,
        `Wait for it to finish. If that process is gone, remove ${lockPath}.`,
      );
    }
    await sleep(Math.min(100, Math.max(1, deadline - Date.now())));
  }
}
