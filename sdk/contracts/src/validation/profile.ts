/**
 * Device profiles: EdgeX v3 YAML or JSON in, a normalised {@link DeviceProfile} out, or one ValidationError listing
 * every problem with its path (and line, for text).
 */
import type { SchemaObject } from "ajv";
import type { DeviceCommand, DeviceProfile, DeviceResource, ReadWrite, ResourceOperation } from "../dtos.js";
import { ErrorCode } from "../errors.js";
import {
  BOOL_SCHEMA, Checker, NAME_SCHEMA, OBJECT_SCHEMA, SourceText, TEXT_LIST_SCHEMA, TEXT_MAP_SCHEMA, TEXT_SCHEMA, UUID_SCHEMA,
  isRecord, lazySchema, setOrDelete, withoutNulls, type Path,
} from "./common.js";
import { READ_WRITE_VALUES, RESOURCE_SCHEMA, canRead, canWrite, normaliseResource } from "./resource.js";

const SUBJECT = "invalid device profile";

const COMMAND_SCHEMA: SchemaObject = {
  type: "object",
  required: ["name", "resourceOperations"],
  properties: {
    name: NAME_SCHEMA,
    isHidden: BOOL_SCHEMA,
    readWrite: { type: ["string", "null"] },
    tags: OBJECT_SCHEMA,
    resourceOperations: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        required: ["deviceResource"],
        properties: { deviceResource: { type: "string" }, defaultValue: TEXT_SCHEMA, mappings: TEXT_MAP_SCHEMA },
      },
    },
  },
};

const profileSchema = lazySchema({
  type: "object",
  required: ["name"],
  properties: {
    id: UUID_SCHEMA,
    name: NAME_SCHEMA,
    manufacturer: TEXT_SCHEMA,
    model: TEXT_SCHEMA,
    description: TEXT_SCHEMA,
    labels: TEXT_LIST_SCHEMA,
    deviceResources: { type: ["array", "null"], items: RESOURCE_SCHEMA },
    deviceCommands: { type: ["array", "null"], items: COMMAND_SCHEMA },
  },
});

/**
 * Parses a device profile from EdgeX v3 YAML (or JSON) text and validates it.
 * @returns the profile, normalised: canonical value types and readWrite, numeric properties as numbers, isHidden and
 *   command readWrite defaulted, texts written as numbers in YAML kept as written (`defaultValue: 0.0` is `"0.0"`).
 * @throws ValidationError YAML_MALFORMED when the text does not parse, PROFILE_INVALID listing every problem with its
 *   path and line otherwise.
 */
export function parseProfile(text: string): DeviceProfile {
  const source = SourceText.parse(text, "malformed device profile");
  return checkProfile(source.data, new Checker(source));
}

/**
 * Validates an already-parsed device profile (a REST JSON body) and returns it normalised as {@link parseProfile} does.
 * @throws ValidationError PROFILE_INVALID listing every problem with its path.
 */
export function validateProfile(value: unknown): DeviceProfile {
  return checkProfile(value, new Checker());
}

function checkProfile(value: unknown, ck: Checker): DeviceProfile {
  ck.schema(profileSchema(), value, []);
  const profile = normaliseProfile(value, ck);
  ck.throwIfAny(ErrorCode.ProfileInvalid, SUBJECT);
  return profile as DeviceProfile;
}

function normaliseProfile(v: unknown, ck: Checker): DeviceProfile | undefined {
  if (!isRecord(v)) return undefined;
  const out = withoutNulls(v);
  ck.name(v.name, ["name"]);
  for (const key of ["manufacturer", "model", "description"]) setOrDelete(out, key, ck.text(v[key], [key]));
  setOrDelete(out, "labels", ck.textList(v.labels, ["labels"]));
  setOrDelete(out, "created", ck.int64(v.created, ["created"]));
  setOrDelete(out, "modified", ck.int64(v.modified, ["modified"]));

  const resources = Array.isArray(v.deviceResources) ? v.deviceResources.map((r, i) => normaliseResource(r, ["deviceResources", i], ck)) : [];
  out.deviceResources = resources;
  const byName = indexByName(resources, "deviceResources", ck);
  // When deviceResources is malformed (already reported), references to resources cannot be checked.
  const known = Array.isArray(v.deviceResources) || v.deviceResources === undefined || v.deviceResources === null;

  const commands = Array.isArray(v.deviceCommands) ? v.deviceCommands.map((c, i) => normaliseCommand(c, ["deviceCommands", i], known ? byName : undefined, ck)) : [];
  out.deviceCommands = commands;
  indexByName(commands, "deviceCommands", ck);
  commands.forEach((c, i) => {
    const clash = c === undefined ? undefined : byName.get(c.name);
    if (clash === undefined || isAlias(c!, clash.resource)) return;
    ck.add(["deviceCommands", i, "name"], `"${c!.name}" is also the name of deviceResources[${clash.index}]; a command may share a resource's name only when it operates on that resource alone`);
  });
  return out as unknown as DeviceProfile;
}

interface Indexed {
  index: number;
  resource: DeviceResource;
}

/** Maps names to their first index, recording a problem for each duplicate. */
function indexByName<T extends { name: string }>(items: readonly (T | undefined)[], list: string, ck: Checker): Map<string, { index: number; resource: T }> {
  const seen = new Map<string, { index: number; resource: T }>();
  items.forEach((item, index) => {
    if (item === undefined || typeof item.name !== "string") return;
    const first = seen.get(item.name);
    if (first === undefined) seen.set(item.name, { index, resource: item });
    else ck.add([list, index, "name"], `duplicate name "${item.name}": ${list}[${first.index}] has it already`);
  });
  return seen;
}

// EdgeX's own samples define a command named like the one resource it wraps (Simple-Driver's `Image`): that is an
// alias, not a clash.
function isAlias(command: DeviceCommand, resource: DeviceResource): boolean {
  return command.resourceOperations.length === 1 && command.resourceOperations[0]?.deviceResource === resource.name;
}

/** Normalises one command; `resources` is undefined when the profile's resources could not be read. */
function normaliseCommand(v: unknown, path: Path, resources: ReadonlyMap<string, Indexed> | undefined, ck: Checker): DeviceCommand | undefined {
  if (!isRecord(v)) return undefined;
  const out = withoutNulls(v);
  ck.name(v.name, [...path, "name"]);
  out.isHidden = v.isHidden === true;
  const ops: ResourceOperation[] = [];
  const used: { resource: DeviceResource; index: number }[] = [];
  if (Array.isArray(v.resourceOperations)) {
    v.resourceOperations.forEach((op, k) => {
      const opPath = [...path, "resourceOperations", k];
      if (!isRecord(op)) return;
      const o = withoutNulls(op);
      setOrDelete(o, "defaultValue", ck.text(op.defaultValue, [...opPath, "defaultValue"]));
      setOrDelete(o, "mappings", ck.textMap(op.mappings, [...opPath, "mappings"]));
      ops.push(o as unknown as ResourceOperation);
      if (typeof op.deviceResource !== "string" || resources === undefined) return;
      const target = resources.get(op.deviceResource);
      if (target === undefined) ck.add([...opPath, "deviceResource"], `names no deviceResource of this profile: "${op.deviceResource}"`);
      else used.push(target);
    });
  }
  out.resourceOperations = ops;
  const given = ck.oneOf(v.readWrite, READ_WRITE_VALUES, [...path, "readWrite"]);
  out.readWrite = given === undefined ? defaultReadWrite(used, path, ck) : checkReadWrite(given, used, path, ck);
  return out as unknown as DeviceCommand;
}

function readWriteOf(r: DeviceResource): ReadWrite | undefined {
  return r.properties?.readWrite;
}

/** A command without readWrite may do what all of its resources allow. */
function defaultReadWrite(used: readonly Indexed[], path: Path, ck: Checker): ReadWrite {
  const modes = used.map((u) => readWriteOf(u.resource)).filter((m): m is ReadWrite => m !== undefined);
  const r = modes.every(canRead);
  const w = modes.every(canWrite);
  if (r && w) return "RW";
  if (r) return "R";
  if (w) return "W";
  ck.add([...path, "readWrite"], "is required: its resources can neither all be read nor all be written");
  return "R";
}

/** A command may only read (write) resources that can be read (written), as EdgeX checks. */
function checkReadWrite(rw: ReadWrite, used: readonly Indexed[], path: Path, ck: Checker): ReadWrite {
  for (const { resource, index } of used) {
    const mode = readWriteOf(resource);
    if (mode === undefined) continue;
    if ((canRead(rw) && !canRead(mode)) || (canWrite(rw) && !canWrite(mode))) {
      ck.add([...path, "readWrite"], `is "${rw}" but resource "${resource.name}" (deviceResources[${index}]) is "${mode}"`);
    }
  }
  return rw;
}
