// The newcomer's demo: create a small shop database in demo/shop.db (SQLite, the embedded default),
// then run `dbward doctor`, `inspect`, `backup`, `verify latest` and `backups` on it. Run with `npm run demo` after `npm ci`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.join(root, 'demo');
const file = path.join(dir, 'shop.db');

fs.mkdirSync(dir, { recursive: true, mode: 0o750 });
fs.chmodSync(dir, 0o750);
if (!fs.existsSync(file)) {
  fs.closeSync(fs.openSync(file, 'w', 0o640));
  const db = new Database(file);
  db.exec(fs.readFileSync(path.join(root, 'scripts', 'demo-schema.sql'), 'utf8'));
  db.close();
  console.log(`created ${path.relative(root, file)}`);
}

const env = { ...process.env, DATABASE_URL: 'file:./demo/shop.db' };
const dbward = (...args) => spawnSync(process.execPath, [path.join(root, 'bin', 'dbward.js'), ...args], { cwd: root, env, stdio: 'inherit' }).status;

console.log('\n$ DATABASE_URL=file:./demo/shop.db dbward doctor');
const doctor = dbward('doctor');
if (doctor !== 0) console.log('\n(doctor found problems above: install what it names; the demo goes on)');

const steps = [['inspect'], ['backup'], ['verify', 'latest'], ['backups']];
for (const args of steps) {
  console.log(`\n$ DATABASE_URL=file:./demo/shop.db dbward ${args.join(' ')}`);
  const status = dbward(...args);
  if (status !== 0) {
    process.exitCode = status;
    break;
  }
}
