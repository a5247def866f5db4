/**
 * Node types for writes and method calls. A write is encoded in the node's real DataType, read once per session
 * (DataType and ValueRank attributes of every node not yet known, in one Read); a method's input arguments are
 * encoded in the types its InputArguments property declares.
 */
import { ErrorKind } from "@brink/contracts";
import type { RawValue } from "@brink/device-sdk";
import type { CallMethodRequestOptions, ClientSession, NodeId } from "node-opcua-client";
import { OpcuaError, OpcuaErrorCode } from "./errors.js";
import type { OpcuaLib } from "./lib.js";
import { severityOf, statusError } from "./status.js";
import { BuiltinType, toVariant, type NodeType, type VariantLike } from "./values.js";

/** One method resource to call. */
export interface MethodCall {
  /** Position of the resource in the request. */
  readonly index: number;
  readonly resourceName: string;
  readonly objectId: string;
  readonly methodId: string;
  /** A read's inputs (the `inputMap` attribute). */
  readonly inputs?: readonly unknown[];
  /**
   * A written value: ignored by a method without inputs, the input of a method with one, and spread over the
   * inputs of a method with several (it must then be an array of as many values).
   */
  readonly written?: RawValue;
}

const Attr = { DataType: 14, ValueRank: 15 } as const;
const LAST_BUILTIN = 25;

/** The built-in type behind a DataType node id (walking up subtypes for derived and enumerated types). */
async function builtinOf(lib: OpcuaLib, session: ClientSession, dataType: NodeId): Promise<number> {
  if (dataType.namespace === 0 && typeof dataType.value === "number" && dataType.value <= LAST_BUILTIN) return dataType.value;
  return lib.client.findBasicDataType(session, dataType);
}

/** Reads the DataType and ValueRank of the nodes not in `cache` (one Read) and adds them. */
export async function readNodeTypes(lib: OpcuaLib, session: ClientSession, cache: Map<string, NodeType>, nodes: readonly { nodeId: string; resourceName: string }[]): Promise<void> {
  const missing = [...new Map(nodes.filter((n) => !cache.has(n.nodeId)).map((n) => [n.nodeId, n])).values()];
  if (missing.length === 0) return;
  const values = await session.read(missing.flatMap((n) => [{ nodeId: n.nodeId, attributeId: Attr.DataType }, { nodeId: n.nodeId, attributeId: Attr.ValueRank }]));
  for (let i = 0; i < missing.length; i++) {
    const { nodeId, resourceName } = missing[i]!;
    const dataType = values[2 * i]!;
    const valueRank = values[2 * i + 1]!;
    if (severityOf(dataType.statusCode.value) === "Bad") throw statusError("write", resourceName, nodeId, dataType.statusCode);
    const rank = severityOf(valueRank.statusCode.value) === "Bad" ? -1 : Number(valueRank.value.value);
    cache.set(nodeId, { dataType: await builtinOf(lib, session, dataType.value.value as NodeId), valueRank: rank });
  }
}

/**
 * A value given in a profile (`inputMap` entries are YAML scalars, often strings) as the raw type of a node: numeric
 * text becomes a number (a bigint for 64-bit integers), "true"/"false" a boolean. Other values pass unchanged.
 */
export function coerceInput(value: unknown, type: NodeType): RawValue {
  if (Array.isArray(value)) return value.map((v) => coerceInput(v, { dataType: type.dataType, valueRank: -1 }));
  const wide = type.dataType === BuiltinType.Int64 || type.dataType === BuiltinType.UInt64;
  const integer = type.dataType >= BuiltinType.SByte && type.dataType <= BuiltinType.UInt64;
  const float = type.dataType === BuiltinType.Float || type.dataType === BuiltinType.Double;
  if (typeof value === "string") {
    const t = value.trim();
    if (integer && /^[+-]?\d+$/.test(t)) return wide ? BigInt(t) : Number(t);
    if (float && t !== "" && Number.isFinite(Number(t))) return Number(t);
    if (type.dataType === BuiltinType.Boolean && /^(true|false)$/i.test(t)) return t.toLowerCase() === "true";
    return value;
  }
  if (typeof value === "number" && wide && Number.isInteger(value)) return BigInt(value);
  return value as RawValue;
}

async function inputTypes(lib: OpcuaLib, session: ClientSession, cache: Map<string, readonly NodeType[]>, call: MethodCall): Promise<readonly NodeType[]> {
  const known = cache.get(call.methodId);
  if (known !== undefined) return known;
  let definition;
  try {
    definition = await session.getArgumentDefinition(call.methodId);
  } catch (err) {
    throw new OpcuaError(ErrorKind.EntityDoesNotExist, OpcuaErrorCode.NodeNotFound, `resource ${call.resourceName}: cannot read the arguments of method ${call.methodId}: ${err instanceof Error ? err.message : String(err)}`, {
      details: { resourceName: call.resourceName, methodId: call.methodId },
    });
  }
  const types: NodeType[] = [];
  for (const arg of definition.inputArguments ?? []) types.push({ dataType: await builtinOf(lib, session, arg.dataType), valueRank: arg.valueRank ?? -1 });
  cache.set(call.methodId, types);
  return types;
}

function inputsOf(call: MethodCall, count: number): readonly unknown[] {
  if (call.written === undefined) return call.inputs ?? [];
  if (count === 0) return [];
  if (count === 1) return [call.written];
  return Array.isArray(call.written) ? call.written : [call.written];
}

/**
 * Calls the methods in one Call service request and returns each one's first output argument.
 * @throws OpcuaError OPCUA_TYPE_MISMATCH (inputs that do not fit, before calling), or the error of a Bad status
 */
export async function callMethods(lib: OpcuaLib, session: ClientSession, cache: Map<string, readonly NodeType[]>, calls: readonly MethodCall[]): Promise<(VariantLike | undefined)[]> {
  const requests: CallMethodRequestOptions[] = [];
  for (const call of calls) {
    const types = await inputTypes(lib, session, cache, call);
    const inputs = inputsOf(call, types.length);
    if (types.length !== inputs.length) {
      throw new OpcuaError(ErrorKind.ContractInvalid, OpcuaErrorCode.TypeMismatch, `resource ${call.resourceName}: method ${call.methodId} takes ${types.length} input arguments, ${inputs.length} given`, {
        details: { resourceName: call.resourceName, methodId: call.methodId, expected: types.length, given: inputs.length },
      });
    }
    requests.push({
      objectId: call.objectId,
      methodId: call.methodId,
      inputArguments: inputs.map((input, i) => toVariant(call.resourceName, coerceInput(input, types[i]!), types[i]!)),
    });
  }
  const results = await session.call(requests);
  return results.map((result, i) => {
    const call = calls[i]!;
    if (severityOf(result.statusCode.value) === "Bad") throw statusError("call", call.resourceName, call.methodId, result.statusCode);
    return result.outputArguments?.[0] as VariantLike | undefined;
  });
}
