/**
 * A backup repository's storage: a narrow interface over objects addressed by '/'-separated keys, so
 * that an S3 backend can follow the local one (like Litestream's ReplicaClient).
 */
import type { Readable } from 'node:stream';

export interface Storage {
  /** Human description for output, e.g. the directory. */
  readonly location: string;
  /**
   * Store a complete local file (written in the repository's work directory) as a new object, and
   * remove the file. Atomic: the object appears under `key` only once it is complete (locally: fsync →
   * rename → fsync of the directory; an object store would upload it); on failure nothing is left under
   * `key`.
   */
  putFile(key: string, file: string): Promise<void>;
  /** Store a small object atomically (manifests, notes). */
  putSmall(key: string, data: string): Promise<void>;
  get(key: string): Promise<Readable>;
  getSmall(key: string): Promise<string | null>;
  /** Keys of the immediate children under a prefix ("a/" → "a/x", "a/y/"), sorted. */
  list(prefix: string): Promise<string[]>;
  /** Delete one object, or with a trailing '/' everything under that prefix. Missing is fine. */
  delete(key: string): Promise<void>;
  /** Size in bytes, or null when missing. */
  size(key: string): Promise<number | null>;
}
