/**
 * Running a read plan on a link: the planned requests go out back to back in one job; each answer is decoded into
 * the values of its resources. An exception answer fails only the resources of that request; a timeout, a lost
 * connection or a malformed answer fails the rest of the plan too (the device is not answering sensibly, and one
 * timeout is all a dead device may cost). A merged request refused with ILLEGAL DATA ADDRESS or ILLEGAL DATA VALUE
 * is retried one resource at a time, and the planner is told which resources to stop merging.
 */
import { ErrorKind } from "@brink/contracts";
import type { RawValue } from "@brink/device-sdk";
import { isBitTable } from "./attributes.js";
import { decodeRegisters } from "./codec.js";
import { ModbusError, ModbusErrorCode } from "./errors.js";
import type { Exchange } from "./link.js";
import type { PlanItem, PlannedRead, ReadPlan, Restriction } from "./planner.js";
import type { ModbusResponse } from "./transport.js";

/**
 * The outcome of a plan, one slot per item: `values[i]` when `errors[i]` is undefined. Parallel arrays rather than an
 * object per item (a poll of 100 registers allocates 100 values, not 200 objects); `errors` is sparse.
 */
export interface PlanResults {
  readonly values: RawValue[];
  readonly errors: (ModbusError | undefined)[];
}

/** Tells the driver to restrict merging of a resource from now on. */
export type RestrictFn = (name: string, restriction: Restriction) => void;

const RETRY_ALONE: ReadonlySet<string> = new Set([ModbusErrorCode.IllegalDataAddress, ModbusErrorCode.IllegalDataValue]);

/** True for errors that say the device answered (an exception): the next request may still succeed. */
function deviceAnswered(err: unknown): boolean {
  return err instanceof ModbusError && err.details?.exceptionCode !== undefined;
}

function asModbusError(err: unknown): ModbusError {
  if (err instanceof ModbusError) return err;
  return new ModbusError(ErrorKind.Server, ModbusErrorCode.MalformedResponse, err instanceof Error ? err.message : String(err), { cause: err });
}

function decodeInto(results: PlanResults, items: readonly PlanItem[], members: readonly number[], r: { address: number }, response: ModbusResponse): void {
  for (const m of members) {
    const item = items[m]!;
    const a = item.address;
    try {
      if (isBitTable(a.table)) {
        if (!("bits" in response)) throw new Error("expected bits");
        const bit = response.bits[a.address - r.address];
        if (bit === undefined) throw new Error(`the answer holds ${response.bits.length} bits, not ${a.address - r.address + 1}`);
        results.values[m] = bit;
      } else {
        if (!("registers" in response)) throw new Error("expected registers");
        const offset = (a.address - r.address) * 2;
        if (response.registers.length < offset + a.count * 2) throw new Error(`the answer holds ${response.registers.length / 2} registers, not ${offset / 2 + a.count}`);
        results.values[m] = decodeRegisters(response.registers, offset, a, item.name);
      }
    } catch (err) {
      results.errors[m] = err instanceof ModbusError ? err : new ModbusError(ErrorKind.Communication, ModbusErrorCode.MalformedResponse, `${item.name}: ${(err as Error).message}`);
    }
  }
}

async function readOne(exchange: Exchange, r: PlannedRead): Promise<ModbusResponse> {
  return exchange({ fc: r.functionCode, address: r.address, count: r.count });
}

/**
 * Runs `plan` through `exchange` (inside one link job) and returns one value or error per item. Never rejects: every
 * failure is an item's error.
 */
export async function runReadPlan(exchange: Exchange, items: readonly PlanItem[], plan: ReadPlan, restrict: RestrictFn): Promise<PlanResults> {
  const results: PlanResults = { values: new Array<RawValue>(items.length), errors: [] };
  let fatal: ModbusError | undefined;
  for (const r of plan.requests) {
    if (fatal !== undefined) {
      for (const m of r.members) results.errors[m] = fatal;
      continue;
    }
    try {
      decodeInto(results, items, r.members, r, await readOne(exchange, r));
      continue;
    } catch (err) {
      const e = asModbusError(err);
      if (!deviceAnswered(e)) {
        fatal = e;
        for (const m of r.members) results.errors[m] = e;
        continue;
      }
      if (!RETRY_ALONE.has(e.code) || r.members.length < 2) {
        for (const m of r.members) results.errors[m] = e;
        continue;
      }
    }
    // A merged read was refused: find out which resources the device really lacks.
    for (const m of r.members) {
      const a = items[m]!.address;
      const single: PlannedRead = { table: a.table, functionCode: r.functionCode, address: a.address, count: a.count, members: [m] };
      if (fatal !== undefined) {
        results.errors[m] = fatal;
        continue;
      }
      try {
        decodeInto(results, items, [m], single, await readOne(exchange, single));
        restrict(items[m]!.name, "adjacent");
      } catch (err) {
        const e = asModbusError(err);
        results.errors[m] = e;
        if (deviceAnswered(e)) restrict(items[m]!.name, "alone");
        else fatal = e;
      }
    }
  }
  return results;
}
