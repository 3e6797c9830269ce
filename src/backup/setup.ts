/** Resolve the backup settings of a command context: repository, compression, encryption, lock wait. */
import path from 'node:path';
import type { CommandContext } from '../core/context.js';
import { LocalStorage } from '../storage/local.js';
import type { Compression } from './manifest.js';
import { databaseId } from './names.js';
import { BackupRepository } from './repository.js';

export interface BackupSetup {
  repository: BackupRepository;
  compression: Compression;
  /** age recipients; null when encryption is not configured. */
  recipients: string[] | null;
  /** age identity file for decryption, when known. */
  identityFile: string | null;
  lockWaitMs: number;
  auditLogPath: string;
  environment: CommandContext['environment'];
}

export function backupSetup(ctx: CommandContext, env: NodeJS.ProcessEnv = process.env): BackupSetup {
  const cfg = ctx.config.values.backup ?? {};
  const storage = new LocalStorage(path.resolve(ctx.config.root, cfg.repository ?? '.dbward/backups'));
  const identity = env.DBWARD_AGE_IDENTITY_FILE ?? cfg.encryption?.identityFile;
  return {
    repository: new BackupRepository(storage, databaseId(ctx.target)),
    compression: cfg.compression ?? 'zstd',
    recipients: cfg.encryption ? cfg.encryption.recipients : null,
    identityFile: identity ? path.resolve(ctx.config.root, identity) : null,
    lockWaitMs: (cfg.lockWaitSeconds ?? 60) * 1000,
    auditLogPath: ctx.auditLogPath,
    environment: ctx.environment,
  };
}
