import { strict as assert } from "node:assert";
import type { ServiceError} from "@brink/contracts";
import { type DeviceResource, type ValueType } from "@brink/contracts";
import { ModbusErrorCode, PrimaryTable, parseResourceAddress } from "../src/index.js";

function resource(valueType: string, attributes: Record<string, unknown>): DeviceResource {
  return { name: "r", isHidden: false, attributes, properties: { valueType: valueType as ValueType, readWrite: "RW" } };
}

describe("parseResourceAddress", () => {
  const ok: [string, string, Record<string, unknown>, Partial<ReturnType<typeof parseResourceAddress>>][] = [
    ["a holding register", "Uint16", { primaryTable: "HOLDING_REGISTERS", startingAddress: 7 }, { table: PrimaryTable.HoldingRegisters, address: 7, count: 1, bit: undefined }],
    ["the table in any case", "Int16", { primaryTable: "input_registers", startingAddress: "3" }, { table: PrimaryTable.InputRegisters, address: 3 }],
    ["EdgeX's legacy DISCRETES_INPUT", "Bool", { primaryTable: "DISCRETES_INPUT", startingAddress: 0 }, { table: PrimaryTable.DiscreteInputs, count: 1 }],
    ["DISCRETE_INPUTS", "Bool", { primaryTable: "DISCRETE_INPUTS", startingAddress: 0 }, { table: PrimaryTable.DiscreteInputs }],
    ["a coil", "Bool", { primaryTable: "COILS", startingAddress: 65535 }, { table: PrimaryTable.Coils, address: 65535 }],
    ["32-bit values on two registers", "Float32", { primaryTable: "HOLDING_REGISTERS", startingAddress: 0 }, { count: 2, wireType: "Float32" }],
    ["64-bit values on four registers", "Int64", { primaryTable: "HOLDING_REGISTERS", startingAddress: 0 }, { count: 4 }],
    ["Int8 on one register", "Int8", { primaryTable: "HOLDING_REGISTERS", startingAddress: 0 }, { count: 1 }],
    ["rawType decides the registers", "Float64", { primaryTable: "HOLDING_REGISTERS", startingAddress: 0, rawType: "INT16" }, { count: 1, wireType: "Int16", valueType: "Float64" }],
    ["a string of N registers", "String", { primaryTable: "HOLDING_REGISTERS", startingAddress: 10, stringRegisterSize: 5 }, { count: 5 }],
    ['a bit written "N.B"', "Bool", { primaryTable: "HOLDING_REGISTERS", startingAddress: "10.10" }, { address: 10, bit: 10 }],
    ['"10.1" as bit 1', "Bool", { primaryTable: "HOLDING_REGISTERS", startingAddress: "10.1" }, { address: 10, bit: 1 }],
    ["a JSON number 10.1 as EdgeX reads it (two decimals: bit 10)", "Bool", { primaryTable: "HOLDING_REGISTERS", startingAddress: 10.1 }, { address: 10, bit: 10 }],
    ["a JSON number 10.05 as bit 5", "Bool", { primaryTable: "HOLDING_REGISTERS", startingAddress: 10.05 }, { address: 10, bit: 5 }],
    ["a Bool register without a bit", "Bool", { primaryTable: "HOLDING_REGISTERS", startingAddress: 4 }, { bit: undefined, count: 1 }],
    ["swap flags as strings", "Int32", { primaryTable: "HOLDING_REGISTERS", startingAddress: 0, isByteSwap: "true", isWordSwap: "False" }, { byteSwap: true, wordSwap: false }],
  ];
  for (const [what, valueType, attributes, expected] of ok) {
    it(`reads ${what}`, () => {
      const a = parseResourceAddress(resource(valueType, attributes));
      for (const [k, v] of Object.entries(expected)) assert.deepEqual(a[k as keyof typeof a], v, k);
    });
  }

  const bad: [string, string, Record<string, unknown>][] = [
    ["no primaryTable", "Uint16", { startingAddress: 0 }],
    ["an unknown table", "Uint16", { primaryTable: "REGISTERS", startingAddress: 0 }],
    ["no startingAddress", "Uint16", { primaryTable: "HOLDING_REGISTERS" }],
    ["a negative address", "Uint16", { primaryTable: "HOLDING_REGISTERS", startingAddress: -1 }],
    ["an address above 65535", "Uint16", { primaryTable: "HOLDING_REGISTERS", startingAddress: 65536 }],
    ["a value running past 65535", "Float64", { primaryTable: "HOLDING_REGISTERS", startingAddress: 65534 }],
    ["bit 16", "Bool", { primaryTable: "HOLDING_REGISTERS", startingAddress: "1.16" }],
    ["a bit of a numeric value", "Int16", { primaryTable: "HOLDING_REGISTERS", startingAddress: "1.2" }],
    ["a bit of a coil", "Bool", { primaryTable: "COILS", startingAddress: "1.2" }],
    ["a number on coils", "Int16", { primaryTable: "COILS", startingAddress: 1 }],
    ["a string without stringRegisterSize", "String", { primaryTable: "HOLDING_REGISTERS", startingAddress: 1 }],
    ["a string of 124 registers", "String", { primaryTable: "HOLDING_REGISTERS", startingAddress: 1, stringRegisterSize: 124 }],
    ["a non-numeric rawType", "Float32", { primaryTable: "HOLDING_REGISTERS", startingAddress: 1, rawType: "String" }],
    ["a rawType on a Bool", "Bool", { primaryTable: "HOLDING_REGISTERS", startingAddress: 1, rawType: "Int16" }],
    ["an array value type", "Uint16Array", { primaryTable: "HOLDING_REGISTERS", startingAddress: 1 }],
    ["a bad swap flag", "Int32", { primaryTable: "HOLDING_REGISTERS", startingAddress: 1, isByteSwap: "yes" }],
  ];
  for (const [what, valueType, attributes] of bad) {
    it(`refuses ${what} with MODBUS_ATTRIBUTE_INVALID`, () => {
      assert.throws(
        () => parseResourceAddress(resource(valueType, attributes)),
        (e: ServiceError) => e.code === ModbusErrorCode.AttributeInvalid && e.kind === "ContractInvalid" && Array.isArray(e.details?.problems),
      );
    });
  }

  it("lists every problem of a resource", () => {
    assert.throws(
      () => parseResourceAddress(resource("Int16", { primaryTable: "X", startingAddress: "a", isWordSwap: 3 })),
      (e: ServiceError) => (e.details?.problems as string[]).length === 3,
    );
  });
});
