/**
 * Layers of config values (YAML file, environment, overrides) merged into one document, remembering where each
 * value came from so validation problems can name the file line or the variable.
 */
import type { Node } from "yaml";
import { loadYaml, type Problem } from "@brink/contracts";

/** Where a value came from: `file /etc/brink/core-data.yaml`, `env BRINK_SERVICE_PORT`, `overrides`. */
export interface ValueSource {
  readonly source: string;
  /** 1-based line in the file, for file values. */
  readonly line?: number;
}

/** Plain-object test: not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

const SEP = "\n";

/** A config document being assembled, with the source of every value set. */
export class ConfigLayers {
  readonly data: Record<string, unknown> = {};
  private readonly sources = new Map<string, ValueSource>();

  /** Sets one value at a key path, replacing what earlier layers set there. */
  set(path: readonly string[], value: unknown, source: ValueSource): void {
    let node = this.data;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      if (!isRecord(next)) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[path[path.length - 1] as string] = value;
    this.forget(path);
    this.sources.set(path.join(SEP), source);
  }

  /** Deep-merges an object layer: objects merge key by key, anything else replaces. */
  merge(layer: Record<string, unknown>, sourceOf: (path: readonly string[]) => ValueSource, prefix: readonly string[] = []): void {
    for (const [key, value] of Object.entries(layer)) {
      const path = [...prefix, key];
      if (isRecord(value)) {
        const existing = this.get(path);
        if (!isRecord(existing)) this.set(path, {}, sourceOf(path));
        this.merge(value, sourceOf, path);
      } else {
        this.set(path, structuredClone(value), sourceOf(path));
      }
    }
  }

  /** The source of the value at a path, or of its nearest ancestor that has one. */
  sourceOf(path: readonly string[]): ValueSource | undefined {
    for (let n = path.length; n > 0; n--) {
      const found = this.sources.get(path.slice(0, n).join(SEP));
      if (found) return found;
    }
    return undefined;
  }

  private get(path: readonly string[]): unknown {
    let node: unknown = this.data;
    for (const key of path) node = isRecord(node) ? node[key] : undefined;
    return node;
  }

  private forget(path: readonly string[]): void {
    const prefix = path.join(SEP) + SEP;
    for (const key of [...this.sources.keys()]) if (key.startsWith(prefix)) this.sources.delete(key);
  }
}

/** A parsed YAML config file: its document, and the line of every value in it. */
export interface YamlLayer {
  readonly value: Record<string, unknown>;
  lineOf(path: readonly string[]): number | undefined;
}

/** Parses config YAML; returns problems (with lines) instead of throwing. */
export function parseYamlLayer(text: string): { layer?: YamlLayer; problems: Problem[] } {
  const { LineCounter, isMap, isScalar, isSeq, parseDocument } = loadYaml();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => {
      const line = lineCounter.linePos(e.pos[0]).line;
      return { path: "", message: e.message.split("\n")[0] ?? e.code, line };
    });
    return { problems };
  }
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  if (value === null || value === undefined) return { layer: { value: {}, lineOf: () => undefined }, problems: [] };
  if (!isRecord(value)) return { problems: [{ path: "", message: "the file must hold a mapping of sections", line: 1 }] };
  const lines = new Map<string, number>();
  const visit = (node: Node | null | undefined, path: string[]): void => {
    if (!node) return;
    if (node.range) lines.set(path.join(SEP), lineCounter.linePos(node.range[0]).line);
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        visit(pair.value as Node | null, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => visit(item as Node | null, [...path, String(i)]));
    }
  };
  visit(doc.contents as Node | null, []);
  return { layer: { value, lineOf: (path) => lines.get(path.join(SEP)) }, problems: [] };
}
