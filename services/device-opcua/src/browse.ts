/**
 * Browsing a server's address space and making an EdgeX device profile of what is found: every variable under the
 * start node (through hierarchical references, objects descended into, properties skipped) becomes a resource with
 * its `nodeId`, the EdgeX value type of its DataType and ValueRank, and `readWrite` from its user access level.
 */
import type { ClientSession, ReferenceDescription } from "node-opcua-client";
import { loadYaml, type DeviceProfile, type DeviceResource, type ReadWrite } from "@brink/contracts";
import type { OpcuaLib } from "./lib.js";
import { dataTypeName, valueTypeOf, type NodeType } from "./values.js";

/** Options of {@link browseVariables}. */
export interface BrowseOptions {
  /** Node to start from. @default "i=85" (the Objects folder) */
  readonly startNodeId?: string;
  /** Levels of objects to descend. @default 10 */
  readonly maxDepth?: number;
  /** Most variables to return. @default 2000 */
  readonly maxVariables?: number;
  /** Include namespace 0 (the standard Server object and its diagnostics). @default false */
  readonly includeStandardNodes?: boolean;
}

/** A variable found by browsing. */
export interface BrowsedVariable {
  readonly nodeId: string;
  /** Browse names from the start node down to the variable. */
  readonly path: readonly string[];
  readonly displayName: string;
  readonly description: string;
  readonly type: NodeType;
  /** UserAccessLevel bits (1 CurrentRead, 2 CurrentWrite). */
  readonly accessLevel: number;
}

/** Default start of a browse: the Objects folder. */
export const OBJECTS_FOLDER = "i=85";
const HAS_PROPERTY = "i=46";
const NODE_CLASS_OBJECT = 1;
const NODE_CLASS_VARIABLE = 2;
const BATCH = 200;
const Attr = { DataType: 14, ValueRank: 15, UserAccessLevel: 18, Description: 19 } as const;

interface Pending {
  readonly nodeId: string;
  readonly path: readonly string[];
  readonly depth: number;
}

async function browseAll(lib: OpcuaLib, session: ClientSession, nodes: readonly Pending[]): Promise<ReferenceDescription[][]> {
  const { BrowseDirection } = lib.client;
  const results = await session.browse(
    nodes.map((n) => ({
      nodeId: n.nodeId,
      browseDirection: BrowseDirection.Forward,
      referenceTypeId: "HierarchicalReferences",
      includeSubtypes: true,
      nodeClassMask: NODE_CLASS_OBJECT | NODE_CLASS_VARIABLE,
      resultMask: 63,
    })),
  );
  const out: ReferenceDescription[][] = [];
  for (const result of results) {
    const refs = [...(result.references ?? [])];
    let cp = result.continuationPoint;
    while (cp !== null && cp !== undefined && cp.length > 0) {
      const next = await session.browseNext(cp, false);
      refs.push(...(next.references ?? []));
      cp = next.continuationPoint;
    }
    out.push(refs);
  }
  return out;
}

/** Finds the variables under `startNodeId` and reads their types, access levels and descriptions. */
export async function browseVariables(lib: OpcuaLib, session: ClientSession, options: BrowseOptions = {}): Promise<BrowsedVariable[]> {
  const maxDepth = options.maxDepth ?? 10;
  const maxVariables = options.maxVariables ?? 2000;
  const found: { nodeId: string; path: string[]; displayName: string }[] = [];
  const seen = new Set<string>();
  let queue: Pending[] = [{ nodeId: options.startNodeId ?? OBJECTS_FOLDER, path: [], depth: 0 }];
  while (queue.length > 0 && found.length < maxVariables) {
    const batch = queue.slice(0, BATCH);
    queue = queue.slice(BATCH);
    const refsOf = await browseAll(lib, session, batch);
    batch.forEach((parent, i) => {
      for (const ref of refsOf[i]!) {
        const id = ref.nodeId.toString();
        if (seen.has(id) || ref.referenceTypeId.toString() === HAS_PROPERTY) continue;
        if (ref.nodeId.namespace === 0 && options.includeStandardNodes !== true) continue;
        seen.add(id);
        const path = [...parent.path, ref.browseName.name ?? id];
        if (ref.nodeClass === NODE_CLASS_VARIABLE && found.length < maxVariables) found.push({ nodeId: id, path, displayName: ref.displayName.text ?? path.at(-1)! });
        else if (ref.nodeClass === NODE_CLASS_OBJECT && parent.depth + 1 < maxDepth) queue.push({ nodeId: id, path, depth: parent.depth + 1 });
      }
    });
  }
  const out: BrowsedVariable[] = [];
  const basic = new Map<string, number>();
  for (let start = 0; start < found.length; start += BATCH) {
    const chunk = found.slice(start, start + BATCH);
    const reads = chunk.flatMap((v) => [Attr.DataType, Attr.ValueRank, Attr.UserAccessLevel, Attr.Description].map((attributeId) => ({ nodeId: v.nodeId, attributeId })));
    const values = await session.read(reads);
    for (let i = 0; i < chunk.length; i++) {
      const [dataType, valueRank, access, description] = values.slice(i * 4, i * 4 + 4).map((dv) => dv.value.value as unknown);
      const dataTypeId = dataType as { namespace: number; value: unknown; toString(): string } | null;
      if (dataTypeId === null || dataTypeId === undefined) continue;
      const key = dataTypeId.toString();
      let builtin = basic.get(key);
      if (builtin === undefined) {
        builtin = dataTypeId.namespace === 0 && typeof dataTypeId.value === "number" && dataTypeId.value <= 25 ? dataTypeId.value : await lib.client.findBasicDataType(session, dataTypeId as never);
        basic.set(key, builtin);
      }
      out.push({
        nodeId: chunk[i]!.nodeId,
        path: chunk[i]!.path,
        displayName: chunk[i]!.displayName,
        description: (description as { text?: string | null } | null)?.text ?? "",
        type: { dataType: builtin, valueRank: typeof valueRank === "number" ? valueRank : -1 },
        accessLevel: typeof access === "number" ? access : 0,
      });
    }
  }
  return out;
}

/** What {@link profileFromVariables} writes besides the resources. */
export interface ProfileInfo {
  readonly name: string;
  readonly manufacturer?: string;
  readonly model?: string;
  readonly description?: string;
  readonly labels?: readonly string[];
}

function resourceName(path: readonly string[], used: Set<string>): string {
  const base = path.map((p) => p.replace(/[^A-Za-z0-9_.~-]+/g, "_")).join("_").replace(/^_+|_+$/g, "") || "node";
  let name = base;
  for (let n = 2; used.has(name); n++) name = `${base}_${n}`;
  used.add(name);
  return name;
}

/**
 * An EdgeX device profile with one resource per variable that EdgeX can represent and that is readable or
 * writable; Binary resources are read-only (EdgeX does not write Binary). No deviceCommands: every resource is
 * its own command.
 */
export function profileFromVariables(variables: readonly BrowsedVariable[], info: ProfileInfo): DeviceProfile {
  const used = new Set<string>();
  const deviceResources: DeviceResource[] = [];
  for (const v of variables) {
    const valueType = valueTypeOf(v.type);
    const read = (v.accessLevel & 1) !== 0;
    const write = (v.accessLevel & 2) !== 0 && valueType !== "Binary";
    if (valueType === undefined || (!read && !write)) continue;
    const readWrite: ReadWrite = read && write ? "RW" : read ? "R" : "W";
    const typeText = `${v.type.valueRank === -1 ? "" : "array of "}${dataTypeName(v.type.dataType)}`;
    deviceResources.push({
      name: resourceName(v.path, used),
      description: v.description !== "" ? v.description : `${v.displayName} (${typeText})`,
      properties: { valueType, readWrite },
      attributes: { nodeId: v.nodeId },
    });
  }
  return {
    name: info.name,
    manufacturer: info.manufacturer ?? "",
    model: info.model ?? "",
    description: info.description ?? "",
    labels: [...(info.labels ?? ["OPCUA"])],
    deviceResources,
    deviceCommands: [],
  };
}

/** A device profile as EdgeX YAML. */
export function profileToYaml(profile: DeviceProfile): string {
  return loadYaml().stringify(profile, { lineWidth: 0 });
}
