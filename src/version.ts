import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** dbward's package.json: the nearest one above this module (dist/, or the CLI's bundle in dist/bundle/). */
function readVersion(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'dbward' && pkg.version) return pkg.version;
    }
    if (path.dirname(dir) === dir) throw new Error('dbward: package.json not found above the installed code');
  }
}

/** dbward's version, from package.json (recorded in manifests and the audit log). */
export const VERSION: string = readVersion();
