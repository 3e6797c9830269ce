/** Native tools the MySQL/MariaDB engine needs, and whether they fit the server. */
import { probeTool } from '../../core/tools.js';
import type { Check } from '../../doctor/checks.js';
import type { ServerVersion } from '../engine.js';

export async function checkMysqlTools(server: ServerVersion | null): Promise<Check[]> {
  const [mariadbDump, mysqldump] = await Promise.all([probeTool('mariadb-dump'), probeTool('mysqldump')]);
  const isMariaDbTool = (text: string) => /mariadb/i.test(text);
  const wantMaria = server?.product !== 'MySQL';
  // Prefer the dump tool of the server's own family: mariadb-dump for MariaDB, mysqldump from MySQL for MySQL.
  const candidates = [mariadbDump, mysqldump].filter((t) => t !== null);
  const fitting = candidates.find((t) => isMariaDbTool(t.versionText) === wantMaria);
  const any = fitting ?? candidates[0];
  if (!any) {
    return [{
      id: 'tool.dump', title: 'mariadb-dump / mysqldump', status: 'fail', detail: 'neither is on PATH (needed for backup)',
      hint: 'Install the client tools: Debian apt-get install mariadb-client (MariaDB) or mysql-client (MySQL).',
    }];
  }
  if (!fitting && server) {
    return [{
      id: 'tool.dump', title: any.name, status: 'warn',
      detail: `${any.versionText} is not from ${server.product}; dumps may miss ${server.product}-specific features`,
      hint: `Install ${server.product === 'MySQL' ? 'mysqldump from MySQL' : 'mariadb-dump from MariaDB'} client tools.`,
    }];
  }
  const serverMajorMinor = server ? server.major * 100 + server.minor : 0;
  // MariaDB tools print "Ver 10.19 Distrib 10.11.19-MariaDB": the distribution version is the one that counts.
  const toolMatch = /(\d+)\.(\d+)\.\d+-MariaDB/.exec(any.versionText) ?? /Ver (\d+)\.(\d+)/.exec(any.versionText);
  const toolMajorMinor = toolMatch ? Number(toolMatch[1]) * 100 + Number(toolMatch[2]) : null;
  if (server && toolMajorMinor !== null && wantMaria && toolMajorMinor < serverMajorMinor) {
    return [{
      id: 'tool.dump', title: any.name, status: 'warn', detail: `${any.versionText} is older than the server (${server.full})`,
      hint: 'An older dump tool may not know newer server features; install the matching client version.',
    }];
  }
  return [{ id: 'tool.dump', title: any.name, status: 'pass', detail: `${any.versionText} (${any.path})` }];
}
