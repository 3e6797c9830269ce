import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { describeTarget, parseDatabaseUrl } from '../../src/core/url.js';

describe('parseDatabaseUrl', () => {
  it('resolves relative and absolute SQLite paths for file: and sqlite:', () => {
    const cwd = '/srv/app';
    expect(parseDatabaseUrl('file:./dev.db', { cwd })).toMatchObject({ engine: 'sqlite', path: '/srv/app/dev.db' });
    expect(parseDatabaseUrl('file:dev.db', { cwd })).toMatchObject({ path: '/srv/app/dev.db' });
    expect(parseDatabaseUrl('file:/var/lib/app.db', { cwd })).toMatchObject({ path: '/var/lib/app.db' });
    expect(parseDatabaseUrl('file:///var/lib/app.db', { cwd })).toMatchObject({ path: '/var/lib/app.db' });
    expect(parseDatabaseUrl('sqlite:data/app.db', { cwd })).toMatchObject({ path: path.join(cwd, 'data/app.db') });
    expect(parseDatabaseUrl('sqlite:///abs/app.db', { cwd })).toMatchObject({ path: '/abs/app.db' });
    expect(parseDatabaseUrl('file:./my%20db.sqlite?mode=ro', { cwd })).toMatchObject({ path: '/srv/app/my db.sqlite', params: { mode: 'ro' } });
  });

  it('parses PostgreSQL URLs with sslmode and other parameters', () => {
    const t = parseDatabaseUrl('postgresql://app:s3cr%40t@db.example.com:6543/shop?sslmode=verify-full&application_name=x&schema=public');
    expect(t).toMatchObject({
      engine: 'postgres',
      host: 'db.example.com',
      port: 6543,
      user: 'app',
      password: 's3cr@t',
      database: 'shop',
      params: { sslmode: 'verify-full', application_name: 'x', schema: 'public' },
    });
    expect(t.redacted).toBe('postgresql://app:***@db.example.com:6543/shop?sslmode=verify-full&application_name=x&schema=public');
    expect(parseDatabaseUrl('postgres://u@localhost/db')).toMatchObject({ port: 5432, password: undefined });
    expect(parseDatabaseUrl('postgres:///db?host=/var/run/postgresql')).toMatchObject({ socket: '/var/run/postgresql', database: 'db' });
  });

  it('parses MySQL and MariaDB URLs', () => {
    expect(parseDatabaseUrl('mysql://root@127.0.0.1/app')).toMatchObject({ engine: 'mysql', port: 3306, database: 'app', user: 'root' });
    expect(parseDatabaseUrl('mariadb://u:p4ss@[::1]:3307/app?sslmode=required')).toMatchObject({ engine: 'mysql', host: '::1', port: 3307 });
    expect(describeTarget(parseDatabaseUrl('mariadb://u:p4ss@[::1]:3307/app'))).toBe('mysql u@[::1]:3307/app');
  });

  it.each([
    ['mongodb://localhost/db', /Unsupported database URL scheme "mongodb:"/],
    ['redis://x', /Unsupported database URL scheme/],
    ['just-a-path.db', /Not a database URL/],
    ['', /empty/],
    ['file:', /No file path/],
    ['postgres://u@host:99999/db', /Malformed|Invalid port/],
    ['postgres://u@host/db?sslmode=sometimes', /Unsupported sslmode "sometimes"/],
    ['postgres://u@host/db?evil=1', /Unsupported parameter "evil"/],
    ['mysql://u@host', /No database name/],
    ['mysql://u@host/db?connect_timeout=soon', /connect_timeout must be a whole number/],
    ['file:./x.db?mode=delete', /Unsupported SQLite mode/],
  ])('rejects %j with a clear usage error', (url, message) => {
    let error: unknown;
    try {
      parseDatabaseUrl(url, { cwd: '/tmp' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    expect((error as UsageError).message).toMatch(message);
  });

  it('names the accepted schemes when the scheme is unknown', () => {
    try {
      parseDatabaseUrl('sqlserver://sa:Secret123@host/db');
      expect.unreachable();
    } catch (err) {
      const e = err as UsageError;
      expect(e.hint).toContain('file:, sqlite:, postgres://, postgresql://, mysql://, mariadb://');
      expect(e.message).not.toContain('Secret123');
    }
  });

  it('never puts the password in errors about the rest of the URL', () => {
    try {
      parseDatabaseUrl('postgres://app:TopSecretPw@host/db?bogus=1');
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toContain('postgres://app:***@host/db');
      expect((err as Error).message).not.toContain('TopSecretPw');
    }
  });
});
