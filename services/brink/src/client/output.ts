/**
 * How client verbs answer: readable tables by default, JSON with `--json`; errors on stderr; exit codes by result.
 */
import { ErrorKind, ServiceError, stringifyJson } from "@brink/contracts";

/** Exit codes of the client verbs (docs/cli.md). */
export const ExitCode = {
  /** Done as asked. */
  Ok: 0,
  /** Brink refused or the operation failed: invalid input or profile, device locked, device error. */
  Failed: 1,
  /** The command line itself is wrong (unknown verb or option, missing argument). */
  Usage: 2,
  /** Brink, or a service it needs, is not reachable or did not answer in time. */
  Unavailable: 3,
  /** The device, command, profile or service does not exist. */
  NotFound: 4,
  /** The token is missing or wrong. */
  Unauthorized: 5,
} as const;
/** One exit code. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

const UNAVAILABLE_KINDS: ReadonlySet<string> = new Set([ErrorKind.ServiceUnavailable, ErrorKind.Timeout, ErrorKind.Communication]);

/** The exit code of a failure. */
export function exitCodeOf(err: ServiceError): ExitCode {
  if (err.kind === ErrorKind.EntityDoesNotExist) return ExitCode.NotFound;
  if (err.kind === ErrorKind.Unauthorized) return ExitCode.Unauthorized;
  if (UNAVAILABLE_KINDS.has(err.kind)) return ExitCode.Unavailable;
  return ExitCode.Failed;
}

/** Columns padded to their widest cell; an empty table is its header alone. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n") + "\n";
}

/** `key: value` lines with the keys aligned. */
export function renderFields(fields: readonly (readonly [string, string])[]): string {
  const width = Math.max(...fields.map(([k]) => k.length)) + 1;
  return fields.map(([k, v]) => `${`${k}:`.padEnd(width)} ${v}`).join("\n") + "\n";
}

/** Where verbs write; tests replace it. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

/** process.stdout / process.stderr. */
export const STDIO: Output = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** JSON for scripts: int64 times as exact integers, two-space indent. */
export function jsonText(value: unknown): string {
  return `${stringifyJson(value, 2)}\n`;
}

/** One JSON value on one line (NDJSON), for streams. */
export function jsonLine(value: unknown): string {
  return `${stringifyJson(value)}\n`;
}

const KINDS: ReadonlySet<string> = new Set(Object.values(ErrorKind));

/**
 * The ServiceError of anything thrown. An error with a known `kind` and a `code` counts as one even when it is not an
 * instance of this module's class: verbs are loaded on demand, and under a CommonJS test loader that can mean a second
 * copy of @brink/contracts.
 */
export function asServiceError(err: unknown): ServiceError {
  if (err instanceof ServiceError) return err;
  const e = err as { kind?: unknown; code?: unknown; message?: unknown; details?: unknown } | null;
  if (e !== null && typeof e === "object" && typeof e.kind === "string" && KINDS.has(e.kind) && typeof e.code === "string") {
    const details = e.details !== null && typeof e.details === "object" ? (e.details as Record<string, unknown>) : undefined;
    return new ServiceError(e.kind as ErrorKind, e.code, typeof e.message === "string" ? e.message : e.code, { ...(details ? { details } : {}), cause: err });
  }
  return ServiceError.from(err);
}

/** Reports a failure on stderr (as JSON with `--json`) and returns its exit code. */
export function reportError(err: unknown, json: boolean, output: Output = STDIO): ExitCode {
  const e = asServiceError(err);
  if (json) output.err(jsonText({ error: e.toDto() }));
  else output.err(`brink: ${e.message} (${e.code})\n`);
  return exitCodeOf(e);
}

/** Unix ns to `YYYY-MM-DD hh:mm:ss.mmm` in UTC. */
export function nsTime(ns: bigint | number | undefined): string {
  if (ns === undefined) return "";
  const ms = Number(BigInt(ns) / 1_000_000n);
  return new Date(ms).toISOString().replace("T", " ").replace("Z", "");
}

/** "5 s ago", "3 min ago" ...; "never" when absent. */
export function ago(ns: bigint | number | undefined, nowMs = Date.now()): string {
  if (ns === undefined) return "never";
  const s = Math.max(0, Math.round((nowMs - Number(BigInt(ns) / 1_000_000n)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

/** A reading value for people: EdgeX floats (`4.25e+01`) as numbers (42.5); others as they are. */
export function displayValue(valueType: string, value: unknown): string {
  if (value === undefined || value === null) return "";
  const text = typeof value === "string" ? value : stringifyJson(value);
  if (valueType === "Float32" || valueType === "Float64") {
    const n = Number(text);
    return Number.isFinite(n) ? String(n) : text;
  }
  return text;
}
