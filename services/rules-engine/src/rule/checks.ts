/**
 * Small field checks that collect problems instead of throwing, so a rule answers with every problem at once.
 */
import { parseGoDurationNanos, type Problem } from "@brink/contracts";

/** A problem of an expression or template: where it is in the text, 0-based. */
export interface ExpressionProblem extends Problem {
  readonly position: number;
}

/** Collects the problems of one document. */
export class Problems {
  readonly list: Problem[] = [];

  add(path: string, message: string): void {
    this.list.push({ path, message });
  }

  addExpression(path: string, message: string, position: number, source: string): void {
    const problem: ExpressionProblem = { path, message: `position ${position}: ${message} (in ${JSON.stringify(source)})`, position };
    this.list.push(problem);
  }

  get empty(): boolean {
    return this.list.length === 0;
  }
}

/** True for a plain object (not null, not an array). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Joins a path and a key. */
export function at(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return path === "" ? key : `${path}.${key}`;
}

/** Reports keys of `obj` not in `allowed` (a typo in a rule should not silently do nothing). */
export function checkKeys(obj: Record<string, unknown>, allowed: readonly string[], path: string, problems: Problems): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) problems.add(at(path, key), `unknown field; expected one of ${allowed.join(", ")}`);
  }
}

/** An optional string field; reports a wrong type. */
export function optString(obj: Record<string, unknown>, key: string, path: string, problems: Problems, nonEmpty = true): string | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== "string" || (nonEmpty && v.trim() === "")) {
    problems.add(at(path, key), nonEmpty ? "must be a non-empty string" : "must be a string");
    return undefined;
  }
  return v;
}

/** A required string field. */
export function reqString(obj: Record<string, unknown>, key: string, path: string, problems: Problems): string | undefined {
  if (obj[key] === undefined) {
    problems.add(at(path, key), "is required");
    return undefined;
  }
  return optString(obj, key, path, problems);
}

/** An optional list of non-empty strings. */
export function optStrings(obj: Record<string, unknown>, key: string, path: string, problems: Problems): string[] | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every((s) => typeof s === "string" && s !== "")) {
    problems.add(at(path, key), "must be a list of non-empty strings");
    return undefined;
  }
  return v as string[];
}

/** An optional map of string -> string. */
export function optStringMap(obj: Record<string, unknown>, key: string, path: string, problems: Problems): Record<string, string> | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (!isRecord(v) || !Object.values(v).every((s) => typeof s === "string")) {
    problems.add(at(path, key), "must be a map of names to strings");
    return undefined;
  }
  return v as Record<string, string>;
}

/** An optional Go duration, in ms (rounded down to whole ms); reports a bad or negative duration. */
export function optDurationMs(obj: Record<string, unknown>, key: string, path: string, problems: Problems, positive = false): number | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== "string") {
    problems.add(at(path, key), "must be a Go duration such as 500ms, 30s or 1m30s");
    return undefined;
  }
  let ns: bigint;
  try {
    ns = parseGoDurationNanos(v);
  } catch {
    problems.add(at(path, key), `"${v}" is not a Go duration such as 500ms, 30s or 1m30s`);
    return undefined;
  }
  if (ns < 0n || (positive && ns === 0n)) {
    problems.add(at(path, key), positive ? "must be above zero" : "must not be negative");
    return undefined;
  }
  return Number(ns / 1_000_000n);
}

/** One of a fixed set of strings. */
export function optEnum<T extends string>(obj: Record<string, unknown>, key: string, values: readonly T[], path: string, problems: Problems): T | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== "string" || !(values as readonly string[]).includes(v)) {
    problems.add(at(path, key), `must be one of ${values.join(", ")}`);
    return undefined;
  }
  return v as T;
}

/** Names of rules and subscriptions: they appear in URLs and bus subjects. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.~-]{0,127}$/;

/** A required entity name. */
export function checkName(obj: Record<string, unknown>, path: string, problems: Problems): string | undefined {
  const name = reqString(obj, "name", path, problems);
  if (name !== undefined && !NAME_PATTERN.test(name)) {
    problems.add(at(path, "name"), "must start with a letter or digit and hold only letters, digits and - _ . ~ (at most 128)");
    return undefined;
  }
  return name;
}
