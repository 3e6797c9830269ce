import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectCommand, SQL_JOINER, type CommandVerdict, type InspectOptions } from '../../src/guard/command/inspect.js';
import { splitWords } from '../../src/guard/command/shell.js';

let root: string;

function write(rel: string, content: string): void {
  const file = path.join(root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}

function pkg(rel: string, scripts: Record<string, string>, extra: Record<string, unknown> = {}): void {
  write(path.join(rel, 'package.json'), JSON.stringify({ name: extra.name ?? (path.basename(rel) || 'app'), version: '1.0.0', scripts, ...extra }, null, 2));
}

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'dbward-guard-inspect-'));
  pkg('.', {
    build: 'tsc -p .',
    test: 'vitest run',
    'db:reset': 'prisma migrate reset --force',
    'db:deploy': 'prisma migrate deploy',
    'db:push': 'prisma db push',
    'db:nuke': 'npm run db:reset',
    'db:wipe': 'dotenv -e .env.test -- psql -f db/wipe.sql',
    'db:select': 'psql "$DATABASE_URL" -c "select 1"',
    'chain': 'npm run build && npm run db:nuke',
    'chain-ok': 'npm run build && npm run db:deploy || echo failed',
    'cycle-a': 'echo a && npm run cycle-b',
    'cycle-b': 'npm run cycle-a',
    'cycle-self': 'npm run cycle-self',
    'cycle-bad': 'npm run cycle-bad2',
    'cycle-bad2': 'npm run cycle-bad && dropdb app',
    'with-env': 'NODE_ENV=test env FOO=1 npx prisma migrate reset',
    'drizzle': 'drizzle-kit push',
    'typeorm': 'typeorm-ts-node-commonjs -d src/data-source.ts',
    'ts-typeorm': 'ts-node ./node_modules/typeorm/cli.js',
    'bin-path': './node_modules/.bin/prisma db push --accept-data-loss',
    'bash-c': "bash -c 'cd db && sqlite3 app.db \".read wipe.sql\"'",
    'redirect': 'psql app < db/wipe.sql',
    'pipe-cat': 'cat db/select.sql | psql app',
    'pipe-other': 'curl -s https://example.com/x.sql | psql app',
    'heredoc': 'psql app <<EOF\nDROP TABLE users;\nEOF',
    'cat-heredoc': "cat <<-'SQL' | psql app\n\tTRUNCATE audit;\n\tSQL\necho done",
    'subst': 'psql -c "$(cat db/wipe.sql)"',
    'comment': 'echo hi # && prisma migrate reset',
    'hash-word': 'echo a#b; prisma migrate reset',
    'multi-line': 'echo one\nprisma migrate reset',
    'if-then': 'if [ -n "$CI" ]; then dropdb app; fi',
    'script-file': './scripts/reset.sh',
    'sh-file': 'sh scripts/reset.sh',
    'safe-file': './scripts/safe.sh',
    prewipe: 'echo before',
    wipe: 'echo wiping',
    postwipe: 'rails db:drop',
    postinstall: 'prisma generate',
    'docker': 'docker compose exec -T db psql -U postgres -c "DROP DATABASE app"',
    'two-engines': 'psql -c "select 1" && sqlite3 x.db "select 1"',
    'export-var': 'export SQL_FILE=db/wipe.sql; psql -f "$SQL_FILE"',
    'default-var': 'psql -f "${WIPE_FILE:-db/wipe.sql}"',
    'npm-var': 'psql -c "$npm_package_config_sql"',
  });
  write('.env.test', 'DATABASE_URL=postgres://u:secretpw@localhost:5432/test\n');
  write('db/wipe.sql', 'DELETE FROM users;\nDROP TABLE sessions;\n');
  write('db/select.sql', 'SELECT * FROM users;\n');
  write('db/app.db', '');
  write('db/with-meta.sql', "\\set ON_ERROR_STOP on\n\\echo hello\nselect :'who';\n\\i db/select.sql\nselect 1 \\gx\n");
  write('db/gexec.sql', "select format('drop table %I', tablename) from pg_tables \\gexec\n");
  write('db/shell.sql', 'select 1;\n\\! rm -rf /tmp/x\n');
  write('db/loop.sql', 'select 1;\n\\i db/loop.sql\n');
  write('db/mysql.sql', 'DELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1; END //\nDELIMITER ;\nsource db/select.sql\nSELECT 2;\n');
  write('db/mysql-system.sql', 'system rm -rf /\nSELECT 1;\n');
  write('db/sqlite.sql', '.headers on\n.mode column\nSELECT 1;\n.read db/select.sql\n');
  write('db/sqlite-restore.sql', '.restore backup.db\n');
  write('scripts/reset.sh', '#!/usr/bin/env bash\nset -e\necho resetting\nnpx prisma migrate reset --force "$@"\n');
  write('scripts/safe.sh', '#!/bin/sh\necho hello\n');
  write('scripts/self.sh', '#!/bin/sh\necho $# args ${#1} chars\n[ -n "$1" ] && ./scripts/self.sh\n');
  fs.chmodSync(path.join(root, 'scripts/reset.sh'), 0o755);
  write('prisma/schema.prisma', 'generator client {\n  provider = "prisma-client-js"\n}\n\ndatasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n');
  write('mysql-app/prisma/schema.prisma', 'datasource db {\n  provider = "mysql"\n  url = env("DATABASE_URL")\n}\n');
  write('mongo-app/prisma/schema.prisma', 'datasource db {\n  provider = "mongodb"\n  url = env("DATABASE_URL")\n}\n');
  fs.mkdirSync(path.join(root, 'bare'), { recursive: true });
  // A workspace.
  pkg('mono', { 'db:reset': 'pnpm --filter api db:reset' }, { name: 'mono', workspaces: ['apps/*'] });
  write('mono/pnpm-workspace.yaml', 'packages:\n  - "apps/*"\n');
  pkg('mono/apps/api', { 'db:reset': 'prisma migrate reset --force', build: 'tsc' }, { name: 'api' });
  pkg('mono/apps/web', { build: 'next build', 'db:reset': 'echo nothing here' }, { name: 'web' });
});

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

function opts(extra: Partial<InspectOptions> = {}): InspectOptions {
  return { cwd: root, env: { PATH: process.env.PATH }, stdinIsTTY: false, ...extra };
}

function inspect(cmd: string | string[], extra: Partial<InspectOptions> = {}): CommandVerdict {
  return inspectCommand(typeof cmd === 'string' ? splitWords(cmd) : cmd, opts(extra));
}

type Expect = 'pass' | 'destructive' | 'sql' | 'needs-stdin';

function check(v: CommandVerdict, kind: Expect, match?: RegExp): void {
  expect(v.kind, JSON.stringify(v, null, 1)).toBe(kind);
  if (!match) return;
  const text = v.kind === 'destructive' ? v.reasons.join('\n') : v.kind === 'sql' ? v.sql : v.kind === 'pass' ? v.notes.join('\n') : v.origin;
  expect(text, JSON.stringify(v, null, 1)).toMatch(match);
}

// [command line, expected verdict, what the reasons / SQL / notes must mention]
const corpus: [string, Expect, RegExp?][] = [
  // Prisma
  ['prisma migrate reset', 'destructive', /all data is lost/],
  ['prisma migrate reset --force --skip-seed', 'destructive'],
  ['npx prisma migrate reset -f', 'destructive', /prisma migrate reset -f/],
  ['npx --yes prisma@5.22.0 migrate reset', 'destructive'],
  ['prisma db push --force-reset', 'destructive', /drops every table/],
  ['prisma db push --accept-data-loss', 'destructive', /losing data/],
  ['prisma db push', 'pass'],
  ['prisma migrate dev', 'destructive', /drift/],
  ['prisma migrate dev --name add_users', 'destructive'],
  ['prisma migrate dev --create-only', 'destructive', /create-only does not prevent it/],
  ['prisma migrate deploy', 'pass'],
  ['prisma migrate status', 'pass'],
  ['prisma migrate resolve --applied 20240101_init', 'pass'],
  ['prisma generate', 'pass'],
  ['prisma studio', 'pass'],
  ['prisma migrate reset --help', 'pass'],
  ['prisma db execute --file db/wipe.sql', 'sql', /DROP TABLE sessions/],
  ['prisma db execute --stdin', 'needs-stdin'],
  ['./node_modules/.bin/prisma migrate reset', 'destructive'],
  ['node node_modules/prisma/build/index.js migrate reset', 'destructive'],
  ['pnpm dlx prisma migrate reset', 'destructive'],
  ['pnpm exec prisma migrate reset --force', 'destructive'],
  ['yarn dlx prisma db push --force-reset', 'destructive'],
  ['bunx prisma migrate reset', 'destructive'],
  ['bun x prisma migrate reset', 'destructive'],
  ['npm exec -- prisma migrate reset', 'destructive'],
  ['npx -p prisma prisma migrate reset', 'destructive'],
  ['npx -c "prisma migrate reset --force"', 'destructive'],
  ['pnpm prisma migrate reset', 'destructive'],
  ['yarn prisma migrate deploy', 'pass'],
  ['corepack pnpm prisma migrate reset', 'destructive'],
  // Drizzle Kit
  ['drizzle-kit push', 'pass', /asks before/],
  ['drizzle-kit push --force', 'destructive', /without asking/],
  ['npx drizzle-kit push --force --verbose', 'destructive'],
  ['drizzle-kit push:pg --force', 'destructive'],
  ['drizzle-kit drop', 'destructive', /migrations folder/],
  ['drizzle-kit generate', 'pass'],
  ['drizzle-kit migrate', 'pass'],
  // TypeORM
  ['typeorm schema:drop -d src/data-source.ts', 'destructive', /drops every table/],
  ['typeorm-ts-node-commonjs schema:drop -d src/data-source.ts', 'destructive'],
  ['typeorm-ts-node-esm schema:sync -d src/data-source.ts', 'destructive', /dropped/],
  ['ts-node ./node_modules/typeorm/cli.js schema:drop', 'destructive'],
  ['typeorm migration:run -d src/data-source.ts', 'pass'],
  ['typeorm migration:revert -d src/data-source.ts', 'pass'],
  // Sequelize
  ['sequelize db:drop', 'destructive', /drops the database/],
  ['npx sequelize-cli db:drop', 'destructive'],
  ['sequelize-cli db:migrate:undo:all', 'destructive'],
  ['sequelize db:migrate', 'pass'],
  ['sequelize db:migrate:undo', 'pass'],
  // Knex
  ['knex migrate:rollback --all', 'destructive', /every completed migration batch/],
  ['npx knex migrate:rollback --all --knexfile knexfile.js', 'destructive'],
  ['knex migrate:rollback', 'pass'],
  ['knex migrate:latest', 'pass'],
  // Rails
  ['rails db:drop', 'destructive', /db:drop drops the database/],
  ['bin/rails db:reset', 'destructive'],
  ['bundle exec rails db:schema:load', 'destructive'],
  ['bundle exec rake db:drop db:create db:migrate', 'destructive'],
  ['rake db:drop:all', 'destructive'],
  ['rails db:drop:primary', 'destructive'],
  ['rails db:migrate', 'pass'],
  ['rails db:rollback', 'pass'],
  ['rails db:test:prepare', 'pass'],
  ['rails db:migrate RAILS_ENV=production', 'pass'],
  // PostgreSQL tools
  ['dropdb app', 'destructive', /drops the PostgreSQL database app/],
  ['dropdb --if-exists -h localhost -U postgres app', 'destructive'],
  ['dropdb --help', 'pass'],
  ['pg_restore -c -d app backup.dump', 'destructive'],
  ['pg_restore --clean --create -d postgres backup.dump', 'destructive', /drops and recreates the database/],
  ['pg_restore -l backup.dump', 'pass'],
  ['pg_restore -d app backup.dump', 'pass'],
  ['pg_dump -Fc app', 'pass'],
  ['psql -c "select 1"', 'sql', /^select 1$/],
  ['psql -h localhost -U postgres -d app -c "DROP TABLE users"', 'sql', /DROP TABLE users/],
  ['psql --command="DELETE FROM users" app', 'sql', /DELETE FROM users/],
  ['psql -c "select 1" -c "drop table x"', 'sql', /select 1\n;\ndrop table x/],
  ['psql -Xqc "truncate t"', 'sql', /truncate t/],
  ['psql -f db/wipe.sql', 'sql', /DELETE FROM users;/],
  ['psql --file=db/wipe.sql app', 'sql', /DROP TABLE sessions/],
  ['psql -c "select 1" -f db/wipe.sql', 'sql', /select 1\n;\nDELETE FROM users/],
  ['psql -f db/missing.sql', 'destructive', /cannot be read/],
  ['psql -v who=alice -f db/with-meta.sql', 'sql', /select 'alice';[\s\S]*SELECT \* FROM users;[\s\S]*select 1 ;/],
  ['psql -f db/gexec.sql', 'destructive', /gexec/],
  ['psql -f db/shell.sql', 'destructive', /shell command/],
  ['psql -f db/loop.sql', 'sql', /select 1;/],
  ['psql -c "\\i db/wipe.sql"', 'sql', /DROP TABLE sessions/],
  ['psql -c "\\dt"', 'pass'],
  ['psql -c "\\copy users from data.csv csv"', 'sql', /COPY users FROM STDIN/],
  ['psql -c "\\copy users to out.csv csv"', 'pass'],
  ['psql -l', 'pass'],
  ['psql --version', 'pass'],
  ['psql app', 'needs-stdin'],
  ['psql -f - app', 'needs-stdin'],
  // MySQL / MariaDB
  ['mysql -e "DROP TABLE users" app', 'sql', /DROP TABLE users/],
  ['mariadb --execute="select 1" app', 'sql', /select 1/],
  ['mysql -uroot -psecret -Bse "select 1"', 'sql', /select 1/],
  ['mysql -u root -e "source db/mysql.sql"', 'sql', /CREATE PROCEDURE p\(\) BEGIN SELECT 1; END ;[\s\S]*SELECT \* FROM users;[\s\S]*SELECT 2;/],
  ['mysql -e "system ls"', 'destructive', /shell command/],
  ['mysql --init-command="SET foreign_key_checks=0" -e "select 1"', 'sql', /SET foreign_key_checks=0\n;\nselect 1/],
  ['mysql app', 'needs-stdin'],
  ['mysql --version', 'pass'],
  // SQLite
  ['sqlite3 db/app.db "DROP TABLE users"', 'sql', /DROP TABLE users/],
  ['sqlite3 db/app.db ".read db/wipe.sql"', 'sql', /DELETE FROM users/],
  ['sqlite3 db/app.db ".read db/sqlite.sql"', 'sql', /SELECT 1;[\s\S]*SELECT \* FROM users/],
  ['sqlite3 -cmd ".read db/wipe.sql" db/app.db .tables', 'sql', /DROP TABLE sessions/],
  ['sqlite3 -init db/select.sql db/app.db "select 2"', 'sql', /SELECT \* FROM users;\n\n;\nselect 2/],
  ['sqlite3 db/app.db .tables', 'pass'],
  ['sqlite3 db/app.db ".read db/sqlite-restore.sql"', 'destructive', /replaces the whole database/],
  ['sqlite3 db/app.db ".shell rm x"', 'destructive', /shell command/],
  ['sqlite3 db/app.db ".read \'|cat x.sql\'"', 'destructive', /shell command/],
  ['sqlite3 db/app.db', 'needs-stdin'],
  ['sqlite3 --version', 'pass'],
  // Files
  ['rm -f db/app.db', 'destructive', /deletes the SQLite database file/],
  ['rm -rf node_modules dist', 'pass'],
  ['mysqladmin -u root drop app', 'destructive', /drops the database app/],
  ['mysqladmin status', 'pass'],
  // Wrappers
  ['env FOO=1 prisma migrate reset', 'destructive'],
  ['env -i PATH=/bin prisma migrate reset', 'destructive'],
  ['env -S "prisma migrate reset --force"', 'destructive'],
  ['cross-env NODE_ENV=test prisma migrate reset', 'destructive'],
  ['dotenv -e .env.test -- prisma migrate reset', 'destructive'],
  ['dotenvx run -f .env.test -- dropdb app', 'destructive'],
  ['sudo -u postgres dropdb app', 'destructive'],
  ['time nice -n 10 timeout 30s dropdb app', 'destructive'],
  ['nohup knex migrate:rollback --all', 'destructive'],
  ['sh -c "echo hi && prisma migrate reset"', 'destructive'],
  ['bash -lc "cd db && psql -f wipe.sql"', 'sql', /DROP TABLE sessions/],
  ['bash -c \'psql -c "$1"\' sh "drop table t"', 'sql', /drop table t/],
  ['docker compose exec db psql -U postgres -c "DROP DATABASE app"', 'sql', /DROP DATABASE app/],
  ['docker exec -it pg dropdb -U postgres app', 'destructive'],
  ['docker run --rm -e PGPASSWORD=x postgres:15 dropdb -h db app', 'destructive'],
  ['kubectl exec -it pod/db -- psql -c "truncate users"', 'sql', /truncate users/],
  ['xargs dropdb', 'destructive'],
  ['./scripts/reset.sh', 'destructive', /scripts\/reset\.sh/],
  ['bash scripts/reset.sh', 'destructive'],
  ['./scripts/safe.sh', 'pass'],
  ['./scripts/self.sh x', 'pass'],
  // Everything else
  ['echo hello', 'pass'],
  ['ls -la', 'pass'],
  ['git status', 'pass'],
  ['node server.js', 'pass'],
  ['node -e "require(\'x\')"', 'pass', /inline code/],
  ['vitest run', 'pass'],
];

describe('inspectCommand: direct invocations', () => {
  it.each(corpus)('%s → %s', (cmd, kind, match) => {
    check(inspect(cmd), kind, match);
  });
});

describe('inspectCommand: package scripts', () => {
  const scripts: [string, Expect, RegExp?][] = [
    ['npm run build', 'pass'],
    ['npm test', 'pass'],
    ['npm run db:deploy', 'pass'],
    ['npm run db:reset', 'destructive', /prisma migrate reset --force \(via npm run db:reset\)/],
    ['npm run-script db:reset', 'destructive'],
    ['npm run db:nuke', 'destructive', /via npm run db:nuke → npm run db:reset/],
    ['npm run chain', 'destructive'],
    ['npm run chain-ok', 'pass'],
    ['npm run db:push', 'pass'],
    ['npm run db:push -- --force-reset', 'destructive', /--force-reset/],
    ['npm run db:push -- --accept-data-loss', 'destructive'],
    ['pnpm run db:push --accept-data-loss', 'destructive'],
    ['pnpm db:reset', 'destructive'],
    ['yarn db:reset', 'destructive'],
    ['yarn run db:reset', 'destructive'],
    ['bun run db:reset', 'destructive'],
    ['npm run with-env', 'destructive'],
    ['npm run drizzle', 'pass'],
    ['npm run drizzle -- --force', 'destructive'],
    ['npm run typeorm -- schema:drop', 'destructive'],
    ['npm run typeorm -- migration:run', 'pass'],
    ['npm run ts-typeorm -- schema:drop -d src/ds.ts', 'destructive'],
    ['npm run bin-path', 'destructive'],
    ['npm run cycle-a', 'pass'],
    ['npm run cycle-self', 'pass'],
    ['npm run cycle-bad', 'destructive', /dropdb app/],
    ['npm run db:wipe', 'sql', /DROP TABLE sessions/],
    ['npm run db:select', 'sql', /^select 1$/],
    ['npm run bash-c', 'sql', /DROP TABLE sessions/],
    ['npm run redirect', 'sql', /DELETE FROM users/],
    ['npm run pipe-cat', 'sql', /SELECT \* FROM users/],
    ['npm run pipe-other', 'destructive', /output of `curl/],
    ['npm run heredoc', 'sql', /DROP TABLE users/],
    ['npm run cat-heredoc', 'sql', /^TRUNCATE audit;\n$/],
    ['npm run subst', 'destructive', /only known at run time/],
    ['npm run comment', 'pass'],
    ['npm run hash-word', 'destructive'],
    ['npm run multi-line', 'destructive'],
    ['npm run if-then', 'destructive'],
    ['npm run script-file', 'destructive'],
    ['npm run sh-file', 'destructive'],
    ['npm run safe-file', 'pass'],
    ['npm run wipe', 'destructive', /postwipe/],
    ['npm run wipe --ignore-scripts', 'pass'],
    ['npm run docker', 'sql', /DROP DATABASE app/],
    ['npm run two-engines', 'destructive', /more than one kind of database/],
    ['npm run export-var', 'sql', /DROP TABLE sessions/],
    ['npm run default-var', 'sql', /DROP TABLE sessions/],
    ['npm run npm-var', 'destructive', /only known at run time/],
    ['npm run missing-script', 'pass'],
    ['npm install', 'pass'],
    ['npm run', 'pass'],
  ];
  it.each(scripts)('%s → %s', (cmd, kind, match) => {
    check(inspect(cmd), kind, match);
  });

  it('runs scripts from the nearest package.json above cwd', () => {
    check(inspectCommand(['npm', 'run', 'db:reset'], opts({ cwd: path.join(root, 'db') })), 'destructive');
  });

  it('finds nothing to run without a package.json', () => {
    check(inspectCommand(['npm', 'run', 'db:reset'], opts({ cwd: '/' })), 'pass');
  });

  it('install runs lifecycle scripts', () => {
    const dir = path.join(root, 'lifecycle');
    pkg('lifecycle', { postinstall: 'prisma migrate reset --force' });
    check(inspectCommand(['npm', 'ci'], opts({ cwd: dir })), 'destructive', /postinstall/);
    check(inspectCommand(['pnpm', 'install'], opts({ cwd: dir })), 'destructive');
    check(inspectCommand(['yarn'], opts({ cwd: dir })), 'destructive');
    check(inspectCommand(['npm', 'install', '--ignore-scripts'], opts({ cwd: dir })), 'pass');
    check(inspectCommand(['pnpm', 'install', '--ignore-scripts'], opts({ cwd: dir })), 'pass');
    check(inspectCommand(['yarn', '--version'], opts({ cwd: dir })), 'pass');
    check(inspectCommand(['bun', 'install'], opts({ cwd: dir })), 'destructive');
  });

  it('follows workspaces: pnpm --filter, npm -w, yarn workspace, recursive runs', () => {
    const cwd = path.join(root, 'mono');
    check(inspectCommand(['pnpm', '--filter', 'api', 'db:reset'], opts({ cwd })), 'destructive', /apps\/api/);
    check(inspectCommand(['pnpm', '--filter', 'web', 'db:reset'], opts({ cwd })), 'pass');
    check(inspectCommand(['pnpm', '-r', 'db:reset'], opts({ cwd })), 'destructive');
    check(inspectCommand(['pnpm', '-r', 'build'], opts({ cwd })), 'pass');
    check(inspectCommand(['npm', 'run', 'db:reset', '-w', 'api'], opts({ cwd })), 'destructive');
    check(inspectCommand(['npm', 'run', 'db:reset', '--workspace=web'], opts({ cwd })), 'pass');
    check(inspectCommand(['npm', 'run', 'db:reset', '--workspaces'], opts({ cwd })), 'destructive');
    check(inspectCommand(['yarn', 'workspace', 'api', 'db:reset'], opts({ cwd })), 'destructive');
    check(inspectCommand(['yarn', 'workspaces', 'foreach', '-A', 'run', 'db:reset'], opts({ cwd })), 'destructive');
    check(inspectCommand(['npm', 'run', 'db:reset'], opts({ cwd })), 'destructive', /pnpm run db:reset in apps\/api/);
    // A selector the guard cannot resolve selects every package: nothing is missed.
    check(inspectCommand(['pnpm', '--filter', 'nosuch', 'db:reset'], opts({ cwd })), 'destructive');
  });
});

describe('inspectCommand: SQL verdicts', () => {
  it('joins SQL pieces in execution order with a separator a comment cannot swallow', () => {
    const v = inspect(['psql', '-c', 'select 1 -- trailing comment', '-c', 'drop table t']);
    expect(v.kind).toBe('sql');
    if (v.kind !== 'sql') return;
    expect(v.sql).toBe(`select 1 -- trailing comment${SQL_JOINER}drop table t`);
    expect(v.sources.map((s) => s.origin)).toEqual(['psql -c #1', 'psql -c #2']);
    expect(v.dialect).toBe('postgres');
  });

  it('names the files SQL was read from, with includes', () => {
    const v = inspect(['psql', '-f', 'db/with-meta.sql']);
    if (v.kind !== 'sql') throw new Error(JSON.stringify(v));
    expect(v.sources[0]!.files).toEqual([path.join(root, 'db/with-meta.sql'), path.join(root, 'db/select.sql')]);
  });

  it('reports the target database a client names, redacted', () => {
    const v = inspect(['psql', 'postgres://admin:hunter22@db.example.com/app', '-c', 'drop table t']);
    if (v.kind !== 'sql') throw new Error(JSON.stringify(v));
    expect(v.targets).toEqual(['postgres://admin:***@db.example.com/app']);
    const d = inspect(['dropdb', 'app']);
    if (d.kind !== 'destructive') throw new Error(JSON.stringify(d));
    expect(d.targets).toEqual(['app']);
  });

  it('never shows passwords in reasons', () => {
    const v = inspect(['mysql', '-uroot', '-phunter22', '-e', 'system ls']);
    if (v.kind !== 'destructive') throw new Error(JSON.stringify(v));
    expect(v.reasons.join('\n')).not.toContain('hunter22');
    expect(v.reasons.join('\n')).toContain('-p***');
    const u = inspect(['psql', 'postgres://admin:hunter22@db/app', '-f', 'db/missing.sql']);
    if (u.kind !== 'destructive') throw new Error(JSON.stringify(u));
    expect(u.reasons.join('\n')).not.toContain('hunter22');
  });

  it('takes the dialect of prisma db execute from the schema provider, --url or DATABASE_URL', () => {
    const pg = inspect(['prisma', 'db', 'execute', '--file', 'db/select.sql']);
    expect(pg.kind === 'sql' && pg.dialect).toBe('postgres');
    const my = inspectCommand(['prisma', 'db', 'execute', '--file', '../db/select.sql'], opts({ cwd: path.join(root, 'mysql-app') }));
    expect(my.kind === 'sql' && my.dialect).toBe('mysql');
    const url = inspect(['prisma', 'db', 'execute', '--url', 'file:./dev.db', '--file', 'db/select.sql']);
    expect(url.kind === 'sql' && url.dialect).toBe('sqlite');
    const env = inspectCommand(['prisma', 'db', 'execute', '--file', '../db/select.sql'], opts({ cwd: path.join(root, 'bare'), env: { DATABASE_URL: 'mysql://root@localhost/app' } }));
    expect(env.kind === 'sql' && env.dialect).toBe('mysql');
    check(inspectCommand(['prisma', 'db', 'execute', '--file', '../db/select.sql'], opts({ cwd: path.join(root, 'bare') })), 'destructive', /cannot tell which database engine/);
    check(inspectCommand(['prisma', 'db', 'execute', '--file', '../db/select.sql'], opts({ cwd: path.join(root, 'mongo-app') })), 'destructive', /mongodb/);
  });

  it('standard input: asks for it, then classifies it; a terminal is an interactive session', () => {
    check(inspect(['psql', 'app']), 'needs-stdin', /standard input of psql/);
    check(inspect(['psql', 'app'], { stdinData: 'DROP TABLE users;' }), 'sql', /DROP TABLE users/);
    check(inspect(['mysql', 'app'], { stdinData: Buffer.from('select 1') }), 'sql', /select 1/);
    check(inspect(['prisma', 'db', 'execute', '--stdin'], { stdinData: 'truncate t' }), 'sql', /truncate t/);
    check(inspect(['psql', 'app'], { stdinIsTTY: true }), 'pass', /interactive session/);
    check(inspect(['npm', 'run', 'redirect'], { stdinIsTTY: true }), 'sql', /DELETE FROM users/);
    // The guard's stdin passed into a package script.
    check(inspect(['npm', 'run', 'db:select']), 'sql');
  });

  it('a destructive command wins over SQL and over reading standard input', () => {
    check(inspect(['sh', '-c', 'psql app && dropdb app']), 'destructive');
  });
});

describe('inspectCommand: fail closed', () => {
  it('a program name only known at run time', () => {
    check(inspect(['sh', '-c', '$(which prisma) migrate reset']), 'destructive', /only known at run time/);
  });

  it('ORM arguments only known at run time', () => {
    check(inspect(['sh', '-c', 'prisma migrate `echo reset`']), 'destructive', /only known at run time/);
  });

  it('commands inside substitutions are inspected too', () => {
    check(inspect(['sh', '-c', 'echo "$(dropdb app)"']), 'destructive', /dropdb app/);
    check(inspect(['sh', '-c', 'echo $(prisma migrate reset --force)']), 'destructive');
  });

  it('a shell reading its script from standard input', () => {
    check(inspect(['bash']), 'destructive', /standard input/);
    check(inspect(['bash'], { stdinIsTTY: true }), 'pass', /interactive shell/);
  });

  it('$# and ${#X} are not comments', () => {
    check(inspect(['sh', '-c', 'echo $# ; dropdb app']), 'destructive');
    check(inspect(['sh', '-c', 'echo ${#HOME} ; dropdb app']), 'destructive');
  });

  it('MySQL backticks are not command substitutions', () => {
    check(inspect(['sh', '-c', "mysql -e 'select * from `users`'"]), 'sql', /select \* from `users`/);
  });

  it('an empty command passes', () => {
    expect(inspectCommand([], opts()).kind).toBe('pass');
  });
});
