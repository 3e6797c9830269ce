/** Where the project's migrations are: config `migrations.dir`, else prisma/migrations when it exists, else migrations. */
import fs from 'node:fs';
import path from 'node:path';
import type { LoadedConfig } from '../core/config.js';
import { parseDatabaseUrl, type ConnectionTarget, type EngineName } from '../core/url.js';
import { checkProvider, loadMigrations, type MigrationSource } from './sources.js';

export function migrationsDir(config: LoadedConfig): string {
  if (config.values.migrations?.dir) return path.resolve(config.root, config.values.migrations.dir);
  const prisma = path.join(config.root, 'prisma', 'migrations');
  return fs.existsSync(prisma) ? prisma : path.join(config.root, 'migrations');
}

/** Load the project's migrations for this engine (a Prisma provider mismatch is refused). */
export function projectMigrations(config: LoadedConfig, engine: EngineName): MigrationSource {
  const source = loadMigrations(migrationsDir(config), config.values.migrations?.layout ? { layout: config.values.migrations.layout } : {});
  checkProvider(source, engine);
  return source;
}

/** The shadow database for drift checks: SHADOW_DATABASE_URL, else migrations.shadowDatabaseUrl; undefined when neither. */
export function shadowDatabase(config: LoadedConfig, env: NodeJS.ProcessEnv): ConnectionTarget | undefined {
  const fromEnv = env.SHADOW_DATABASE_URL;
  if (fromEnv) return parseDatabaseUrl(fromEnv, { cwd: process.cwd() });
  const fromConfig = config.values.migrations?.shadowDatabaseUrl;
  return fromConfig ? parseDatabaseUrl(fromConfig, { cwd: config.root }) : undefined;
}
