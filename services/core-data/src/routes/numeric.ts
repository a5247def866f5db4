/**
 * EdgeX's `numeric=true` query parameter: numeric reading values written as JSON numbers instead of strings.
 * Integers beyond 2^53 stay exact (written from a bigint), where EdgeX warns they may lose precision.
 */
import { isFloatType, isIntegerType, type Event, type Reading, type ValueType } from "@brink/contracts";

const SAFE_DIGITS = 15;

/** The value of a numeric reading as a number (or bigint for long integers); undefined for other readings. */
export function numericValue(r: Reading): number | bigint | undefined {
  if (!("value" in r) || typeof r.value !== "string") return undefined;
  const t = r.valueType as ValueType;
  if (isIntegerType(t)) {
    if (!/^-?\d+$/.test(r.value)) return undefined;
    return r.value.replace("-", "").length > SAFE_DIGITS ? BigInt(r.value) : Number(r.value);
  }
  if (isFloatType(t)) {
    const n = Number(r.value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** The reading with its value as a number when it is numeric; the same object otherwise. */
export function withNumericValue(r: Reading): Reading {
  const n = numericValue(r);
  return n === undefined ? r : ({ ...r, value: n } as unknown as Reading);
}

/** The event with {@link withNumericValue} applied to its readings. */
export function eventWithNumericValues(e: Event): Event {
  return { ...e, readings: e.readings.map(withNumericValue) };
}
