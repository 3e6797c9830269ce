/**
 * Output rendering: human text or JSON (--json), colour only on a TTY and never with NO_COLOR,
 * progress only on a TTY. Everything printed passes through redaction.
 */
import pc from 'picocolors';
import { DbwardError, ExitCode } from './errors.js';
import { redactText, redactValue } from './redact.js';

export interface OutputStreams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export type Painter = ReturnType<typeof pc.createColors>;

export class Output {
  readonly json: boolean;
  readonly color: boolean;
  /** Colour functions; identity functions when colour is off. */
  readonly paint: Painter;
  private readonly streams: OutputStreams;

  constructor(options: { json: boolean; noColor?: boolean; env: NodeJS.ProcessEnv; streams: OutputStreams }) {
    this.json = options.json;
    this.streams = options.streams;
    const noColorEnv = options.env.NO_COLOR !== undefined && options.env.NO_COLOR !== '';
    this.color = !options.json && !options.noColor && !noColorEnv && options.env.TERM !== 'dumb' && Boolean(options.streams.stdout.isTTY);
    this.paint = pc.createColors(this.color);
  }

  /** Print a command's result: the JSON document, or the human rendering. */
  result(data: unknown, human: () => string): void {
    if (this.json) this.streams.stdout.write(`${JSON.stringify(redactValue(data), null, 2)}\n`);
    else this.streams.stdout.write(`${redactText(human())}\n`);
  }

  /** A note for humans on stderr; stdout stays one clean document in JSON mode. */
  note(message: string): void {
    this.streams.stderr.write(`${redactText(message)}\n`);
  }

  /** Render an error: JSON on stdout with --json, else a message and hint on stderr. Returns the exit code. */
  error(err: unknown): ExitCode {
    const known = err instanceof DbwardError;
    const exitCode = known ? err.exitCode : ExitCode.failed;
    const message = redactText(known ? err.message : `Internal error: ${err instanceof Error ? err.message : String(err)}`);
    const hint = known && err.hint ? redactText(err.hint) : undefined;
    if (this.json) {
      const body = { error: { code: known ? err.code : 'INTERNAL', message, ...(hint ? { hint } : {}), exitCode } };
      this.streams.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    } else {
      this.streams.stderr.write(`${this.paint.red('error:')} ${message}\n${hint ? `${this.paint.dim('hint:')} ${hint}\n` : ''}`);
      if (!known && process.env.DBWARD_DEBUG && err instanceof Error && err.stack) {
        this.streams.stderr.write(`${redactText(err.stack)}\n`);
      }
    }
    return exitCode;
  }

  /** A progress line on stderr, shown only on a TTY in human mode. */
  progress(label: string): Progress {
    const active = !this.json && Boolean(this.streams.stderr.isTTY);
    const stderr = this.streams.stderr;
    let last = 0;
    return {
      update(text: string) {
        // At most ten redraws a second, however fast the work reports.
        if (!active || Date.now() - last < 100) return;
        last = Date.now();
        stderr.write(`\r\x1b[2K${label} ${redactText(text)}`);
      },
      done() {
        if (active) stderr.write('\r\x1b[2K');
      },
    };
  }
}

export interface Progress {
  update(text: string): void;
  done(): void;
}
