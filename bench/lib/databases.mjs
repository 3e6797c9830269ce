/**
 * The benchmark databases: create one per engine and scale under a unique name, fill it with
 * datagen.mjs's data, report its size, drop it. Servers: PostgreSQL and MariaDB/MySQL on localhost
 * by default (BENCH_PG_HOST/PORT/USER, BENCH_MYSQL_HOST/PORT/USER to change; passwordless users).
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { constraintSql, dataSql, schemaSql, sqliteSchemaSql, vocabulary } from './datagen.mjs';

export const PG = {
  host: process.env.BENCH_PG_HOST ?? '127.0.0.1',
  port: Number(process.env.BENCH_PG_PORT ?? 5432),
  user: process.env.BENCH_PG_USER ?? 'postgres',
};
export const MYSQL = {
  host: process.env.BENCH_MYSQL_HOST ?? '127.0.0.1',
  port: Number(process.env.BENCH_MYSQL_PORT ?? 3306),
  user: process.env.BENCH_MYSQL_USER ?? 'root',
};

async function withPg(database, fn) {
  const client = new pg.Client({ ...PG, database });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function withMysql(fn) {
  const conn = await mysql.createConnection({ ...MYSQL, multipleStatements: false });
  try {
    return await fn(conn);
  } finally {
    await conn.end();
  }
}

/**
 * Each engine: create(name, orders, dir) fills a new database and returns { url, rawBytes, server };
 * drop(name, dir) removes it (safe to call when create failed half-way).
 */
export const ENGINES = {
  postgres: {
    async create(name, orders) {
      await withPg('postgres', (c) => c.query(`CREATE DATABASE ${name}`));
      return withPg(name, async (c) => {
        for (const sql of schemaSql('postgres')) await c.query(sql);
        const v = Buffer.from(vocabulary());
        for (const sql of dataSql('postgres', orders)) await c.query(sql, [v]);
        for (const sql of constraintSql('postgres')) await c.query(sql);
        // Hint bits and visibility map set now, not during the first timed dump.
        await c.query('VACUUM (FREEZE, ANALYZE)');
        const { rows } = await c.query('SELECT sum(pg_total_relation_size(relid))::bigint AS bytes, version() AS server FROM pg_stat_user_tables');
        return { url: `postgres://${PG.user}@${PG.host}:${PG.port}/${name}`, rawBytes: Number(rows[0].bytes), server: rows[0].server.split(' on ')[0] };
      });
    },
    async drop(name) {
      await withPg('postgres', (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  },

  mysql: {
    async create(name, orders) {
      return withMysql(async (c) => {
        await c.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4`);
        await c.query(`USE ${name}`);
        for (const sql of schemaSql('mysql')) await c.query(sql);
        await c.query('SET @bench_vocabulary = CONVERT(? USING latin1)', [vocabulary()]);
        for (const sql of dataSql('mysql', orders)) await c.query(sql);
        await c.query('SET foreign_key_checks = 0');
        for (const sql of constraintSql('mysql')) await c.query(sql);
        await c.query('SET foreign_key_checks = 1');
        await c.query('ANALYZE TABLE customers, orders, order_events');
        const [rows] = await c.query(
          'SELECT SUM(DATA_LENGTH + INDEX_LENGTH) AS bytes, VERSION() AS server FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?',
          [name],
        );
        return { url: `mysql://${MYSQL.user}@${MYSQL.host}:${MYSQL.port}/${name}`, rawBytes: Number(rows[0].bytes), server: `MariaDB/MySQL ${rows[0].server}` };
      });
    },
    async drop(name) {
      await withMysql((c) => c.query(`DROP DATABASE IF EXISTS ${name}`));
    },
  },

  sqlite: {
    async create(name, orders, dir) {
      const file = path.join(dir, `${name}.db`);
      const db = new Database(file);
      try {
        for (const sql of sqliteSchemaSql()) db.exec(sql);
        const v = Buffer.from(vocabulary());
        db.exec('BEGIN');
        for (const sql of dataSql('sqlite', orders)) db.prepare(sql).run({ v });
        for (const sql of constraintSql('sqlite')) db.exec(sql);
        db.exec('COMMIT');
        db.exec('ANALYZE');
        const server = `SQLite ${db.prepare('SELECT sqlite_version()').pluck().get()} (better-sqlite3)`;
        return { url: `file:./${name}.db`, file, rawBytes: fs.statSync(file).size, server };
      } finally {
        db.close();
      }
    },
    async drop(name, dir) {
      for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(path.join(dir, `${name}.db${suffix}`), { force: true });
    },
  },
};
