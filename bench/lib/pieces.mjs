/**
 * The pieces of a dbward backup, each alone, through dbward's own code (dist/, so `npm run build`
 * first), for the breakdown of where the time goes:
 *
 *   node bench/lib/pieces.mjs checksums URL          the per-table counts and checksums of the live
 *                                                    database only (driver.tableContents: SQLite
 *                                                    hashes rows; PostgreSQL and MySQL digest a
 *                                                    data-only dump, as verify does on a restore)
 *   node bench/lib/pieces.mjs dump URL WORKDIR       the driver's dump (the dump, with counts and
 *                                                    checksums read from its stream) into /dev/null:
 *                                                    no compression, hashing or storage
 *
 * Prints one JSON line.
 */
import fs from 'node:fs';
import { backupDriverFor } from '../../dist/engines/backup-drivers.js';
import { connect } from '../../dist/engines/index.js';

const [what, url, workDir] = process.argv.slice(2);
const engine = await connect(url);
try {
  const driver = await backupDriverFor(engine.name);
  if (what === 'checksums') {
    const tables = await driver.tableContents(engine);
    console.log(JSON.stringify({ tables: tables.length, rows: tables.reduce((n, t) => n + t.rows, 0) }));
  } else if (what === 'dump') {
    const sink = fs.openSync('/dev/null', 'w');
    const info = await driver.dump(engine, sink, { kind: 'full', workDir }).finally(() => fs.closeSync(sink));
    console.log(JSON.stringify({ bytes: info.bytes, tables: info.tables.length, sameSnapshot: info.sameSnapshot }));
  } else {
    throw new Error(`unknown piece "${what}"`);
  }
} finally {
  await engine.close();
}
