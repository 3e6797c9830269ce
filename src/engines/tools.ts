/** Which native tools each engine needs, checked against the server. */
import type { Check } from '../doctor/checks.js';
import type { EngineName } from '../core/url.js';
import type { ServerVersion } from './engine.js';
import { checkMysqlTools } from './mysql/tools.js';
import { checkPostgresTools } from './postgres/tools.js';
import { checkSqliteTools } from './sqlite/tools.js';

export function checkEngineTools(engine: EngineName, server: ServerVersion | null): Promise<Check[]> {
  switch (engine) {
    case 'sqlite':
      return checkSqliteTools();
    case 'postgres':
      return checkPostgresTools(server);
    case 'mysql':
      return checkMysqlTools(server);
  }
}
