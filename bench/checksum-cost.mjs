#!/usr/bin/env node
/**
 * Where the time of dbward's per-table checksum pass goes, on the benchmark data:
 *
 *   node bench/checksum-cost.mjs [--engine postgres,mysql] [--scale small|large]
 *
 * Creates the benchmark database (bench/lib/datagen.mjs), times the checksum query of
 * src/engines/{postgres,mysql}/backup.ts step by step (scan only, + row as text, + md5, the full
 * query) and a few variants, over all tables, each query once after one untimed warm-up scan, and
 * drops the database. PostgreSQL queries run with max_parallel_workers_per_gather = 0, so the
 * figures are CPU seconds of one core (the full query is timed with the server's default too).
 * The SQL below mirrors src/ at the time of writing; keep it in step when the checksum changes.
 */
import { SCALES } from './lib/datagen.mjs';
import { ENGINES, MYSQL, PG } from './lib/databases.mjs';
import mysql from 'mysql2/promise';
import pg from 'pg';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const engines = opt('--engine', 'postgres,mysql').split(',');
const scale = opt('--scale', 'large');
const TABLES = ['customers', 'order_events', 'orders'];

const time = async (fn) => {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
};

const PG_VARIANTS = {
  'scan only: count(*)': () => 'SELECT count(*) FROM %T',
  'COPY t TO /dev/null (what the dump costs the server)': null,
  '+ row as text: sum(length(ROW(t.*)::text))': () => 'SELECT sum(length(ROW(t.*)::text)) FROM %T',
  '+ md5: count(md5(ROW(t.*)::text))': () => 'SELECT count(md5(ROW(t.*)::text)) FROM %T',
  'dbward checksum (md5 halves ::bit(64)::int8::numeric, summed)': () => `
    SELECT count(*) AS rows,
           md5(count(*) || ':' || coalesce(sum(('x' || substr(h, 1, 16))::bit(64)::int8::numeric), 0)
                        || ':' || coalesce(sum(('x' || substr(h, 17, 16))::bit(64)::int8::numeric), 0)) AS checksum
      FROM (SELECT md5(ROW(t.*)::text) AS h FROM %T) s`,
  'variant: same halves summed as int8 (sum(int8) is exact, same result)': () => `
    SELECT count(*) AS rows,
           md5(count(*) || ':' || coalesce(sum(('x' || substr(h, 1, 16))::bit(64)::int8), 0)
                        || ':' || coalesce(sum(('x' || substr(h, 17, 16))::bit(64)::int8), 0)) AS checksum
      FROM (SELECT md5(ROW(t.*)::text) AS h FROM %T) s`,
  // The subquery above is pulled up into the aggregate, so md5(ROW(t.*)::text) is computed once per
  // sum(), twice per row (EXPLAIN VERBOSE shows it twice); OFFSET 0 keeps the subquery, same result.
  'variant: the same query with OFFSET 0 in the subquery (md5 once per row, same result)': () => `
    SELECT count(*) AS rows,
           md5(count(*) || ':' || coalesce(sum(('x' || substr(h, 1, 16))::bit(64)::int8::numeric), 0)
                        || ':' || coalesce(sum(('x' || substr(h, 17, 16))::bit(64)::int8::numeric), 0)) AS checksum
      FROM (SELECT md5(ROW(t.*)::text) AS h FROM %T OFFSET 0) s`,
  'variant: sum(hashtextextended(ROW(t.*)::text, 0)) (not md5)': () => 'SELECT count(*), sum(hashtextextended(ROW(t.*)::text, 0)) FROM %T',
};

async function postgres(db) {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const results = [];
  try {
    await client.query('SET max_parallel_workers_per_gather = 0');
    for (const t of TABLES) await client.query(`SELECT count(*) FROM ONLY ${t}`); // warm-up
    for (const [label, sql] of Object.entries(PG_VARIANTS)) {
      let seconds = 0;
      for (const t of TABLES) {
        const text = sql ? sql().replace('%T', `ONLY ${t} t`) : `COPY ${t} TO '/dev/null'`;
        seconds += await time(() => client.query(text));
      }
      results.push([label, seconds]);
    }
    await client.query('RESET max_parallel_workers_per_gather');
    let seconds = 0;
    const full = PG_VARIANTS['dbward checksum (md5 halves ::bit(64)::int8::numeric, summed)']();
    for (const t of TABLES) seconds += await time(() => client.query(full.replace('%T', `ONLY ${t} t`)));
    results.push(['dbward checksum, server default (parallel workers allowed)', seconds]);
  } finally {
    await client.end();
  }
  return results;
}

/** Mirrors AS_TEXT and columnText() of src/engines/mysql/backup.ts. */
const AS_TEXT = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint', 'decimal', 'numeric', 'double', 'real', 'year', 'date', 'time', 'datetime']);
function columnText(c, type, hexText = true) {
  const q = `\`${c}\``;
  if (AS_TEXT.has(type)) return `CAST(${q} AS CHAR)`;
  if (type === 'float') return `CAST(CAST(${q} AS DOUBLE) AS CHAR)`;
  if (type === 'timestamp') return `CAST(UNIX_TIMESTAMP(${q}) AS CHAR)`;
  return hexText ? `HEX(${q})` : q;
}

async function mysqlCost(db, name) {
  const conn = await mysql.createConnection({ ...MYSQL, database: name });
  const results = [];
  try {
    const [cols] = await conn.query('SELECT TABLE_NAME AS t, COLUMN_NAME AS c, DATA_TYPE AS type FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY ORDINAL_POSITION', [name]);
    const row = (t, hexText = true) => `CONCAT_WS(0x1e, ${cols.filter((r) => r.t === t).map((r) => `IFNULL(${columnText(r.c, r.type.toLowerCase(), hexText)}, 0x1f)`).join(', ')})`;
    const digest = (x) => `CAST(CONV(SUBSTRING(MD5(${x}), 1, 16), 16, 10) AS UNSIGNED)`;
    const variants = {
      'scan only: SUM(LENGTH(id)) over the clustered index': (t) => `SELECT SUM(LENGTH(id)) FROM \`${t}\` FORCE INDEX (PRIMARY)`,
      '+ row as text, HEX() of text/JSON: SUM(LENGTH(CONCAT_WS(…)))': (t) => `SELECT SUM(LENGTH(${row(t)})) FROM \`${t}\``,
      '+ MD5: SUM(LENGTH(MD5(CONCAT_WS(…))))': (t) => `SELECT SUM(LENGTH(MD5(${row(t)}))) FROM \`${t}\``,
      'dbward checksum (SUM of CONV(MD5 prefix))': (t) => `SELECT COUNT(*) AS n, SUM(${digest(row(t))}) AS s FROM \`${t}\``,
      'variant: text and JSON without HEX()': (t) => `SELECT COUNT(*) AS n, SUM(${digest(row(t, false))}) AS s FROM \`${t}\``,
    };
    for (const t of TABLES) await conn.query(`SELECT SUM(LENGTH(id)) FROM \`${t}\` FORCE INDEX (PRIMARY)`); // warm-up
    for (const [label, sql] of Object.entries(variants)) {
      let seconds = 0;
      for (const t of TABLES) seconds += await time(() => conn.query(sql(t)));
      results.push([label, seconds]);
    }
  } finally {
    await conn.end();
  }
  return results;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbward-checksum-cost-'));
let failed = false;
try {
  for (const engine of engines) {
    const name = `dbward_bench_cost_${process.pid}_${engine}`;
    const impl = ENGINES[engine];
    try {
      console.error(`[${engine}/${scale}] generating…`);
      const db = await impl.create(name, SCALES[scale], dir);
      const results = engine === 'postgres' ? await postgres(db) : await mysqlCost(db, name);
      console.log(`\n${engine} ${scale} (${(db.rawBytes / 1048576).toFixed(0)} MiB on disk; ${engine === 'postgres' ? `${PG.host}:${PG.port}` : `${MYSQL.host}:${MYSQL.port}`}), seconds over all tables:\n`);
      for (const [label, seconds] of results) console.log(`  ${seconds.toFixed(2).padStart(6)}  ${label}`);
    } catch (err) {
      failed = true;
      console.error(`${engine}: ${err.stack ?? err}`);
    } finally {
      await impl.drop(name, dir).catch((err) => console.error(`drop ${name}: ${err.message}`));
    }
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
