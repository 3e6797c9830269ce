/**
 * Backups end to end through the real CLI, on every engine: round trip on Chinook, verification at every
 * level, restore --to, restoring by hand from RESTORE.txt, damaged backups, hostile names, kill -9, and
 * restore over the source with its safety backup.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/backup/manifest.js';
import { backupDriverFor } from '../../src/engines/backup-drivers.js';
import { connect } from '../../src/engines/index.js';
import { parseJson, runCli } from '../helpers/cli.js';
import { ALL_ENGINES, ROOT, createChinook, createDatabase, runSql, tempDir, type TestDatabase, type TestEngine } from '../helpers/databases.js';

const CHINOOK_ROWS: Record<string, number> = {
  album: 347, artist: 275, customer: 59, employee: 8, genre: 25, invoice: 412, invoiceline: 2240, mediatype: 5, playlist: 18, playlisttrack: 8715, track: 3503,
};
const fold = (n: string) => n.toLowerCase().replace(/_/g, '');

/** Content summary of a live database: fingerprint plus per-table rows and checksums. */
async function contents(url: string) {
  const engine = await connect(url);
  try {
    const driver = await backupDriverFor(engine.name);
    // Without schemas (SQLite, MySQL) tables are compared by name.
    const tables = (await driver.tableContents(engine)).map((t) => (engine.capabilities().schemas ? t : { ...t, schema: '' }));
    return { fingerprint: (await engine.introspect()).fingerprint, tables };
  } finally {
    await engine.close();
  }
}

describe.each(ALL_ENGINES)('backups on %s', (engineName: TestEngine) => {
  let source: TestDatabase;
  const extra: TestDatabase[] = [];
  let cwd: string;
  const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { cwd, env: { DATABASE_URL: source.url, ...env } });
  const repoDir = () => path.join(cwd, 'repo');
  let first: Manifest;

  beforeAll(async () => {
    cwd = tempDir();
    fs.writeFileSync(path.join(cwd, 'dbward.config.json'), JSON.stringify({ backup: { repository: 'repo', lockWaitSeconds: 30 } }));
    source = await createChinook(engineName);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([source, ...extra].map((d) => d.drop()));
    fs.rmSync(cwd, { recursive: true, force: true });
  });

  it('takes a complete backup with a manifest, RESTORE.txt and safe permissions', async () => {
    const r = await cli(['backup', 'first', '--json']);
    expect(r.status, r.stderr).toBe(0);
    first = parseJson<Manifest>(r);
    if (engineName !== 'postgres') first.tables = first.tables.map((t) => ({ ...t, schema: '' }));
    expect(first.name).toBe('first');
    expect(first.engine).toBe(engineName);
    expect(Object.fromEntries(first.tables.map((t) => [fold(t.name), t.rows]))).toEqual(CHINOOK_ROWS);
    expect(first.tables.every((t) => /^[0-9a-f]+$/i.test(t.checksum) || t.checksum.length > 8)).toBe(true);
    expect(first.sameSnapshot).toBe(true);
    expect(first.schemaFingerprint).toMatch(/^[0-9a-f]{64}$/);
    const dir = path.join(repoDir(), first.databaseId, 'first');
    expect(fs.readdirSync(dir).sort()).toEqual(['RESTORE.txt', first.dataFile, 'manifest.json'].sort());
    expect(fs.statSync(dir).mode & 0o777).toBe(0o750);
    for (const f of fs.readdirSync(dir)) expect(fs.statSync(path.join(dir, f)).mode & 0o777).toBe(0o640);
    expect(first.sizes.stored).toBeGreaterThan(0);
    expect(first.sizes.stored).toBeLessThan(first.sizes.raw);
  });

  it('lists it and resolves latest', async () => {
    const r = parseJson<{ latest: string; backups: { name: string; kind: string }[] }>(await cli(['backups', '--json']));
    expect(r.latest).toBe('first');
    expect(r.backups.map((b) => b.name)).toEqual(['first']);
  });

  it.each(['checksum', 'structure', 'restore'])('verifies at level %s and records the result', async (level) => {
    const r = await cli(['verify', 'latest', '--level', level, '--json']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(parseJson<{ ok: boolean; level: string }>(r)).toMatchObject({ ok: true, level });
    const listed = parseJson<{ backups: { lastVerification: { level: string; ok: boolean } }[] }>(await cli(['backups', '--json']));
    expect(listed.backups[0]!.lastVerification).toMatchObject({ level, ok: true });
  });

  it('drills: restore test with queries and objectives, failing when a query or an objective is missed', async () => {
    const track = engineName === 'postgres' ? 'track' : 'Track';
    const config = (drill: unknown) =>
      fs.writeFileSync(path.join(cwd, 'dbward.config.json'), JSON.stringify({ backup: { repository: 'repo', lockWaitSeconds: 30, drill } }));
    try {
      config({ queries: [{ sql: `SELECT COUNT(*) FROM ${track}`, min: 3503 }], rtoSeconds: 600, rpoSeconds: 3600 });
      const ok = await cli(['drill', '--json']);
      expect(ok.status, ok.stdout + ok.stderr).toBe(0);
      const passed = parseJson<{ ok: boolean; queries: { value: number }[]; rtoSeconds: number; rpoSeconds: number }>(ok);
      expect(passed.queries[0]!.value).toBe(3503);
      expect(passed.rtoSeconds).toBeGreaterThan(0);
      expect(passed.rpoSeconds).toBeGreaterThanOrEqual(0);

      config({ queries: [{ sql: `SELECT COUNT(*) FROM ${track}`, equals: 1 }], rpoSeconds: 0.001 });
      const failed = await cli(['drill']);
      expect(failed.status).toBe(4);
      expect(failed.stdout).toMatch(/DRILL FAILED/);
      expect(failed.stdout).toMatch(/3503 ≠ 1/);
      expect(failed.stdout).toMatch(/RPO missed/);

      config({ queries: [{ sql: 'SELECT 1' }] });
      const bad = await cli(['drill']);
      expect(bad.status).toBe(2);
      expect(bad.stderr).toMatch(/backup\.drill\.queries\.0.*needs min, max or equals/);
    } finally {
      fs.writeFileSync(path.join(cwd, 'dbward.config.json'), JSON.stringify({ backup: { repository: 'repo', lockWaitSeconds: 30 } }));
    }
  });

  it('restores --to an empty database with the same fingerprint and table contents', async () => {
    const target = await createDatabase(engineName);
    extra.push(target);
    const r = await cli(['restore', 'first', '--to', target.url, '--json']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const [a, b] = await Promise.all([contents(source.url), contents(target.url)]);
    expect(b.fingerprint).toBe(first.schemaFingerprint);
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(b.tables).toEqual(first.tables);
    // --to never overwrites a database that has data
    const again = await cli(['restore', 'first', '--to', target.url]);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/is not empty/);
  });

  it('restores only the named tables --to another database', async () => {
    const target = await createDatabase(engineName);
    extra.push(target);
    const genre = engineName === 'postgres' ? 'genre' : 'Genre';
    const r = await cli(['restore', 'first', '--to', target.url, '--table', genre, '--json']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const restored = await contents(target.url);
    expect(restored.tables.map((t) => t.name)).toEqual([genre]);
    expect(restored.tables[0]).toEqual(first.tables.find((t) => t.name === genre));
    const refused = await cli(['restore', 'first', '--table', genre]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/--table restores into another database only/);
  });

  it('can be restored by hand with the commands in RESTORE.txt', async () => {
    const dir = path.join(repoDir(), first.databaseId, 'first');
    const note = fs.readFileSync(path.join(dir, 'RESTORE.txt'), 'utf8');
    const target = await createDatabase(engineName);
    extra.push(target);
    // Take the command lines of steps 2 and 3 as written, pointed at a fresh database instead of the source.
    const commands = note
      .split('\n')
      .filter((l) => l.startsWith('   ') && !l.trim().startsWith('#') && !l.includes('sha256sum'))
      .map((l) => l.trim().split(source.name).join(target.name))
      // MySQL's note asks for the password with -p; this test server's root has none.
      .map((l) => l.replace(/ -p(?= )/, ''))
      .filter((l) => !/^createdb |CREATE DATABASE/.test(l));
    expect(commands.length).toBeGreaterThanOrEqual(2);
    const res = spawnSync('bash', ['-euo', 'pipefail', '-c', commands.join('\n')], { cwd: dir, encoding: 'utf8', env: { ...process.env, PGUSER: 'postgres' } });
    expect(res.status, `${commands.join('\n')}\n${res.stderr}`).toBe(0);
    const restored = await contents(target.url);
    expect(restored.tables).toEqual(first.tables);
    fs.rmSync(path.join(dir, first.dataFile.replace(/\.zst$/, '')), { force: true });
  });

  it('compresses with gzip when configured: a real gzip file that verifies at level restore', async () => {
    const gzipCwd = tempDir();
    try {
      fs.writeFileSync(path.join(gzipCwd, 'dbward.config.json'), JSON.stringify({ backup: { repository: 'repo', compression: 'gzip' } }));
      const run = (args: string[]) => runCli(args, { cwd: gzipCwd, env: { DATABASE_URL: source.url } });
      const made = await run(['backup', 'gz', '--json']);
      expect(made.status, made.stderr).toBe(0);
      const manifest = parseJson<Manifest>(made);
      expect(manifest.compression).toBe('gzip');
      expect(manifest.dataFile).toMatch(/\.gz$/);
      expect(manifest.tables.map((t) => t.checksum)).toEqual(first.tables.map((t) => t.checksum));
      const file = path.join(gzipCwd, 'repo', manifest.databaseId, 'gz', manifest.dataFile);
      expect(spawnSync('gzip', ['-t', file]).status).toBe(0);
      const verified = await run(['verify', 'gz', '--level', 'restore']);
      expect(verified.status, verified.stderr).toBe(0);
    } finally {
      fs.rmSync(gzipCwd, { recursive: true, force: true });
    }
  });

  it('refuses hostile names before writing anything', async () => {
    const before = fs.readdirSync(path.join(repoDir(), first.databaseId)).sort();
    for (const name of ['../evil', 'a/b', '.hidden', '$(touch x)', 'a;b', 'x'.repeat(65), 'latest', 'tab\tname', 'new\nline', '']) {
      const r = await cli(['backup', name]);
      expect(r.status, name).toBe(2);
      expect(r.stderr).toMatch(/Invalid backup name/);
    }
    expect(fs.readdirSync(path.join(repoDir(), first.databaseId)).sort()).toEqual(before);
    expect(fs.existsSync(path.join(cwd, 'x'))).toBe(false);
  });

  it('detects a flipped byte and a truncated file (exit 4) and refuses to restore them', async () => {
    expect((await cli(['backup', 'damaged'])).status).toBe(0);
    const m = parseJson<{ backups: { name: string }[] }>(await cli(['backups', '--json']));
    expect(m.backups.map((b) => b.name)).toContain('damaged');
    const file = path.join(repoDir(), first.databaseId, 'damaged', first.dataFile);
    const original = fs.readFileSync(file);
    const flipped = Buffer.from(original);
    flipped[Math.floor(flipped.length / 2)]! ^= 0x01;
    fs.writeFileSync(file, flipped);
    const r = await cli(['verify', 'damaged', '--level', 'checksum']);
    expect(r.status).toBe(4);
    expect(r.stdout).toMatch(/SHA-256/);
    fs.writeFileSync(file, original.subarray(0, original.length - 100));
    const t = await cli(['verify', 'damaged', '--level', 'structure', '--json']);
    expect(t.status).toBe(4);
    expect(parseJson<{ details: string[] }>(t).details.join('\n')).toMatch(/size/);
    const target = await createDatabase(engineName);
    extra.push(target);
    const restore = await cli(['restore', 'damaged', '--to', target.url]);
    expect(restore.status).toBe(4);
    expect(restore.stderr).toMatch(/damaged; nothing was restored/);
  });

  it('still reads a manifest of format 1: lists, checks and restores it; verifies its checksums only where the method is unchanged', async () => {
    const base = path.join(repoDir(), first.databaseId);
    fs.cpSync(path.join(base, 'first'), path.join(base, 'old-format'), { recursive: true });
    const file = path.join(base, 'old-format', 'manifest.json');
    const { contentMethod, contentNote, ...rest } = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
    expect(contentMethod).toBeTruthy();
    expect(contentNote === null || typeof contentNote === 'string').toBe(true);
    fs.rmSync(path.join(base, 'old-format', 'verification.json'), { force: true });
    fs.writeFileSync(file, JSON.stringify({ ...rest, formatVersion: 1, name: 'old-format' }));

    const listed = parseJson<{ backups: { name: string }[] }>(await cli(['backups', '--json']));
    expect(listed.backups.map((b) => b.name)).toContain('old-format');
    expect((await cli(['verify', 'old-format', '--level', 'structure'])).status).toBe(0);
    const verify = await cli(['verify', 'old-format', '--level', 'restore']);
    const target = await createDatabase(engineName);
    extra.push(target);
    const restore = await cli(['restore', 'old-format', '--to', target.url]);
    expect(restore.status, restore.stdout + restore.stderr).toBe(0);
    expect((await contents(target.url)).tables).toEqual(first.tables);
    if (engineName === 'sqlite') {
      // SQLite's checksums are computed as in format 1.
      expect(verify.status, verify.stdout + verify.stderr).toBe(0);
    } else {
      expect(verify.status).toBe(2);
      expect(verify.stderr).toMatch(/manifest format 1.*cannot be checked against them/s);
      expect(verify.stderr).toMatch(/--level structure/);
    }
    fs.rmSync(path.join(base, 'old-format'), { recursive: true, force: true });
  });

  it('refuses to restore over the source without the database name, and restores with it after a safety backup', async () => {
    const before = await contents(source.url);
    // change the data after the backup was taken
    const table = engineName === 'postgres' ? 'genre' : 'Genre';
    const col = engineName === 'postgres' ? 'name' : 'Name';
    runSql(source, `UPDATE ${table} SET ${col} = 'changed after backup';`);
    const changed = await contents(source.url);
    expect(changed.tables).not.toEqual(before.tables);

    const refused = await cli(['restore', 'first']);
    expect(refused.status).toBe(3);
    expect(refused.stderr).toMatch(/confirmation required/);
    expect(refused.stderr).toMatch(/--confirm/);
    const wrong = await cli(['restore', 'first', '--confirm', 'not-the-name']);
    expect(wrong.status).toBe(3);
    expect((await contents(source.url)).tables).toEqual(changed.tables);

    const r = await cli(['restore', 'first', '--confirm', source.name, '--json']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const result = parseJson<{ safetyBackup: string; replacedDataKeptAs: string }>(r);
    expect(result.safetyBackup).toMatch(/^pre-restore-first-/);
    expect((await contents(source.url)).tables).toEqual(first.tables);
    // the safety backup is listed and holds the changed state
    const listed = parseJson<{ backups: { name: string }[] }>(await cli(['backups', '--json']));
    expect(listed.backups.map((b) => b.name)).toContain(result.safetyBackup);
    const safety = JSON.parse(fs.readFileSync(path.join(repoDir(), first.databaseId, result.safetyBackup, 'manifest.json'), 'utf8')) as Manifest;
    expect(safety.tables.map((t) => (engineName !== 'postgres' ? { ...t, schema: '' } : t))).toEqual(changed.tables);
    // clean up the replaced data kept beside
    if (engineName === 'sqlite') fs.rmSync(result.replacedDataKeptAs, { force: true });
    else extra.push({ ...source, name: result.replacedDataKeptAs, drop: () => dropByName(engineName, result.replacedDataKeptAs) });
  });

  it('leaves nothing listed after kill -9 mid-backup, and the next run cleans up', async () => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'dbward.js'), 'backup', 'killed'], { cwd, env: { PATH: process.env.PATH, DATABASE_URL: source.url } });
    const dir = path.join(repoDir(), first.databaseId, 'killed');
    // wait until the data file exists in the work directory (the pipeline is up), then kill -9
    const work = path.join(repoDir(), first.databaseId, '.work');
    const staged = () => {
      const dirs = fs.existsSync(work) ? fs.readdirSync(work).map((d) => path.join(work, d)) : [];
      return dirs.some((d) => fs.existsSync(d) && fs.readdirSync(d).some((n) => n.startsWith('data.')));
    };
    const deadline = Date.now() + 20_000;
    while (!staged() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(staged(), 'the dump never started').toBe(true);
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    const listed = parseJson<{ backups: { name: string }[] }>(await cli(['backups', '--json']));
    expect(listed.backups.map((b) => b.name)).not.toContain('killed');
    expect((await cli(['backup', 'after-kill'])).status).toBe(0);
    expect(fs.existsSync(dir)).toBe(false);
    expect(fs.existsSync(path.join(repoDir(), first.databaseId, '.work'))).toBe(false);
  });

  it('runs concurrent backups one at a time, both complete', async () => {
    const [a, b] = await Promise.all([cli(['backup', 'conc-a']), cli(['backup', 'conc-b'])]);
    expect([a.status, b.status]).toEqual([0, 0]);
    const names = parseJson<{ backups: { name: string }[] }>(await cli(['backups', '--json'])).backups.map((x) => x.name);
    expect(names).toEqual(expect.arrayContaining(['conc-a', 'conc-b']));
    expect((await cli(['verify', 'conc-a', '--level', 'structure'])).status).toBe(0);
    expect((await cli(['verify', 'conc-b', '--level', 'structure'])).status).toBe(0);
  });

  it('prunes by the retention policy, with --dry-run first', async () => {
    fs.writeFileSync(path.join(cwd, 'dbward.config.json'), JSON.stringify({ backup: { repository: 'repo', retention: { keepLast: 2, minimum: 1 } } }));
    try {
      const all = parseJson<{ backups: { name: string }[] }>(await cli(['backups', '--json'])).backups.map((x) => x.name);
      expect(all.length).toBeGreaterThan(3);
      const dry = await cli(['prune', '--dry-run', '--json']);
      const decisions = parseJson<{ decisions: { name: string; keep: boolean; reasons: string[] }[] }>(dry).decisions;
      expect(decisions.filter((d) => d.keep).length).toBeGreaterThanOrEqual(2);
      expect(parseJson<{ backups: unknown[] }>(await cli(['backups', '--json'])).backups.length).toBe(all.length);
      const real = parseJson<{ deleted: string[] }>(await cli(['prune', '--json']));
      expect(real.deleted).toEqual(decisions.filter((d) => !d.keep).map((d) => d.name));
      const left = parseJson<{ backups: { name: string }[] }>(await cli(['backups', '--json'])).backups.map((x) => x.name);
      expect(left).toEqual(decisions.filter((d) => d.keep).map((d) => d.name));
    } finally {
      fs.writeFileSync(path.join(cwd, 'dbward.config.json'), JSON.stringify({ backup: { repository: 'repo' } }));
    }
  });

  it('never writes the audit log or manifests with secrets, and records every operation', async () => {
    const audit = fs.readFileSync(path.join(cwd, '.dbward', 'audit.log'), 'utf8');
    for (const op of ['"backup"', '"verify"', '"restore"', '"prune"']) expect(audit).toContain(`"operation":${op}`);
    expect((await runCli(['log', 'verify'], { cwd })).status).toBe(0);
  });
});

async function dropByName(engine: TestEngine, name: string): Promise<void> {
  const { pgAdmin, mysqlAdmin } = await import('../helpers/databases.js');
  if (engine === 'postgres') await pgAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  else await mysqlAdmin((c) => c.query(`DROP DATABASE IF EXISTS \`${name}\``));
}
