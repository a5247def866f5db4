/**
 * Writes: the values of one write call become Modbus write requests, sent back to back in one link job.
 * - A coil is written with function 5, several adjacent coils of the call with function 15.
 * - A one-register value is written with function 6, longer values and adjacent register values of the call with
 *   function 16 (at most 123 registers per request).
 * - A Bool addressed `"N.B"` is a read-modify-write of register N (function 3, then 6) inside the same job, so no
 *   other request of this service slips in between.
 * The first failure stops the call; the writes before it stay done, as on the device.
 */
import { ErrorKind } from "@brink/contracts";
import type { RawValue } from "@brink/device-sdk";
import { PrimaryTable, isWritableTable, type ResourceAddress } from "./attributes.js";
import { encodeRegisters, setBit } from "./codec.js";
import { MAX_BITS_PER_WRITE, MAX_REGISTERS_PER_WRITE } from "./config.js";
import { ModbusError, ModbusErrorCode } from "./errors.js";
import type { Exchange } from "./link.js";
import type { ModbusRequest } from "./transport.js";

/** One resource to write, its address and its raw value. */
export interface WriteItem {
  readonly name: string;
  readonly address: ResourceAddress;
  readonly value: RawValue;
}

/** A step of a write job: a plain request, or a read-modify-write of one bit. */
export type WriteStep =
  | { readonly kind: "request"; readonly request: ModbusRequest; readonly resources: readonly string[] }
  | { readonly kind: "bit"; readonly address: number; readonly bit: number; readonly on: boolean; readonly byteSwap: boolean; readonly resources: readonly string[] };

function readOnly(item: WriteItem): ModbusError {
  return new ModbusError(ErrorKind.NotAllowed, ModbusErrorCode.ReadOnlyTable, `${item.name}: ${item.address.table} cannot be written`, {
    details: { resource: item.name, table: item.address.table },
  });
}

interface Run {
  table: PrimaryTable;
  address: number;
  bits: boolean[];
  words: number[];
  resources: string[];
}

function flush(run: Run | undefined, steps: WriteStep[]): void {
  if (run === undefined) return;
  if (run.table === PrimaryTable.Coils) {
    const request: ModbusRequest = run.bits.length === 1 ? { fc: 5, address: run.address, value: run.bits[0]! } : { fc: 15, address: run.address, values: run.bits };
    steps.push({ kind: "request", request, resources: run.resources });
    return;
  }
  const request: ModbusRequest = run.words.length === 1 ? { fc: 6, address: run.address, value: run.words[0]! } : { fc: 16, address: run.address, values: run.words };
  steps.push({ kind: "request", request, resources: run.resources });
}

/**
 * Encodes a write call into steps, merging adjacent values of the same table (in call order).
 * @throws ModbusError MODBUS_READ_ONLY_TABLE (kind NotAllowed) or MODBUS_VALUE_INVALID (kind ContractInvalid) before
 *   anything is sent.
 */
export function planWrites(items: readonly WriteItem[], merge: boolean): WriteStep[] {
  const steps: WriteStep[] = [];
  let run: Run | undefined;
  for (const item of items) {
    const a = item.address;
    if (!isWritableTable(a.table)) throw readOnly(item);
    if (a.table === PrimaryTable.HoldingRegisters && a.valueType === "Bool" && a.bit !== undefined) {
      if (typeof item.value !== "boolean") throw new ModbusError(ErrorKind.ContractInvalid, ModbusErrorCode.ValueInvalid, `${item.name}: expected a boolean`, { details: { resource: item.name } });
      flush(run, steps);
      run = undefined;
      steps.push({ kind: "bit", address: a.address, bit: a.bit, on: item.value, byteSwap: a.byteSwap, resources: [item.name] });
      continue;
    }
    const coil = a.table === PrimaryTable.Coils;
    if (coil && typeof item.value !== "boolean") throw new ModbusError(ErrorKind.ContractInvalid, ModbusErrorCode.ValueInvalid, `${item.name}: expected a boolean`, { details: { resource: item.name } });
    const words = coil ? [] : encodeRegisters(item.value, a, item.name);
    const size = coil ? run?.bits.length ?? 0 : run?.words.length ?? 0;
    const limit = coil ? MAX_BITS_PER_WRITE : MAX_REGISTERS_PER_WRITE;
    const adjacent = merge && run !== undefined && run.table === a.table && run.address + size === a.address && size + a.count <= limit;
    if (!adjacent) {
      flush(run, steps);
      run = { table: a.table, address: a.address, bits: [], words: [], resources: [] };
    }
    if (coil) run!.bits.push(item.value as boolean);
    else run!.words.push(...words);
    run!.resources.push(item.name);
  }
  flush(run, steps);
  return steps;
}

/** Runs the steps through `exchange` (inside one link job); rejects with the first failure. */
export async function runWrites(exchange: Exchange, steps: readonly WriteStep[]): Promise<void> {
  for (const step of steps) {
    if (step.kind === "request") {
      await exchange(step.request);
      continue;
    }
    const current = await exchange({ fc: 3, address: step.address, count: 1 });
    if (!("registers" in current) || current.registers.length < 2) {
      throw new ModbusError(ErrorKind.Communication, ModbusErrorCode.MalformedResponse, `register ${step.address}: the answer holds no register`);
    }
    const next = setBit(current.registers.readUInt16BE(0), step.bit, step.on, step.byteSwap);
    await exchange({ fc: 6, address: step.address, value: next });
  }
}
