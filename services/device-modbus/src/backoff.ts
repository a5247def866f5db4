/**
 * Exponential reconnect back-off with jitter: the n-th consecutive failure waits a random time between half and all
 * of `min(max, initial * 2^n)`, so many gateways that lost the same peer do not reconnect in lockstep.
 */
export class Backoff {
  private failures = 0;

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay before the next attempt, ms; counts one more failure. */
  next(): number {
    const base = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.failures, 30));
    this.failures++;
    return base / 2 + (this.random() * base) / 2;
  }

  /** Consecutive failures counted since the last reset. */
  get attempts(): number {
    return this.failures;
  }

  /** A success: the next failure starts from `initialMs` again. */
  reset(): void {
    this.failures = 0;
  }
}
