#!/usr/bin/env node
/**
 * What the safety gate adds to a read-only statement: the same SELECT run directly on the engine and
 * through `execSql` (parse, classify, run), alternating, on SQLite, PostgreSQL and MariaDB. Prints
 * the median and p95 of each and the median added time. Target: under 5 ms.
 *
 *   npm run build && node bench/exec-overhead.mjs [--runs N] [--engine sqlite,postgres,mysql]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { connect, execSql } from '../dist/index.js';
import { MYSQL, PG } from './lib/databases.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const runs = Number(opt('runs', 2000));
const engines = opt('engine', 'sqlite,postgres,mysql').split(',');
const SQL = 'SELECT id, name, total FROM bench_items WHERE id = 42';
const name = `dbward_bench_exec_${process.pid}`;
const setup = `CREATE TABLE bench_items (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL, total INTEGER NOT NULL)`;

async function database(engine) {
  if (engine === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbward-bench-'));
    return { url: `file:${path.join(dir, 'bench.db')}?mode=rwc`, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  if (engine === 'postgres') {
    const admin = new pg.Client({ ...PG, database: 'postgres' });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    return {
      url: `postgres://${PG.user}@${PG.host}:${PG.port}/${name}`,
      drop: async () => {
        const c = new pg.Client({ ...PG, database: 'postgres' });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
      },
    };
  }
  const admin = await mysql.createConnection(MYSQL);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    url: `mysql://${MYSQL.user}@${MYSQL.host}:${MYSQL.port}/${name}`,
    drop: async () => {
      const c = await mysql.createConnection(MYSQL);
      await c.query(`DROP DATABASE IF EXISTS ${name}`);
      await c.end();
    },
  };
}

const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

console.log(`read-only statement: ${SQL}\n${runs} runs each, alternating; times in ms\n`);
console.log('engine    direct median  direct p95  via exec median  via exec p95  added (median)');
for (const engine of engines) {
  const db = await database(engine);
  const e = await connect(db.url);
  try {
    await e.query(setup);
    for (let i = 1; i <= 1000; i += 100) {
      const values = Array.from({ length: 100 }, (_, j) => `(${i + j}, 'item ${i + j}', ${(i + j) * 7 % 1000})`).join(', ');
      await e.query(`INSERT INTO bench_items (id, name, total) VALUES ${values}`);
    }
    const deps = { engine: e, target: e.target };
    const direct = [];
    const gated = [];
    for (let i = 0; i < 200; i++) {
      await e.query(SQL);
      await execSql(deps, SQL);
    }
    for (let i = 0; i < runs; i++) {
      let t = performance.now();
      await e.query(SQL);
      direct.push(performance.now() - t);
      t = performance.now();
      const out = await execSql(deps, SQL);
      gated.push(performance.now() - t);
      if (out.status !== 'done' || out.results[0].rows.length !== 1) throw new Error('unexpected result');
    }
    const row = [engine.padEnd(8), quantile(direct, 0.5).toFixed(3).padStart(14), quantile(direct, 0.95).toFixed(3).padStart(11), quantile(gated, 0.5).toFixed(3).padStart(16), quantile(gated, 0.95).toFixed(3).padStart(13), (quantile(gated, 0.5) - quantile(direct, 0.5)).toFixed(3).padStart(15)];
    console.log(row.join('  '));
  } finally {
    await e.close();
    await db.drop();
  }
}
