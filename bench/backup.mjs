#!/usr/bin/env node
/**
 * Backup benchmark: dbward backup against the native tools, on the same database in the same run.
 *
 *   npm run bench:backup -- [--scale small|large|both] [--engine sqlite,postgres,mysql] [--runs N] [--json FILE]
 *   node bench/backup.mjs …                                  (after npm run build)
 *
 * For each engine and scale it creates a database with realistic entropy (bench/lib/datagen.mjs),
 * runs every contender RUNS times in a rotating order (3 runs for small, 2 for large), and prints the
 * median wall time, the ratio dbward ÷ contender, output size, peak memory and CPU time, then checks
 * the targets. Databases and temporary files are removed at the end, also on failure or Ctrl-C.
 * See docs/benchmarks.md.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SCALES } from './lib/datagen.mjs';
import { ENGINES, MYSQL, PG } from './lib/databases.mjs';
import { MAXRSS_HOOK, killCurrent, measure, waitForQuiet } from './lib/measure.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'bin', 'dbward.js');
const PIECES = path.join(ROOT, 'bench', 'lib', 'pieces.mjs');
const HOOK = pathToFileURL(MAXRSS_HOOK).href;
const ZSTD = ['zstd', '-T0', '-3', '-q']; // the level and threads of src/backup/codec.ts
const MiB = 1024 * 1024;
/**
 * The native pipeline with one more process reading every byte of the raw dump (and nothing else):
 * the least any tool that checks the rows as they stream past adds to it.
 */
const TEE = 'tee >(cat > /dev/null)';
const EXTRA_READER = '(one more reader of the raw dump: the floor for checking every row)';
const NODE_FLOOR = '(an empty node process first: the floor for a node CLI)';

const TARGETS = {
  pgVsPgDumpFc: 0.5,
  pgVsPipeline: 1.05,
  mysqlVsPipeline: 1.05,
  peakMiB: 150,
  /** "Not growing with database size": the large database's peak may exceed the small one's by this much. */
  growthMiB: 10,
};

// ---------------------------------------------------------------------------------------------
// Arguments

function parseArgs(argv) {
  const opts = { scales: ['small', 'large'], engines: ['sqlite', 'postgres', 'mysql'], runs: null, json: null, quietCpus: 0.2, disturbedCpus: 0.1, quietTimeout: 120 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    if (flag === '--scale') {
      const s = value();
      if (!['small', 'large', 'both'].includes(s)) throw new Error(`--scale: small, large or both, not "${s}"`);
      opts.scales = s === 'both' ? ['small', 'large'] : [s];
    } else if (flag === '--engine') {
      opts.engines = value().split(',').map((e) => e.trim()).filter(Boolean);
      const unknown = opts.engines.filter((e) => !ENGINES[e]);
      if (unknown.length) throw new Error(`--engine: unknown ${unknown.join(', ')} (sqlite, postgres, mysql)`);
    } else if (flag === '--runs') {
      opts.runs = Number(value());
      if (!Number.isInteger(opts.runs) || opts.runs < 1) throw new Error('--runs: a positive integer');
    } else if (flag === '--json') {
      opts.json = path.resolve(value());
    } else if (flag === '--quiet-cpus' || flag === '--disturbed-cpus' || flag === '--quiet-timeout') {
      const n = Number(value());
      if (!Number.isFinite(n) || n < 0) throw new Error(`${flag}: a number ≥ 0`);
      opts[{ '--quiet-cpus': 'quietCpus', '--disturbed-cpus': 'disturbedCpus', '--quiet-timeout': 'quietTimeout' }[flag]] = n;
    } else if (flag === '--help' || flag === '-h') {
      console.log('node bench/backup.mjs [--scale small|large|both] [--engine sqlite,postgres,mysql] [--runs N] [--json FILE] [--quiet-cpus 0.2] [--disturbed-cpus 0.1] [--quiet-timeout 120]');
      process.exit(0);
    } else {
      throw new Error(`Unknown argument ${argv[i]}`);
    }
  }
  return opts;
}

// ---------------------------------------------------------------------------------------------
// Cleanup: every database and directory is registered before it is created.

const cleanups = [];
let cleaning = null;

function runCleanups() {
  cleaning ??= (async () => {
    while (cleanups.length) {
      const [what, fn] = cleanups.pop();
      try {
        await fn();
      } catch (err) {
        console.error(`cleanup: ${what}: ${err.message}`);
      }
    }
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping, cleaning up…`);
    killCurrent();
    runCleanups().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------------------------
// Contenders

const sh = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;
/** An empty node process before the native pipeline: what any CLI written for node adds at the least. */
const NODE_START = `${sh(process.execPath)} -e 0 &&`;
const fileSize = (file) => (fs.existsSync(file) ? fs.statSync(file).size : 0);

/**
 * role: 'dbward' (the subject), 'baseline' (a native tool the targets compare with), 'piece' (part of
 * dbward's work alone, for the breakdown; not a contender). Each returns { cmd, args, env?, size() }.
 */
function contenders(engine, db, dir) {
  const out = path.join(dir, 'out');
  const dbward = {
    id: 'dbward',
    label: 'dbward backup',
    role: 'dbward',
    command: (run) => ({
      cmd: process.execPath,
      args: ['--import', HOOK, CLI, '--json', 'backup', `bench-${run}`],
      env: { ...process.env, DATABASE_URL: db.url, NO_COLOR: '1' },
      after: (result) => {
        const manifest = JSON.parse(result.stdout);
        fs.rmSync(path.join(dir, 'repo'), { recursive: true, force: true });
        return { outBytes: manifest.sizes.stored, dumpBytes: manifest.sizes.raw };
      },
    }),
  };
  const fixedCosts = {
    id: 'schema_only',
    label: 'piece: dbward backup --schema-only (fixed costs)',
    role: 'piece',
    command: (run) => ({
      cmd: process.execPath,
      args: ['--import', HOOK, CLI, '--json', 'backup', '--schema-only', `bench-schema-${run}`],
      env: { ...process.env, DATABASE_URL: db.url, NO_COLOR: '1' },
      after: () => {
        fs.rmSync(path.join(dir, 'repo'), { recursive: true, force: true });
        return {};
      },
    }),
  };
  const piece = (id, label, args) => ({
    id,
    label,
    role: 'piece',
    command: () => ({ cmd: process.execPath, args: ['--import', HOOK, PIECES, ...args], env: { ...process.env, NO_COLOR: '1' } }),
  });
  const native = (id, label, role, script, { output = true, warmup = false } = {}) => ({
    id,
    label,
    role,
    warmup,
    command: () => ({
      cmd: 'bash',
      args: ['-o', 'pipefail', '-c', script],
      after: () => {
        const bytes = output ? fileSize(out) : null;
        fs.rmSync(out, { force: true });
        return { outBytes: bytes };
      },
    }),
  });
  const database = db.url.slice(db.url.lastIndexOf('/') + 1);

  if (engine === 'postgres') {
    const conn = `-h ${PG.host} -p ${PG.port} -U ${PG.user} -d ${database}`;
    return [
      dbward,
      native('pg_dump_fc', 'pg_dump -Fc (default compression)', 'baseline', `pg_dump ${conn} -Fc -f ${sh(out)}`),
      native('pg_dump_z0_zstd', `pg_dump -Fc -Z0 | zstd -T0 -3`, 'baseline', `pg_dump ${conn} -Fc -Z0 | ${ZSTD.join(' ')} -o ${sh(out)}`),
      native('pg_dump_z0_null', 'piece: pg_dump -Fc -Z0 > /dev/null', 'piece', `pg_dump ${conn} -Fc -Z0 > /dev/null`, { output: false, warmup: true }),
      native('pg_dump_z0_node_zstd', `piece: node -e 0, then pg_dump -Fc -Z0 | zstd -T0 -3 ${NODE_FLOOR}`, 'piece', `${NODE_START} pg_dump ${conn} -Fc -Z0 | ${ZSTD.join(' ')} -o ${sh(out)}`),
      native('pg_dump_z0_tee_zstd', `piece: pg_dump -Fc -Z0 | ${TEE} | zstd -T0 -3 ${EXTRA_READER}`, 'piece', `pg_dump ${conn} -Fc -Z0 | ${TEE} | ${ZSTD.join(' ')} -o ${sh(out)}`),
      piece('checksums', 'piece: dbward tableContents alone (data-only pg_dump, digested; what verify does)', ['checksums', db.url]),
      piece('driver_dump', 'piece: dbward driver dump (pg_dump + counts and checksums from the stream), no compression', ['dump', db.url, dir]),
      fixedCosts,
    ];
  }
  if (engine === 'mysql') {
    const conn = `-h ${MYSQL.host} -P ${MYSQL.port} -u ${MYSQL.user}`;
    const dump = `mariadb-dump ${conn} --single-transaction --quick --routines --triggers --events --hex-blob ${database}`;
    return [
      dbward,
      native('mariadb_dump_zstd', 'mariadb-dump --single-transaction | zstd -T0 -3', 'baseline', `${dump} | ${ZSTD.join(' ')} -o ${sh(out)}`),
      native('mariadb_dump_null', 'piece: mariadb-dump > /dev/null', 'piece', `${dump} > /dev/null`, { output: false, warmup: true }),
      native('mariadb_dump_node_zstd', `piece: node -e 0, then mariadb-dump | zstd -T0 -3 ${NODE_FLOOR}`, 'piece', `${NODE_START} ${dump} | ${ZSTD.join(' ')} -o ${sh(out)}`),
      native('mariadb_dump_tee_zstd', `piece: mariadb-dump | ${TEE} | zstd -T0 -3 ${EXTRA_READER}`, 'piece', `${dump} | ${TEE} | ${ZSTD.join(' ')} -o ${sh(out)}`),
      piece('checksums', 'piece: dbward tableContents alone (data-only mariadb-dump, digested; what verify does)', ['checksums', db.url]),
      piece('driver_dump', 'piece: dbward driver dump (mariadb-dump + counts and checksums from the stream), no compression', ['dump', db.url, dir]),
      fixedCosts,
    ];
  }
  return [
    dbward,
    native('sqlite_backup', 'sqlite3 .backup', 'baseline', `sqlite3 ${sh(db.file)} ${sh(`.backup ${out}`)}`, { warmup: true }),
    native(
      'sqlite_backup_zstd',
      'sqlite3 .backup, then zstd -T0 -3',
      'baseline',
      `sqlite3 ${sh(db.file)} ${sh(`.backup ${out}.db`)} && ${ZSTD.join(' ')} --rm -o ${sh(out)} ${sh(`${out}.db`)}`,
    ),
    piece('checksums', 'piece: dbward checksums alone', ['checksums', db.url]),
    piece('driver_dump', 'piece: dbward dump (copy + checksums), no compression', ['dump', db.url, dir]),
    fixedCosts,
  ];
}

/** Run i visits the contenders rotated by i, every other run backwards. */
function order(list, run) {
  const rotated = [...list.slice(run % list.length), ...list.slice(0, run % list.length)];
  return run % 2 ? rotated.reverse() : rotated;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

/**
 * Before each run: wait until fewer than QUIET.cpus CPUs are busy (at most QUIET.timeoutMs); another
 * process using more than QUIET.disturbedCpus CPUs on average during a run makes it disturbed.
 * --quiet-cpus, --disturbed-cpus and --quiet-timeout change them (for a shared machine; say so).
 */
const QUIET = { cpus: 0.2, disturbedCpus: 0.1, timeoutMs: 120_000 };
const ATTEMPTS = 4;

/** One timed run, repeated (up to ATTEMPTS) while other processes disturb it; the last attempt counts. */
async function runOnce(c, run, dir, log = () => {}) {
  for (let attempt = 1; ; attempt++) {
    const busyBefore = await waitForQuiet({ cores: QUIET.cpus, timeoutMs: QUIET.timeoutMs });
    const { cmd, args, env, after } = c.command(run);
    const result = { ...(await measure(cmd, args, { cwd: dir, env: env ?? process.env, workDir: dir })), busyBefore, attempts: attempt };
    Object.assign(result, after ? after(result) : {});
    const foreign = result.foreignCpuSeconds / result.seconds;
    result.disturbed = foreign > QUIET.disturbedCpus;
    if (!result.disturbed || attempt === ATTEMPTS) return result;
    log(`disturbed (other processes used ${foreign.toFixed(2)} CPUs meanwhile), repeating`);
  }
}

async function benchOne(engine, scale, runs, tmp) {
  const orders = SCALES[scale];
  const name = `dbward_bench_${process.pid}_${Date.now().toString(36)}_${scale}`;
  const dir = fs.mkdtempSync(path.join(tmp, `${engine}-${scale}-`));
  fs.writeFileSync(path.join(dir, 'dbward.config.json'), `${JSON.stringify({ backup: { repository: './repo' } })}\n`);
  const impl = ENGINES[engine];
  cleanups.push([`drop ${engine} database ${name}`, () => impl.drop(name, dir)]);
  try {
    console.error(`[${engine}/${scale}] generating ${orders} orders, ${orders / 5} customers, ${orders * 2} events…`);
    const t0 = Date.now();
    const db = await impl.create(name, orders, dir);
    const generateSeconds = (Date.now() - t0) / 1000;
    console.error(`[${engine}/${scale}] ${(db.rawBytes / MiB).toFixed(1)} MiB on disk, generated in ${generateSeconds.toFixed(1)} s`);

    const list = contenders(engine, db, dir);
    const warm = list.find((c) => c.warmup);
    if (warm) await runOnce(warm, 0, dir); // untimed: caches, connections, first-read effects

    const samples = new Map(list.map((c) => [c.id, []]));
    const errors = new Map();
    for (let run = 0; run < runs; run++) {
      for (const c of order(list, run)) {
        if (errors.has(c.id)) continue;
        try {
          const r = await runOnce(c, run, dir, (msg) => console.error(`[${engine}/${scale}] run ${run + 1}/${runs} ${c.label}: ${msg}`));
          samples.get(c.id).push(r);
          console.error(`[${engine}/${scale}] run ${run + 1}/${runs} ${c.label}: ${r.seconds.toFixed(2)} s${r.disturbed ? ' (DISTURBED by other processes)' : ''}`);
        } catch (err) {
          errors.set(c.id, err.message);
          console.error(`[${engine}/${scale}] ${c.label} FAILED: ${err.message}`);
        }
      }
    }

    const rows = list.map((c) => {
      const s = samples.get(c.id);
      if (!s.length) return { id: c.id, label: c.label, role: c.role, error: errors.get(c.id) };
      const peaks = {};
      for (const r of s) for (const [k, v] of Object.entries(r.peaks)) peaks[k] = Math.max(peaks[k] ?? 0, v);
      return {
        id: c.id,
        label: c.label,
        role: c.role,
        error: errors.get(c.id) ?? null,
        seconds: median(s.map((r) => r.seconds)),
        samples: s.map((r) => Number(r.seconds.toFixed(3))),
        cpuSeconds: median(s.map((r) => r.cpuSeconds ?? NaN)),
        nodeCpuSeconds: s[0].nodeCpuSeconds === null ? null : median(s.map((r) => r.nodeCpuSeconds)),
        machineCpuSeconds: median(s.map((r) => r.machineCpuSeconds)),
        outBytes: s.at(-1).outBytes ?? null,
        dumpBytes: s.at(-1).dumpBytes ?? null,
        peaksKiB: peaks,
        busyBefore: Math.max(...s.map((r) => r.busyBefore)),
        foreignCpuSeconds: Math.max(...s.map((r) => r.foreignCpuSeconds)),
        repeats: s.reduce((n, r) => n + r.attempts - 1, 0),
        disturbed: s.some((r) => r.disturbed),
      };
    });
    const dbwardSeconds = rows.find((r) => r.id === 'dbward')?.seconds;
    for (const r of rows) r.ratio = dbwardSeconds && r.seconds ? dbwardSeconds / r.seconds : null;
    return { engine, scale, orders, database: name, server: db.server, rawBytes: db.rawBytes, generateSeconds, runs, rows };
  } finally {
    // Drop now (the registered cleanup stays as a harmless second attempt if this one fails).
    await impl.drop(name, dir).catch((err) => console.error(`drop ${name}: ${err.message}`));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Report

const cell = (text) => text.replace(/\|/g, '\\|');
const mib = (bytes) => (bytes === null || bytes === undefined ? '' : `${(bytes / MiB).toFixed(1)} MiB`);
const kibToMib = (kib) => (kib ? `${(kib / 1024).toFixed(0)} MiB` : '');

function peakText(row) {
  const p = row.peaksKiB ?? {};
  const main = p.node ? `node ${kibToMib(p.node)}` : '';
  const tools = Object.entries(p)
    .filter(([name]) => !['node', 'bash', 'time'].includes(name))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, kib]) => `${name} ${kibToMib(kib)}`);
  return [main, ...tools].filter(Boolean).join(', ');
}

function table(results) {
  const lines = [
    '| engine | scale | on disk | dump (raw) | contender | median s | runs (s) | dbward ÷ this | output | peak RSS | CPU s: tree (node alone) | CPU s: machine |',
    '|---|---|---:|---:|---|---:|---|---:|---:|---|---:|---:|',
  ];
  for (const res of results) {
    const dumpBytes = res.rows.find((r) => r.id === 'dbward')?.dumpBytes;
    for (const r of res.rows) {
      if (r.error && !r.samples) {
        lines.push(`| ${res.engine} | ${res.scale} | | | ${cell(r.label)} | FAILED: ${cell(r.error)} | | | | | | |`);
        continue;
      }
      lines.push(
        `| ${res.engine} | ${res.scale} | ${mib(res.rawBytes)} | ${mib(dumpBytes)} | ${cell(r.label)} | ${r.seconds.toFixed(2)} | ${r.samples.map((s) => s.toFixed(2)).join(', ')}${r.disturbed ? ' (disturbed)' : ''} | ${r.role === 'piece' ? '' : r.ratio.toFixed(2)} | ${mib(r.outBytes)} | ${peakText(r)} | ${Number.isFinite(r.cpuSeconds) ? r.cpuSeconds.toFixed(2) : ''}${r.nodeCpuSeconds === null ? '' : ` (node ${r.nodeCpuSeconds.toFixed(2)})`} | ${r.machineCpuSeconds.toFixed(2)} |`,
      );
    }
  }
  return lines.join('\n');
}

function targets(results) {
  const checks = [];
  const find = (engine, scale, id) => results.find((r) => r.engine === engine && r.scale === scale)?.rows.find((r) => r.id === id);
  const ratioCheck = (engine, scale, id, limit, what) => {
    const row = find(engine, scale, id);
    if (!row?.ratio) return;
    checks.push({ ok: row.ratio <= limit, text: `${engine} ${scale}: dbward ÷ ${what} = ${row.ratio.toFixed(2)} (target ≤ ${limit})` });
  };
  for (const scale of ['small', 'large']) {
    ratioCheck('postgres', scale, 'pg_dump_fc', TARGETS.pgVsPgDumpFc, 'pg_dump -Fc');
    ratioCheck('postgres', scale, 'pg_dump_z0_zstd', TARGETS.pgVsPipeline, 'pg_dump -Fc -Z0 | zstd');
    ratioCheck('mysql', scale, 'mariadb_dump_zstd', TARGETS.mysqlVsPipeline, 'mariadb-dump | zstd');
  }
  for (const engine of ['sqlite', 'postgres', 'mysql']) {
    const peaks = {};
    for (const scale of ['small', 'large']) {
      const kib = find(engine, scale, 'dbward')?.peaksKiB?.node;
      if (!kib) continue;
      peaks[scale] = kib / 1024;
      checks.push({ ok: kib / 1024 < TARGETS.peakMiB, text: `${engine} ${scale}: dbward peak RSS ${(kib / 1024).toFixed(0)} MiB (target < ${TARGETS.peakMiB} MiB)` });
    }
    if (peaks.small && peaks.large) {
      const growth = peaks.large - peaks.small;
      checks.push({ ok: growth < TARGETS.growthMiB, text: `${engine}: dbward peak RSS small → large ${peaks.small.toFixed(0)} → ${peaks.large.toFixed(0)} MiB, ${growth >= 0 ? '+' : ''}${growth.toFixed(0)} MiB for 10× the data (target: not growing, < +${TARGETS.growthMiB} MiB)` });
    }
  }
  return checks;
}

/** The commit benchmarked, and whether src/ differs from it (read-only git commands). */
function gitRevision() {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return `${head}${dirty ? ' (src/ modified)' : ''}`;
  } catch {
    return 'unknown';
  }
}

function toolVersion(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n')[0];
  } catch {
    return `${cmd}: not found`;
  }
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  Object.assign(QUIET, { cpus: opts.quietCpus, disturbedCpus: opts.disturbedCpus, timeoutMs: opts.quietTimeout * 1000 });
  if (!fs.existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first (or npm run bench:backup).');
  const started = Date.now();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dbward-bench-'));
  cleanups.push([`remove ${tmp}`, () => fs.rmSync(tmp, { recursive: true, force: true })]);

  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? '?',
    memoryGiB: Number((os.totalmem() / 1024 ** 3).toFixed(1)),
    node: process.version,
    revision: gitRevision(),
    tools: [toolVersion('pg_dump', ['--version']), toolVersion('mariadb-dump', ['--version']), toolVersion('zstd', ['--version']), `sqlite3 ${toolVersion('sqlite3', ['--version']).split(' ')[0]}`],
  };
  console.error(`machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB, node ${machine.node}`);

  const results = [];
  for (const engine of opts.engines) {
    for (const scale of opts.scales) {
      const runs = opts.runs ?? (scale === 'large' ? 2 : 3);
      results.push(await benchOne(engine, scale, runs, tmp));
    }
  }

  const checks = targets(results);
  const totalSeconds = (Date.now() - started) / 1000;
  console.log(`\n## dbward backup benchmark (${new Date().toISOString().slice(0, 10)}, ${machine.cpus} CPUs, ${machine.cpuModel}, ${machine.memoryGiB} GiB, node ${machine.node})\n`);
  console.log(`- dbward ${machine.revision}`);
  for (const t of machine.tools) console.log(`- ${t}`);
  console.log(`- quiet machine: < ${QUIET.cpus} CPUs busy before a run (waiting at most ${QUIET.timeoutMs / 1000} s); a run is disturbed above ${QUIET.disturbedCpus} CPUs of other processes`);
  for (const r of results) console.log(`- ${r.engine} ${r.scale}: ${r.server}; ${r.orders} orders, ${r.orders / 5} customers, ${r.orders * 2} events; generated in ${r.generateSeconds.toFixed(0)} s; ${r.runs} runs`);
  console.log('');
  console.log(table(results));
  console.log('\nTargets:\n');
  for (const c of checks) console.log(`- ${c.ok ? 'PASS' : 'MISS'}  ${c.text}`);
  console.log(`\nTotal ${(totalSeconds / 60).toFixed(1)} min.`);
  if (opts.json) fs.writeFileSync(opts.json, `${JSON.stringify({ machine, results, checks, totalSeconds }, null, 2)}\n`);
  const failed = results.some((r) => r.rows.some((row) => row.error));
  return failed ? 1 : 0;
}

let code = 1;
try {
  code = await main();
} catch (err) {
  console.error(`bench: ${err.stack ?? err}`);
} finally {
  await runCleanups();
}
process.exit(code);
