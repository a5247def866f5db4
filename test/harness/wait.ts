/**
 * Polling until a condition holds, for tests that wait on another process or an asynchronous effect.
 */

/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** Give up after this long, ms. @default 5000 */
  timeoutMs?: number;
  /** Poll interval, ms. @default 20 */
  intervalMs?: number;
  /** What is awaited, for the timeout error. */
  message?: string;
}

/**
 * Calls `predicate` until it returns a truthy value (or a promise of one) and resolves with that value. A throwing
 * predicate counts as "not yet"; its last error is quoted when the wait times out with an Error.
 */
export async function waitFor<T>(predicate: () => T | Promise<T>, options: WaitForOptions = {}): Promise<NonNullable<T>> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const intervalMs = options.intervalMs ?? 20;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const why = lastError === undefined ? "" : ` (last error: ${lastError instanceof Error ? lastError.message : String(lastError)})`;
      throw new Error(`waitFor timed out after ${timeoutMs} ms${options.message ? `: ${options.message}` : ""}${why}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
