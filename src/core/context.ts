/**
 * The context every database command starts from: config file, .env, the environment variables the
 * command declares (all problems reported at once), the database target and the audit log path.
 */
import path from 'node:path';
import { loadConfig, readDotenv, resolveEnv, type EnvRequirement, type LoadedConfig } from './config.js';
import { DbwardError, errorMessage } from './errors.js';
import { parseDatabaseUrl, type ConnectionTarget } from './url.js';

export type UrlSource = '--url' | 'environment' | '.env' | 'config file';

export interface CommandContext {
  cwd: string;
  config: LoadedConfig;
  target: ConnectionTarget;
  urlSource: UrlSource;
  /** Values of the declared environment variables that are set. */
  env: Record<string, string>;
  environment: 'development' | 'test' | 'staging' | 'production';
  auditLogPath: string;
  connectDeadlineMs: number;
}

export interface ContextOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  url?: string;
  configPath?: string;
  /** Environment variables the command needs besides DATABASE_URL. */
  requirements?: readonly EnvRequirement[];
}

const validateUrl = (cwd: string) => (value: string) => {
  try {
    parseDatabaseUrl(value, { cwd });
    return null;
  } catch (err) {
    return err instanceof DbwardError ? `${err.message}${err.hint ? ` (${err.hint})` : ''}` : errorMessage(err);
  }
};

export async function createContext(options: ContextOptions): Promise<CommandContext> {
  const config = await loadConfig({ cwd: options.cwd, configPath: options.configPath });
  const dotenv = readDotenv(options.cwd);
  const urlFromConfig = config.values.url;
  const requirements: EnvRequirement[] = [
    {
      name: 'DATABASE_URL',
      description: 'the database to work on (file:./dev.db, postgres://…, mysql://…), or pass --url',
      required: options.url === undefined && urlFromConfig === undefined,
      validate: validateUrl(options.cwd),
    },
    ...(options.requirements ?? []),
  ];
  // With --url given, DATABASE_URL is not needed and is not validated.
  const checked = options.url === undefined ? requirements : requirements.filter((r) => r.name !== 'DATABASE_URL');
  const env = resolveEnv(checked, { env: options.env, dotenv });

  let raw: string;
  let urlSource: UrlSource;
  if (options.url !== undefined) [raw, urlSource] = [options.url, '--url'];
  else if (options.env.DATABASE_URL) [raw, urlSource] = [options.env.DATABASE_URL, 'environment'];
  else if (dotenv.DATABASE_URL) [raw, urlSource] = [dotenv.DATABASE_URL, '.env'];
  else [raw, urlSource] = [urlFromConfig!, 'config file'];
  // SQLite paths in the config file are relative to the config file; elsewhere to cwd.
  const target = parseDatabaseUrl(raw, { cwd: urlSource === 'config file' ? config.root : options.cwd });

  const environment = environmentOf(config, options.env);

  return {
    cwd: options.cwd,
    config,
    target,
    urlSource,
    env,
    environment,
    auditLogPath: path.resolve(config.root, config.values.auditLog ?? '.dbward/audit.log'),
    connectDeadlineMs: (config.values.connect?.deadlineSeconds ?? 30) * 1000,
  };
}

/** The environment: config `environment`, else NODE_ENV when it names one, else development. */
export function environmentOf(config: LoadedConfig, env: NodeJS.ProcessEnv): CommandContext['environment'] {
  const nodeEnv = env.NODE_ENV;
  return config.values.environment ?? (nodeEnv === 'production' || nodeEnv === 'test' || nodeEnv === 'staging' ? nodeEnv : 'development');
}

/** Where the audit log is when no database is involved (e.g. `dbward log verify`). */
export async function auditLogPathFor(options: { cwd: string; configPath?: string }): Promise<string> {
  const config = await loadConfig(options);
  return path.resolve(config.root, config.values.auditLog ?? '.dbward/audit.log');
}
