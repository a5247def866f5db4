/**
 * The quality policy: what a node's OPC UA StatusCode becomes.
 * - Good: a plain reading.
 * - Uncertain: a reading all the same, tagged `opcuaQuality: "Uncertain"` and `opcuaStatus: "<name>"`.
 * - Bad: no reading. A read or write fails with an error that names the status (its kind follows the status: a
 *   missing node is NotFound, a refused access NotAllowed, a wrong type ContractInvalid, anything else ServerError);
 *   a subscription notification with a Bad status is dropped, counted and logged.
 */
import { ErrorKind, type Tags } from "@brink/contracts";
import { OpcuaError, OpcuaErrorCode } from "./errors.js";

/** A StatusCode as node-opcua gives it (its numeric value and its name). */
export interface StatusLike {
  readonly value: number;
  readonly name: string;
}

/** Severity of a StatusCode: its two top bits. */
export type Severity = "Good" | "Uncertain" | "Bad";

/** Tag carrying the quality of an Uncertain value. */
export const QUALITY_TAG = "opcuaQuality";
/** Tag carrying the StatusCode name of an Uncertain value. */
export const STATUS_TAG = "opcuaStatus";

/** The severity of a StatusCode value. */
export function severityOf(code: number): Severity {
  const top = (code >>> 30) & 0x3;
  return top === 0 ? "Good" : top === 1 ? "Uncertain" : "Bad";
}

/** Tags of a readable value: none when Good, the quality and the status name when Uncertain. */
export function qualityTags(status: StatusLike): Tags | undefined {
  return severityOf(status.value) === "Uncertain" ? { [QUALITY_TAG]: "Uncertain", [STATUS_TAG]: status.name } : undefined;
}

const NOT_FOUND = new Set(["BadNodeIdUnknown", "BadAttributeIdInvalid", "BadMethodInvalid", "BadObjectInvalid", "BadNodeClassInvalid"]);
const DENIED = new Set(["BadNotReadable", "BadNotWritable", "BadUserAccessDenied", "BadNotExecutable", "BadWriteNotSupported"]);
const MISMATCH = new Set(["BadTypeMismatch", "BadOutOfRange", "BadArgumentsMissing", "BadInvalidArgument", "BadTooManyArguments", "BadIndexRangeInvalid"]);

/** The error for a Bad status of `op` on a resource's node. */
export function statusError(op: "read" | "write" | "call", resource: string, nodeId: string, status: StatusLike): OpcuaError {
  const hex = `0x${(status.value >>> 0).toString(16).toUpperCase().padStart(8, "0")}`;
  const details = { resourceName: resource, nodeId, statusCode: status.name, statusValue: hex };
  const message = `${op} of ${resource} (${nodeId}): the server answered ${status.name} (${hex})`;
  if (NOT_FOUND.has(status.name)) return new OpcuaError(ErrorKind.EntityDoesNotExist, OpcuaErrorCode.NodeNotFound, message, { details });
  if (status.name === "BadNodeIdInvalid") return new OpcuaError(ErrorKind.ContractInvalid, OpcuaErrorCode.NodeIdInvalid, message, { details });
  if (DENIED.has(status.name)) return new OpcuaError(ErrorKind.NotAllowed, OpcuaErrorCode.AccessDenied, message, { details });
  if (MISMATCH.has(status.name)) return new OpcuaError(ErrorKind.ContractInvalid, OpcuaErrorCode.TypeMismatch, message, { details });
  return new OpcuaError(ErrorKind.Server, OpcuaErrorCode.BadStatus, message, { details });
}
