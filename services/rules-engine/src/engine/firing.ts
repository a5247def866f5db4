/**
 * What a firing is and what is recorded about it: its time, its inputs, and the result of each action.
 */
import { BASE_TOPIC, escapeToken, type ErrorKind } from "@brink/contracts";
import type { Value } from "../expr/types.js";
import type { ActionType, Severity } from "../rule/types.js";

/** The reading that made a reading rule fire. */
export interface FiringTrigger {
  readonly resource: string;
  readonly value: Value;
  /** The reading's origin, Unix ns. */
  readonly origin: bigint;
}

/** The outcome of one action. */
export interface ActionResult {
  readonly type: ActionType;
  readonly ok: boolean;
  /** Time the action took, ms. */
  readonly durationMs: number;
  /** Why it failed. */
  readonly error?: { readonly kind: ErrorKind; readonly code: string; readonly message: string };
  /** What it did: the device and command written, the status answered, the notification id... */
  readonly detail?: Readonly<Record<string, unknown>>;
}

/** One firing of a rule, as recorded and answered by `GET /api/v3/rule/name/{name}/firing`. */
export interface FiringRecord {
  readonly id: string;
  readonly rule: string;
  /** The device it fired for; empty for scheduled rules. */
  readonly device: string;
  /** When it fired, Unix ns. */
  readonly firedAt: bigint;
  /** Reading rules: the reading that completed the condition. */
  readonly trigger?: FiringTrigger;
  /** Scheduled rules: the run time the schedule asked for, Unix ns. */
  readonly scheduledAt?: bigint;
  /** What the condition read, by label (`temperature`, `avg(temperature)`); null when it had no value. */
  readonly inputs: Readonly<Record<string, Value>>;
  readonly actions: readonly ActionResult[];
  /** Every action succeeded. */
  readonly ok: boolean;
  /** From receiving the reading (or the timer going off) to the end of the last action, ms. */
  readonly durationMs: number;
}

/** What actions know about the firing they belong to. */
export interface FiringContext {
  readonly id: string;
  readonly rule: string;
  readonly device: string;
  readonly profile: string;
  readonly firedAt: bigint;
  readonly inputs: Readonly<Record<string, Value>>;
  readonly trigger?: FiringTrigger;
}

/** The payload of an alert action, published on the bus. */
export interface Alert {
  readonly apiVersion: string;
  readonly id: string;
  readonly rule: string;
  readonly device: string;
  readonly severity: Severity;
  readonly message: string;
  /** Unix ns. */
  readonly firedAt: bigint;
  readonly inputs: Readonly<Record<string, Value>>;
}

/** A duration in ms to the microsecond, as records show it. */
export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** Device token of alert subjects for scheduled rules, which have no device. */
export const NO_DEVICE_TOKEN = "-";

/** `edgex.rules.alerts.<rule>.<device>`: where alert actions publish by default. */
export function alertSubject(rule: string, device: string): string {
  return `${BASE_TOPIC}.rules.alerts.${escapeToken(rule)}.${device === "" ? NO_DEVICE_TOKEN : escapeToken(device)}`;
}

/** Every alert: `edgex.rules.alerts.>`. */
export const ALL_ALERTS = `${BASE_TOPIC}.rules.alerts.>`;
