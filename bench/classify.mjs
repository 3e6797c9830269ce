#!/usr/bin/env node
/**
 * Statement classification benchmark (the safety gate's classifier, src/guard/classify).
 *
 *   npm run bench:classify                       (= npm run build && node bench/classify.mjs)
 *   node bench/classify.mjs [--dialect postgres,mysql,sqlite] [--statements N] [--runs N] [--json FILE]
 *
 * For each dialect it classifies a realistic mix of statements — mostly short SELECT / INSERT /
 * UPDATE / DELETE with WHERE, some DDL — one classifySql call per statement (as `dbward exec` gets
 * them), and prints statements per second (median of the runs); then the median and 99th percentile
 * time to classify one short read-only statement, and the cold start (loading the classifier and its
 * parser in a fresh process, plus the first statement). Targets from issue 5: ≥ 20 000 statements/s,
 * < 5 ms added to a read-only statement. Nothing touches a database. See docs/benchmarks.md.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MODULE = path.join(ROOT, 'dist', 'guard', 'classify', 'index.js');
const TARGET_PER_SECOND = 20_000;
const TARGET_READ_MS = 5;

function parseArgs(argv) {
  const options = { dialects: ['postgres', 'mysql', 'sqlite'], statements: 20_000, runs: 5, json: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--dialect') options.dialects = value().split(',');
    else if (arg === '--statements') options.statements = Number(value());
    else if (arg === '--runs') options.runs = Number(value());
    else if (arg === '--json') options.json = value();
    else if (arg === '--help' || arg === '-h') {
      console.log('usage: node bench/classify.mjs [--dialect postgres,mysql,sqlite] [--statements N] [--runs N] [--json FILE]');
      process.exit(0);
    } else throw new Error(`unknown option ${arg}`);
  }
  for (const d of options.dialects) if (!['postgres', 'mysql', 'sqlite'].includes(d)) throw new Error(`unknown dialect ${d}`);
  return options;
}

// ---------------------------------------------------------------------------------------------
// The statement mix (deterministic)

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet'];

/** One statement of the mix: 45 % SELECT, 20 % INSERT, 20 % UPDATE, 5 % DELETE (all with WHERE), 10 % DDL. */
function statement(dialect, r) {
  const id = Math.floor(r() * 1_000_000);
  const word = WORDS[Math.floor(r() * WORDS.length)];
  const q = dialect === 'mysql' ? '`' : '"';
  const roll = r();
  const pick = (list) => list[Math.floor(r() * list.length)];
  if (roll < 0.45) {
    return pick([
      `SELECT * FROM users WHERE id = ${id}`,
      `SELECT id, email, name FROM users WHERE email = '${word}${id}@example.com' LIMIT 1`,
      `SELECT o.id, o.total, u.name FROM orders o JOIN users u ON u.id = o.user_id WHERE o.user_id = ${id} ORDER BY o.created_at DESC LIMIT 20`,
      `SELECT count(*) FROM orders WHERE status = '${word}' AND total > ${id % 500}`,
      `SELECT status, count(*), sum(total) FROM orders WHERE created_at >= '2025-01-01' GROUP BY status`,
      `SELECT * FROM products WHERE category_id IN (${id % 10}, ${(id + 1) % 10}, ${(id + 2) % 10}) AND price BETWEEN 10 AND 100 ORDER BY price LIMIT 50`,
    ]);
  }
  if (roll < 0.65) {
    return pick([
      `INSERT INTO users (email, name, created_at) VALUES ('${word}${id}@example.com', '${word}', '2025-06-01 12:00:00')`,
      `INSERT INTO orders (user_id, status, total) VALUES (${id}, 'new', ${(id % 1000) / 10})`,
      `INSERT INTO events (kind, payload) VALUES ('${word}', '{"id": ${id}}'), ('${word}', '{"id": ${id + 1}}')`,
    ]);
  }
  if (roll < 0.85) {
    return pick([
      `UPDATE orders SET status = 'paid', updated_at = '2025-06-01' WHERE id = ${id}`,
      `UPDATE users SET name = '${word}' WHERE id = ${id} AND deleted_at IS NULL`,
      `UPDATE products SET stock = stock - 1 WHERE id = ${id} AND stock > 0`,
    ]);
  }
  if (roll < 0.9) {
    return pick([`DELETE FROM sessions WHERE id = ${id}`, `DELETE FROM carts WHERE user_id = ${id} AND created_at < '2025-01-01'`]);
  }
  const t = `${word}_${id % 100}`;
  const ddl = {
    postgres: [
      `CREATE TABLE ${q}${t}${q} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, created_at timestamptz DEFAULT now())`,
      `ALTER TABLE users ADD COLUMN ${word}_${id % 100} text`,
      `CREATE INDEX CONCURRENTLY orders_${word} ON orders (status, created_at)`,
      `DROP TABLE IF EXISTS ${t}`,
      `ALTER TABLE orders DROP COLUMN ${word}`,
    ],
    mysql: [
      `CREATE TABLE ${q}${t}${q} (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100) NOT NULL, created_at DATETIME)`,
      `ALTER TABLE users ADD COLUMN ${word}_${id % 100} VARCHAR(50), ALGORITHM=INSTANT`,
      `CREATE INDEX orders_${word} ON orders (status, created_at)`,
      `DROP TABLE IF EXISTS ${t}`,
      `ALTER TABLE orders DROP COLUMN ${word}`,
    ],
    sqlite: [
      `CREATE TABLE ${q}${t}${q} (id INTEGER PRIMARY KEY, name TEXT NOT NULL, created_at TEXT)`,
      `ALTER TABLE users ADD COLUMN ${word}_${id % 100} TEXT`,
      `CREATE INDEX orders_${word} ON orders (status, created_at)`,
      `DROP TABLE IF EXISTS ${t}`,
      `ALTER TABLE orders DROP COLUMN ${word}`,
    ],
  };
  return pick(ddl[dialect]);
}

function mix(dialect, n, seed) {
  const r = rng(seed);
  return Array.from({ length: n }, () => statement(dialect, r));
}

// ---------------------------------------------------------------------------------------------
// Measurements

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

function throughput(classifySql, dialect, statements, runs) {
  for (const sql of statements.slice(0, 2000)) classifySql(dialect, sql); // warm up
  const rates = [];
  const classes = { read: 0, write: 0, destructive: 0 };
  for (let run = 0; run < runs; run++) {
    const started = process.hrtime.bigint();
    for (const sql of statements) {
      const [s] = classifySql(dialect, sql);
      if (run === 0 && s) classes[s.class]++;
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    rates.push(statements.length / seconds);
  }
  return { rate: median(rates), rates, classes };
}

function batch(classifySql, dialect, statements) {
  const input = statements.slice(0, 2000).join(';\n');
  classifySql(dialect, input);
  const started = process.hrtime.bigint();
  const result = classifySql(dialect, input);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { statements: result.length, rate: result.length / seconds };
}

function readLatency(classifySql, dialect) {
  const samples = [];
  for (let i = 0; i < 5000; i++) {
    const sql = `SELECT id, email FROM users WHERE id = ${i}`;
    const started = process.hrtime.bigint();
    classifySql(dialect, sql);
    const micros = Number(process.hrtime.bigint() - started) / 1e3;
    if (i >= 500) samples.push(micros);
  }
  return { medianMicros: median(samples), p99Micros: percentile(samples, 99) };
}

/** A fresh process: import the classifier (loading its parser) and classify one read. */
function coldStart(dialect) {
  const script = `
    const t0 = process.hrtime.bigint();
    const { classifySql } = await import(${JSON.stringify(pathToFileURL(MODULE).href)});
    const t1 = process.hrtime.bigint();
    classifySql(${JSON.stringify(dialect)}, 'SELECT id, email FROM users WHERE id = 42');
    const t2 = process.hrtime.bigint();
    classifySql(${JSON.stringify(dialect)}, 'SELECT id, email FROM users WHERE id = 43');
    const t3 = process.hrtime.bigint();
    console.log(JSON.stringify({ importMs: Number(t1 - t0) / 1e6, firstMs: Number(t2 - t1) / 1e6, secondMs: Number(t3 - t2) / 1e6 }));`;
  const runs = [];
  for (let i = 0; i < 3; i++) runs.push(JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })));
  return { importMs: median(runs.map((r) => r.importMs)), firstMs: median(runs.map((r) => r.firstMs)), secondMs: median(runs.map((r) => r.secondMs)) };
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(MODULE)) throw new Error('dist/ is missing: run `npm run build` first (or npm run bench:classify)');
  const { classifySql } = await import(pathToFileURL(MODULE).href);
  console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} ×${os.cpus().length}; ${options.statements} statements per run, ${options.runs} runs\n`);
  const results = [];
  let failed = false;
  for (const [index, dialect] of options.dialects.entries()) {
    const statements = mix(dialect, options.statements, 42 + index);
    const t = throughput(classifySql, dialect, statements, options.runs);
    const b = batch(classifySql, dialect, statements);
    const l = readLatency(classifySql, dialect);
    const c = coldStart(dialect);
    const ok = t.rate >= TARGET_PER_SECOND && l.medianMicros / 1000 < TARGET_READ_MS;
    failed ||= !ok;
    results.push({ dialect, ...t, batch: b, readLatency: l, coldStart: c, ok });
    const fmt = (n) => Math.round(n).toLocaleString('en-US');
    console.log(`${dialect.padEnd(9)} ${fmt(t.rate).padStart(8)} statements/s (runs: ${t.rates.map(fmt).join(', ')}; mix: ${t.classes.read} read, ${t.classes.write} write, ${t.classes.destructive} destructive)`);
    console.log(`${''.padEnd(9)} one input of ${b.statements} statements: ${fmt(b.rate)} statements/s`);
    console.log(`${''.padEnd(9)} one short read: median ${l.medianMicros.toFixed(1)} µs, p99 ${l.p99Micros.toFixed(1)} µs`);
    console.log(`${''.padEnd(9)} cold start: import ${c.importMs.toFixed(1)} ms, first statement ${c.firstMs.toFixed(2)} ms, second ${c.secondMs.toFixed(3)} ms`);
    console.log(`${''.padEnd(9)} ${ok ? 'ok' : 'MISSED'} (targets: ≥ ${fmt(TARGET_PER_SECOND)} statements/s, < ${TARGET_READ_MS} ms per read)\n`);
  }
  if (options.json) fs.writeFileSync(options.json, `${JSON.stringify(results, null, 2)}\n`);
  if (failed) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
});
