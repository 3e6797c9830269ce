/**
 * Retry with exponential backoff (with jitter) under a total deadline. Only errors the caller says are
 * transient are retried; everything else is thrown at once.
 */
export interface RetryOptions {
  /** Total time budget in milliseconds, including the attempts themselves. */
  deadlineMs: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
  isTransient: (err: unknown) => boolean;
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const start = Date.now();
  const initial = options.initialDelayMs ?? 100;
  const max = options.maxDelayMs ?? 5_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      const remaining = options.deadlineMs - (Date.now() - start);
      if (!options.isTransient(err) || remaining <= 0) throw err;
      const backoff = Math.min(max, initial * 2 ** (attempt - 1));
      const delayMs = Math.min(remaining, Math.round(backoff / 2 + Math.random() * (backoff / 2)));
      options.onRetry?.({ attempt, delayMs, error: err });
      await sleep(delayMs);
    }
  }
}
