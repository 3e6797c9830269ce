/** What every command shares: global options, the output, the command context and connecting. */
import type { Command } from 'commander';
import { createContext, type CommandContext } from '../core/context.js';
import type { EnvRequirement } from '../core/config.js';
import { Output } from '../core/output.js';
import type { Engine } from '../engines/engine.js';
import { connect, type ConnectOptions } from '../engines/index.js';

export interface GlobalOptions {
  url?: string;
  config?: string;
  json?: boolean;
  color?: boolean;
}

export function globalsOf(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

export function outputFor(globals: GlobalOptions): Output {
  return new Output({
    json: Boolean(globals.json),
    noColor: globals.color === false,
    env: process.env,
    streams: { stdout: process.stdout, stderr: process.stderr },
  });
}

export async function contextFor(globals: GlobalOptions, out: Output, requirements: readonly EnvRequirement[] = []): Promise<CommandContext> {
  const ctx = await createContext({ cwd: process.cwd(), env: process.env, url: globals.url, configPath: globals.config, requirements });
  if (ctx.urlSource === '--url' && ctx.target.engine !== 'sqlite' && ctx.target.password) {
    out.note('warning: a password given in --url is visible to other users in the process list; prefer DATABASE_URL or .env.');
  }
  return ctx;
}

/** Connect options that tell a human when dbward is waiting for the server. */
export function connectOptionsFor(ctx: CommandContext, out: Output, deadlineMs = ctx.connectDeadlineMs): ConnectOptions {
  return {
    deadlineMs,
    cwd: ctx.cwd,
    onRetry: ({ attempt, delayMs, reason }) => out.note(`waiting for the database (attempt ${attempt}, retrying in ${delayMs} ms): ${reason}`),
  };
}

/** Connect to the context's database, run fn, and always close the connection. */
export async function withEngine<T>(ctx: CommandContext, out: Output, fn: (engine: Engine) => Promise<T>): Promise<T> {
  const engine = await connect(ctx.target, connectOptionsFor(ctx, out));
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}
