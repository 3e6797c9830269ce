/**
 * Real databases for tests: each call creates a uniquely named database (or SQLite file) and returns
 * its URL and a drop() to call in afterAll. Servers: PostgreSQL on 127.0.0.1:5432 (postgres, trust),
 * MariaDB on 127.0.0.1:3306 (root, empty password) — see DESIGN §5.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import mysql from 'mysql2/promise';

export type TestEngine = 'sqlite' | 'postgres' | 'mysql';
export const ALL_ENGINES: TestEngine[] = ['sqlite', 'postgres', 'mysql'];

export const PG_ADMIN_URL = process.env.DBWARD_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const MYSQL_ADMIN = { host: '127.0.0.1', port: 3306, user: 'root', password: '' };

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DATASETS = path.resolve(ROOT, '../shared/datasets');

export interface TestDatabase {
  engine: TestEngine;
  url: string;
  /** Database name (SQLite: the file path). */
  name: string;
  drop(): Promise<void>;
}

export function uniqueName(prefix = 'dbward_test'): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

export function tempDir(prefix = 'dbward-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function pgAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function mysqlAdmin<T>(fn: (conn: mysql.Connection) => Promise<T>): Promise<T> {
  const conn = await mysql.createConnection({ ...MYSQL_ADMIN, multipleStatements: true });
  try {
    return await fn(conn);
  } finally {
    await conn.end();
  }
}

export async function createDatabase(engine: TestEngine): Promise<TestDatabase> {
  const name = uniqueName();
  if (engine === 'sqlite') {
    const dir = tempDir();
    const file = path.join(dir, `${name}.db`);
    return {
      engine,
      url: `file:${file}`,
      name: file,
      drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  }
  if (engine === 'postgres') {
    await pgAdmin((c) => c.query(`CREATE DATABASE "${name}"`));
    return {
      engine,
      url: `postgres://postgres@127.0.0.1:5432/${name}`,
      name,
      drop: () => pgAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
    };
  }
  await mysqlAdmin((c) => c.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`));
  return {
    engine,
    url: `mysql://root@127.0.0.1:3306/${name}`,
    name,
    drop: () => mysqlAdmin((c) => c.query(`DROP DATABASE IF EXISTS \`${name}\``)).then(() => undefined),
  };
}

/** Run SQL statements (a script) directly with the native client, outside dbward. */
export function runSql(db: TestDatabase, sql: string): void {
  if (db.engine === 'sqlite') {
    // better-sqlite3 is a dependency; use it synchronously through a child to keep this helper engine-free.
    const script = `const D=require('better-sqlite3');const d=new D(process.argv[1]);d.exec(require('fs').readFileSync(0,'utf8'));d.close();`;
    execFileSync(process.execPath, ['-e', script, db.name], { input: sql, cwd: ROOT });
    return;
  }
  const [cmd, args] =
    db.engine === 'postgres'
      ? ['psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', db.url, '-f', '-']]
      : ['mariadb', ['-h', '127.0.0.1', '-P', '3306', '-u', 'root', db.name]];
  const res = spawnSync(cmd, args as string[], { input: sql, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`${cmd} failed: ${res.stderr}`);
}

/** Load the Chinook dataset into a fresh database of the engine. */
export async function createChinook(engine: TestEngine): Promise<TestDatabase> {
  const db = await createDatabase(engine);
  const dir = path.join(DATASETS, 'chinook');
  if (engine === 'sqlite') {
    fs.copyFileSync(path.join(dir, 'Chinook_Sqlite.sqlite'), db.name);
    fs.chmodSync(db.name, 0o640);
    return db;
  }
  const file = engine === 'postgres' ? 'Chinook_PostgreSql.sql' : 'Chinook_MySql.sql';
  // Lines 1-28 create and switch to a database of the dataset's own; skip them (datasets/README.md).
  const body = fs.readFileSync(path.join(dir, file), 'utf8').split('\n').slice(28).join('\n');
  runSql(db, body);
  return db;
}
