/**
 * Register bytes <-> raw values. Registers are big-endian 16-bit words; a value spanning several registers has its
 * most significant register first unless `isWordSwap` reverses their order, and `isByteSwap` swaps the two bytes of
 * every register. Numbers are decoded in the wire type (`rawType`) and then converted to the value type, so scaling
 * (done by the SDK) happens on the converted number, as in EdgeX.
 */
import { ErrorKind, INTEGER_RANGES, type ValueType } from "@brink/contracts";
import type { RawValue } from "@brink/device-sdk";
import type { ResourceAddress } from "./attributes.js";
import { ModbusError, ModbusErrorCode } from "./errors.js";

/** Applies the resource's swaps to `count` registers of `src` at `offset`, into a fresh buffer (never in place). */
function wireBytes(src: Buffer, offset: number, count: number, byteSwap: boolean, wordSwap: boolean): Buffer {
  const out = Buffer.allocUnsafe(count * 2);
  for (let w = 0; w < count; w++) {
    const from = offset + 2 * (wordSwap ? count - 1 - w : w);
    const hi = src[from]!;
    const lo = src[from + 1]!;
    out[2 * w] = byteSwap ? lo : hi;
    out[2 * w + 1] = byteSwap ? hi : lo;
  }
  return out;
}

function readWire(b: Buffer, wireType: ValueType, at: number): number | bigint {
  switch (wireType) {
    case "Int8":
      return b.readInt8(at + 1);
    case "Uint8":
      return b.readUInt8(at + 1);
    case "Int16":
      return b.readInt16BE(at);
    case "Uint16":
      return b.readUInt16BE(at);
    case "Int32":
      return b.readInt32BE(at);
    case "Uint32":
      return b.readUInt32BE(at);
    case "Float32":
      return b.readFloatBE(at);
    case "Int64":
      return b.readBigInt64BE(at);
    case "Uint64":
      return b.readBigUInt64BE(at);
    default:
      return b.readDoubleBE(at);
  }
}

function valueError(kind: ErrorKind, resource: string, message: string, value: unknown): ModbusError {
  return new ModbusError(kind, ModbusErrorCode.ValueInvalid, `${resource}: ${message}`, { details: { resource, value: String(value) } });
}

/** Converts a number or bigint to an integer of `type`, rounding numbers; undefined when it does not fit. */
function toInteger(v: number | bigint, type: ValueType): number | bigint | undefined {
  const range = INTEGER_RANGES[type];
  if (range === undefined) return undefined;
  let big: bigint;
  if (typeof v === "bigint") big = v;
  else if (Number.isFinite(v)) big = BigInt(Math.round(v));
  else return undefined;
  if (big < range[0] || big > range[1]) return undefined;
  return type === "Int64" || type === "Uint64" ? big : Number(big);
}

/** Converts a decoded wire number to the resource's value type. */
function toValueType(v: number | bigint, valueType: ValueType, resource: string): number | bigint {
  if (valueType === "Float32" || valueType === "Float64") return Number(v);
  const out = toInteger(v, valueType);
  if (out === undefined) throw valueError(ErrorKind.Server, resource, `read ${String(v)}, which does not fit ${valueType}`, v);
  return out;
}

/**
 * Decodes one resource from the register bytes of a read response.
 * @param registers the response's register bytes (2 per register)
 * @param offset byte offset of the resource's first register in `registers`
 */
export function decodeRegisters(registers: Buffer, offset: number, a: ResourceAddress, resource: string): RawValue {
  if (a.valueType === "Bool") {
    const word = a.byteSwap ? registers.readUInt16LE(offset) : registers.readUInt16BE(offset);
    return ((word >> (a.bit ?? 0)) & 1) === 1;
  }
  if (a.valueType === "String") {
    const b = wireBytes(registers, offset, a.count, a.byteSwap, false);
    let start = 0;
    let end = b.length;
    while (start < end && b[start] === 0) start++;
    while (end > start && b[end - 1] === 0) end--;
    return b.toString("utf8", start, end);
  }
  const wire = a.byteSwap || a.wordSwap ? readWire(wireBytes(registers, offset, a.count, a.byteSwap, a.wordSwap), a.wireType, 0) : readWire(registers, a.wireType, offset);
  return a.wireType === a.valueType ? wire : toValueType(wire, a.valueType, resource);
}

function writeWire(b: Buffer, wireType: ValueType, v: number | bigint): void {
  switch (wireType) {
    case "Int8":
    case "Int16":
      b.writeInt16BE(v as number, 0);
      return;
    case "Uint8":
    case "Uint16":
      b.writeUInt16BE(v as number, 0);
      return;
    case "Int32":
      b.writeInt32BE(v as number, 0);
      return;
    case "Uint32":
      b.writeUInt32BE(v as number, 0);
      return;
    case "Float32":
      b.writeFloatBE(Number(v), 0);
      return;
    case "Int64":
      b.writeBigInt64BE(v as bigint, 0);
      return;
    case "Uint64":
      b.writeBigUInt64BE(v as bigint, 0);
      return;
    default:
      b.writeDoubleBE(Number(v), 0);
  }
}

function toWords(b: Buffer): number[] {
  const words: number[] = [];
  for (let i = 0; i < b.length; i += 2) words.push(b.readUInt16BE(i));
  return words;
}

/**
 * Encodes a value (already inverse-transformed by the SDK) into the registers of its resource. Numbers written to an
 * integer wire type are rounded to the nearest integer (23.4 / 0.1 is 233.99999999999997: it is written as 234).
 * A Bool without a bit address is written as 0 or 1 in its whole register, as EdgeX does; a Bool with a bit address
 * is written by the caller through {@link setBit} (read-modify-write).
 * @throws ModbusError MODBUS_VALUE_INVALID (kind ContractInvalid) when the value does not fit the wire type or the
 *   string does not fit its registers.
 */
export function encodeRegisters(value: RawValue, a: ResourceAddress, resource: string): number[] {
  if (a.valueType === "Bool") {
    if (typeof value !== "boolean") throw valueError(ErrorKind.ContractInvalid, resource, "expected a boolean", value);
    return [value ? 1 : 0];
  }
  if (a.valueType === "String") {
    if (typeof value !== "string") throw valueError(ErrorKind.ContractInvalid, resource, "expected a string", value);
    const bytes = Buffer.from(value, "utf8");
    if (bytes.length > a.count * 2) {
      throw valueError(ErrorKind.ContractInvalid, resource, `${bytes.length} bytes do not fit ${a.count} registers (stringRegisterSize ${a.count}, ${a.count * 2} bytes)`, value);
    }
    const padded = Buffer.alloc(a.count * 2);
    bytes.copy(padded);
    return toWords(wireBytes(padded, 0, a.count, a.byteSwap, false));
  }
  if (typeof value !== "number" && typeof value !== "bigint") throw valueError(ErrorKind.ContractInvalid, resource, "expected a number", value);
  let wire: number | bigint;
  if (a.wireType === "Float32" || a.wireType === "Float64") wire = Number(value);
  else {
    const i = toInteger(value, a.wireType === "Int8" ? "Int8" : a.wireType);
    if (i === undefined) throw valueError(ErrorKind.ContractInvalid, resource, `${String(value)} does not fit the wire type ${a.wireType}`, value);
    wire = i;
  }
  const b = Buffer.alloc(a.count * 2);
  writeWire(b, a.wireType, wire);
  return toWords(a.byteSwap || a.wordSwap ? wireBytes(b, 0, a.count, a.byteSwap, a.wordSwap) : b);
}

/** A register with bit `bit` set to `on`, for read-modify-write of a `"N.B"` Bool (honours isByteSwap). */
export function setBit(word: number, bit: number, on: boolean, byteSwap: boolean): number {
  const logical = byteSwap ? ((word & 0xff) << 8) | (word >> 8) : word;
  const next = on ? logical | (1 << bit) : logical & ~(1 << bit) & 0xffff;
  return byteSwap ? ((next & 0xff) << 8) | (next >> 8) : next;
}
