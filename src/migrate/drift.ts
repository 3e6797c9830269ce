/**
 * Drift: compare the live schema with the schema the migrations produce. The migrations are applied to a
 * scratch database beside the live one (same server, or a temporary SQLite file in the same directory),
 * which dbward creates and always drops — or, for a user who may not create databases, to a shadow
 * database given by SHADOW_DATABASE_URL / migrations.shadowDatabaseUrl (as in Prisma). A shadow database
 * must be empty when the check starts (dbward never wipes data it did not create) and is emptied after.
 */
import { randomBytes } from 'node:crypto';
import { DbwardError, UsageError, errorMessage } from '../core/errors.js';
import { describeTarget, type ConnectionTarget } from '../core/url.js';
import { backupDriverFor } from '../engines/backup-drivers.js';
import type { Engine } from '../engines/engine.js';
import { connect } from '../engines/index.js';
import { emptyDatabase } from '../engines/reset.js';
import { diffSchemas, type SchemaDifference } from '../schema/diff.js';
import { migrateUp } from './runner.js';
import type { MigrationSource } from './sources.js';

export interface DriftReport {
  /** True when the live schema is exactly what the migrations produce. */
  inSync: boolean;
  differences: SchemaDifference[];
  expectedFingerprint: string;
  actualFingerprint: string;
  migrationsApplied: number;
}

export interface DriftOptions {
  /** A shadow database dbward may empty, used instead of creating a scratch database. */
  shadow?: ConnectionTarget;
}

export async function detectDrift(live: Engine, source: MigrationSource, options: DriftOptions = {}): Promise<DriftReport> {
  if (options.shadow) return withShadow(live, options.shadow, (shadow) => compare(live, shadow, source));
  const driver = await backupDriverFor(live.name);
  const scratchTarget = await driver.createDatabase(live, `dbward_drift_${randomBytes(5).toString('hex')}`).catch((err: unknown) => {
    throw new DbwardError('SCRATCH_UNAVAILABLE', `Cannot create a scratch database to apply the migrations to: ${errorMessage(err)}`, {
      hint:
        live.name === 'sqlite'
          ? 'Make the database directory writable for dbward, or set SHADOW_DATABASE_URL to an empty database file dbward may use.'
          : 'Grant the user the right to create databases (PostgreSQL: ALTER ROLE … CREATEDB; MySQL: GRANT CREATE ON *.*), or set SHADOW_DATABASE_URL (or migrations.shadowDatabaseUrl) to an empty database dbward may use and empty again.',
      cause: err,
    });
  });
  try {
    const scratch = await connect(scratchTarget, { deadlineMs: 10_000 });
    try {
      return await compare(live, scratch, source);
    } finally {
      await scratch.close();
    }
  } finally {
    await driver.dropDatabase(live, scratchTarget);
  }
}

async function compare(live: Engine, scratch: Engine, source: MigrationSource): Promise<DriftReport> {
  const up = await migrateUp(scratch, source);
  const [expected, actual] = await Promise.all([scratch.introspect(), live.introspect()]);
  const differences = diffSchemas(expected, actual);
  return {
    inSync: differences.length === 0,
    differences,
    expectedFingerprint: expected.fingerprint,
    actualFingerprint: actual.fingerprint,
    migrationsApplied: up.applied.length,
  };
}

async function withShadow<T>(live: Engine, target: ConnectionTarget, fn: (shadow: Engine) => Promise<T>): Promise<T> {
  if (target.engine !== live.name) throw new UsageError(`The shadow database is ${target.engine}; the database is ${live.name}.`);
  if (describeTarget(target) === describeTarget(live.target)) {
    throw new UsageError('The shadow database is the database itself.', 'Point SHADOW_DATABASE_URL at a separate, empty database.');
  }
  const shadow = await connect(target, { deadlineMs: 10_000 });
  try {
    const model = await shadow.introspect();
    if (model.tables.length || model.views.length || model.sequences.length || model.enums.length) {
      throw new UsageError(
        `The shadow database ${describeTarget(target)} is not empty (${model.tables.length} tables, ${model.views.length} views); dbward only uses an empty one.`,
        'Point SHADOW_DATABASE_URL at an empty database that dbward may fill and empty again.',
      );
    }
    try {
      return await fn(shadow);
    } finally {
      await emptyDatabase(shadow);
    }
  } finally {
    await shadow.close();
  }
}
