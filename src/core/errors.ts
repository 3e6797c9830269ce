/**
 * Typed errors. Every error that reaches the user is a DbwardError; its exit code follows DESIGN §4:
 * 0 ok, 1 operation failed, 2 usage/config error, 3 refused by the safety gate, 4 verification failed.
 * Messages must already be redacted when constructed (see core/redact.ts); the CLI redacts again.
 */
export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  refused: 3,
  verification: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class DbwardError extends Error {
  readonly exitCode: ExitCode;
  /** What the user should check or do next, shown under the message. */
  readonly hint: string | undefined;
  readonly code: string;

  constructor(code: string, message: string, options: { exitCode?: ExitCode; hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = options.exitCode ?? ExitCode.failed;
    this.hint = options.hint;
  }
}

/** Bad command-line usage, a bad URL, a bad name: exit 2. */
export class UsageError extends DbwardError {
  constructor(message: string, hint?: string) {
    super('USAGE', message, { exitCode: ExitCode.usage, hint });
  }
}

/** A bad or missing configuration file, key or environment variable: exit 2. */
export class ConfigError extends DbwardError {
  readonly problems: string[];
  constructor(message: string, problems: string[] = [], hint?: string) {
    super('CONFIG', problems.length ? `${message}\n${problems.map((p) => `  - ${p}`).join('\n')}` : message, {
      exitCode: ExitCode.usage,
      hint,
    });
    this.problems = problems;
  }
}

export type ConnectionFailureKind = 'transient' | 'auth' | 'unknown-database' | 'other';

/** The database could not be reached or refused us: exit 1. `kind` decides whether a retry helps. */
export class ConnectionError extends DbwardError {
  readonly kind: ConnectionFailureKind;
  constructor(kind: ConnectionFailureKind, message: string, hint?: string, cause?: unknown) {
    super(`CONNECTION_${kind.toUpperCase().replace('-', '_')}`, message, { exitCode: ExitCode.failed, hint, cause });
    this.kind = kind;
  }
}

/** An operation ran and failed: exit 1. */
export class OperationError extends DbwardError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super('OPERATION', message, { exitCode: ExitCode.failed, hint, cause });
  }
}

/** Another process holds the lock for this operation: exit 1. */
export class LockBusyError extends DbwardError {
  constructor(message: string, hint?: string) {
    super('LOCK_BUSY', message, { exitCode: ExitCode.failed, hint });
  }
}

/** The safety gate refused; a human's approval is needed: exit 3. */
export class RefusedError extends DbwardError {
  constructor(message: string, hint?: string) {
    super('REFUSED', message, { exitCode: ExitCode.refused, hint });
  }
}

/** A verification (audit chain, backup checksum, restore comparison) found a difference: exit 4. */
export class VerificationError extends DbwardError {
  constructor(message: string, hint?: string) {
    super('VERIFICATION', message, { exitCode: ExitCode.verification, hint });
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
