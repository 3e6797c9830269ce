/**
 * Running one timed command: wall time (from spawn to exit), the peak RSS of every process in its
 * tree (by name), the CPU time of the tree, and the busy CPU time of the whole machine (which includes
 * the database server's own processes).
 *
 * - Node processes run with --import ./maxrss-hook.mjs, which writes process.resourceUsage()'s maxRSS
 *   (the kernel's ru_maxrss of that process alone, not of its children) and CPU time at exit: exact.
 * - Other processes (pg_dump, zstd, mariadb-dump, sqlite3) are found under the command's process by
 *   scanning /proc every POLL_MS, and their VmHWM (the kernel's high-water mark of resident memory)
 *   is read while they live. VmHWM only grows, so a sample taken any time before exit misses at most
 *   what the process allocates in its last POLL_MS.
 * - Every command runs under `/usr/bin/time -f '%U %S'`, which reports user and system CPU of the
 *   command and of all the processes it waited for.
 * - Disturbance: the CPU time used meanwhile by processes that are neither in the command's tree, nor
 *   database servers, nor kernel threads (sampled with the same scan), e.g. a test suite running on
 *   the same machine. The caller repeats a disturbed run.
 */
import { spawn } from 'node:child_process';
import { clearInterval, setInterval, setTimeout } from 'node:timers';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const POLL_MS = 100;
export const MAXRSS_HOOK = path.join(path.dirname(fileURLToPath(import.meta.url)), 'maxrss-hook.mjs');
const TIME = '/usr/bin/time';

/** Busy and total jiffies of all CPUs since boot, from /proc/stat. */
function machineCpu() {
  const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fields;
  return { busy: user + nice + system + irq + softirq + steal, idle: idle + iowait };
}

const CLOCK_TICKS = 100; // USER_HZ on Linux
/** Database servers: their CPU time is part of the work measured, not a disturbance. */
const SERVERS = new Set(['postgres', 'mariadbd', 'mysqld']);

/** pid → { ppid, name } for every process, from /proc/N/stat. */
function processTable() {
  const table = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const name = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      // fields[0] is the state (field 3 of proc_pid_stat): ppid is field 4, utime and stime 14 and 15.
      table.set(Number(entry), { ppid: Number(fields[1]), name, ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // the process ended meanwhile
    }
  }
  return table;
}

function descendants(root, table = processTable()) {
  const children = new Map();
  for (const [pid, { ppid }] of table) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const out = [];
  const stack = [...(children.get(root) ?? [])];
  while (stack.length) {
    const pid = stack.pop();
    out.push({ pid, name: table.get(pid).name });
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

function vmHwmKiB(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Wait until the machine is quiet: less than `cores` CPUs busy over a `windowMs` window (other work,
 * or the database server still busy after the previous run, would distort a timing). Gives up after
 * `timeoutMs`; resolves with the busy CPUs of the last window.
 */
export async function waitForQuiet({ cores = 0.2, windowMs = 500, timeoutMs = 120_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const before = machineCpu();
    await sleep(windowMs);
    const busy = (machineCpu().busy - before.busy) / CLOCK_TICKS / (windowMs / 1000);
    if (busy < cores || Date.now() > deadline) return busy;
  }
}

let current = null;

/** Kill the running command (if any): used when the benchmark is interrupted. */
export function killCurrent() {
  if (current?.pid) {
    try {
      process.kill(-current.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/**
 * Run `command args` and measure it. Node processes in the tree must have been started with
 * `--import MAXRSS_HOOK` and BENCH_MAXRSS_DIR in their environment to report their exact peak.
 * Resolves with { seconds, cpuSeconds, nodeCpuSeconds, machineCpuSeconds, foreignCpuSeconds, peaks: { name: KiB }, stdout }; rejects
 * with the stderr tail when the command fails.
 */
export function measure(command, args, { cwd, env = process.env, workDir }) {
  const rssDir = fs.mkdtempSync(path.join(workDir, 'rss-'));
  const timeFile = path.join(rssDir, 'time.txt');
  const cpuBefore = machineCpu();
  const started = process.hrtime.bigint();
  const child = spawn(TIME, ['-f', '%U %S', '-o', timeFile, command, ...args], {
    cwd,
    env: { ...env, BENCH_MAXRSS_DIR: rssDir },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so that an interrupted run can be killed as a whole
  });
  current = child;
  const peaks = new Map(); // pid → { name, kib }
  let foreignTicks = 0;
  let lastTicks = new Map([...processTable()].map(([pid, p]) => [pid, p.ticks]));
  const sample = () => {
    const table = processTable();
    const tree = descendants(child.pid, table);
    const ours = new Set([process.pid, child.pid, ...tree.map((p) => p.pid)]);
    for (const [pid, p] of table) {
      if (ours.has(pid) || SERVERS.has(p.name) || pid === 2 || p.ppid === 2) continue;
      foreignTicks += Math.max(0, p.ticks - (lastTicks.get(pid) ?? p.ticks));
    }
    lastTicks = new Map([...table].map(([pid, p]) => [pid, p.ticks]));
    for (const { pid, name } of tree) {
      if (name === 'time') continue;
      const kib = vmHwmKiB(pid);
      const prev = peaks.get(pid);
      if (!prev || kib > prev.kib) peaks.set(pid, { name, kib });
    }
  };
  const timer = setInterval(sample, POLL_MS);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const cpuAfter = machineCpu();
      clearInterval(timer);
      current = null;
      const byName = {};
      for (const { name, kib } of peaks.values()) byName[name] = Math.max(byName[name] ?? 0, kib);
      // Exact figures from the node hook replace the sampled ones.
      const exact = fs.readdirSync(rssDir).filter((f) => f.startsWith('maxrss-')).map((f) => JSON.parse(fs.readFileSync(path.join(rssDir, f), 'utf8')));
      if (exact.length) byName.node = Math.max(...exact.map((e) => e.maxRssKiB));
      const nodeCpuSeconds = exact.length ? exact.reduce((n, e) => n + e.cpuSeconds, 0) : null;
      for (const name of Object.keys(byName)) if (!byName[name]) delete byName[name]; // caught before its status could be read
      let cpuSeconds = null;
      try {
        const [user, sys] = fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
        cpuSeconds = user + sys;
      } catch {
        // no time report (killed)
      }
      fs.rmSync(rssDir, { recursive: true, force: true });
      if (code !== 0) {
        reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`}): ${stderr.trim().split('\n').slice(-5).join(' | ')}`));
        return;
      }
      resolve({
        seconds,
        cpuSeconds,
        nodeCpuSeconds,
        machineCpuSeconds: (cpuAfter.busy - cpuBefore.busy) / CLOCK_TICKS,
        foreignCpuSeconds: foreignTicks / CLOCK_TICKS,
        peaks: byName,
        stdout,
      });
    });
  });
}
