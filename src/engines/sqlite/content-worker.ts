/**
 * The worker thread of content-hash.ts: a read-only connection to one database file, digesting the
 * row ranges it is sent, one at a time, with the same code as the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { SCAN_CACHE_KIB, hashRows, type ContentJob, type ContentReply } from './content-hash.js';

const db = new Database((workerData as { file: string }).file, { fileMustExist: true, readonly: true });
db.pragma(`cache_size = ${SCAN_CACHE_KIB}`);

parentPort?.on('message', (job: ContentJob) => {
  let reply: ContentReply;
  try {
    reply = { ok: hashRows(db, job.table, job.range) };
  } catch (err) {
    reply = { error: (err as Error).message };
  }
  parentPort?.postMessage(reply);
});
