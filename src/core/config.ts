/**
 * Configuration: the config file (dbward.config.{json,yaml,yml,ts,mts,js,mjs}, validated with a zod
 * schema whose errors name the bad key), `.env`, and the environment.
 *
 * Precedence for the database URL: --url, then DATABASE_URL from the environment, then from .env, then
 * `url` in the config file. Values in the environment win over .env (as in Prisma and dotenv).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import * as z from 'zod';
import { retentionPolicySchema } from '../backup/retention.js';
import { guardPolicySchema } from '../guard/policy.js';
import { readDataFile } from './data-file.js';
import { ConfigError, errorMessage } from './errors.js';

export const CONFIG_FILE_NAMES = [
  'dbward.config.json',
  'dbward.config.yaml',
  'dbward.config.yml',
  'dbward.config.ts',
  'dbward.config.mts',
  'dbward.config.js',
  'dbward.config.mjs',
] as const;

export const configSchema = z
  .object({
    /** Database URL. Prefer DATABASE_URL: a URL with a password does not belong in a committed file. */
    url: z.string().min(1).optional(),
    /** Which environment this is; policy (later: safety gate, seeding) depends on it. Default: NODE_ENV or development. */
    environment: z.enum(['development', 'test', 'staging', 'production']).optional(),
    /** Path of the audit log, relative to the config file's directory. Default .dbward/audit.log. */
    auditLog: z.string().min(1).optional(),
    migrations: z
      .object({
        /** Folder of migrations, relative to the config file. Default: prisma/migrations when it exists, else migrations. */
        dir: z.string().min(1).optional(),
        /** prisma: <timestamp>_<name>/migration.sql + migration_lock.toml; sql: <version>_<name>.sql or <version>_<name>/up.sql (+ down.sql). Default: detected. */
        layout: z.enum(['prisma', 'sql']).optional(),
        /** A database dbward may fill and empty for drift checks when it cannot create one (or SHADOW_DATABASE_URL). */
        shadowDatabaseUrl: z.string().min(1).optional(),
        /** Take a verified backup before `migrate up` (always in production). */
        backupBeforeUp: z.boolean().optional(),
      })
      .strict()
      .optional(),
    seed: z
      .object({
        /** Seed file (YAML, JSON, or a TS/JS module), relative to the config file. */
        file: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    backup: z
      .object({
        /** Directory of the backup repository, relative to the config file's directory. Default .dbward/backups. */
        repository: z.string().min(1).optional(),
        compression: z.enum(['zstd', 'gzip']).optional(),
        /** age encryption. Configured means required: a backup is refused rather than written in plaintext. */
        encryption: z
          .object({
            /** age recipients (age1… public keys or ssh-ed25519/ssh-rsa public keys). */
            recipients: z
              .array(z.string().regex(/^(age1[02-9ac-hj-np-z]{58}|ssh-(ed25519|rsa) \S+.*)$/, 'must be an age1… or ssh public key'))
              .min(1, 'needs at least one recipient'),
            /** File with the age identity (secret key) used to decrypt for verify and restore; or DBWARD_AGE_IDENTITY_FILE. */
            identityFile: z.string().min(1).optional(),
          })
          .strict()
          .optional(),
        /** `dbward drill`: queries that must hold on the restored copy, and recovery objectives. */
        drill: z
          .object({
            queries: z
              .array(
                z
                  .object({
                    /** A read-only query; its first column of the first row is compared as a number. */
                    sql: z.string().min(1),
                    min: z.number().optional(),
                    max: z.number().optional(),
                    equals: z.number().optional(),
                  })
                  .strict()
                  .refine((q) => q.min !== undefined || q.max !== undefined || q.equals !== undefined, 'needs min, max or equals'),
              )
              .optional(),
            /** Recovery time objective: the restore must take at most this long. */
            rtoSeconds: z.number().positive().optional(),
            /** Recovery point objective: the newest backup must be at most this old. */
            rpoSeconds: z.number().positive().optional(),
          })
          .strict()
          .optional(),
        /** Which backups `dbward prune` keeps (see src/backup/retention.ts). */
        retention: retentionPolicySchema.optional(),
        /** Seconds to wait for another operation on the same repository and database. Default 60. */
        lockWaitSeconds: z.number().min(0).max(86_400).optional(),
      })
      .strict()
      .optional(),
    /** The safety gate (`dbward exec`, `dbward guard`, `dbward approve`): see src/guard/policy.ts. */
    guard: guardPolicySchema.optional(),
    connect: z
      .object({
        /** Total seconds to keep retrying transient connection failures. */
        deadlineSeconds: z.number().positive().max(3600).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type ConfigFile = z.infer<typeof configSchema>;

export interface LoadedConfig {
  /** Absolute path of the config file, or null when there is none. */
  file: string | null;
  /** Directory relative paths are resolved against: the config file's directory, else cwd. */
  root: string;
  values: ConfigFile;
}

function describeIssuePath(issuePath: readonly PropertyKey[]): string {
  return issuePath.length ? issuePath.map(String).join('.') : '(top level)';
}

/** Turn zod issues into one line each, naming the key. */
function issuesToProblems(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const base = issue.path.length ? `${describeIssuePath(issue.path)}.` : '';
      return issue.keys.map((k) => `unknown key "${base}${k}"`).join('; ');
    }
    return `key "${describeIssuePath(issue.path)}": ${issue.message}`;
  });
}

/** Find and validate the config file. An explicit path must exist; otherwise at most one may be found in cwd. */
export async function loadConfig(options: { cwd: string; configPath?: string }): Promise<LoadedConfig> {
  let file: string | null = null;
  if (options.configPath) {
    file = path.resolve(options.cwd, options.configPath);
    if (!fs.existsSync(file)) throw new ConfigError(`Config file not found: ${file}`);
    if (!CONFIG_FILE_NAMES.some((n) => file!.endsWith(n.slice('dbward.config'.length)))) {
      throw new ConfigError(`Unsupported config file type: ${file}`, [], `Use one of: ${CONFIG_FILE_NAMES.join(', ')}.`);
    }
  } else {
    const found = CONFIG_FILE_NAMES.map((n) => path.join(options.cwd, n)).filter((f) => fs.existsSync(f));
    if (found.length > 1) {
      throw new ConfigError(`More than one config file in ${options.cwd}: ${found.map((f) => path.basename(f)).join(', ')}`, [], 'Keep one, or choose with --config.');
    }
    file = found[0] ?? null;
  }
  if (!file) return { file: null, root: options.cwd, values: {} };

  const raw = await readDataFile(file, 'Config file');
  const parsed = configSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new ConfigError(`Invalid config file ${file}:`, issuesToProblems(parsed.error));
  return { file, root: path.dirname(file), values: parsed.data };
}

/** Read `.env` in dir (if present) without touching process.env. */
export function readDotenv(dir: string): Record<string, string> {
  const file = path.join(dir, '.env');
  if (!fs.existsSync(file)) return {};
  try {
    return parseDotenv(fs.readFileSync(file));
  } catch (err) {
    throw new ConfigError(`Cannot read ${file}: ${errorMessage(err)}`);
  }
}

/** One environment variable a command needs. */
export interface EnvRequirement {
  name: string;
  /** What it is for, shown when it is missing. */
  description: string;
  required: boolean;
  /** Return an error message for a malformed value, or null when it is fine. Never echo the value. */
  validate?: (value: string) => string | null;
}

/**
 * Check every requirement against the environment and report all problems at once.
 * Returns the values found (environment first, then .env).
 */
export function resolveEnv(requirements: readonly EnvRequirement[], sources: { env: NodeJS.ProcessEnv; dotenv: Record<string, string> }): Record<string, string> {
  const values: Record<string, string> = {};
  const problems: string[] = [];
  for (const req of requirements) {
    const value = sources.env[req.name] ?? sources.dotenv[req.name];
    if (value === undefined || value === '') {
      if (req.required) problems.push(`${req.name} is not set: ${req.description}`);
      continue;
    }
    const invalid = req.validate?.(value) ?? null;
    if (invalid) problems.push(`${req.name} is malformed: ${invalid}`);
    else values[req.name] = value;
  }
  if (problems.length) {
    throw new ConfigError('Missing or malformed environment variables:', problems, 'Set them in the environment or in .env.');
  }
  return values;
}
