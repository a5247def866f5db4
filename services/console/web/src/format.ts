/** Display helpers. */

/** Unix ns (number or numeric string) to ms; undefined when absent. */
export function nsToMs(ns: unknown): number | undefined {
  if (typeof ns === "number") return ns / 1e6;
  if (typeof ns === "string" && /^\d+$/.test(ns)) return Number(ns) / 1e6;
  return undefined;
}

/** "3 s ago", "5 min ago", ... relative to `nowMs`. */
export function ago(ms: number | undefined, nowMs: number): string {
  if (ms === undefined) return "never";
  const s = Math.max(0, Math.round((nowMs - ms) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

/** A local time with milliseconds. */
export function clock(ms: number | undefined): string {
  if (ms === undefined) return "";
  const d = new Date(ms);
  return `${d.toLocaleTimeString(undefined, { hour12: false })}.${String(d.getMilliseconds()).padStart(3, "0")}`;
}

const FLOAT_TYPES = new Set(["Float32", "Float64"]);

/**
 * A reading value for people: EdgeX writes floats as `4.250000e+01`; they are shown as numbers (42.5). Other values
 * are shown as they are.
 */
export function displayValue(valueType: string, value: string | undefined): string {
  if (value === undefined) return "";
  if (FLOAT_TYPES.has(valueType)) {
    const n = Number(value);
    return Number.isFinite(n) ? String(n) : value;
  }
  return value;
}

/** The number a reading charts as, or undefined when it is not numeric. */
export function numericValue(valueType: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (valueType === "Bool") return value === "true" ? 1 : value === "false" ? 0 : undefined;
  if (!/^(Int|Uint|Float)\d+$/.test(valueType)) return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** Bytes as KiB/MiB. */
export function bytes(n: number | undefined): string {
  if (n === undefined) return "";
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** Seconds as "2 d 3 h", "4 h 5 min", "6 min", "7 s". */
export function duration(s: number | undefined): string {
  if (s === undefined) return "";
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}
