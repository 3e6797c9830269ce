/**
 * SQLite needs no native tool: backups use the online backup API of the embedded library and the
 * result is itself a database file. The `sqlite3` shell is reported when present, for restoring by hand.
 */
import { probeTool } from '../../core/tools.js';
import type { Check } from '../../doctor/checks.js';

export async function checkSqliteTools(): Promise<Check[]> {
  const shell = await probeTool('sqlite3');
  return [
    shell
      ? { id: 'tool.sqlite3', title: 'sqlite3', status: 'pass', detail: `${shell.version ?? shell.versionText} (${shell.path})` }
      : { id: 'tool.sqlite3', title: 'sqlite3', status: 'skip', detail: 'not installed (optional: dbward uses the embedded library; the shell only helps by hand)' },
  ];
}
