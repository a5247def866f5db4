/**
 * Resolution of a command's `sourceName` (a deviceCommand or a deviceResource of the device's profile) into the
 * resources it reads or writes. Profiles are indexed once per profile object (a WeakMap keyed by identity), so a
 * poll of 1,000 devices costs map look-ups, not scans.
 */
import { anchoredRegExp, normalizeValueType, type DeviceCommand, type DeviceProfile, type DeviceResource, type ReadWrite, type ResourceOperation, type Tags, type ValueType } from "@brink/contracts";
import type { CommandRequest } from "../../driver.js";
import { plainReadOf, type PlainRead } from "./readings.js";

/** One resource of a resolved source, with the resource operation that named it (for commands). */
export interface SourceOperation {
  readonly resource: DeviceResource;
  readonly valueType: ValueType;
  /** The resource operation of the command; for a bare resource, the first operation of any command naming it. */
  readonly operation: ResourceOperation | undefined;
  /** Set when a read of the resource is a plain scalar reading (see {@link plainReadOf}): the poll's fast path. */
  readonly plain: PlainRead | undefined;
}

function operationOf(resource: DeviceResource, operation: ResourceOperation | undefined): SourceOperation {
  const valueType = valueTypeOf(resource);
  return { resource, valueType, operation, plain: plainReadOf(resource, valueType, operation) };
}

/** A resolved source. */
export interface ResolvedSource {
  readonly kind: "command" | "resource";
  readonly name: string;
  readonly readWrite: ReadWrite;
  readonly isHidden: boolean;
  readonly tags: Tags | undefined;
  readonly operations: readonly SourceOperation[];
  /** The driver requests of the operations, in order, built once (drivers must not mutate them). */
  readonly requests: readonly CommandRequest[];
  /** The operations by resource name. */
  readonly byName: ReadonlyMap<string, SourceOperation>;
}

/** A resolved source with its derived lookups, made once per profile and source name. */
function sourceOf(kind: ResolvedSource["kind"], name: string, readWrite: ReadWrite, isHidden: boolean, tags: Tags | undefined, operations: SourceOperation[]): ResolvedSource {
  const requests = Object.freeze(
    operations.map((op): CommandRequest => ({ resourceName: op.resource.name, attributes: op.resource.attributes ?? {}, valueType: op.valueType, resource: op.resource })),
  );
  const byName = new Map(operations.map((op) => [op.resource.name, op]));
  return { kind, name, readWrite, isHidden, tags, operations, requests, byName };
}

interface ProfileIndex {
  readonly resources: Map<string, DeviceResource>;
  readonly commands: Map<string, DeviceCommand>;
  /** First resource operation naming each resource (EdgeX applies its mappings to bare resource reads too). */
  readonly firstOperation: Map<string, ResourceOperation>;
  readonly resolved: Map<string, ResolvedSource | null>;
  /** Sources made of the readable resources a pattern matches (ds-regexcmd), most recent last, at most 64. */
  readonly patterns: Map<string, ResolvedSource | null>;
}

/** Patterns remembered per profile (a client may send any number of different ones). */
const PATTERN_CACHE = 64;

const indexes = new WeakMap<DeviceProfile, ProfileIndex>();

function indexOf(profile: DeviceProfile): ProfileIndex {
  let idx = indexes.get(profile);
  if (idx !== undefined) return idx;
  const resources = new Map<string, DeviceResource>();
  for (const r of profile.deviceResources ?? []) resources.set(r.name, r);
  const commands = new Map<string, DeviceCommand>();
  const firstOperation = new Map<string, ResourceOperation>();
  for (const c of profile.deviceCommands ?? []) {
    commands.set(c.name, c);
    for (const ro of c.resourceOperations ?? []) if (!firstOperation.has(ro.deviceResource)) firstOperation.set(ro.deviceResource, ro);
  }
  idx = { resources, commands, firstOperation, resolved: new Map(), patterns: new Map() };
  indexes.set(profile, idx);
  return idx;
}

/** The value type of a resource, canonical spelling (profiles may use any case). */
export function valueTypeOf(resource: DeviceResource): ValueType {
  return normalizeValueType(String(resource.properties.valueType)) ?? resource.properties.valueType;
}

/** The resource of that name in the profile, if any. */
export function findResource(profile: DeviceProfile, name: string): DeviceResource | undefined {
  return indexOf(profile).resources.get(name);
}

/**
 * Resolves `sourceName` against the profile: a deviceCommand first (EdgeX's order), then a deviceResource.
 * Returns undefined when neither exists, or when a command names a resource the profile lacks.
 */
export function resolveSource(profile: DeviceProfile, sourceName: string): ResolvedSource | undefined {
  const idx = indexOf(profile);
  const cached = idx.resolved.get(sourceName);
  if (cached !== undefined) return cached ?? undefined;
  const resolved = build(idx, sourceName);
  idx.resolved.set(sourceName, resolved ?? null);
  return resolved;
}

function build(idx: ProfileIndex, sourceName: string): ResolvedSource | undefined {
  const command = idx.commands.get(sourceName);
  if (command !== undefined) {
    const operations: SourceOperation[] = [];
    for (const ro of command.resourceOperations ?? []) {
      const resource = idx.resources.get(ro.deviceResource);
      if (resource === undefined) return undefined;
      operations.push(operationOf(resource, ro));
    }
    return sourceOf("command", command.name, command.readWrite, command.isHidden === true, command.tags, operations);
  }
  const resource = idx.resources.get(sourceName);
  if (resource === undefined) return undefined;
  const operations = [operationOf(resource, idx.firstOperation.get(resource.name))];
  return sourceOf("resource", resource.name, resource.properties.readWrite, resource.isHidden === true, undefined, operations);
}

/**
 * EdgeX's `ds-regexcmd`: the readable resources whose whole name matches `pattern` as a regular expression, as one
 * read-only source named after the pattern (in profile order). Undefined when the pattern does not compile or
 * matches nothing. Hidden resources take part, as in EdgeX.
 */
export function resolvePattern(profile: DeviceProfile, pattern: string): ResolvedSource | undefined {
  const idx = indexOf(profile);
  const cached = idx.patterns.get(pattern);
  if (cached !== undefined) return cached ?? undefined;
  const re = anchoredRegExp(pattern);
  const operations: SourceOperation[] = [];
  if (re !== undefined) {
    for (const resource of idx.resources.values()) {
      if (isReadable(resource.properties.readWrite) && re.test(resource.name)) {
        operations.push(operationOf(resource, idx.firstOperation.get(resource.name)));
      }
    }
  }
  const resolved = operations.length === 0 ? undefined : sourceOf("resource", pattern, "R", false, undefined, operations);
  if (idx.patterns.size >= PATTERN_CACHE) idx.patterns.delete(idx.patterns.keys().next().value!);
  idx.patterns.set(pattern, resolved ?? null);
  return resolved;
}

/** True when the source may be read (R, RW or WR). */
export function isReadable(rw: ReadWrite): boolean {
  return rw === "R" || rw === "RW" || rw === "WR";
}

/** True when the source may be written (W, RW or WR). */
export function isWritable(rw: ReadWrite): boolean {
  return rw === "W" || rw === "RW" || rw === "WR";
}
