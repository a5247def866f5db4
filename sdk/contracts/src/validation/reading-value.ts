/**
 * Checks that a simple reading's string `value` is what its value type says, as EdgeX's `ValidateValue` does with Go's
 * strconv: `true`/`1`/`F` for Bool, base-10 integers within range, Go floats, and `[a, b, c]` for arrays.
 */
import { INTEGER_RANGES, elementType, isArrayType, type ValueType } from "../value-types.js";

const BOOL_SPELLINGS: ReadonlySet<string> = new Set(["1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"]);
const SIGNED = /^[+-]?\d+$/;
const UNSIGNED = /^\+?\d+$/;
const DECIMAL_FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL_FLOAT = /^[+-]?(?:inf(?:inity)?|nan)$/i;
const HEX_FLOAT = /^[+-]?0x(?:[0-9a-f]+\.?[0-9a-f]*|\.[0-9a-f]+)p[+-]?\d+$/i;

// Ranges as numbers, for the integers short enough to compare exactly as doubles.
const NUMBER_RANGES: ReadonlyMap<string, readonly [number, number]> = new Map(
  Object.entries(INTEGER_RANGES).map(([t, r]) => [t, [Number(r[0]), Number(r[1])] as const]),
);
const SAFE_DIGITS = 15;

function integerOk(t: ValueType, s: string): boolean {
  const range = INTEGER_RANGES[t]!;
  if (!(range[0] === 0n ? UNSIGNED : SIGNED).test(s)) return false;
  if (s.length <= SAFE_DIGITS) {
    const n = Number(s);
    const r = NUMBER_RANGES.get(t)!;
    return n >= r[0] && n <= r[1];
  }
  const n = BigInt(s);
  return n >= range[0] && n <= range[1];
}

function floatOk(s: string, float32: boolean): boolean {
  if (DECIMAL_FLOAT.test(s)) {
    const n = Number(s);
    // Go's ParseFloat reports values beyond the type's range as errors, as it does 1e400 for Float64.
    return Number.isFinite(float32 ? Math.fround(n) : n);
  }
  return SPECIAL_FLOAT.test(s) || HEX_FLOAT.test(s);
}

function scalarOk(t: ValueType, s: string): boolean {
  switch (t) {
    case "Bool":
      return BOOL_SPELLINGS.has(s);
    case "Float32":
      return floatOk(s, true);
    case "Float64":
      return floatOk(s, false);
    case "String":
      return true;
    default:
      return INTEGER_RANGES[t] === undefined || integerOk(t, s);
  }
}

/**
 * Why `value` is not a valid reading value of type `t`, or undefined when it is. Only simple types are checked:
 * `StringArray` elements, `Binary` and `Object` values are not looked into.
 */
export function readingValueProblem(t: ValueType, value: string): string | undefined {
  if (!isArrayType(t)) return scalarOk(t, value) ? undefined : `"${value}" is not a valid ${t} value`;
  if (value.length < 2 || value.charCodeAt(0) !== 91 /* [ */ || value.charCodeAt(value.length - 1) !== 93 /* ] */) {
    return `${t} values are written [a, b, ...], got "${value}"`;
  }
  const elem = elementType(t)!;
  if (elem === "String") return undefined;
  const inner = value.slice(1, -1);
  if (inner.trim() === "") return undefined;
  for (const part of inner.split(",")) {
    const s = part.trim();
    if (!scalarOk(elem, s)) return `element "${s}" is not a valid ${elem} value`;
  }
  return undefined;
}
