/**
 * Native tools dbward drives (pg_dump, mariadb-dump, zstd, age): find them on PATH and read their version.
 * Tools are run with an argument list (never a shell) and never with secrets in argv.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface ToolInfo {
  name: string;
  path: string;
  /** The first line the tool printed for its version. */
  versionText: string;
  /** First dotted version number found in that line, e.g. "15.19". */
  version: string | null;
  major: number | null;
}

export function findOnPath(name: string, envPath = process.env.PATH ?? ''): string | null {
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/** Find a tool and ask for its version; null when it is not installed. */
export async function probeTool(name: string, versionArgs: readonly string[] = ['--version']): Promise<ToolInfo | null> {
  const toolPath = findOnPath(name);
  return toolPath ? { name, path: toolPath, ...(await toolVersion(toolPath, versionArgs)) } : null;
}

/** Run `tool --version` (or versionArgs) and read the version from what it prints. */
export async function toolVersion(toolPath: string, versionArgs: readonly string[] = ['--version']): Promise<Pick<ToolInfo, 'versionText' | 'version' | 'major'>> {
  const output = await new Promise<string>((resolve) => {
    execFile(toolPath, [...versionArgs], { timeout: 10_000 }, (_err, stdout, stderr) => resolve(`${stdout}\n${stderr}`));
  });
  const versionText = output.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? '';
  return { versionText, ...versionIn(versionText) };
}

/** The first dotted version number in a tool's version text, and its major number. */
export function versionIn(text: string): Pick<ToolInfo, 'version' | 'major'> {
  // age prints "v1.1.1"; pg_dump "pg_dump (PostgreSQL) 15.19 (Debian ...)"; mariadb-dump "... Distrib 10.11.19-MariaDB".
  const match = /(?:^|[\s(v])(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  return { version: match ? match[0].trim().replace(/^[(v]/, '') : null, major: match ? Number(match[1]) : null };
}
