/**
 * The audit log: JSON lines, one per operation, hash-chained.
 *
 * Each line is the canonical JSON of an entry whose `prev` is the SHA-256 (hex) of the previous line's
 * exact text (64 zeros for the first) and whose `seq` counts from 1. A head file beside the log records
 * the last seq and line hash, so that removing lines at the end is detected too. verifyAuditLog() finds
 * edited, removed, inserted and reordered lines. The log lives in a 0750 directory with mode 0640 and
 * everything written to it is redacted first: it never contains secrets.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { canonicalJson } from '../schema/fingerprint.js';
import { acquireFileLock } from './lockfile.js';
import { ensureSecureDir, FILE_MODE, writeFileAtomic } from './fsx.js';
import { osUser } from './os-user.js';
import { redactValue } from './redact.js';

export const GENESIS = '0'.repeat(64);

export type AuditOutcome = 'ok' | 'failed' | 'refused';

export interface AuditEvent {
  /** e.g. `doctor`, `inspect`, `backup`, `migrate.up`. */
  operation: string;
  /** The redacted target description (engine, user@host:port/database or file). */
  target?: string;
  outcome: AuditOutcome;
  /** Operation-specific facts: counts, names, fingerprints, error messages. Redacted before writing. */
  details?: Record<string, unknown>;
}

export interface AuditEntry extends AuditEvent {
  v: 1;
  seq: number;
  time: string;
  actor: { user: string; host: string; pid: number };
  prev: string;
}

interface Head {
  seq: number;
  hash: string;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

const headPath = (logPath: string) => `${logPath}.head`;

function readHead(logPath: string): Head | null {
  try {
    const head = JSON.parse(fs.readFileSync(headPath(logPath), 'utf8')) as Head;
    return typeof head.seq === 'number' && typeof head.hash === 'string' ? head : null;
  } catch {
    return null;
  }
}


/** Append one entry under the log's lock. Returns the entry as written. */
export async function appendAudit(logPath: string, event: AuditEvent): Promise<AuditEntry> {
  ensureSecureDir(path.dirname(logPath));
  const lock = await acquireFileLock(`${logPath}.lock`, { waitMs: 10_000, what: 'The audit log' });
  try {
    const head = readHead(logPath) ?? { seq: 0, hash: GENESIS };
    const safe = redactValue(event);
    const entry: AuditEntry = {
      v: 1,
      seq: head.seq + 1,
      time: new Date().toISOString(),
      actor: { user: osUser(), host: os.hostname(), pid: process.pid },
      operation: safe.operation,
      ...(safe.target === undefined ? {} : { target: safe.target }),
      outcome: safe.outcome,
      ...(safe.details === undefined ? {} : { details: safe.details }),
      prev: head.hash,
    };
    const line = canonicalJson(entry);
    const fd = fs.openSync(logPath, 'a', FILE_MODE);
    try {
      fs.writeSync(fd, `${line}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    writeFileAtomic(headPath(logPath), JSON.stringify({ seq: entry.seq, hash: sha256Hex(line) }));
    return entry;
  } finally {
    lock.release();
  }
}

export interface AuditProblem {
  /** 1-based line number in the log file (0 for problems with the file as a whole). */
  line: number;
  problem: string;
}

export interface AuditVerification {
  ok: boolean;
  entries: number;
  problems: AuditProblem[];
}

/** Check the whole chain. A missing log with no head is an empty, valid log. */
export function verifyAuditLog(logPath: string): AuditVerification {
  const problems: AuditProblem[] = [];
  const head = readHead(logPath);
  if (!fs.existsSync(logPath)) {
    if (head) problems.push({ line: 0, problem: `the log file is missing but its head records ${head.seq} entries` });
    return { ok: problems.length === 0, entries: 0, problems };
  }
  const text = fs.readFileSync(logPath, 'utf8');
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  else if (lines.length) problems.push({ line: lines.length, problem: 'the last line is incomplete (no newline)' });

  let prevHash = GENESIS;
  let expectedSeq = 1;
  lines.forEach((line, i) => {
    const n = i + 1;
    let entry: AuditEntry;
    try {
      entry = JSON.parse(line) as AuditEntry;
    } catch {
      problems.push({ line: n, problem: 'not valid JSON' });
      prevHash = sha256Hex(line);
      expectedSeq++;
      return;
    }
    if (canonicalJson(entry) !== line) problems.push({ line: n, problem: 'not in canonical form (edited by hand?)' });
    if (entry.seq !== expectedSeq) problems.push({ line: n, problem: `sequence ${entry.seq} where ${expectedSeq} was expected (a line removed, inserted or moved)` });
    if (entry.prev !== prevHash) problems.push({ line: n, problem: 'hash chain broken: the previous line was edited, removed or moved' });
    prevHash = sha256Hex(line);
    expectedSeq = (typeof entry.seq === 'number' ? entry.seq : expectedSeq) + 1;
  });

  if (!head) {
    if (lines.length) problems.push({ line: 0, problem: 'the head file is missing: removal of the last lines cannot be ruled out' });
  } else if (head.seq !== lines.length || head.hash !== prevHash) {
    problems.push({ line: 0, problem: `the head records ${head.seq} entries ending in ${head.hash.slice(0, 12)}…, the log has ${lines.length} ending in ${prevHash.slice(0, 12)}… (lines removed or edited at the end)` });
  }
  return { ok: problems.length === 0, entries: lines.length, problems };
}

/** Read entries (newest last); no verification. */
export function readAuditLog(logPath: string): AuditEntry[] {
  if (!fs.existsSync(logPath)) return [];
  return fs
    .readFileSync(logPath, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as AuditEntry);
}
