/**
 * Preloaded with `node --import` into the measured node processes: at exit, write this process's own
 * peak resident set size (ru_maxrss, KiB) and CPU seconds (user + system), both of this process
 * alone (children not included), into $BENCH_MAXRSS_DIR.
 */
import fs from 'node:fs';
import path from 'node:path';

const dir = process.env.BENCH_MAXRSS_DIR;
if (dir) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    const cpuSeconds = (usage.userCPUTime + usage.systemCPUTime) / 1e6;
    fs.writeFileSync(path.join(dir, `maxrss-${process.pid}`), JSON.stringify({ maxRssKiB: usage.maxRSS, cpuSeconds }));
  });
}
