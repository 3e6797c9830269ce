// The newcomer's demo on the embedded SQLite default: `dbward init` bootstraps demo/data/app.db from the
// SaaS example (migrations + seed + admin), then doctor, inspect, backup, a restore-level verify and the
// backup list. Run with `npm run demo` after `npm ci`; run it again to see that init is idempotent.
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const demo = path.join(root, 'demo');
fs.mkdirSync(demo, { recursive: true, mode: 0o750 });

const config = path.join(demo, 'dbward.config.json');
fs.writeFileSync(
  config,
  `${JSON.stringify({ migrations: { dir: '../examples/saas/sqlite/migrations' }, seed: { file: '../examples/saas/seed.yaml' }, backup: { repository: 'backups' } }, null, 2)}\n`,
);
// The admin's password is generated once and kept in demo/.env (0600): never in argv, never printed.
const envFile = path.join(demo, '.env');
if (!fs.existsSync(envFile)) {
  const password = `demo-${randomBytes(12).toString('base64url')}`;
  fs.writeFileSync(envFile, `DATABASE_URL=file:./data/app.db\nADMIN_BOOTSTRAP_EMAIL=admin@example.com\nADMIN_BOOTSTRAP_PASSWORD=${password}\n`, { mode: 0o600 });
}

const steps = [['init'], ['doctor'], ['inspect', '--table', 'users'], ['backup'], ['verify', 'latest'], ['backups']];
for (const args of steps) {
  console.log(`\n$ dbward ${args.join(' ')}`);
  const status = spawnSync(process.execPath, [path.join(root, 'bin', 'dbward.js'), ...args], { cwd: demo, stdio: 'inherit' }).status;
  // doctor fails when a native tool is missing (it says which); the demo goes on.
  if (status !== 0 && args[0] !== 'doctor') {
    process.exitCode = status ?? 1;
    break;
  }
}
