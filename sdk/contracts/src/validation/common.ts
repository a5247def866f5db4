/**
 * Shared machinery of the DTO validators: YAML/JSON text with line numbers, the problem collector, Ajv schema checks
 * turned into problems, and the coercions EdgeX YAML needs (numbers given as strings and the reverse).
 */
import { Ajv, type ErrorObject, type SchemaObject, type ValidateFunction } from "ajv";
import type { Document, LineCounter } from "yaml";
import { loadYaml } from "../lazy-module.js";
import { ErrorCode, ValidationError, type Problem } from "../errors.js";
import { INT64_FIELDS, toNanos } from "../int64-json.js";

/** One step of a path: a property name or an array index. */
export type PathSegment = string | number;
/** A path into a document. */
export type Path = readonly PathSegment[];

/** Splits `pipelines[1].functions[2].params` into its segments (indices as numbers). */
export function parsePath(path: string): PathSegment[] {
  const out: PathSegment[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  return out;
}

/** Formats a path as `deviceResources[3].properties.valueType`. */
export function formatPath(path: Path): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out === "" ? seg : `.${seg}`;
  }
  return out;
}

/** True for a plain (non-array, non-null) object. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

// YAML integers are parsed as bigint so int64 timestamps keep every digit; all others become numbers again.
function int64Reviver(key: unknown, value: unknown): unknown {
  if (typeof value !== "bigint") return value;
  return typeof key === "string" && INT64_FIELDS.has(key) ? value : Number(value);
}

const MAX_ALIAS_COUNT = 100;

/** Options of {@link SourceText.parse}. */
export interface SourceTextOptions {
  /**
   * Integers of the EdgeX int64 fields (`origin`, `created`, ...) as bigint, every other integer a number; when false,
   * every integer is a number. @default true
   */
  readonly int64?: boolean;
}

/**
 * YAML or JSON text, parsed, that can tell the line of any value and the source text of a scalar. Every Brink
 * document a user writes goes through it (profiles, device lists, provision watchers, pipelines, rules), so each
 * problem can name its line.
 */
export class SourceText {
  constructor(
    /** The document as plain JS values (int64 fields as bigint). */
    readonly data: unknown,
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  /**
   * Parses YAML (JSON is YAML too).
   * @throws ValidationError with code YAML_MALFORMED, each parse error with its line.
   */
  static parse(text: string, subject: string, options: SourceTextOptions = {}): SourceText {
    const int64 = options.int64 !== false;
    const { LineCounter, parseDocument } = loadYaml();
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, intAsBigInt: int64, prettyErrors: true, uniqueKeys: true });
    if (doc.errors.length > 0) {
      const problems = doc.errors.map((e) => withLine({ path: "", message: firstLine(e.message) }, e.linePos?.[0].line));
      throw new ValidationError(ErrorCode.YamlMalformed, subject, problems);
    }
    let data: unknown;
    try {
      data = int64 ? doc.toJS({ reviver: int64Reviver, maxAliasCount: MAX_ALIAS_COUNT }) : doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      throw new ValidationError(ErrorCode.YamlMalformed, subject, [{ path: "", message: err instanceof Error ? err.message : String(err) }]);
    }
    return new SourceText(data, doc, lines);
  }

  /** 1-based line of the value at `path` (segments, or text such as `rules[2].when`), or of its nearest ancestor present in the text. */
  lineOf(at: Path | string): number | undefined {
    const path = typeof at === "string" ? parsePath(at) : at;
    const { isNode } = loadYaml();
    let line: number | undefined;
    let node: unknown = this.doc.contents;
    for (let i = 0; ; i++) {
      const range = isNode(node) ? node.range : undefined;
      if (range) line = this.lines.linePos(range[0]).line;
      if (i === path.length || node === undefined) return line;
      node = this.child(node, path[i]!);
    }
  }

  /** The text a scalar was written as (`0.0` stays `0.0`), or undefined when `path` is not a scalar. */
  scalarSource(path: Path): string | undefined {
    let node: unknown = this.doc.contents;
    for (const seg of path) node = this.child(node, seg);
    return loadYaml().isScalar(node) && typeof node.source === "string" ? node.source : undefined;
  }

  // Map keys are matched by their string form: the path says "1" where the YAML key `1:` is the integer 1.
  private child(node: unknown, seg: PathSegment): unknown {
    const { isAlias, isMap, isScalar, isSeq } = loadYaml();
    const target = isAlias(node) ? node.resolve(this.doc) : node;
    if (isSeq(target)) return typeof seg === "number" || /^\d+$/.test(seg) ? target.items[Number(seg)] : undefined;
    if (!isMap(target)) return undefined;
    const key = String(seg);
    for (const pair of target.items) {
      const k: unknown = isScalar(pair.key) ? pair.key.value : pair.key;
      if (String(k) === key) return pair.value;
    }
    return undefined;
  }
}

// The parser's message repeats the position and a source excerpt; the line travels separately.
function firstLine(message: string): string {
  return (message.split("\n")[0] ?? message).replace(/ at line \d+, column \d+:?$/, "");
}

function withLine(problem: { path: string; message: string }, line: number | undefined): Problem {
  return line === undefined ? problem : { ...problem, line };
}

const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const HEX = /^0[xX][0-9a-fA-F]+$/;
const FORBIDDEN_IN_NAME = /[/#+$]/;

/** The JSON schema type names of an optional scalar that EdgeX YAML may write unquoted. */
export const TEXT_TYPES = ["string", "number", "boolean", "null"];

/**
 * Collects every problem of one input, with paths and (for text) lines, and offers the checks and coercions the
 * DTO validators share. Nothing is thrown until {@link Checker.throwIfAny}.
 */
export class Checker {
  readonly problems: Problem[] = [];

  constructor(readonly source?: SourceText) {}

  /** Records a problem at `path`. */
  add(path: Path, message: string): void {
    this.problems.push(withLine({ path: formatPath(path), message }, this.source?.lineOf(path)));
  }

  /** Throws one ValidationError listing every problem recorded, if any. */
  throwIfAny(code: string, subject: string): void {
    if (this.problems.length === 0) return;
    // For text, report in reading order (the sort is stable, so problems of one line keep their order).
    const problems = this.source === undefined ? this.problems : [...this.problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    throw new ValidationError(code, subject, problems);
  }

  /** Runs a compiled schema on `value` (found at `base`) and records each error it reports. */
  schema(validate: ValidateFunction, value: unknown, base: Path): void {
    if (validate(value)) return;
    for (const err of validate.errors ?? []) this.add([...base, ...pointerToPath(value, err.instancePath), ...extraSegment(err)], schemaMessage(err));
  }

  /** A text field: strings as they are, numbers and booleans as written in the source; null and absent as undefined. */
  text(value: unknown, path: Path): string | undefined {
    if (typeof value === "string") return value;
    if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return this.source?.scalarSource(path) ?? String(value);
    return undefined;
  }

  /** A numeric field given as a number or a numeric string; records a problem for any other string. */
  number(value: unknown, path: Path): number | undefined {
    if (typeof value === "number") {
      if (Number.isFinite(value)) return value;
      this.add(path, "must be a finite number");
      return undefined;
    }
    if (typeof value === "bigint") return Number(value);
    if (typeof value === "string") {
      const t = value.trim();
      if (NUMERIC.test(t) || HEX.test(t)) return Number(t);
      this.add(path, `must be a number, got "${value}"`);
    }
    return undefined;
  }

  /** An int64 nanosecond timestamp (bigint, integer number or decimal string); records a problem otherwise. */
  int64(value: unknown, path: Path): bigint | undefined {
    if (value === undefined || value === null) return undefined;
    const n = toNanos(value);
    if (n === undefined) this.add(path, "must be an integer (Unix nanoseconds)");
    return n;
  }

  /** Checks a name used in REST paths and bus subjects: not empty, without `/ # + $`. */
  name(value: unknown, path: Path): string | undefined {
    if (typeof value !== "string") return undefined;
    if (value.trim() === "") this.add(path, "must not be empty");
    else if (FORBIDDEN_IN_NAME.test(value)) this.add(path, `must not contain "/", "#", "+" or "$": "${value}"`);
    return value;
  }

  /**
   * Matches a string case-insensitively against canonical spellings; records a problem when none matches. Any other
   * type gives `fallback` (absence and wrong types are the schema's to report).
   */
  oneOf<T extends string>(value: unknown, allowed: readonly T[], path: Path, fallback?: T): T | undefined {
    if (typeof value !== "string") return fallback;
    const upper = value.toUpperCase();
    const hit = allowed.find((a) => a.toUpperCase() === upper);
    if (hit === undefined) this.add(path, `must be one of ${allowed.join(", ")}, got "${value}"`);
    return hit;
  }

  /** An array of text values (labels), or undefined when absent. */
  textList(value: unknown, path: Path): string[] | undefined {
    if (!Array.isArray(value)) return undefined;
    return value.map((v, i) => this.text(v, [...path, i]) ?? "");
  }

  /** A map of text values (`mappings`, `identifiers`), or undefined when absent. */
  textMap(value: unknown, path: Path): Record<string, string> | undefined {
    if (!isRecord(value)) return undefined;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(value)) out[k] = this.text(v, [...path, k]) ?? "";
    return out;
  }
}

/** Copies `value` without the keys whose value is null (YAML `key:` with nothing after it means "not given"). */
export function withoutNulls(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = v;
  return out;
}

/** Sets `out[key]` when `value` is defined, deletes it otherwise. */
export function setOrDelete(out: Record<string, unknown>, key: string, value: unknown): void {
  if (value === undefined) delete out[key];
  else out[key] = value;
}

function pointerToPath(root: unknown, pointer: string): PathSegment[] {
  if (pointer === "") return [];
  const out: PathSegment[] = [];
  let node: unknown = root;
  for (const raw of pointer.slice(1).split("/")) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (Array.isArray(node)) {
      const index = Number(key);
      out.push(index);
      node = node[index];
    } else {
      out.push(key);
      node = isRecord(node) ? node[key] : undefined;
    }
  }
  return out;
}

function extraSegment(err: ErrorObject): PathSegment[] {
  return err.keyword === "required" ? [(err.params as { missingProperty: string }).missingProperty] : [];
}

function schemaMessage(err: ErrorObject): string {
  switch (err.keyword) {
    case "required":
      return "is required";
    case "type": {
      const t = (err.params as { type: string | string[] }).type;
      const names = (Array.isArray(t) ? t : String(t).split(",")).filter((n) => n !== "null");
      return `must be ${names.map((n) => (n === "object" || n === "array" || n === "integer" ? `an ${n}` : `a ${n}`)).join(" or ")}`;
    }
    case "pattern":
      return (err.parentSchema as { description?: string } | undefined)?.description ?? err.message ?? "is malformed";
    case "minItems":
      return (err.params as { limit: number }).limit === 1 ? "must not be empty" : (err.message ?? "has too few items");
    default:
      return err.message ?? "is invalid";
  }
}

let ajv: Ajv | undefined;

/** Returns a getter that compiles `schema` on first use (once per process) with the shared Ajv instance. */
export function lazySchema(schema: SchemaObject): () => ValidateFunction {
  let compiled: ValidateFunction | undefined;
  return () => {
    if (compiled) return compiled;
    ajv ??= new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
    compiled = ajv.compile(schema);
    return compiled;
  };
}

/** A UUID string, or the empty string EdgeX writes for "none yet". */
export const UUID_SCHEMA: SchemaObject = {
  type: "string",
  pattern: "^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$",
  description: "must be a UUID",
};

/** An optional scalar that is read as text. */
export const TEXT_SCHEMA: SchemaObject = { type: TEXT_TYPES };
/** An optional list of text values. */
export const TEXT_LIST_SCHEMA: SchemaObject = { type: ["array", "null"], items: { type: TEXT_TYPES.slice(0, 3) } };
/** An optional map of text values. */
export const TEXT_MAP_SCHEMA: SchemaObject = { type: ["object", "null"], additionalProperties: { type: TEXT_TYPES.slice(0, 3) } };
/** An optional free-form object. */
export const OBJECT_SCHEMA: SchemaObject = { type: ["object", "null"] };
/** An optional boolean. */
export const BOOL_SCHEMA: SchemaObject = { type: ["boolean", "null"] };
/** A required name. */
export const NAME_SCHEMA: SchemaObject = { type: "string" };
