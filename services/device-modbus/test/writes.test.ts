import { strict as assert } from "node:assert";
import type { ServiceError} from "@brink/contracts";
import { type ValueType } from "@brink/contracts";
import type { RawValue } from "@brink/device-sdk";
import { ModbusErrorCode, PrimaryTable, type ModbusRequest, type ModbusResponse, type ResourceAddress } from "../src/index.js";
import { planWrites, runWrites, type WriteItem } from "../src/writes.js";

function w(name: string, table: ResourceAddress["table"], address: number, valueType: ValueType, value: RawValue, extra: Partial<ResourceAddress> = {}): WriteItem {
  const count = valueType === "Int32" ? 2 : 1;
  return { name, value, address: { table, address, count, bit: undefined, valueType, wireType: valueType, byteSwap: false, wordSwap: false, ...extra } };
}

const HR = PrimaryTable.HoldingRegisters;
const CO = PrimaryTable.Coils;

function requests(items: WriteItem[], merge = true): ModbusRequest[] {
  return planWrites(items, merge).map((s) => (s.kind === "request" ? s.request : ({ fc: 0, address: s.address } as unknown as ModbusRequest)));
}

describe("planWrites", () => {
  it("writes one register with function 6 and a longer value with function 16", () => {
    assert.deepEqual(requests([w("a", HR, 10, "Int16", -2)]), [{ fc: 6, address: 10, value: 0xfffe }]);
    assert.deepEqual(requests([w("a", HR, 10, "Int32", -2)]), [{ fc: 16, address: 10, values: [0xffff, 0xfffe] }]);
  });

  it("merges adjacent registers of one call into one function 16, in call order", () => {
    assert.deepEqual(requests([w("a", HR, 10, "Int16", 1), w("b", HR, 11, "Int32", 2), w("c", HR, 20, "Int16", 3)]), [
      { fc: 16, address: 10, values: [1, 0, 2] },
      { fc: 6, address: 20, value: 3 },
    ]);
    assert.equal(requests([w("a", HR, 10, "Int16", 1), w("b", HR, 11, "Int16", 2)], false).length, 2, "merge off");
  });

  it("writes one coil with function 5 and adjacent coils with function 15", () => {
    assert.deepEqual(requests([w("a", CO, 0, "Bool", true)]), [{ fc: 5, address: 0, value: true }]);
    assert.deepEqual(requests([w("a", CO, 0, "Bool", true), w("b", CO, 1, "Bool", false), w("c", CO, 5, "Bool", true)]), [
      { fc: 15, address: 0, values: [true, false] },
      { fc: 5, address: 5, value: true },
    ]);
  });

  it("refuses input registers, discrete inputs and values of the wrong type before anything is sent", () => {
    for (const item of [w("ir", PrimaryTable.InputRegisters, 0, "Int16", 1), w("di", PrimaryTable.DiscreteInputs, 0, "Bool", true)]) {
      assert.throws(() => planWrites([w("ok", HR, 0, "Int16", 1), item], true), (e: ServiceError) => e.code === ModbusErrorCode.ReadOnlyTable && e.kind === "NotAllowed");
    }
    assert.throws(() => planWrites([w("c", CO, 0, "Bool", 1)], true), (e: ServiceError) => e.code === ModbusErrorCode.ValueInvalid);
  });

  it("writes a register bit by read-modify-write", async () => {
    const steps = planWrites([w("bit", HR, 32, "Bool", true, { bit: 10 })], true);
    const sent: ModbusRequest[] = [];
    await runWrites(async (r): Promise<ModbusResponse> => {
      sent.push(r);
      return r.fc === 3 ? { registers: Buffer.from([0x80, 0x09]) } : { written: true };
    }, steps);
    assert.deepEqual(sent, [
      { fc: 3, address: 32, count: 1 },
      { fc: 6, address: 32, value: 0x8409 },
    ]);
  });
});
