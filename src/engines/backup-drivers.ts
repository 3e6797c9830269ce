/** The backup driver of each engine. */
import type { EngineName } from '../core/url.js';
import type { BackupDriver } from './backup-driver.js';

export async function backupDriverFor(engine: EngineName): Promise<BackupDriver> {
  switch (engine) {
    case 'sqlite':
      return (await import('./sqlite/backup.js')).sqliteBackup;
    case 'postgres':
      return (await import('./postgres/backup.js')).postgresBackup;
    case 'mysql':
      return (await import('./mysql/backup.js')).mysqlBackup;
  }
}
