/**
 * The 27 EdgeX v3 value types, spelled as EdgeX spells them. Profiles may use any letter case
 * (EdgeX matches them case-insensitively); {@link normalizeValueType} maps a spelling to its canonical form.
 */
export const ValueType = {
  Bool: "Bool",
  String: "String",
  Uint8: "Uint8",
  Uint16: "Uint16",
  Uint32: "Uint32",
  Uint64: "Uint64",
  Int8: "Int8",
  Int16: "Int16",
  Int32: "Int32",
  Int64: "Int64",
  Float32: "Float32",
  Float64: "Float64",
  Binary: "Binary",
  BoolArray: "BoolArray",
  StringArray: "StringArray",
  Uint8Array: "Uint8Array",
  Uint16Array: "Uint16Array",
  Uint32Array: "Uint32Array",
  Uint64Array: "Uint64Array",
  Int8Array: "Int8Array",
  Int16Array: "Int16Array",
  Int32Array: "Int32Array",
  Int64Array: "Int64Array",
  Float32Array: "Float32Array",
  Float64Array: "Float64Array",
  Object: "Object",
  ObjectArray: "ObjectArray",
} as const;

/** One of the 27 canonical EdgeX value type names. */
export type ValueType = (typeof ValueType)[keyof typeof ValueType];

/** Every canonical value type, in EdgeX's order. */
export const VALUE_TYPES: readonly ValueType[] = Object.freeze(Object.values(ValueType));

const byLowerCase = new Map<string, ValueType>(VALUE_TYPES.map((t) => [t.toLowerCase(), t]));

/** Returns the canonical spelling of a value type name matched case-insensitively, or undefined when unknown. */
export function normalizeValueType(name: string): ValueType | undefined {
  return byLowerCase.get(name.toLowerCase());
}

/** Value types whose readings carry `binaryValue` and `mediaType`. */
export type BinaryValueType = typeof ValueType.Binary;
/** Value types whose readings carry `objectValue`. */
export type ObjectValueType = typeof ValueType.Object | typeof ValueType.ObjectArray;
/** Value types whose readings carry a string `value`. */
export type SimpleValueType = Exclude<ValueType, BinaryValueType | ObjectValueType>;

/** Numeric scalar types, with their integer ranges (bigint, inclusive) where they are integers. */
export const INTEGER_RANGES: Readonly<Partial<Record<ValueType, readonly [bigint, bigint]>>> = Object.freeze({
  Uint8: [0n, 255n],
  Uint16: [0n, 65535n],
  Uint32: [0n, 4294967295n],
  Uint64: [0n, 18446744073709551615n],
  Int8: [-128n, 127n],
  Int16: [-32768n, 32767n],
  Int32: [-2147483648n, 2147483647n],
  Int64: [-9223372036854775808n, 9223372036854775807n],
});

/** True for Int8..Int64 and Uint8..Uint64. */
export function isIntegerType(t: ValueType): boolean {
  return INTEGER_RANGES[t] !== undefined;
}

/** True for Float32 and Float64. */
export function isFloatType(t: ValueType): boolean {
  return t === "Float32" || t === "Float64";
}

/** True for every `...Array` type except ObjectArray. */
export function isArrayType(t: ValueType): boolean {
  return t.endsWith("Array") && t !== "ObjectArray";
}

/** The element type of an array type (`Float32Array` -> `Float32`), or undefined for scalars. */
export function elementType(t: ValueType): ValueType | undefined {
  return isArrayType(t) ? (t.slice(0, -"Array".length) as ValueType) : undefined;
}

/** True when a resource of this type may be written (EdgeX forbids writing Binary). */
export function isWritableType(t: ValueType): boolean {
  return t !== "Binary";
}
