/**
 * Rows of the health page's panels, read from the lists app-service and rules-engine answer. Every field is looked
 * up defensively: a service of another version that lacks one shows an empty cell, not a broken page. No browser
 * API here: unit-tested.
 */

/** The array a list answer holds: the body itself, or its first array-valued property. */
export function itemsOf(body: unknown): Record<string, unknown>[] | undefined {
  if (Array.isArray(body)) return body.filter((x): x is Record<string, unknown> => x !== null && typeof x === "object");
  if (body === null || typeof body !== "object") return undefined;
  for (const value of Object.values(body)) if (Array.isArray(value)) return itemsOf(value);
  return undefined;
}

/** The value at a dotted path, or undefined. */
export function at(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const key of path.split(".")) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

const text = (v: unknown): string => (v === undefined || v === null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v));
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const sum = (values: unknown[]): string => {
  const ns = values.map(num).filter((n): n is number => n !== undefined);
  return ns.length === 0 ? "" : String(ns.reduce((a, b) => a + b, 0));
};

/** One app-service pipeline: its counters and its exports' outbox depth, drops and dead letters. */
export interface PipelineRow {
  readonly name: string;
  readonly state: string;
  readonly received: string;
  readonly exported: string;
  readonly errors: string;
  readonly outboxDepth: string;
  readonly dropped: string;
  readonly deadLetters: string;
  readonly targets: string;
}

export function pipelineRow(item: Record<string, unknown>): PipelineRow {
  const exports = Array.isArray(item.exports) ? item.exports : [];
  return {
    name: text(at(item, "definition.name") ?? item.name),
    state: text(at(item, "status.state") ?? item.state),
    received: text(at(item, "status.received")),
    exported: text(at(item, "status.exported")),
    errors: text(at(item, "status.errors")),
    outboxDepth: sum(exports.map((e) => at(e, "outbox.depth"))),
    dropped: sum(exports.map((e) => at(e, "outbox.dropped"))),
    deadLetters: sum(exports.map((e) => at(e, "outbox.deadLettered"))),
    targets: exports.map((e) => text(at(e, "target"))).filter((t) => t !== "").join(", "),
  };
}

/** One rule and its newest firing. */
export interface RuleRow {
  readonly name: string;
  readonly enabled: string;
  readonly kind: string;
  /** Unix ns of the newest firing, when there is one. */
  readonly lastFiredAt?: number;
  readonly lastResult: string;
  readonly lastDevice: string;
}

/** Rules with their newest firing from a firing list (newest first or not). */
export function ruleRows(rules: readonly Record<string, unknown>[], firings: readonly Record<string, unknown>[]): RuleRow[] {
  const newest = new Map<string, Record<string, unknown>>();
  for (const f of firings) {
    const rule = text(f.rule);
    const t = num(f.firedAt) ?? 0;
    if ((num(newest.get(rule)?.firedAt) ?? -1) < t) newest.set(rule, f);
  }
  return rules.map((r) => {
    const name = text(r.name);
    const last = newest.get(name);
    const fired = num(last?.firedAt);
    return {
      name,
      enabled: r.enabled === false ? "no" : r.enabled === true ? "yes" : "",
      kind: text(at(r, "state.kind")) || (r.schedule !== undefined ? "schedule" : r.source !== undefined ? "reading" : ""),
      ...(fired === undefined ? {} : { lastFiredAt: fired }),
      lastResult: last === undefined ? "" : last.ok === false ? "failed" : "ok",
      lastDevice: text(last?.device),
    };
  });
}

/** One notification. */
export interface NotificationRow {
  readonly id: string;
  /** Unix ns. */
  readonly created?: number;
  readonly severity: string;
  readonly category: string;
  readonly content: string;
  readonly status: string;
  readonly acknowledged: boolean;
}

export function notificationRow(item: Record<string, unknown>): NotificationRow {
  const created = num(item.created);
  const status = text(item.status);
  return {
    id: text(item.id),
    ...(created === undefined ? {} : { created }),
    severity: text(item.severity),
    category: text(item.category),
    content: text(item.content).slice(0, 200),
    status,
    acknowledged: item.acknowledged === true || status.toUpperCase() === "ACKNOWLEDGED",
  };
}
