import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** dbward's version, from package.json (recorded in manifests and the audit log later). */
export const VERSION: string = (require('../package.json') as { version: string }).version;
