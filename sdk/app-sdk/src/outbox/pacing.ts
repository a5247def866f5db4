/**
 * Timing helpers of the forwarder: exponential back-off with jitter, a token bucket for paced replay, and the clock
 * they run on (injectable, so tests drive them with fake timers).
 */

/** The clock a forwarder schedules on. */
export interface ForwarderClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The process's own timers. */
export const systemClock: ForwarderClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Back-off settings. */
export interface BackoffOptions {
  /** Wait after the first failure, ms. @default 500 */
  initialMs?: number;
  /** Longest wait, ms. @default 30000 */
  maxMs?: number;
  /** Growth per consecutive failure. @default 2 */
  multiplier?: number;
  /** Share of the wait that is random: the wait is uniform in `[base * (1 - jitter), base]`. @default 0.5 */
  jitter?: number;
}

/** Default first back-off wait, ms. */
export const DEFAULT_BACKOFF_INITIAL_MS = 500;
/** Default longest back-off wait, ms. */
export const DEFAULT_BACKOFF_MAX_MS = 30_000;

/**
 * The wait before attempt number `failures + 1`: `min(maxMs, initialMs * multiplier^(failures - 1))`, less up to
 * `jitter` of it at random (so many gateways that lost the same broker do not come back in step).
 */
export function backoffDelayMs(failures: number, options: BackoffOptions, random: () => number): number {
  const initial = options.initialMs ?? DEFAULT_BACKOFF_INITIAL_MS;
  const max = options.maxMs ?? DEFAULT_BACKOFF_MAX_MS;
  const multiplier = options.multiplier ?? 2;
  const jitter = Math.min(1, Math.max(0, options.jitter ?? 0.5));
  const base = Math.min(max, initial * multiplier ** Math.max(0, failures - 1));
  return Math.round(base * (1 - jitter * random()));
}

/**
 * A token bucket: `ratePerSec` tokens a second, holding at most `burst`. Starts full.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  /** Whole tokens available now (at most `want`), taken from the bucket. */
  take(want: number, now: number): number {
    this.refill(now);
    const n = Math.min(want, Math.floor(this.tokens));
    this.tokens -= n;
    return n;
  }

  /** Time until `n` whole tokens are available, ms. */
  waitFor(n: number, now: number): number {
    this.refill(now);
    const missing = n - this.tokens;
    return missing <= 0 ? 0 : Math.ceil((missing * 1000) / this.ratePerSec);
  }

  /** Fills the bucket (pacing starts over with a full burst). */
  reset(now: number): void {
    this.tokens = this.burst;
    this.last = now;
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.last);
    this.last = now;
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.ratePerSec) / 1000);
  }
}
