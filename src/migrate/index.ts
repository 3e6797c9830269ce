/** Migrations: sources (plain SQL folders, Prisma's layout), history tables and the runner. */
export { loadMigrations, detectLayout, checkProvider, NO_TRANSACTION_MARKER, type Layout, type Migration, type MigrationSource, type Script, type Finding } from './sources.js';
export { migrationStatus, migrateUp, migrateDown, resolveMigration, type RunOptions, type UpOptions, type DownOptions, type UpResult, type DownResult, type ResolveResult, type PlannedMigration, type RanMigration } from './runner.js';
export type { MigrationStatus, AppliedMigration, PendingMigration, FailedMigration } from './status.js';
export type { MigrationEvent, RunMode } from './execute.js';
export { newMigration, type NewMigrationOptions, type NewMigrationResult } from './new.js';
export { MigrationFailedError, MigrationBlockedError, type MigrationFailure, type FailedStatement } from './errors.js';
export { sha256Hex, checksumMatches } from './checksum.js';
export { splitStatements, type ScriptStatement, type SqlDialect } from './split.js';
export { detectDrift, type DriftReport, type DriftOptions } from './drift.js';
export { migrationsDir, projectMigrations, shadowDatabase } from './locate.js';
