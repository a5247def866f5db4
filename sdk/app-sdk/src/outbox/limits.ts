/**
 * Per-target outbox limits: defaults, merging and validation.
 */
import { ErrorCode, ValidationError, type Problem } from "@brink/contracts";
import type { DropPolicy, OutboxLimits } from "../types.js";

/** Default `maxBytes` of a target's queue: 256 MiB. */
export const DEFAULT_OUTBOX_MAX_BYTES = 256 * 1024 * 1024;
/** Default `maxAgeMs` of a target's queue: 7 days. */
export const DEFAULT_OUTBOX_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;
/** Default drop policy. */
export const DEFAULT_DROP_POLICY: DropPolicy = "drop-oldest";
/** The drop policies. */
export const DROP_POLICIES: readonly DropPolicy[] = ["drop-oldest", "reject-new"];

/** The default limits of every target. */
export const DEFAULT_OUTBOX_LIMITS: Readonly<OutboxLimits> = Object.freeze({
  maxBytes: DEFAULT_OUTBOX_MAX_BYTES,
  maxAgeMs: DEFAULT_OUTBOX_MAX_AGE_MS,
  dropPolicy: DEFAULT_DROP_POLICY,
});

/** Why a message left the outbox without being delivered (the `reason` label of `brink_outbox_dropped_total`). */
export const DropReason = {
  /** Evicted, oldest first, to make room under drop-oldest. */
  Full: "full",
  /** Refused at enqueue under reject-new. */
  Rejected: "rejected",
  /** Larger than the target's whole maxBytes. */
  TooLarge: "too-large",
  /** Older than maxAgeMs. */
  Expired: "expired",
  /** A dead letter removed to keep the dead-letter table within its bound. */
  DeadLetterOverflow: "dead-letter-overflow",
} as const;
/** One drop reason. */
export type DropReason = (typeof DropReason)[keyof typeof DropReason];

/** Problems of a partial limits object (paths relative to it). */
export function limitsProblems(limits: Partial<OutboxLimits>): Problem[] {
  const problems: Problem[] = [];
  if (limits.maxBytes !== undefined && !(Number.isInteger(limits.maxBytes) && limits.maxBytes > 0)) {
    problems.push({ path: "maxBytes", message: `must be a whole number of bytes above zero, got ${String(limits.maxBytes)}` });
  }
  if (limits.maxAgeMs !== undefined && !(typeof limits.maxAgeMs === "number" && limits.maxAgeMs > 0)) {
    problems.push({ path: "maxAgeMs", message: `must be above zero (Infinity for no limit), got ${String(limits.maxAgeMs)}` });
  }
  if (limits.dropPolicy !== undefined && !DROP_POLICIES.includes(limits.dropPolicy)) {
    problems.push({ path: "dropPolicy", message: `must be one of ${DROP_POLICIES.join(", ")}, got ${String(limits.dropPolicy)}` });
  }
  return problems;
}

/** `base` with the given fields replaced; throws ValidationError CONFIG_INVALID naming `subject` when one is bad. */
export function mergeLimits(base: Readonly<OutboxLimits>, patch: Partial<OutboxLimits>, subject: string): OutboxLimits {
  const problems = limitsProblems(patch);
  if (problems.length > 0) throw new ValidationError(ErrorCode.ConfigInvalid, subject, problems);
  return {
    maxBytes: patch.maxBytes ?? base.maxBytes,
    maxAgeMs: patch.maxAgeMs ?? base.maxAgeMs,
    dropPolicy: patch.dropPolicy ?? base.dropPolicy,
  };
}
