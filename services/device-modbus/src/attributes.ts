/**
 * A device resource's Modbus `attributes`, with EdgeX device-modbus semantics:
 * - `primaryTable`: COILS, DISCRETE_INPUTS (or the legacy DISCRETES_INPUT), INPUT_REGISTERS, HOLDING_REGISTERS, in
 *   any case.
 * - `startingAddress`: the 0-based protocol address; `"N.B"` addresses bit B (0 = least significant) of register N.
 * - `rawType`: the type on the wire when it differs from the value type (an Int16 register read as a Float32
 *   resource, scaled by the SDK afterwards).
 * - `isByteSwap` / `isWordSwap`: swap the bytes of each register / reverse the order of the registers of a value.
 * - `stringRegisterSize`: registers of a String resource (1..123).
 */
import { ErrorKind, normalizeValueType, type DeviceResource, type ValueType } from "@brink/contracts";
import { ModbusError, ModbusErrorCode } from "./errors.js";

/** The four Modbus tables, as EdgeX names them. */
export const PrimaryTable = {
  Coils: "COILS",
  DiscreteInputs: "DISCRETE_INPUTS",
  InputRegisters: "INPUT_REGISTERS",
  HoldingRegisters: "HOLDING_REGISTERS",
} as const;
/** One Modbus table. */
export type PrimaryTable = (typeof PrimaryTable)[keyof typeof PrimaryTable];

const TABLE_SPELLINGS: Readonly<Record<string, PrimaryTable>> = {
  COILS: PrimaryTable.Coils,
  DISCRETE_INPUTS: PrimaryTable.DiscreteInputs,
  DISCRETES_INPUT: PrimaryTable.DiscreteInputs,
  INPUT_REGISTERS: PrimaryTable.InputRegisters,
  HOLDING_REGISTERS: PrimaryTable.HoldingRegisters,
};

/** Numeric wire types and their size in registers. */
export const NUMERIC_REGISTERS: Readonly<Partial<Record<ValueType, number>>> = {
  Int8: 1,
  Uint8: 1,
  Int16: 1,
  Uint16: 1,
  Int32: 2,
  Uint32: 2,
  Float32: 2,
  Int64: 4,
  Uint64: 4,
  Float64: 4,
};

/** Largest String resource, registers (a write of 123 registers is the Modbus limit). */
export const MAX_STRING_REGISTERS = 123;

/** True for tables of single bits (coils, discrete inputs). */
export function isBitTable(table: PrimaryTable): boolean {
  return table === PrimaryTable.Coils || table === PrimaryTable.DiscreteInputs;
}

/** True for tables a client may write (coils, holding registers). */
export function isWritableTable(table: PrimaryTable): boolean {
  return table === PrimaryTable.Coils || table === PrimaryTable.HoldingRegisters;
}

/** Where and how one resource lives on the device. */
export interface ResourceAddress {
  readonly table: PrimaryTable;
  /** First register or bit. */
  readonly address: number;
  /** Registers (register tables) or bits (bit tables) the value occupies. */
  readonly count: number;
  /** Bit of the register (0 = least significant) for a Bool written `"N.B"`; undefined otherwise. */
  readonly bit: number | undefined;
  /** The resource's value type. */
  readonly valueType: ValueType;
  /** The type on the wire: `rawType`, or the value type. */
  readonly wireType: ValueType;
  readonly byteSwap: boolean;
  readonly wordSwap: boolean;
}

function parseBool(v: unknown): boolean | undefined {
  if (v === undefined || v === null) return false;
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v === 1 ? true : v === 0 ? false : undefined;
  if (typeof v === "string") {
    const t = v.trim().toLowerCase();
    if (t === "true" || t === "t" || t === "1") return true;
    if (t === "false" || t === "f" || t === "0" || t === "") return false;
  }
  return undefined;
}

/**
 * `startingAddress` as register and optional bit. A string is split at its dot ("10.10" is bit 10 of register 10,
 * "10.1" bit 1). A non-integer number has lost its digits already (a JSON body), so it is read as EdgeX reads it:
 * formatted with two decimals (10.1 is "10.10", bit 10).
 */
function parseStartingAddress(v: unknown): { address: number; bit: number | undefined } | string {
  let text: string;
  if (typeof v === "number") text = Number.isInteger(v) ? String(v) : v.toFixed(2);
  else if (typeof v === "bigint") text = v.toString();
  else if (typeof v === "string") text = v.trim();
  else return `startingAddress is required (an integer, or "register.bit"), got ${JSON.stringify(v) ?? String(v)}`;
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (m === null) return `startingAddress must be an integer or "register.bit", got ${JSON.stringify(text)}`;
  const address = Number(m[1]);
  if (address > 65_535) return `startingAddress ${address} is above 65535`;
  if (m[2] === undefined) return { address, bit: undefined };
  const bit = Number(m[2]);
  if (bit > 15) return `bit ${bit} of startingAddress ${text} is above 15`;
  return { address, bit };
}

function attributeError(resource: DeviceResource, problems: readonly string[]): ModbusError {
  return new ModbusError(ErrorKind.ContractInvalid, ModbusErrorCode.AttributeInvalid, `resource ${resource.name}: ${problems.join("; ")}`, {
    details: { resource: resource.name, problems },
  });
}

/**
 * Reads a resource's attributes.
 * @throws ModbusError MODBUS_ATTRIBUTE_INVALID (kind ContractInvalid) listing every problem.
 */
export function parseResourceAddress(resource: DeviceResource, valueTypeGiven?: ValueType): ResourceAddress {
  const attrs: Readonly<Record<string, unknown>> = resource.attributes ?? {};
  const problems: string[] = [];
  const valueType = valueTypeGiven ?? normalizeValueType(String(resource.properties?.valueType)) ?? resource.properties?.valueType;

  const tableRaw = attrs.primaryTable;
  const table = typeof tableRaw === "string" ? TABLE_SPELLINGS[tableRaw.trim().toUpperCase()] : undefined;
  if (table === undefined) problems.push(`primaryTable must be one of ${Object.keys(TABLE_SPELLINGS).join(", ")}, got ${JSON.stringify(tableRaw) ?? "nothing"}`);

  const start = parseStartingAddress(attrs.startingAddress);
  if (typeof start === "string") problems.push(start);
  const byteSwap = parseBool(attrs.isByteSwap);
  const wordSwap = parseBool(attrs.isWordSwap);
  if (byteSwap === undefined) problems.push(`isByteSwap must be true or false, got ${JSON.stringify(attrs.isByteSwap)}`);
  if (wordSwap === undefined) problems.push(`isWordSwap must be true or false, got ${JSON.stringify(attrs.isWordSwap)}`);

  let wireType: ValueType = valueType;
  let count = 1;
  if (attrs.rawType !== undefined && attrs.rawType !== null && attrs.rawType !== "") {
    const raw = normalizeValueType(String(attrs.rawType));
    if (raw === undefined || NUMERIC_REGISTERS[raw] === undefined) problems.push(`rawType must be a numeric type (Int16, Uint16, Int32, Float32, ...), got ${JSON.stringify(attrs.rawType)}`);
    else if (NUMERIC_REGISTERS[valueType] === undefined) problems.push(`rawType applies to numeric resources only, not to ${valueType}`);
    else wireType = raw;
  }

  if (table !== undefined && isBitTable(table)) {
    if (valueType !== "Bool") problems.push(`a ${table} resource must be a Bool, not ${valueType}`);
    if (typeof start === "object" && start.bit !== undefined) problems.push(`a ${table} resource has no bits: write startingAddress as an integer`);
  } else if (table !== undefined) {
    if (valueType === "Bool") count = 1;
    else if (valueType === "String") {
      const size = attrs.stringRegisterSize;
      const n = typeof size === "number" ? size : typeof size === "string" && size.trim() !== "" ? Number(size) : Number.NaN;
      if (!Number.isInteger(n) || n < 1 || n > MAX_STRING_REGISTERS) problems.push(`stringRegisterSize must be an integer in 1..${MAX_STRING_REGISTERS}, got ${JSON.stringify(size) ?? "nothing"}`);
      else count = n;
    } else if (NUMERIC_REGISTERS[wireType] !== undefined) count = NUMERIC_REGISTERS[wireType]!;
    else problems.push(`value type ${valueType} cannot be read from Modbus registers (use Bool, String, or a numeric type)`);
    if (valueType !== "Bool" && typeof start === "object" && start.bit !== undefined) problems.push(`only a Bool resource can address a bit ("${start.address}.${start.bit}")`);
  }
  if (typeof start === "object" && start.address + count - 1 > 65_535) problems.push(`registers ${start.address}..${start.address + count - 1} run past 65535`);
  if (problems.length > 0) throw attributeError(resource, problems);
  const s = start as { address: number; bit: number | undefined };
  return { table: table!, address: s.address, count, bit: s.bit, valueType, wireType, byteSwap: byteSwap!, wordSwap: wordSwap! };
}

/** Short name of a table for plans and logs: HR, IR, CO, DI. */
export function tableAbbreviation(table: PrimaryTable): string {
  switch (table) {
    case PrimaryTable.Coils:
      return "CO";
    case PrimaryTable.DiscreteInputs:
      return "DI";
    case PrimaryTable.InputRegisters:
      return "IR";
    default:
      return "HR";
  }
}

/** The read function code of a table. */
export function readFunctionOf(table: PrimaryTable): 1 | 2 | 3 | 4 {
  switch (table) {
    case PrimaryTable.Coils:
      return 1;
    case PrimaryTable.DiscreteInputs:
      return 2;
    case PrimaryTable.HoldingRegisters:
      return 3;
    default:
      return 4;
  }
}
