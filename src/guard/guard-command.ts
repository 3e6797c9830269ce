/**
 * `dbward guard -- COMMAND`: harmless commands run unchanged (stdio, exit code, signals); known
 * destructive invocations, and commands whose SQL is destructive, go through the same assessment →
 * approval → verified backup flow as `dbward exec`, and only then run.
 */
import path from 'node:path';
import { UsageError } from '../core/errors.js';
import { databaseName } from '../core/url.js';
import { classifySql } from './classify/index.js';
import { inspectCommand } from './command/inspect.js';
import { readStdin, runPassthrough, type ChildExit } from './command/passthrough.js';
import { passGate, type GateDeps, type GateOutcome } from './gate.js';
import { assessImpact, assessWholeDatabase } from './impact.js';

export interface GuardOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  planId?: string;
  /** Connect to the database the command works on; close() ends the connection (before the command runs). */
  open: () => Promise<{ deps: GateDeps; close: () => Promise<void> }>;
}

export type GuardOutcome = GateOutcome<ChildExit> | { status: 'done'; passedThrough: true; result: ChildExit };

export async function guardCommand(argv: readonly string[], options: GuardOptions): Promise<GuardOutcome> {
  let verdict = inspectCommand(argv, { cwd: options.cwd, env: options.env });
  let stdinData: Buffer | undefined;
  if (verdict.kind === 'needs-stdin') {
    // The SQL arrives on our standard input: read it once, inspect it, then hand the same bytes on.
    stdinData = await readStdin();
    verdict = inspectCommand(argv, { cwd: options.cwd, env: options.env, stdinData });
  }
  const run = () => runPassthrough([...argv], { cwd: options.cwd, env: options.env, stdinData });
  if (verdict.kind === 'pass' && !options.planId) return { status: 'done', passedThrough: true, result: await run() };

  const { deps, close } = await options.open();
  let open = true;
  const closeOnce = async () => {
    if (open) {
      open = false;
      await close();
    }
  };
  try {
    const database = databaseName(deps.target);
    const named = 'targets' in verdict ? verdict.targets : [];
    const short = deps.target.engine === 'sqlite' ? path.basename(database) : database;
    if (named.length && !named.some((t) => t.includes(short))) {
      // The backup must cover what the command destroys: refuse rather than back up another database.
      throw new UsageError(
        `The command works on ${named.join(', ')}, but dbward's database is ${deps.target.redacted}.`,
        'Point DATABASE_URL (or --url) at the database the command changes, so dbward can assess and back up that one.',
      );
    }
    const text = argv.join(' ');
    let assessment;
    if (verdict.kind === 'sql') {
      // The command's SQL is assessed in the dialect of the database it runs against.
      assessment = await assessImpact(deps.engine, classifySql(deps.engine.name, verdict.sql), deps.policy, database);
      if (assessment.class !== 'destructive' && !options.planId) {
        await closeOnce();
        return { status: 'done', passedThrough: true, result: await run() };
      }
    } else {
      const reasons = verdict.kind === 'destructive' ? verdict.reasons : verdict.kind === 'needs-stdin' ? ['its SQL could not be read'] : ['runs an approved plan'];
      assessment = await assessWholeDatabase(deps.engine, text, reasons);
    }
    // The command may need the database to itself (DROP DATABASE refuses while others are connected).
    return await passGate(deps, { kind: 'command', argv: [...argv], cwd: options.cwd }, assessment, async () => {
      await closeOnce();
      return run();
    });
  } finally {
    await closeOnce();
  }
}
