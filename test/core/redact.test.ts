import { describe, expect, it } from 'vitest';
import { redactText, redactValue, registerSecret } from '../../src/core/redact.js';

describe('redaction', () => {
  it('removes passwords from URLs in free text', () => {
    expect(redactText('cannot reach postgres://app:hunter22@db:5432/x now')).toBe('cannot reach postgres://app:***@db:5432/x now');
    expect(redactText('mysql://root:@h/db')).toBe('mysql://root@h/db');
  });

  it('removes secret query parameters but keeps harmless ones', () => {
    expect(redactText('s3://b/k?X-Amz-Signature=abc123&region=eu')).toBe('s3://b/k?X-Amz-Signature=***&region=eu');
    expect(redactText('postgres://u@h/db?sslmode=require&password=pw123&sslpassword=k3y')).toBe(
      'postgres://u@h/db?sslmode=require&password=***&sslpassword=***',
    );
    expect(redactText('https://x/?token=t0ken&page=2')).toBe('https://x/?token=***&page=2');
  });

  it('removes assignments such as PGPASSWORD=… and password=…', () => {
    expect(redactText('PGPASSWORD=abc123 pg_dump')).toBe('PGPASSWORD=*** pg_dump');
    expect(redactText('host=h password=xyz987 user=u')).toBe('host=h password=*** user=u');
  });

  it('replaces registered secrets anywhere, in raw and encoded forms', () => {
    registerSecret('p@ss w0rd!');
    expect(redactText('auth failed for p@ss w0rd! / p%40ss%20w0rd!')).toBe('auth failed for *** / ***');
  });

  it('deep-redacts values under secret-looking keys', () => {
    expect(redactValue({ user: 'u', password: 'x', nested: { token: 'y', url: 'postgres://a:b@c/d' }, list: ['mysql://r:q@h/d'] })).toEqual({
      user: 'u',
      password: '***',
      nested: { token: '***', url: 'postgres://a:***@c/d' },
      list: ['mysql://r:***@h/d'],
    });
  });
});
