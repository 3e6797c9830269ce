/**
 * runOperation(): run one named operation and append its outcome to the audit log, whatever happens.
 * Every capability that touches a database or a backup repository goes through here (DESIGN §2.7).
 */
import { appendAudit, type AuditOutcome } from './audit.js';
import { DbwardError, ExitCode, errorMessage } from './errors.js';

export interface OperationScope {
  auditLogPath: string;
  /** Redacted description of the target. */
  target: string;
}

export async function runOperation<T>(
  scope: OperationScope,
  operation: string,
  fn: () => Promise<T>,
  summarize: (result: T) => Record<string, unknown> = () => ({}),
): Promise<T> {
  const started = Date.now();
  let result: T;
  try {
    result = await fn();
  } catch (err) {
    const outcome: AuditOutcome = err instanceof DbwardError && err.exitCode === ExitCode.refused ? 'refused' : 'failed';
    await appendAudit(scope.auditLogPath, {
      operation,
      target: scope.target,
      outcome,
      details: { durationMs: Date.now() - started, error: errorMessage(err), ...(err instanceof DbwardError ? { code: err.code } : {}) },
    });
    throw err;
  }
  await appendAudit(scope.auditLogPath, {
    operation,
    target: scope.target,
    outcome: 'ok',
    details: { durationMs: Date.now() - started, ...summarize(result) },
  });
  return result;
}
