import { strict as assert } from "node:assert";
import { PrimaryTable, describePlan, planReads, resolveDriverConfig, type PlanItem, type PlanOptions, type ResourceAddress, type Restriction } from "../src/index.js";

type Table = ResourceAddress["table"];

function item(name: string, table: Table, address: number, count = 1): PlanItem {
  return { name, address: { table, address, count, bit: undefined, valueType: "Uint16", wireType: "Uint16", byteSwap: false, wordSwap: false } };
}

const HR = PrimaryTable.HoldingRegisters;
const CO = PrimaryTable.Coils;
const DEFAULTS: PlanOptions = resolveDriverConfig();

function shape(items: PlanItem[], options: Partial<PlanOptions> = {}): [number, number, number, string[]][] {
  const plan = planReads(items, { ...DEFAULTS, ...options });
  items.forEach((_, i) => assert.ok(plan.requests[plan.requestOf[i]!]!.members.includes(i), "every item is in its request"));
  return plan.requests.map((r) => [r.functionCode, r.address, r.count, r.members.map((m) => items[m]!.name)]);
}

describe("planReads", () => {
  it("merges contiguous registers into one request", () => {
    assert.deepEqual(shape([item("a", HR, 0), item("b", HR, 1, 2), item("c", HR, 3, 4)]), [[3, 0, 7, ["a", "b", "c"]]]);
  });

  it("bridges holes up to maxGapRegisters and no further", () => {
    assert.deepEqual(shape([item("a", HR, 0), item("b", HR, 11)]), [[3, 0, 12, ["a", "b"]]], "a hole of 10");
    assert.deepEqual(shape([item("a", HR, 0), item("b", HR, 12)]), [
      [3, 0, 1, ["a"]],
      [3, 12, 1, ["b"]],
    ], "a hole of 11");
    assert.deepEqual(shape([item("a", HR, 0), item("b", HR, 2)], { maxGapRegisters: 0 }).length, 2);
  });

  it("sorts by address whatever the request order", () => {
    assert.deepEqual(shape([item("c", HR, 8), item("a", HR, 0), item("b", HR, 4)]), [[3, 0, 9, ["a", "b", "c"]]]);
  });

  it("keeps each request within 125 registers", () => {
    const items = Array.from({ length: 300 }, (_, i) => item(`r${i}`, HR, i));
    const requests = shape(items);
    assert.deepEqual(requests.map((r) => [r[1], r[2]]), [
      [0, 125],
      [125, 125],
      [250, 50],
    ]);
    assert.deepEqual(shape(items.slice(0, 10), { maxRegistersPerRead: 4 }).map((r) => r[2]), [4, 4, 2]);
  });

  it("never splits a value across requests", () => {
    const requests = shape([item("a", HR, 0, 124), item("b", HR, 124, 4)]);
    assert.deepEqual(requests.map((r) => [r[1], r[2]]), [
      [0, 124],
      [124, 4],
    ]);
  });

  it("plans coils up to 2000 per request with their own gap", () => {
    const coils = Array.from({ length: 2500 }, (_, i) => item(`c${i}`, CO, i));
    assert.deepEqual(shape(coils).map((r) => [r[0], r[2]]), [
      [1, 2000],
      [1, 500],
    ]);
    assert.equal(shape([item("a", CO, 0), item("b", CO, 33)]).length, 1, "a hole of 32 bits");
    assert.equal(shape([item("a", CO, 0), item("b", CO, 34)]).length, 2);
  });

  it("plans each table separately, with its function code", () => {
    const di = PrimaryTable.DiscreteInputs;
    const ir = PrimaryTable.InputRegisters;
    assert.deepEqual(shape([item("h", HR, 0), item("i", ir, 0), item("c", CO, 0), item("d", di, 0)]).map((r) => r[0]).sort(), [1, 2, 3, 4]);
  });

  it("shares registers between overlapping resources (bits of one register)", () => {
    assert.deepEqual(shape([item("bit0", HR, 32), item("bit3", HR, 32), item("word", HR, 31, 2)]), [[3, 31, 2, ["word", "bit0", "bit3"]]]);
  });

  it("sends one request per resource with merge off", () => {
    assert.equal(shape([item("a", HR, 0), item("b", HR, 1), item("c", HR, 2)], { merge: false }).length, 3);
  });

  it("bridges no hole around an 'adjacent' resource and reads an 'alone' resource by itself", () => {
    const restricted = new Map<string, Restriction>([
      ["b", "adjacent"],
      ["d", "alone"],
    ]);
    const requests = shape([item("a", HR, 0), item("b", HR, 5), item("c", HR, 6), item("d", HR, 7), item("e", HR, 8)], { restricted });
    assert.deepEqual(requests.map((r) => r[3]), [["a"], ["b", "c"], ["d"], ["e"]]);
  });

  it("describes a plan one line per request", () => {
    const items = [item("a", HR, 0), item("b", HR, 1), item("c", CO, 4)];
    assert.deepEqual(describePlan(items, planReads(items, DEFAULTS)), ["HR 0+2 (fc 3): a, b", "CO 4+1 (fc 1): c"]);
  });
});
