/**
 * The PostgreSQL Engine: a pg.Pool for queries, one checked-out client per transaction, and one
 * dedicated client per advisory lock, held for the lock's lifetime (session-level locks belong to
 * the connection, so closing it frees them).
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { LockBusyError, OperationError } from '../../core/errors.js';
import type { ServerTarget } from '../../core/url.js';
import type { SchemaModel } from '../../schema/model.js';
import type {
  Capabilities,
  Engine,
  IntrospectOptions,
  LockHandle,
  LockOptions,
  Privileges,
  Queryable,
  QueryResult,
  Row,
  ServerVersion,
} from '../engine.js';
import { introspectPostgres } from './introspect.js';

const LOCK_POLL_MS = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** pg returns an array of results for a multi-statement text; report the last statement's. */
function toResult<R extends Row>(res: pg.QueryResult<R> | pg.QueryResult<R>[]): QueryResult<R> {
  const last = Array.isArray(res) ? res[res.length - 1] : res;
  return { rows: last?.rows ?? [], rowCount: last?.rowCount ?? 0 };
}

function queryable(client: pg.ClientBase): Queryable {
  return {
    query: async <R extends Row = Row>(sql: string, params: readonly unknown[] = []) =>
      toResult<R>(await client.query<R>(sql, params as unknown[])),
  };
}

/** The advisory lock key: the first 8 bytes of sha256("dbward:" + name) as a signed 64-bit integer. */
export function lockKey(name: string): bigint {
  return createHash('sha256').update(`dbward:${name}`).digest().readBigInt64BE(0);
}

/**
 * A client checked out of the pool, with an 'error' listener for as long as we hold it: pg-pool
 * removes its own listener on checkout, and a server-side termination would otherwise crash the process.
 */
async function checkout(pool: pg.Pool): Promise<{
  client: pg.PoolClient;
  lost: () => Error | undefined;
  /** Give the client back (destroying it when told), removing our listener so none pile up on pooled clients. */
  release: (destroy?: Error | boolean) => void;
}> {
  const client = await pool.connect();
  let lost: Error | undefined;
  const onError = (err: Error) => {
    lost = err;
  };
  client.on('error', onError);
  return {
    client,
    lost: () => lost,
    release: (destroy) => {
      client.off('error', onError);
      client.release(destroy);
    },
  };
}

export class PostgresEngine implements Engine {
  private closed = false;
  readonly name = 'postgres' as const;
  /** Locks held; close() releases them, else pool.end() would wait for their clients forever. */
  private readonly locks = new Set<LockHandle>();

  constructor(
    private readonly pool: pg.Pool,
    readonly target: ServerTarget,
  ) {}

  async query<R extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
    return toResult<R>(await this.pool.query<R>(sql, params as unknown[]));
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const { client, lost, release } = await checkout(this.pool);
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await fn(queryable(client));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch((rollbackErr: Error) => {
        broken = rollbackErr;
      });
      throw err;
    } finally {
      release(broken ?? lost());
    }
  }

  async lock(name: string, options: LockOptions = {}): Promise<LockHandle> {
    const key = lockKey(name).toString();
    const deadline = Date.now() + (options.waitMs ?? 0);
    const { client, lost, release } = await checkout(this.pool);
    try {
      for (;;) {
        const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS ok', [key]);
        if (rows[0]?.ok) break;
        const remaining = deadline - Date.now();
        if (remaining <= 0) throw await this.busyError(client, name, key);
        await sleep(Math.min(LOCK_POLL_MS, remaining));
      }
    } catch (err) {
      release(lost() ?? (err instanceof LockBusyError ? undefined : true));
      throw err;
    }
    const handle: LockHandle = {
      name,
      release: async () => {
        // Not in the set: released already (or by close()).
        if (!this.locks.delete(handle)) return;
        try {
          if (!lost()) await client.query('SELECT pg_advisory_unlock($1::bigint)', [key]);
          release(lost());
        } catch {
          // Dropping the session frees every lock it holds, so the lock is released either way.
          release(true);
        }
      },
    };
    this.locks.add(handle);
    return handle;
  }

  private async busyError(client: pg.PoolClient, name: string, key: string): Promise<LockBusyError> {
    const k = BigInt.asUintN(64, BigInt(key));
    const { rows } = await client.query<{ pid: number; application_name: string | null }>(
      `SELECT l.pid, a.application_name
         FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND l.classid::bigint = $1::bigint AND l.objid::bigint = $2::bigint`,
      [(k >> 32n).toString(), (k & 0xffffffffn).toString()],
    );
    const holder = rows[0];
    const by = holder ? ` by server process ${holder.pid}${holder.application_name ? ` (${holder.application_name})` : ''}` : ' by another session';
    return new LockBusyError(
      `The lock "${name}" on ${this.target.database} is held${by}.`,
      holder
        ? `Wait for that operation to finish; pg_stat_activity shows what process ${holder.pid} is doing.`
        : 'Wait for the other operation to finish.',
    );
  }

  async serverVersion(): Promise<ServerVersion> {
    const { rows } = await this.pool.query<{ full: string; num: string }>(
      "SELECT current_setting('server_version') AS full, current_setting('server_version_num') AS num",
    );
    const { full, num } = rows[0] as { full: string; num: string };
    const n = Number(num);
    // Since 10 the number is major * 10000 + minor; before, major * 10000 + minor * 100 + patch.
    return n >= 100000
      ? { product: 'PostgreSQL', full, major: Math.floor(n / 10000), minor: n % 10000, patch: 0 }
      : { product: 'PostgreSQL', full, major: Math.floor(n / 10000), minor: Math.floor(n / 100) % 100, patch: n % 100 };
  }

  capabilities(): Capabilities {
    return {
      transactionalDdl: true,
      rowLevelSecurity: true,
      schemas: true,
      partialIndexes: true,
      expressionIndexes: true,
      sequences: true,
      enumTypes: true,
      checkConstraints: true,
      materializedViews: true,
      onlineIndexBuild: true,
    };
  }

  async privileges(): Promise<Privileges> {
    const { rows } = await this.pool.query<{
      user: string;
      database: string;
      owner: string;
      rolsuper: boolean;
      rolcreatedb: boolean;
      rolcreaterole: boolean;
      rolbypassrls: boolean;
      create_on_database: boolean;
      create_on_public: boolean | null;
    }>(
      `SELECT current_user AS user, current_database() AS database, pg_get_userbyid(d.datdba) AS owner,
              r.rolsuper, r.rolcreatedb, r.rolcreaterole, r.rolbypassrls,
              has_database_privilege(d.oid, 'CREATE') AS create_on_database,
              (SELECT has_schema_privilege(n.oid, 'CREATE') FROM pg_namespace n WHERE n.nspname = 'public') AS create_on_public
         FROM pg_roles r, pg_database d
        WHERE r.rolname = current_user AND d.datname = current_database()`,
    );
    const p = rows[0];
    if (!p) throw new OperationError('The server returned no row for the current role.');
    const notes = [
      p.owner === p.user
        ? `connected to database ${p.database} as its owner`
        : `connected to database ${p.database} as ${p.user} (owner: ${p.owner})`,
    ];
    if (p.create_on_database) notes.push(`has CREATE on database ${p.database}`);
    if (p.create_on_public) notes.push('has CREATE on schema public');
    if (p.rolbypassrls) notes.push('bypasses row-level security (BYPASSRLS)');
    return {
      user: p.user,
      superuser: p.rolsuper,
      canCreateDatabase: p.rolcreatedb,
      canCreateRole: p.rolcreaterole,
      notes,
    };
  }

  introspect(options: IntrospectOptions = {}): Promise<SchemaModel> {
    return this.transaction((tx) => introspectPostgres(tx, options));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Unlock explicitly: a closed connection frees its locks too, but only once the server notices.
    await Promise.all([...this.locks].map((lock) => lock.release()));
    await this.pool.end();
  }
}
