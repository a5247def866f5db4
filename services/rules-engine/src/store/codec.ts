/**
 * JSON for stored records that keeps every bigint exact whatever its field's name (firedAt, scheduledAt, updated...):
 * a bigint is written as `{"$bigint":"<digits>"}` and read back as a bigint.
 */

const BIGINT_KEY = "$bigint";

/** Writes a record. */
export function encodeRecord(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? { [BIGINT_KEY]: v.toString() } : v));
}

/** Reads a record written by {@link encodeRecord}. */
export function decodeRecord<T>(text: string): T {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      const digits = (v as Record<string, unknown>)[BIGINT_KEY];
      if (typeof digits === "string" && Object.keys(v).length === 1 && /^-?\d+$/.test(digits)) return BigInt(digits);
    }
    return v;
  }) as T;
}
