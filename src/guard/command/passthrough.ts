/**
 * Running a command for `dbward guard -- COMMAND` exactly as a shell would: standard output and error
 * inherited (the bytes reach the terminal or pipe unchanged), standard input inherited or given as
 * data (when the guard had to read it to inspect it), SIGINT / SIGTERM / SIGHUP forwarded to the
 * child while it runs, and the child's exit code or signal reported so that the guard can exit the
 * same way (exitLikeChild). A command that cannot be found ends like in a shell: exit code 127 and a
 * message naming it; one that cannot be executed: 126.
 *
 * Self-contained on purpose (only node: imports): it is the part of dbward that runs while the user's
 * command runs, and tests load it on its own.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

/** How the child ended. */
export interface ChildExit {
  /** The child's exit code; null when a signal ended it. 127: command not found; 126: cannot be executed. */
  exitCode: number | null;
  /** The signal that ended the child, if one did. */
  signal: NodeJS.Signals | null;
  /** Set when the command could not be started at all: one line naming it ("prisma: command not found"). */
  error?: string;
}

export interface PassthroughOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Standard input for the child instead of the guard's own (which was read to inspect it). */
  stdinData?: string | Buffer;
  /** Signals forwarded to the child while it runs (default SIGINT, SIGTERM, SIGHUP). */
  forwardSignals?: readonly NodeJS.Signals[];
  /** Add GUARD_ENV=1 to the child's environment (default true); see GUARD_ENV. */
  markEnvironment?: boolean;
}

/**
 * Set in the environment of every command the guard runs. The example PATH shims
 * (examples/guard-shims) run the real tool directly when they see it: the outer guard has already
 * inspected the whole command (an npm script and everything it calls), so nested tools are not
 * stopped a second time. It is a convenience marker, not a security boundary.
 */
export const GUARD_ENV = 'DBWARD_GUARD';

export const DEFAULT_FORWARDED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export function runPassthrough(argv: readonly string[], options: PassthroughOptions): Promise<ChildExit> {
  const [command, ...args] = argv;
  if (command === undefined || command === '') return Promise.resolve({ exitCode: 127, signal: null, error: 'no command given' });
  try {
    if (!fs.statSync(options.cwd).isDirectory()) throw new Error('not a directory');
  } catch {
    return Promise.resolve({ exitCode: 126, signal: null, error: `${command}: the working directory ${options.cwd} does not exist` });
  }
  const env = options.markEnvironment === false ? options.env : { ...options.env, [GUARD_ENV]: '1' };
  const giveStdin = options.stdinData !== undefined;
  const signals = options.forwardSignals ?? DEFAULT_FORWARDED;

  return new Promise<ChildExit>((resolve) => {
    let settled = false;
    const listeners = new Map<NodeJS.Signals, () => void>();
    const finish = (result: ChildExit): void => {
      if (settled) return;
      settled = true;
      for (const [signal, listener] of listeners) process.removeListener(signal, listener);
      resolve(result);
    };

    let child;
    try {
      child = spawn(command, args, { cwd: options.cwd, env, stdio: [giveStdin ? 'pipe' : 'inherit', 'inherit', 'inherit'], windowsHide: true });
    } catch (err) {
      finish(startFailure(command, err));
      return;
    }

    for (const signal of signals) {
      const listener = (): void => {
        // The child may already be gone; a failed kill is not an error here.
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      };
      listeners.set(signal, listener);
      process.on(signal, listener);
    }

    child.once('error', (err) => finish(startFailure(command, err)));
    child.once('close', (code, signal) => finish({ exitCode: code, signal }));

    if (giveStdin && child.stdin) {
      // A child that exits without reading all of its input closes the pipe: EPIPE is expected then.
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.stdinData);
    }
  });
}

function startFailure(command: string, err: unknown): ChildExit {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    const what = command.includes('/') || command.includes('\\') ? 'no such file' : 'command not found';
    return { exitCode: 127, signal: null, error: `${command}: ${what}` };
  }
  if (code === 'EACCES' || code === 'ENOEXEC' || code === 'EISDIR') {
    return { exitCode: 126, signal: null, error: `${command}: cannot be executed (${code === 'EACCES' ? 'permission denied' : code})` };
  }
  return { exitCode: 126, signal: null, error: `${command}: cannot be started (${code ?? (err as Error).message})` };
}

/**
 * Read a stream (default: the guard's standard input) to the end, for a `needs-stdin` verdict: the
 * bytes are inspected (inspectCommand's stdinData) and then given to the command (runPassthrough's
 * stdinData), since standard input can be read only once. Holds the whole input in memory.
 */
export async function readStdin(stream: NodeJS.ReadableStream = process.stdin): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}

/** The exit code a shell would report: the child's code, 128 + the signal's number, or 1. */
export function exitCodeOf(result: ChildExit): number {
  if (result.exitCode !== null) return result.exitCode;
  if (result.signal) return 128 + (os.constants.signals[result.signal] ?? 0);
  return 1;
}

/**
 * End the guard the way the child ended; call it last. A startup error is printed first
 * ("dbward guard: prisma: command not found"). When a signal ended the child, every listener for
 * that signal is removed and the signal is raised on this process, so that whoever started the
 * guard sees the same cause of death (a shell prints nothing for SIGINT, "Terminated" for SIGTERM).
 * Returns the exit code to use if the process is still alive after that (a signal Node ignores,
 * such as SIGPIPE): 128 + the signal's number, as shells report it. For an exit code, returns it.
 */
export function exitLikeChild(result: ChildExit, proc: NodeJS.Process = process): number {
  if (result.error) proc.stderr.write(`dbward guard: ${result.error}\n`);
  if (result.exitCode === null && result.signal) {
    proc.removeAllListeners(result.signal);
    try {
      proc.kill(proc.pid, result.signal);
    } catch {
      // cannot signal ourselves: fall back to the exit code
    }
  }
  return exitCodeOf(result);
}
