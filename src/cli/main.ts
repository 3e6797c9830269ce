/**
 * The dbward CLI: parse arguments, call the library, render. No logic beyond that lives here.
 * Exit codes (DESIGN §4): 0 ok, 1 failed, 2 usage/config error, 3 refused, 4 verification failed.
 */
import { Command, CommanderError } from 'commander';
import { ExitCode } from '../core/errors.js';
import type { Output } from '../core/output.js';
import { redactText } from '../core/redact.js';
import { VERSION } from '../version.js';
import { registerBackup } from './backup.js';
import { registerDoctor } from './doctor.js';
import { registerGuard } from './guard.js';
import { registerInspect } from './inspect.js';
import { registerInit } from './init.js';
import { registerLog } from './log.js';
import { registerMigrate } from './migrate.js';
import { registerSeed } from './seed.js';

export async function main(argv: string[]): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const run = async (out: Output, fn: () => Promise<number>) => {
    try {
      exitCode = await fn();
    } catch (err) {
      exitCode = out.error(err);
    }
  };

  const program = new Command()
    .name('dbward')
    .description('Safe database operations for SQLite, PostgreSQL and MySQL/MariaDB.')
    .version(VERSION, '-V, --version')
    .option('--url <url>', 'database URL (default: DATABASE_URL from the environment or .env)')
    .option('--config <path>', 'config file (default: dbward.config.{json,yaml,yml,ts,mts,js,mjs} in the current directory)')
    .option('--json', 'machine-readable output on stdout')
    .option('--no-color', 'no colours (also: NO_COLOR=1)')
    .showHelpAfterError('(run dbward --help for usage)')
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(redactText(str)) });

  registerDoctor(program, run);
  registerInspect(program, run);
  registerInit(program, run);
  registerMigrate(program, run);
  registerSeed(program, run);
  registerBackup(program, run);
  registerGuard(program, run);
  registerLog(program, run);

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; every parse error is a usage error.
      return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    throw err;
  }
  return exitCode;
}
