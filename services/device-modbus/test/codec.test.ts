import { strict as assert } from "node:assert";
import type { ServiceError} from "@brink/contracts";
import { type ValueType } from "@brink/contracts";
import type { RawValue } from "@brink/device-sdk";
import { ModbusErrorCode, PrimaryTable, decodeRegisters, encodeRegisters, setBit, type ResourceAddress } from "../src/index.js";

function address(valueType: ValueType, count: number, extra: Partial<ResourceAddress> = {}): ResourceAddress {
  return { table: PrimaryTable.HoldingRegisters, address: 0, count, bit: undefined, valueType, wireType: valueType, byteSwap: false, wordSwap: false, ...extra };
}

function words(...ws: number[]): Buffer {
  const b = Buffer.alloc(ws.length * 2);
  ws.forEach((w, i) => b.writeUInt16BE(w, i * 2));
  return b;
}

describe("decodeRegisters and encodeRegisters", () => {
  // [what, address, register words, raw value]: decoding the words gives the value, encoding the value the words.
  const cases: [string, ResourceAddress, number[], RawValue][] = [
    ["Uint16", address("Uint16", 1), [0xfde8], 65000],
    ["Int16", address("Int16", 1), [0xfb2e], -1234],
    ["Uint32", address("Uint32", 2), [0xee6b, 0x2800], 4_000_000_000],
    ["Int32", address("Int32", 2), [0xf8a4, 0x32eb], -123_456_789],
    ["Float32", address("Float32", 2), [0x4050, 0x0000], 3.25],
    ["Uint64", address("Uint64", 4), [0xffff, 0xffff, 0xffff, 0xfd98], 18446744073709551000n],
    ["Int64", address("Int64", 4), [0xffdf, 0xffff, 0xffff, 0xffff], -9007199254740993n],
    ["Float64", address("Float64", 4), [0xc0c8, 0x1cd6, 0xe63c, 0x529f], -12345.678901234],
    ["Int8 (low byte, sign-extended on write)", address("Int8", 1), [0xfffb], -5],
    ["Uint8", address("Uint8", 1), [0x00c8], 200],
    ["Uint16 byte-swapped", address("Uint16", 1, { byteSwap: true }), [0x3412], 0x1234],
    ["Float32 byte-swapped", address("Float32", 2, { byteSwap: true }), [0xf642, 0x79e9], Math.fround(123.456)],
    ["Float32 word-swapped", address("Float32", 2, { wordSwap: true }), [0xe979, 0x42f6], Math.fround(123.456)],
    ["Int32 both swaps (little-endian)", address("Int32", 2, { byteSwap: true, wordSwap: true }), [0x4f97, 0x21c5], -987_654_321],
    ["Uint64 word-swapped", address("Uint64", 4, { wordSwap: true }), [0x8115, 0x7de9, 0x10f4, 0x1122], 1234567890123456789n],
    ["Float64 both swaps", address("Float64", 4, { byteSwap: true, wordSwap: true }), [0x9f52, 0x3ce6, 0xd61c, 0xc8c0], -12345.678901234],
    ["Float32 from Int16 (rawType)", address("Float32", 1, { wireType: "Int16" }), [0xff16], -234],
    ["Float64 from Uint32 (rawType)", address("Float64", 2, { wireType: "Uint32" }), [0x075b, 0xcd15], 123_456_789],
    ["Int32 from Float32 (rawType, rounded)", address("Int32", 2, { wireType: "Float32" }), [0x4050, 0x0000], 3],
    ["Int64 from Int16 (rawType)", address("Int64", 1, { wireType: "Int16" }), [0xffff], -1n],
    ["String", address("String", 5), [0x4272, 0x696e, 0x6b2d, 0x5369, 0x6d00], "Brink-Sim"],
    ["String byte-swapped", address("String", 4, { byteSwap: true }), [0x4e53, 0x302d, 0x3030, 0x3234], "SN-00042"],
    ["Bool register without a bit (whole register 0/1)", address("Bool", 1), [0x0001], true],
  ];
  for (const [what, a, ws, value] of cases) {
    it(`decodes ${what}`, () => {
      assert.deepEqual(decodeRegisters(words(...ws), 0, a, "r"), value);
    });
    if (!what.includes("rounded")) {
      it(`encodes ${what}`, () => {
        assert.deepEqual(encodeRegisters(value, a, "r"), ws);
      });
    }
  }

  it("decodes at an offset inside a merged answer", () => {
    assert.equal(decodeRegisters(words(1, 2, 0xfb2e), 4, address("Int16", 1), "r"), -1234);
  });

  it("trims leading and trailing NULs of a string, as EdgeX does", () => {
    assert.equal(decodeRegisters(words(0x0041, 0x4200), 0, address("String", 2), "r"), "AB");
  });

  it("reads bits of a register, 0 the least significant, honouring isByteSwap", () => {
    const status = words(0x8009);
    const bit = (b: number, byteSwap = false) => decodeRegisters(status, 0, address("Bool", 1, { bit: b, byteSwap }), "r");
    assert.deepEqual([0, 1, 3, 10, 15].map((b) => bit(b)), [true, false, true, false, true]);
    assert.deepEqual([0, 7, 8, 11].map((b) => bit(b, true)), [false, true, true, true], "0x8009 byte-swapped is 0x0980");
    assert.equal(setBit(0x8009, 10, true, false), 0x8409);
    assert.equal(setBit(0x8009, 15, false, false), 0x0009);
    assert.equal(setBit(0x8009, 0, true, true), 0x8109, "bit 0 of 0x0980 is the low bit of the high byte on the wire");
  });

  it("rounds to the integer wire type: 23.4 / 0.1 is written as 234", () => {
    assert.deepEqual(encodeRegisters(23.4 / 0.1, address("Float32", 1, { wireType: "Int16" }), "r"), [234]);
  });

  const refused: [string, RawValue, ResourceAddress][] = [
    ["a value outside the rawType", 40_000, address("Float32", 1, { wireType: "Int16" })],
    ["a negative Uint16", -1, address("Uint16", 1)],
    ["a string longer than its registers", "abcde", address("String", 2)],
    ["a number for a string", 5, address("String", 2)],
    ["a string for a number", "5", address("Int16", 1)],
  ];
  for (const [what, value, a] of refused) {
    it(`refuses ${what} with MODBUS_VALUE_INVALID`, () => {
      assert.throws(() => encodeRegisters(value, a, "r"), (e: ServiceError) => e.code === ModbusErrorCode.ValueInvalid && e.kind === "ContractInvalid");
    });
  }

  it("refuses a read value that does not fit the value type with MODBUS_VALUE_INVALID", () => {
    assert.throws(() => decodeRegisters(words(0xffff, 0xffff), 0, address("Int16", 2, { wireType: "Uint32" }), "r"), (e: ServiceError) => e.code === ModbusErrorCode.ValueInvalid);
  });
});
