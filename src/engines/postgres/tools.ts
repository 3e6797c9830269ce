/** Native tools the PostgreSQL engine needs, and whether they fit the server. */
import { probeTool } from '../../core/tools.js';
import type { Check } from '../../doctor/checks.js';
import type { ServerVersion } from '../engine.js';

export async function checkPostgresTools(server: ServerVersion | null): Promise<Check[]> {
  return Promise.all(
    ['pg_dump', 'pg_restore', 'psql'].map(async (name): Promise<Check> => {
      const tool = await probeTool(name);
      const id = `tool.${name}`;
      const needed = name === 'psql' ? 'restoring plain SQL by hand' : 'backup and restore';
      if (!tool) {
        return {
          id, title: name, status: name === 'psql' ? 'warn' : 'fail', detail: `not found on PATH (needed for ${needed})`,
          hint: 'Install the PostgreSQL client tools (Debian: apt-get install postgresql-client) matching the server major version or newer.',
        };
      }
      if (server && tool.major !== null && tool.major < server.major) {
        return {
          id, title: name, status: name === 'psql' ? 'warn' : 'fail',
          detail: `${tool.version} is older than the server's major version ${server.major} (${tool.path})`,
          hint: `${name} refuses to work with a newer server: install PostgreSQL ${server.major} client tools or newer.`,
        };
      }
      return { id, title: name, status: 'pass', detail: `${tool.version ?? tool.versionText} (${tool.path})` };
    }),
  );
}
