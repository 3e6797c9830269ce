/**
 * Drift: compare the live schema with the schema the migrations produce. The migrations are applied to a
 * scratch database beside the live one (same server, or a temporary SQLite file in the same directory),
 * which dbward creates and always drops.
 */
import { randomBytes } from 'node:crypto';
import { DbwardError, errorMessage } from '../core/errors.js';
import { backupDriverFor } from '../engines/backup-drivers.js';
import type { Engine } from '../engines/engine.js';
import { connect } from '../engines/index.js';
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

export async function detectDrift(live: Engine, source: MigrationSource): Promise<DriftReport> {
  const driver = await backupDriverFor(live.name);
  const scratchTarget = await driver.createDatabase(live, `dbward_drift_${randomBytes(5).toString('hex')}`).catch((err: unknown) => {
    throw new DbwardError('SCRATCH_UNAVAILABLE', `Cannot create a scratch database to apply the migrations to: ${errorMessage(err)}`, {
      hint:
        live.name === 'sqlite'
          ? 'Make the database directory writable for dbward.'
          : 'Grant the user the right to create databases (PostgreSQL: ALTER ROLE … CREATEDB; MySQL: GRANT CREATE ON *.*), or run dbward verify as a user who can.',
      cause: err,
    });
  });
  try {
    const scratch = await connect(scratchTarget, { deadlineMs: 10_000 });
    try {
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
    } finally {
      await scratch.close();
    }
  } finally {
    await driver.dropDatabase(live, scratchTarget);
  }
}
