import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, resolveEnv } from '../../src/core/config.js';
import { createContext } from '../../src/core/context.js';
import { ConfigError } from '../../src/core/errors.js';
import { tempDir } from '../helpers/databases.js';

let dir: string;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

async function configError(promise: Promise<unknown>): Promise<ConfigError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('config file', () => {
  it('loads and validates JSON, YAML and TypeScript configs', async () => {
    fs.writeFileSync(path.join(dir, 'dbward.config.yaml'), 'environment: staging\nconnect:\n  deadlineSeconds: 5\n');
    expect((await loadConfig({ cwd: dir })).values).toEqual({ environment: 'staging', connect: { deadlineSeconds: 5 } });
    fs.rmSync(path.join(dir, 'dbward.config.yaml'));
    fs.writeFileSync(path.join(dir, 'dbward.config.ts'), "const env: string = 'production';\nexport default { environment: env, auditLog: 'logs/audit.log' };\n");
    expect((await loadConfig({ cwd: dir })).values).toEqual({ environment: 'production', auditLog: 'logs/audit.log' });
  });

  it('names every bad key', async () => {
    fs.writeFileSync(path.join(dir, 'dbward.config.json'), JSON.stringify({ enviroment: 'prod', connect: { deadlineSeconds: 'soon', retries: 3 } }));
    const err = await configError(loadConfig({ cwd: dir }));
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain('unknown key "enviroment"');
    expect(err.message).toContain('unknown key "connect.retries"');
    expect(err.message).toContain('key "connect.deadlineSeconds"');
  });

  it('reports unparseable files and ambiguous configs clearly', async () => {
    fs.writeFileSync(path.join(dir, 'dbward.config.json'), '{ "environment": ');
    expect((await configError(loadConfig({ cwd: dir }))).message).toMatch(/is not valid JSON/);
    fs.writeFileSync(path.join(dir, 'dbward.config.yml'), 'a: b');
    expect((await configError(loadConfig({ cwd: dir }))).message).toMatch(/More than one config file/);
    expect((await configError(loadConfig({ cwd: dir, configPath: 'nope.json' }))).message).toMatch(/Config file not found/);
  });
});

describe('environment', () => {
  it('reports all missing and malformed variables at once', () => {
    const err = (() => {
      try {
        resolveEnv(
          [
            { name: 'A', description: 'first', required: true },
            { name: 'B', description: 'second', required: true },
            { name: 'C', description: 'third', required: true, validate: (v) => (v.includes('@') ? null : 'not an email') },
            { name: 'D', description: 'optional', required: false },
          ],
          { env: { C: 'nobody' }, dotenv: {} },
        );
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('expected an error');
    })();
    expect(err.problems).toEqual(['A is not set: first', 'B is not set: second', 'C is malformed: not an email']);
    expect(err.message).not.toContain('nobody');
  });

  it('takes DATABASE_URL from --url, then the environment, then .env, then the config file', async () => {
    fs.writeFileSync(path.join(dir, '.env'), 'DATABASE_URL=file:./from-dotenv.db\n');
    fs.writeFileSync(path.join(dir, 'dbward.config.json'), JSON.stringify({ url: 'file:./from-config.db' }));
    const ctx = (env: NodeJS.ProcessEnv, url?: string) => createContext({ cwd: dir, env, url });
    expect((await ctx({ DATABASE_URL: 'file:./from-env.db' }, 'file:./from-flag.db')).urlSource).toBe('--url');
    expect((await ctx({ DATABASE_URL: 'file:./from-env.db' })).target).toMatchObject({ path: path.join(dir, 'from-env.db') });
    expect((await ctx({})).urlSource).toBe('.env');
    fs.rmSync(path.join(dir, '.env'));
    expect((await ctx({})).urlSource).toBe('config file');
  });

  it('fails with exit 2 when DATABASE_URL is missing or malformed', async () => {
    const missing = await configError(createContext({ cwd: dir, env: {} }));
    expect(missing.message).toMatch(/DATABASE_URL is not set/);
    const malformed = await configError(createContext({ cwd: dir, env: { DATABASE_URL: 'oracle://sys:Pw123456@h/db' } }));
    expect(malformed.message).toMatch(/DATABASE_URL is malformed: Unsupported database URL scheme "oracle:"/);
    expect(malformed.message).not.toContain('Pw123456');
  });
});
