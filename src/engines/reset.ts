/** Empty a scratch (shadow) database that dbward may wipe: used when it cannot create one itself. */
import type { Engine } from './engine.js';

export async function emptyDatabase(engine: Engine): Promise<void> {
  switch (engine.name) {
    case 'sqlite':
      return (await import('./sqlite/reset.js')).emptySqliteDatabase(engine);
    case 'postgres':
      return (await import('./postgres/reset.js')).emptyPostgresDatabase(engine);
    case 'mysql':
      return (await import('./mysql/reset.js')).emptyMysqlDatabase(engine);
  }
}
