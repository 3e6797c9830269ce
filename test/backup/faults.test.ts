/**
 * Faults and encryption: a full disk mid-backup (a real 3 MiB tmpfs) leaves nothing partial and older
 * backups intact; age encryption round-trips with the real age tool, a wrong key fails clearly, and
 * encryption configured without a recipient is refused before anything is written.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/backup/manifest.js';
import { parseJson, runCli } from '../helpers/cli.js';
import { ALL_ENGINES, createDatabase, runSql, tempDir, type TestDatabase, type TestEngine } from '../helpers/databases.js';

function fillSql(engine: TestEngine, megabytes: number): string {
  const rows = megabytes * 1024 * 4; // ~256 bytes of random hex text per row
  switch (engine) {
    case 'sqlite':
      return `CREATE TABLE IF NOT EXISTS filler (id INTEGER PRIMARY KEY, body TEXT);
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows})
        INSERT INTO filler (body) SELECT hex(randomblob(128)) FROM n;`;
    case 'postgres':
      return `CREATE TABLE IF NOT EXISTS filler (id serial PRIMARY KEY, body text);
        INSERT INTO filler (body) SELECT ${Array(8).fill('md5(random()::text)').join(' || ')} FROM generate_series(1, ${rows});`;
    case 'mysql':
      return `CREATE TABLE IF NOT EXISTS filler (id INT AUTO_INCREMENT PRIMARY KEY, body TEXT);
        INSERT INTO filler (body) SELECT CONCAT(MD5(RAND()), MD5(RAND()), MD5(RAND()), MD5(RAND()), MD5(RAND()), MD5(RAND()), MD5(RAND()), MD5(RAND()))
        FROM information_schema.COLUMNS a, information_schema.COLUMNS b LIMIT ${rows};`;
  }
}

describe.each(ALL_ENGINES)('a full disk during backup on %s', (engine) => {
  let db: TestDatabase;
  let cwd: string;
  let mount: string;

  beforeAll(async () => {
    cwd = tempDir();
    mount = path.join(cwd, 'repo');
    fs.mkdirSync(mount);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m,mode=0750', 'tmpfs', mount]);
    fs.writeFileSync(path.join(cwd, 'dbward.config.json'), JSON.stringify({ backup: { repository: 'repo' } }));
    db = await createDatabase(engine);
    runSql(db, engine === 'sqlite' ? 'CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t (v) VALUES (\'a\'), (\'b\');' : 'CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10)); INSERT INTO t VALUES (1, \'a\'), (2, \'b\');');
  });
  afterAll(async () => {
    spawnSync('umount', [mount]);
    await db.drop();
    fs.rmSync(cwd, { recursive: true, force: true });
  });

  it('fails clearly, leaves nothing partial, and keeps the older backup intact', async () => {
    const cli = (args: string[]) => runCli(args, { cwd, env: { DATABASE_URL: db.url } });
    expect((await cli(['backup', 'small'])).status).toBe(0);
    runSql(db, fillSql(engine, 8));
    const r = await cli(['backup', 'too-big']);
    expect(r.status, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toMatch(/ENOSPC|No space left|disk is full/i);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const listed = parseJson<{ backups: { name: string }[] }>(await cli(['backups', '--json']));
    expect(listed.backups.map((b) => b.name), execFileSync('find', [mount, '-ls']).toString() + r.stderr).toEqual(['small']);
    const dbDir = fs.readdirSync(mount).find((d) => !d.startsWith('.'))!;
    expect(fs.readdirSync(path.join(mount, dbDir)).filter((n) => !n.startsWith('.lock'))).toEqual(['small']);
    expect((await cli(['verify', 'small', '--level', 'structure'])).status).toBe(0);
  });
});

describe('age encryption', () => {
  let db: TestDatabase;
  let cwd: string;
  let recipient: string;

  beforeAll(async () => {
    cwd = tempDir();
    execFileSync('age-keygen', ['-o', path.join(cwd, 'key.txt')], { stdio: 'ignore' });
    execFileSync('age-keygen', ['-o', path.join(cwd, 'other.txt')], { stdio: 'ignore' });
    recipient = /public key: (age1\S+)/.exec(fs.readFileSync(path.join(cwd, 'key.txt'), 'utf8'))![1]!;
    fs.writeFileSync(path.join(cwd, 'dbward.config.json'), JSON.stringify({ backup: { repository: 'repo', encryption: { recipients: [recipient] } } }));
    db = await createDatabase('postgres');
    runSql(db, "CREATE TABLE secrets_table (id int primary key, v text); INSERT INTO secrets_table VALUES (1, 'plaintext-marker-123');");
  });
  afterAll(async () => {
    await db.drop();
    fs.rmSync(cwd, { recursive: true, force: true });
  });

  const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { cwd, env: { DATABASE_URL: db.url, ...env } });

  it('writes an age file the real age and zstd tools decrypt, with only recipient fingerprints in the manifest', async () => {
    const r = await cli(['backup', 'enc', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const m = parseJson<Manifest>(r);
    expect(m.dataFile).toMatch(/\.zst\.age$/);
    expect(m.encryption!.recipientFingerprints).toHaveLength(1);
    expect(JSON.stringify(m)).not.toContain(recipient);
    const file = path.join(cwd, 'repo', m.databaseId, 'enc', m.dataFile);
    expect(fs.readFileSync(file).includes('plaintext-marker-123')).toBe(false);
    expect(fs.readFileSync(file).subarray(0, 21).toString()).toBe('age-encryption.org/v1');
    const plain = spawnSync('bash', ['-c', `age -d -i key.txt '${file}' | zstd -d -c | pg_restore -f - --data-only`], { cwd, encoding: 'utf8' });
    expect(plain.status, plain.stderr).toBe(0);
    expect(plain.stdout).toContain('plaintext-marker-123');
  });

  it('verifies with the right key and fails clearly with a wrong or missing one', async () => {
    const ok = await cli(['verify', 'enc', '--level', 'restore'], { DBWARD_AGE_IDENTITY_FILE: path.join(cwd, 'key.txt') });
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    const wrong = await cli(['verify', 'enc', '--level', 'structure', '--json'], { DBWARD_AGE_IDENTITY_FILE: path.join(cwd, 'other.txt') });
    expect(wrong.status).toBe(4);
    expect(parseJson<{ details: string[] }>(wrong).details.join(' ')).toMatch(/no identity matched/i);
    const missing = await cli(['verify', 'enc', '--level', 'structure']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/DBWARD_AGE_IDENTITY_FILE/);
  });

  it('refuses to back up when encryption is configured without a recipient', async () => {
    fs.writeFileSync(path.join(cwd, 'dbward.config.json'), JSON.stringify({ backup: { repository: 'repo2', encryption: { recipients: [] } } }));
    try {
      const r = await cli(['backup', 'plain']);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/backup\.encryption\.recipients/);
      expect(fs.existsSync(path.join(cwd, 'repo2'))).toBe(false);
    } finally {
      fs.writeFileSync(path.join(cwd, 'dbward.config.json'), JSON.stringify({ backup: { repository: 'repo', encryption: { recipients: [recipient] } } }));
    }
  });
});

describe('missing tools and secrets', () => {
  let cwd: string;
  let db: TestDatabase;
  const user = `dbw_bk_${Date.now().toString(36)}`;
  const password = `Bk-${Math.random().toString(36).slice(2)}-Secret!`;

  beforeAll(async () => {
    cwd = tempDir();
    fs.writeFileSync(path.join(cwd, 'dbward.config.json'), JSON.stringify({ backup: { repository: 'repo' } }));
    db = await createDatabase('mysql');
    runSql(db, 'CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20)); INSERT INTO t VALUES (1, \'x\');');
    const { mysqlAdmin } = await import('../helpers/databases.js');
    await mysqlAdmin(async (c) => {
      for (const host of ['%', 'localhost', '127.0.0.1']) {
        await c.query(`CREATE USER '${user}'@'${host}' IDENTIFIED BY '${password}'`);
        await c.query(`GRANT ALL ON \`${db.name}\`.* TO '${user}'@'${host}'`);
        await c.query(`GRANT RELOAD, PROCESS ON *.* TO '${user}'@'${host}'`);
      }
    });
  });
  afterAll(async () => {
    const { mysqlAdmin } = await import('../helpers/databases.js');
    await mysqlAdmin(async (c) => {
      for (const host of ['%', 'localhost', '127.0.0.1']) await c.query(`DROP USER IF EXISTS '${user}'@'${host}'`);
    });
    await db.drop();
    fs.rmSync(cwd, { recursive: true, force: true });
  });

  it('keeps the password out of output, manifest, RESTORE.txt and the audit log', async () => {
    const url = `mysql://${user}:${encodeURIComponent(password)}@127.0.0.1:3306/${db.name}`;
    const runs = [
      await runCli(['backup', 'withpw', '--json'], { cwd, env: { DATABASE_URL: url } }),
      await runCli(['verify', 'withpw', '--level', 'structure'], { cwd, env: { DATABASE_URL: url } }),
      await runCli(['backups', '--json'], { cwd, env: { DATABASE_URL: url } }),
      // this user may not create databases: restore-level verification says so (exit 1), it is not a damaged backup (4)
      await runCli(['verify', 'withpw', '--level', 'restore'], { cwd, env: { DATABASE_URL: url } }),
    ];
    expect(runs.map((r) => r.status), runs.map((r) => r.stdout + r.stderr).join('\n')).toEqual([0, 0, 0, 1]);
    expect(runs[3]!.stderr).toMatch(/Cannot create a scratch database/);
    expect(runs[3]!.stderr).toMatch(/hint: Grant the user/);
    const files = execFileSync('find', [cwd, '-type', 'f']).toString().trim().split('\n');
    const texts = [...runs.flatMap((r) => [r.stdout, r.stderr]), ...files.filter((f) => !/\.zst$/.test(f)).map((f) => fs.readFileSync(f, 'utf8'))];
    expect(files.some((f) => f.endsWith('manifest.json')) && files.some((f) => f.endsWith('RESTORE.txt')) && files.some((f) => f.endsWith('audit.log'))).toBe(true);
    for (const text of texts) {
      expect(text).not.toContain(password);
      expect(text).not.toContain(encodeURIComponent(password));
    }
  });

  it('fails clearly when another operation holds the repository longer than the configured wait', async () => {
    const { BackupRepository } = await import('../../src/backup/repository.js');
    const { LocalStorage } = await import('../../src/storage/local.js');
    const { databaseId } = await import('../../src/backup/names.js');
    const { parseDatabaseUrl } = await import('../../src/core/url.js');
    const repository = new BackupRepository(new LocalStorage(path.join(cwd, 'repo')), databaseId(parseDatabaseUrl(db.url)));
    const held = await repository.lock(0);
    fs.writeFileSync(path.join(cwd, 'dbward.config.json'), JSON.stringify({ backup: { repository: 'repo', lockWaitSeconds: 1 } }));
    try {
      const r = await runCli(['backup', 'blocked'], { cwd, env: { DATABASE_URL: db.url } });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/backup repository .* is held by process \d+/);
      expect(r.durationMs).toBeGreaterThanOrEqual(1000);
    } finally {
      held.release();
      fs.writeFileSync(path.join(cwd, 'dbward.config.json'), JSON.stringify({ backup: { repository: 'repo' } }));
    }
    expect((await runCli(['backup', 'unblocked'], { cwd, env: { DATABASE_URL: db.url } })).status).toBe(0);
  });

  it('fails clearly when zstd is missing, and lists nothing', async () => {
    const r = await runCli(['backup', 'nozstd'], { cwd, env: { DATABASE_URL: db.url, PATH: '/usr/local/nonexistent' } });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/(zstd|mariadb-dump|mysqldump).*(not installed|not found)/i);
    expect(r.stderr).toMatch(/hint:.*(apt-get install|Install)/);
    const listed = parseJson<{ backups: { name: string }[] }>(await runCli(['backups', '--json'], { cwd, env: { DATABASE_URL: db.url } }));
    expect(listed.backups.map((b) => b.name)).not.toContain('nozstd');
  });
});
