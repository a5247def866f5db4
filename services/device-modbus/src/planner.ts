/**
 * Read planning: the resources read together from one device become the fewest Modbus requests. Resources of the
 * same table are sorted by address and merged while the hole between them is at most `maxGap` and the request
 * stays within the Modbus limit (125 registers, 2000 bits). Overlapping resources (bits of one register, a value
 * read by two commands) share their registers.
 */
import { isBitTable, readFunctionOf, tableAbbreviation, type PrimaryTable, type ResourceAddress } from "./attributes.js";

/** What the planner needs to know about one resource. */
export interface PlanItem {
  readonly name: string;
  readonly address: ResourceAddress;
}

/** Limits of {@link planReads}. */
export interface PlanOptions {
  /** false: one request per resource. */
  readonly merge: boolean;
  readonly maxGapRegisters: number;
  readonly maxGapBits: number;
  readonly maxRegistersPerRead: number;
  readonly maxBitsPerRead: number;
  /**
   * Resources a merged request failed on (ILLEGAL DATA ADDRESS or VALUE): "adjacent" ones merge only with resources
   * they touch (no holes bridged), "alone" ones are read by themselves.
   */
  readonly restricted?: ReadonlyMap<string, Restriction>;
}

/** How a resource may still be merged after a merged read failed on it. */
export type Restriction = "adjacent" | "alone";

/** One planned read request. */
export interface PlannedRead {
  readonly table: PrimaryTable;
  /** Modbus function code: 1, 2, 3 or 4. */
  readonly functionCode: 1 | 2 | 3 | 4;
  readonly address: number;
  /** Registers or bits. */
  readonly count: number;
  /** Indices into the planned items, in address order. */
  readonly members: readonly number[];
}

/** The requests for a list of items; every item is a member of exactly one request. */
export interface ReadPlan {
  readonly requests: readonly PlannedRead[];
  /** For each item, the index of its request. */
  readonly requestOf: readonly number[];
}

/** Plans the reads of `items` (see the module comment). */
export function planReads(items: readonly PlanItem[], o: PlanOptions): ReadPlan {
  const byTable = new Map<PrimaryTable, number[]>();
  items.forEach((item, i) => {
    const list = byTable.get(item.address.table);
    if (list === undefined) byTable.set(item.address.table, [i]);
    else list.push(i);
  });
  const requests: PlannedRead[] = [];
  const requestOf = new Array<number>(items.length).fill(-1);
  for (const [table, indices] of byTable) {
    const bits = isBitTable(table);
    const gap = bits ? o.maxGapBits : o.maxGapRegisters;
    const limit = bits ? o.maxBitsPerRead : o.maxRegistersPerRead;
    const fc = readFunctionOf(table);
    indices.sort((x, y) => items[x]!.address.address - items[y]!.address.address || items[y]!.address.count - items[x]!.address.count);
    let start = -1;
    let end = -1;
    let members: number[] = [];
    let alone = false;
    let adjacentOnly = false;
    const close = (): void => {
      if (members.length === 0) return;
      for (const m of members) requestOf[m] = requests.length;
      requests.push({ table, functionCode: fc, address: start, count: end - start, members });
      members = [];
    };
    for (const i of indices) {
      const a = items[i]!.address;
      const restriction = o.restricted?.get(items[i]!.name);
      const itemEnd = a.address + a.count;
      const allowedGap = adjacentOnly || restriction === "adjacent" ? 0 : gap;
      const fits =
        members.length > 0 && o.merge && !alone && restriction !== "alone" && a.address - end <= allowedGap && Math.max(end, itemEnd) - start <= limit;
      if (fits) {
        end = Math.max(end, itemEnd);
        members.push(i);
        adjacentOnly ||= restriction === "adjacent";
        continue;
      }
      close();
      start = a.address;
      end = itemEnd;
      members = [i];
      alone = restriction === "alone";
      adjacentOnly = restriction === "adjacent";
    }
    close();
  }
  return { requests, requestOf };
}

/** One line per request, as the plan endpoint and the debug log show it: `HR 0+100 (fc 3): a, b, c`. */
export function describePlan(items: readonly PlanItem[], plan: ReadPlan): string[] {
  return plan.requests.map((r) => `${tableAbbreviation(r.table)} ${r.address}+${r.count} (fc ${r.functionCode}): ${r.members.map((m) => items[m]!.name).join(", ")}`);
}
