/**
 * The SQLite Engine over one better-sqlite3 connection.
 *
 * better-sqlite3 is synchronous, but transaction(fn) takes an async fn, so other callers could run
 * statements on the same connection while a transaction awaits. To keep transactions whole, all work
 * on the connection goes through one queue: a transaction holds it until it commits or rolls back.
 * Code running inside the transaction (tracked with AsyncLocalStorage) bypasses the queue, and a
 * transaction started inside another becomes a savepoint.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { DbwardError, LockBusyError, OperationError, errorMessage } from '../../core/errors.js';
import { acquireFileLock } from '../../core/lockfile.js';
import type { SqliteTarget } from '../../core/url.js';
import type { SchemaModel } from '../../schema/model.js';
import type {
  Capabilities,
  Engine,
  IntrospectOptions,
  LockHandle,
  LockOptions,
  Privileges,
  QueryResult,
  Queryable,
  Row,
  ServerVersion,
} from '../engine.js';
import { introspectSqlite } from './introspect.js';
import { osUser } from '../../core/os-user.js';

const CAPABILITIES: Capabilities = {
  transactionalDdl: true,
  rowLevelSecurity: false,
  schemas: false,
  partialIndexes: true,
  expressionIndexes: true,
  sequences: false,
  enumTypes: false,
  checkConstraints: true,
  materializedViews: false,
  onlineIndexBuild: false,
};

interface TxContext {
  /** Nesting depth: 0 for the transaction itself, n for the n-th nested savepoint. */
  depth: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class SqliteEngine implements Engine {
  readonly name = 'sqlite' as const;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly txContext = new AsyncLocalStorage<TxContext>();
  /** Locks held through this engine, released on close. */
  private readonly heldLocks = new Set<LockHandle>();
  /** In-process locks for ':memory:' databases, which no other process can open. */
  private readonly memoryLocks = new Set<string>();

  constructor(
    private readonly db: Database.Database,
    readonly target: SqliteTarget,
  ) {}

  query<R extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
    return this.exclusive(() => this.run<R>(sql, params));
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const outer = this.txContext.getStore();
    if (outer) return this.savepoint(outer, fn);
    return this.exclusive(
      async () => {
        // IMMEDIATE takes the write lock now, so the transaction cannot fail later on a lock upgrade.
        this.run('BEGIN IMMEDIATE', []);
        const result = await this.inContext(fn, 0);
        this.run('COMMIT', []);
        return result;
      },
      () => this.rollback('ROLLBACK'),
    );
  }

  async lock(name: string, options: LockOptions = {}): Promise<LockHandle> {
    const waitMs = options.waitMs ?? 0;
    const handle = this.target.path === ':memory:' ? await this.memoryLock(name, waitMs) : await this.fileLock(name, waitMs);
    this.heldLocks.add(handle);
    return handle;
  }

  async serverVersion(): Promise<ServerVersion> {
    const { full } = (await this.query<{ full: string }>('SELECT sqlite_version() AS full')).rows[0]!;
    const [major = 0, minor = 0, patch = 0] = full.split('.').map(Number);
    return { product: 'SQLite', full, major, minor, patch };
  }

  capabilities(): Capabilities {
    return { ...CAPABILITIES };
  }

  async privileges(): Promise<Privileges> {
    const user = osUser();
    if (this.target.path === ':memory:') {
      return { user, superuser: false, canCreateDatabase: true, canCreateRole: false, notes: ['in-memory database'] };
    }
    const file = this.target.path;
    const notes = [
      `file ${file} is ${canAccess(file, fs.constants.R_OK) ? '' : 'not '}readable by ${user}`,
      `file ${file} is ${canAccess(file, fs.constants.W_OK) ? '' : 'not '}writable by ${user}`,
    ];
    if (this.db.readonly) notes.push('opened read-only (mode=ro)');
    return {
      user,
      superuser: false,
      canCreateDatabase: canAccess(path.dirname(file), fs.constants.W_OK),
      canCreateRole: false,
      notes,
    };
  }

  introspect(options: IntrospectOptions = {}): Promise<SchemaModel> {
    const database = this.target.path === ':memory:' ? ':memory:' : path.basename(this.target.path);
    return this.exclusive(() => {
      try {
        return introspectSqlite(this.db, database, options);
      } catch (err) {
        if (err instanceof DbwardError) throw err;
        throw new OperationError(`Reading the SQLite schema failed: ${errorMessage(err)}`, undefined, err);
      }
    });
  }

  /**
   * Run fn with the raw better-sqlite3 connection, queued like any other work. For this engine's own
   * modules (backup.ts) that need what the Engine interface does not offer: the backup API, user functions.
   */
  withConnection<T>(fn: (db: Database.Database) => Promise<T> | T): Promise<T> {
    return this.exclusive(() => fn(this.db));
  }

  async close(): Promise<void> {
    await this.queue; // let queued work finish (the queue itself never rejects)
    for (const handle of [...this.heldLocks]) await handle.release();
    if (this.db.open) this.db.close();
  }

  /** Run one statement now. Readers return their rows; writers report the rows they changed. */
  private run<R extends Row>(sql: string, params: readonly unknown[]): QueryResult<R> {
    try {
      const stmt = this.db.prepare(sql);
      const bound = params.map(toSqlite);
      if (stmt.reader) {
        const rows = stmt.all(...bound) as R[];
        return { rows, rowCount: rows.length };
      }
      return { rows: [], rowCount: stmt.run(...bound).changes };
    } catch (err) {
      throw new OperationError(`SQLite: ${errorMessage(err)}`, undefined, err);
    }
  }

  /**
   * Run work when every earlier queued piece has finished; inside a transaction, run it at once.
   * onError runs (before the error propagates) if work throws.
   */
  private exclusive<T>(work: () => Promise<T> | T, onError?: () => void): Promise<T> {
    if (this.txContext.getStore()) return Promise.resolve().then(work);
    const next = this.queue.then(async () => {
      try {
        return await work();
      } catch (err) {
        onError?.();
        throw err;
      }
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  private inContext<T>(fn: (tx: Queryable) => Promise<T>, depth: number): Promise<T> {
    let open = true;
    const tx: Queryable = {
      query: <R extends Row = Row>(sql: string, params: readonly unknown[] = []) => {
        if (!open) return Promise.reject(new OperationError('This transaction has already ended; use the engine itself.'));
        return Promise.resolve().then(() => this.run<R>(sql, params));
      },
    };
    return this.txContext.run({ depth }, () => fn(tx)).finally(() => {
      open = false;
    });
  }

  private async savepoint<T>(outer: TxContext, fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const depth = outer.depth + 1;
    const name = `dbward_sp_${depth}`;
    this.run(`SAVEPOINT ${name}`, []);
    try {
      const result = await this.inContext(fn, depth);
      this.run(`RELEASE ${name}`, []);
      return result;
    } catch (err) {
      this.rollback(`ROLLBACK TO ${name}`, `RELEASE ${name}`);
      throw err;
    }
  }

  /** Roll back unless SQLite already did (some errors, e.g. SQLITE_FULL, end the transaction themselves). */
  private rollback(...statements: string[]): void {
    if (!this.db.inTransaction) return;
    for (const sql of statements) this.run(sql, []);
  }

  private async fileLock(name: string, waitMs: number): Promise<LockHandle> {
    const lockPath = `${this.target.path}.dbward-${name.replace(/[^A-Za-z0-9_.-]/g, '_')}.lock`;
    const lock = await acquireFileLock(lockPath, { waitMs, what: `The dbward lock "${name}" on ${this.target.path}` });
    return this.handle(name, () => lock.release());
  }

  private async memoryLock(name: string, waitMs: number): Promise<LockHandle> {
    const deadline = Date.now() + waitMs;
    while (this.memoryLocks.has(name)) {
      if (Date.now() >= deadline) throw new LockBusyError(`The dbward lock "${name}" on the in-memory database is held.`);
      await sleep(Math.min(50, Math.max(1, deadline - Date.now())));
    }
    this.memoryLocks.add(name);
    return this.handle(name, () => this.memoryLocks.delete(name));
  }

  private handle(name: string, release: () => void): LockHandle {
    let released = false;
    const handle: LockHandle = {
      name,
      release: async () => {
        if (released) return;
        released = true;
        release();
        this.heldLocks.delete(handle);
      },
    };
    return handle;
  }
}

/** better-sqlite3 binds numbers, bigints, strings, Buffers and null; map the other common JS values. */
function toSqlite(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.toISOString();
  return value;
}

function canAccess(file: string, mode: number): boolean {
  try {
    fs.accessSync(file, mode);
    return true;
  } catch {
    return false;
  }
}

