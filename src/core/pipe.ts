/**
 * A pipe with blocking ends, for synchronous reads and writes in a worker thread: node has no pipe(2),
 * and the pipes child_process makes are non-blocking sockets. A FIFO is made with mkfifo(1) in a
 * private temporary directory, both ends are opened, and the name is removed at once, so what is left
 * is an anonymous pipe in all but name.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OperationError } from './errors.js';
import { findOnPath } from './tools.js';

export interface Pipe {
  readFd: number;
  writeFd: number;
}

/** mkfifo from PATH, else coreutils' own place (a PATH narrowed to some tools must not break pipes). */
function mkfifoPath(): string {
  return findOnPath('mkfifo') ?? ['/usr/bin/mkfifo', '/bin/mkfifo'].find((p) => fs.existsSync(p)) ?? 'mkfifo';
}

export function openPipe(): Pipe {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbward-pipe-'));
  try {
    const fifo = path.join(dir, 'pipe');
    const made = spawnSync(mkfifoPath(), ['-m', '600', fifo], { encoding: 'utf8' });
    if (made.status !== 0) {
      throw new OperationError(`mkfifo could not make a pipe: ${made.error?.message ?? made.stderr.trim()}`, 'mkfifo comes with coreutils (Debian: apt-get install coreutils).');
    }
    // Opening one end of a FIFO waits for the other, except a non-blocking read end: that one first,
    // then the write end, then the blocking read end that is kept.
    const { O_RDONLY, O_WRONLY, O_NONBLOCK } = fs.constants;
    const opener = fs.openSync(fifo, O_RDONLY | O_NONBLOCK);
    try {
      const writeFd = fs.openSync(fifo, O_WRONLY);
      return { readFd: fs.openSync(fifo, O_RDONLY), writeFd };
    } finally {
      fs.closeSync(opener);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
