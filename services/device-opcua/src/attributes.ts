/**
 * A resource's `attributes`, as EdgeX's device-opc-ua reads them:
 * - a variable: `nodeId: "ns=3;i=1001"` (also `ns=2;s=Name`, `ns=2;g=<GUID>`, `ns=2;b=<base64>`, and `i=2258` for
 *   namespace 0); EdgeX v2's `namespace` + `symbol` pair is read as `ns=<namespace>;s=<symbol>`;
 * - a method: `objectId` and `methodId` (node ids), with `inputMap`, the list of input arguments of a read;
 * - optionally the monitoring of a subscribed variable: `samplingInterval` (ms), `queueSize`, `deadbandType`
 *   (None, Absolute, Percent) and `deadbandValue`, which override the device's defaults.
 */
import { ErrorKind } from "@brink/contracts";
import type { CommandRequest } from "@brink/device-sdk";
import { OpcuaError, OpcuaErrorCode } from "./errors.js";
import { deadbandSetting, numberSetting, type MonitoringSettings } from "./protocol.js";

/** Where a resource lives on the server. */
export type ResourceAddress =
  | { readonly kind: "variable"; readonly nodeId: string }
  | { readonly kind: "method"; readonly objectId: string; readonly methodId: string; readonly inputs: readonly unknown[] };

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Why `text` is not an OPC UA node id in string form (undefined when it is). */
export function nodeIdProblem(text: string): string | undefined {
  const m = /^(?:ns=(\d+);)?([isgb])=(.*)$/s.exec(text);
  if (m === null) return "expected ns=<index>;<i|s|g|b>=<identifier>, such as ns=3;i=1001 or ns=2;s=Tank.Level";
  const ns = m[1] === undefined ? 0 : Number(m[1]);
  if (ns > 65535) return `namespace index ${ns} is above 65535`;
  const id = m[3]!;
  switch (m[2]) {
    case "i":
      return /^\d+$/.test(id) && Number(id) <= 4294967295 ? undefined : `numeric identifier ${JSON.stringify(id)} is not a UInt32`;
    case "s":
      return id === "" ? "string identifier is empty" : undefined;
    case "g":
      return GUID.test(id) ? undefined : `GUID identifier ${JSON.stringify(id)} is not of the form 72962B91-FA75-4AE6-8D28-B404DC7DAF63`;
    default:
      return id !== "" && BASE64.test(id) ? undefined : `opaque identifier ${JSON.stringify(id)} is not base64`;
  }
}

function attributeInvalid(resource: string, message: string): OpcuaError {
  return new OpcuaError(ErrorKind.ContractInvalid, OpcuaErrorCode.AttributeInvalid, `resource ${resource}: ${message}`, { details: { resourceName: resource } });
}

/**
 * Checks a node id attribute and returns it trimmed.
 * @throws OpcuaError kind ContractInvalid, code OPCUA_NODEID_INVALID
 */
export function checkNodeId(resource: string, attribute: string, value: unknown): string {
  const text = typeof value === "string" ? value.trim() : typeof value === "number" ? `i=${value}` : "";
  const problem = text === "" ? "is missing or not a string" : nodeIdProblem(text);
  if (problem !== undefined) {
    throw new OpcuaError(ErrorKind.ContractInvalid, OpcuaErrorCode.NodeIdInvalid, `resource ${resource}: attribute ${attribute} ${JSON.stringify(value)}: ${problem}`, {
      details: { resourceName: resource, attribute, nodeId: typeof value === "string" ? value : String(value) },
    });
  }
  return text;
}

/** Addresses by attributes object: profiles hand the same object to every request of a resource. */
const addresses = new WeakMap<object, ResourceAddress>();

/**
 * Where a resource lives, from its attributes.
 * @throws OpcuaError kind ContractInvalid: OPCUA_ATTRIBUTE_INVALID (no node named) or OPCUA_NODEID_INVALID
 */
export function addressOf(request: Pick<CommandRequest, "resourceName" | "attributes">): ResourceAddress {
  const known = addresses.get(request.attributes);
  if (known !== undefined) return known;
  const address = parseAddress(request);
  addresses.set(request.attributes, address);
  return address;
}

function parseAddress(request: Pick<CommandRequest, "resourceName" | "attributes">): ResourceAddress {
  const a = request.attributes;
  const name = request.resourceName;
  if (a.methodId !== undefined || a.objectId !== undefined) {
    if (a.methodId === undefined || a.objectId === undefined) throw attributeInvalid(name, "a method needs both objectId and methodId");
    const inputs = a.inputMap === undefined || a.inputMap === null ? [] : a.inputMap;
    if (!Array.isArray(inputs)) throw attributeInvalid(name, "inputMap must be a list of input arguments");
    return { kind: "method", objectId: checkNodeId(name, "objectId", a.objectId), methodId: checkNodeId(name, "methodId", a.methodId), inputs };
  }
  if (a.nodeId !== undefined) return { kind: "variable", nodeId: checkNodeId(name, "nodeId", a.nodeId) };
  if (a.symbol !== undefined) {
    const ns = a.namespace === undefined || a.namespace === "" ? 0 : Number(a.namespace);
    if (!Number.isInteger(ns) || ns < 0) throw attributeInvalid(name, `namespace ${JSON.stringify(a.namespace)} is not a namespace index`);
    return { kind: "variable", nodeId: checkNodeId(name, "symbol", `ns=${ns};s=${String(a.symbol)}`) };
  }
  throw attributeInvalid(name, "attributes name no node: give nodeId (or objectId and methodId for a method)");
}

/**
 * A subscribed resource's monitoring parameters: its attributes over the device's defaults.
 * @throws OpcuaError kind ContractInvalid, code OPCUA_ATTRIBUTE_INVALID
 */
export function monitoringOf(request: Pick<CommandRequest, "resourceName" | "attributes">, defaults: MonitoringSettings): MonitoringSettings {
  const a = request.attributes;
  const fail = (message: string): OpcuaError => attributeInvalid(request.resourceName, message);
  return {
    samplingIntervalMs: numberSetting(a.samplingInterval, "samplingInterval", fail) ?? defaults.samplingIntervalMs,
    queueSize: numberSetting(a.queueSize, "queueSize", fail, true) ?? defaults.queueSize,
    deadbandType: deadbandSetting(a.deadbandType, fail) ?? defaults.deadbandType,
    deadbandValue: numberSetting(a.deadbandValue, "deadbandValue", fail) ?? defaults.deadbandValue,
  };
}
