/** RESTORE.txt: how to restore a backup by hand with the standard tools, without dbward. */
import type { Manifest } from './manifest.js';

type NoteFacts = Pick<Manifest, 'name' | 'source' | 'engine' | 'server' | 'kind' | 'dump' | 'startedAt' | 'dataFile' | 'compression' | 'encryption'>;

/** `raw` is the name of the decompressed dump file that `manualSteps` restore. */
export function restoreNote(m: NoteFacts, raw: string, manualSteps: string[]): string {
  const decrypt = m.encryption ? `age -d -i YOUR_AGE_IDENTITY_FILE ${m.dataFile}` : `cat ${m.dataFile}`;
  const decompress = m.compression === 'zstd' ? 'zstd -d -c' : 'gzip -d -c';
  return [
    `dbward backup "${m.name}" of ${m.source}`,
    `engine ${m.engine} (${m.server.product} ${m.server.version}), ${m.kind}, dumped by ${m.dump.tool} ${m.dump.toolVersion} (${m.dump.format})`,
    `started ${m.startedAt}`,
    '',
    'To restore by hand, without dbward:',
    '',
    '1. Check the files against manifest.json:',
    '   sha256sum ' + m.dataFile + '   # must equal files[].sha256 in manifest.json',
    '',
    `2. ${m.encryption ? 'Decrypt and decompress' : 'Decompress'} the dump:`,
    `   ${decrypt} | ${decompress} > ${raw}`,
    '',
    '3. Restore it into an empty database:',
    ...manualSteps.map((s) => `   ${s}`),
    '',
    'Each table\'s row count is recorded in manifest.json (tables[].rows) to compare with after restoring.',
    '',
  ].join('\n');
}
