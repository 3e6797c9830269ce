/**
 * The MySQL/MariaDB Engine over a mysql2 pool. One implementation serves both servers; what differs
 * (expression indexes, sequences, check constraints) is decided from the version string at connect.
 */
import { createHash } from 'node:crypto';
import type mysql from 'mysql2/promise';
import { LockBusyError } from '../../core/errors.js';
import { describeTarget, type ServerTarget } from '../../core/url.js';
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
import { introspectMysql } from './introspect.js';

/** MySQL rejects lock names longer than this. */
const MAX_LOCK_NAME = 64;

type Runner = Pick<mysql.Pool, 'query'>;

async function run<R extends Row>(runner: Runner, sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
  const [result] = await runner.query(sql, [...params]);
  if (Array.isArray(result)) return { rows: result as R[], rowCount: result.length };
  return { rows: [], rowCount: (result as mysql.ResultSetHeader).affectedRows };
}

function parseVersion(full: string): ServerVersion {
  const [major = 0, minor = 0, patch = 0] = (/^(\d+)\.(\d+)\.(\d+)/.exec(full) ?? []).slice(1).map(Number);
  return { product: /mariadb/i.test(full) ? 'MariaDB' : 'MySQL', full, major, minor, patch };
}

function atLeast(v: ServerVersion, major: number, minor: number, patch = 0): boolean {
  return v.major !== major ? v.major > major : v.minor !== minor ? v.minor > minor : v.patch >= patch;
}

function capabilitiesOf(v: ServerVersion): Capabilities {
  const mariadb = v.product === 'MariaDB';
  return {
    transactionalDdl: false,
    rowLevelSecurity: false,
    schemas: false,
    partialIndexes: false,
    expressionIndexes: !mariadb && atLeast(v, 8, 0, 13),
    sequences: mariadb && atLeast(v, 10, 3),
    enumTypes: false,
    checkConstraints: mariadb ? atLeast(v, 10, 2) : atLeast(v, 8, 0, 16),
    materializedViews: false,
    onlineIndexBuild: true,
  };
}

/** The server-side lock name: scoped to the database, shortened with SHA-256 past MySQL's 64-character limit. */
export function lockName(database: string, name: string): string {
  const full = `dbward:${database}:${name}`;
  if (full.length <= MAX_LOCK_NAME) return full;
  const prefix = 'dbward:';
  return prefix + createHash('sha256').update(full).digest('hex').slice(0, MAX_LOCK_NAME - prefix.length);
}

/** SHOW GRANTS may carry password hashes (`IDENTIFIED BY PASSWORD '*…'`, `IDENTIFIED VIA … USING '…'`): drop that clause. */
export function stripCredentials(grant: string): string {
  return grant.replace(/\s+IDENTIFIED\s(?:'(?:[^'\\]|\\.|'')*'|[^'])*?(?=\s+(?:REQUIRE|WITH|PASSWORD\s+EXPIRE|ACCOUNT)\b|$)/gi, '');
}

/** Privileges granted ON *.* (upper-case), e.g. ['ALL PRIVILEGES'] or ['SELECT', 'SUPER', …]. */
function globalPrivileges(grants: string[]): { privileges: Set<string>; withGrantOption: boolean } {
  const privileges = new Set<string>();
  let withGrantOption = false;
  for (const grant of grants) {
    const match = /^GRANT\s+(.+?)\s+ON\s+\*\.\*\s+TO\s/i.exec(grant);
    if (!match?.[1]) continue;
    for (const p of match[1].split(/\s*,\s*/)) privileges.add(p.trim().toUpperCase());
    if (/\bWITH\s+GRANT\s+OPTION\b/i.test(grant)) withGrantOption = true;
  }
  return { privileges, withGrantOption };
}

export class MysqlEngine implements Engine {
  private closed = false;
  readonly name = 'mysql' as const;
  private readonly version: ServerVersion;
  private readonly caps: Capabilities;

  constructor(
    readonly target: ServerTarget,
    private readonly pool: mysql.Pool,
    versionString: string,
  ) {
    this.version = parseVersion(versionString);
    this.caps = capabilitiesOf(this.version);
  }

  query<R extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    return run<R>(this.pool, sql, params);
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const conn = await this.pool.getConnection();
    try {
      await conn.beginTransaction();
      try {
        const result = await fn({ query: (sql, params) => run(conn, sql, params) });
        await conn.commit();
        return result;
      } catch (err) {
        await conn.rollback().catch(() => undefined);
        throw err;
      }
    } finally {
      conn.release();
    }
  }

  async lock(name: string, options: LockOptions = {}): Promise<LockHandle> {
    const key = lockName(this.target.database, name);
    const waitSeconds = Math.ceil((options.waitMs ?? 0) / 1000);
    // GET_LOCK belongs to the session: the connection stays out of the pool until release.
    const conn = await this.pool.getConnection();
    try {
      const { rows } = await run<{ got: number | null }>(conn, 'SELECT GET_LOCK(?, ?) AS got', [key, waitSeconds]);
      if (rows[0]?.got !== 1) {
        const { rows: holder } = await run<{ id: number | string | null }>(conn, 'SELECT IS_USED_LOCK(?) AS id', [key]);
        const by = holder[0]?.id != null ? ` by connection ${holder[0].id}` : '';
        throw new LockBusyError(
          `Lock "${name}" on ${describeTarget(this.target)} is held${by}.`,
          'Another dbward operation is running against this database; wait for it to finish (SHOW PROCESSLIST shows the holder).',
        );
      }
    } catch (err) {
      conn.release();
      throw err;
    }
    let released = false;
    return {
      name,
      release: async () => {
        if (released) return;
        released = true;
        try {
          await run(conn, 'SELECT RELEASE_LOCK(?)', [key]);
          conn.release();
        } catch {
          // The session is gone or unusable; ending it frees the lock on the server all the same.
          conn.destroy();
        }
      },
    };
  }

  async serverVersion(): Promise<ServerVersion> {
    const { rows } = await this.query<{ version: string }>('SELECT VERSION() AS version');
    return parseVersion(String(rows[0]?.version));
  }

  capabilities(): Capabilities {
    return { ...this.caps };
  }

  async privileges(): Promise<Privileges> {
    const { rows: who } = await this.query<{ user: string }>('SELECT CURRENT_USER() AS user');
    const { rows } = await this.query('SHOW GRANTS');
    const grants = rows.map((row) => stripCredentials(String(Object.values(row)[0])));
    const { privileges, withGrantOption } = globalPrivileges(grants);
    const all = privileges.has('ALL PRIVILEGES') || privileges.has('ALL');
    return {
      user: String(who[0]?.user),
      superuser: privileges.has('SUPER') || (all && withGrantOption),
      canCreateDatabase: all || privileges.has('CREATE'),
      canCreateRole: all || privileges.has('CREATE USER'),
      notes: grants,
    };
  }

  introspect(options: IntrospectOptions = {}): Promise<SchemaModel> {
    return introspectMysql(this, options);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
