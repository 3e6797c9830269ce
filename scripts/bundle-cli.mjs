#!/usr/bin/env node
/**
 * Bundle the CLI (dist/cli/main.js and everything it imports, npm packages included) into
 * dist/bundle/, the code bin/dbward.js runs. One file per lazily imported part instead of ~230 modules:
 * node resolves, reads and compiles far fewer files, so every command starts ≈ 0.1 s sooner
 * (docs/benchmarks.md, "CLI start-up"). The library (dist/index.js) is not bundled.
 *
 * Left out of the bundle and loaded from node_modules: native add-ons (better-sqlite3,
 * @node-rs/argon2), packages that load files of their own at run time (libpg-query's WebAssembly,
 * jiti's transpiler), and pg's optional pg-native.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist', 'bundle');

fs.rmSync(outdir, { recursive: true, force: true });
await build({
  // The worker threads (the dump digest, SQLite's content hash) are loaded from files of their own beside the chunks.
  entryPoints: { dbward: path.join(root, 'dist', 'cli', 'main.js'), 'dump-digest-worker': path.join(root, 'dist', 'engines', 'dump-digest-worker.js'), 'content-worker': path.join(root, 'dist', 'engines', 'sqlite', 'content-worker.js') },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['better-sqlite3', '@node-rs/argon2', 'libpg-query', 'jiti', 'pg-native'],
  // pg (and zod) check navigator.userAgent for Cloudflare Workers; node 20 has no navigator, so pg
  // then builds a fetch Response to find out, which loads node's fetch (undici): ≈ 30 ms of every
  // PostgreSQL command's start. Node 21 and later define navigator with this user agent.
  define: { navigator: JSON.stringify({ userAgent: 'Node.js' }) },
  // CommonJS packages inside an ES module bundle call require() for node's built-ins.
  banner: { js: "import { createRequire as __dbwardCreateRequire } from 'node:module'; const require = __dbwardCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
// Files the code reads beside itself.
fs.copyFileSync(path.join(root, 'src', 'seed', 'common-passwords.txt'), path.join(outdir, 'common-passwords.txt'));
