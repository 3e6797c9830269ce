/** A safety backup: taken and verified (level structure) before anything destructive runs. */
import { VerificationError } from '../core/errors.js';
import type { Engine } from '../engines/engine.js';
import { createBackup } from './backup.js';
import type { BackupSetup } from './setup.js';
import { verifyBackup } from './verify.js';

/** Returns the backup's name; throws (and nothing else happens) when it cannot be taken or verified. */
export async function takeSafetyBackup(engine: Engine, setup: BackupSetup, name: string): Promise<string> {
  const taken = (await createBackup(engine, setup, { name: name.slice(0, 64) })).name;
  const check = await verifyBackup(null, setup, taken, 'structure');
  if (!check.ok) throw new VerificationError(`The safety backup ${taken} failed verification; nothing else was done.`, check.details.join('; '));
  return taken;
}
