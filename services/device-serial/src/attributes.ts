/**
 * A resource's `attributes` read into a plan: how to ask for its value (`request`), how to recognise the answer
 * (`match`, `error`), how to read the value out of it (`parse` and its options), whether the device sends it
 * unasked (`stream`), and how to write it (`write`, `writeAck`). Attributes that are not options are template
 * variables (`channel: 3` fills `{channel}`). Plans do not depend on the device; {@link bindPlan} fills in the
 * device's variables.
 */
import { elementType, normalizeValueType, type DeviceResource, type ValueType } from "@brink/contracts";
import { attributesInvalid, type InputProblem } from "./errors.js";
import { binarySize, type Conversion, type Extraction, type ValueSpec } from "./parse.js";
import { Template, TemplateProblem, expandRegexSource } from "./template.js";

/** The ways to read a value out of a frame. */
export const ParseKind = { Text: "text", Regex: "regex", Csv: "csv", Json: "json", Binary: "binary" } as const;
/** One parse kind. */
export type ParseKind = (typeof ParseKind)[keyof typeof ParseKind];

/** Attribute names with a meaning of their own; every other attribute is only a template variable. */
export const OPTION_ATTRIBUTES: readonly string[] = [
  "request", "write", "writeAck", "match", "error", "parse", "pattern", "group", "separator", "field", "path", "offset", "rawType", "endian",
  "length", "bit", "valueMap", "convert", "sign", "stream", "streamEvent", "timeoutMs",
];

/** The device-independent plan of one resource. */
export interface ResourcePlan {
  readonly resourceName: string;
  readonly valueType: ValueType;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly request: Template | undefined;
  readonly write: Template | undefined;
  /** Regex sources, `{name}` placeholders not yet filled. */
  readonly match: string | undefined;
  readonly error: string | undefined;
  readonly writeAck: string | undefined;
  /** The extraction with its regex still a source. */
  readonly extraction: PlanExtraction;
  readonly valueMap: ReadonlyMap<string, string> | undefined;
  readonly conversion: Conversion | undefined;
  readonly sign: string | number | undefined;
  readonly stream: boolean;
  /** sourceName of the events streamed values go in. */
  readonly streamEvent: string;
  readonly timeoutMs: number | undefined;
}

/** An {@link Extraction} whose regex is still a source with `{name}` placeholders. */
export type PlanExtraction =
  | Exclude<Extraction, { kind: "regex" } | { kind: "json" }>
  | { readonly kind: "regex"; readonly source: string; readonly group: string }
  | { readonly kind: "json"; readonly path: readonly (string | number)[]; readonly source: string | undefined; readonly group: string };

/** A plan with a device's variables filled in. */
export interface BoundPlan {
  readonly plan: ResourcePlan;
  readonly match: RegExp | undefined;
  readonly error: RegExp | undefined;
  readonly writeAck: RegExp | undefined;
  readonly spec: ValueSpec;
  /** The template variable `name`: the resource's attributes first, then the device's `serial` block. */
  readonly lookup: (name: string) => unknown;
}

/** Flags of every profile regex: `.` matches any byte, CR and LF included. */
export const REGEX_FLAGS = "s";

class AttributeReader {
  readonly problems: InputProblem[] = [];
  constructor(readonly attrs: Readonly<Record<string, unknown>>) {}

  problem(path: string, message: string): void {
    this.problems.push({ path: `attributes.${path}`, message });
  }

  has(key: string): boolean {
    const v = this.attrs[key];
    return v !== undefined && v !== null && v !== "";
  }

  string(key: string): string | undefined {
    const v = this.attrs[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === "string") return v;
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    this.problem(key, "must be a string");
    return undefined;
  }

  integer(key: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
    const v = this.attrs[key];
    if (v === undefined || v === null || v === "") return undefined;
    const n = typeof v === "number" ? v : typeof v === "string" ? Number(v) : Number.NaN;
    if (!Number.isInteger(n) || n < min || n > max) {
      this.problem(key, `must be an integer ${min}..${max}`);
      return undefined;
    }
    return n;
  }

  bool(key: string): boolean {
    const v = this.attrs[key];
    if (v === undefined || v === null || v === "" || v === false || v === "false") return false;
    if (v === true || v === "true") return true;
    this.problem(key, "must be true or false");
    return false;
  }

  template(key: string): Template | undefined {
    const s = this.string(key);
    if (s === undefined) return undefined;
    try {
      return Template.compile(s);
    } catch (err) {
      this.problem(key, err instanceof TemplateProblem ? err.message : String(err));
      return undefined;
    }
  }

  regex(key: string): string | undefined {
    const s = this.string(key);
    if (s === undefined) return undefined;
    try {
      // Placeholders are checked once the device's variables are known; here with a neutral stand-in.
      new RegExp(expandRegexSource(s, () => "x"), REGEX_FLAGS);
    } catch (err) {
      this.problem(key, `is not a regular expression: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
    return s;
  }
}

/** Splits a JSON path (`a.b[0].c`, `a.b.0.c`, `$.a`) into steps. */
export function parseJsonPath(path: string): (string | number)[] {
  const trimmed = path.replace(/^\$\.?/, "");
  if (trimmed === "") return [];
  return trimmed
    .replace(/\[(\d+)\]/g, ".$1")
    .split(".")
    .filter((s) => s !== "")
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function defaultGroup(source: string): string {
  if (/\(\?<value>/.test(source)) return "value";
  const groups = new RegExp(`${expandRegexSource(source, () => "x")}|`, REGEX_FLAGS).exec("")!.length - 1;
  return groups > 0 ? "1" : "0";
}

function readExtraction(r: AttributeReader, valueType: ValueType): PlanExtraction {
  const explicit = r.string("parse");
  const kind: string = explicit ?? (r.has("pattern") ? "regex" : r.has("field") ? "csv" : r.has("path") ? "json" : r.has("offset") ? "binary" : "text");
  switch (kind) {
    case "text":
      return { kind: "text" };
    case "regex": {
      const source = r.regex("pattern");
      if (source === undefined && !r.has("pattern")) r.problem("pattern", "is required for parse: regex");
      const src = source ?? "";
      return { kind: "regex", source: src, group: r.string("group") ?? defaultGroup(src) };
    }
    case "csv":
      if (!r.has("field")) r.problem("field", "is required for parse: csv");
      return { kind: "csv", separator: r.string("separator") ?? ",", field: r.integer("field", 0, 10_000) ?? 0 };
    case "json": {
      const source = r.regex("pattern");
      return { kind: "json", path: parseJsonPath(r.string("path") ?? ""), source, group: r.string("group") ?? (source === undefined ? "0" : defaultGroup(source)) };
    }
    case "binary": {
      const scalar = elementType(valueType) ?? valueType;
      const rawName = r.string("rawType");
      const rawType = rawName === undefined ? scalar : normalizeValueType(rawName);
      if (rawType === undefined || (binarySize(rawType) === undefined && rawType !== "String" && rawType !== "Binary")) {
        r.problem("rawType", "must be Bool, Int8..Int64, Uint8..Uint64, Float32, Float64, String or Binary");
      }
      const endian = r.string("endian") ?? "big";
      if (endian !== "big" && endian !== "little") r.problem("endian", "must be big or little");
      const bit = r.integer("bit", 0, 63);
      if (bit !== undefined && valueType !== "Bool") r.problem("bit", "is for Bool resources");
      return {
        kind: "binary",
        offset: r.integer("offset", 0, 1 << 24) ?? 0,
        rawType: rawType ?? "Uint8",
        littleEndian: endian === "little",
        length: r.integer("length", 0, 1 << 24),
        bit,
      };
    }
    default:
      r.problem("parse", "must be text, regex, csv, json or binary");
      return { kind: "text" };
  }
}

function readValueMap(r: AttributeReader): ReadonlyMap<string, string> | undefined {
  const v = r.attrs.valueMap;
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "object" || Array.isArray(v)) {
    r.problem("valueMap", "must be an object of device text to value");
    return undefined;
  }
  const map = new Map<string, string>();
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (typeof x === "string" || typeof x === "number" || typeof x === "boolean") map.set(k, String(x));
    else r.problem(`valueMap.${k}`, "must be a string, number or boolean");
  }
  return map;
}

const plans = new WeakMap<DeviceResource, ResourcePlan>();

/**
 * The plan of a resource (cached per resource object).
 * @throws SerialError kind ContractInvalid, code SERIAL_ATTRIBUTES_INVALID, listing every problem
 */
export function planOf(resource: DeviceResource, valueType?: ValueType): ResourcePlan {
  const cached = plans.get(resource);
  if (cached !== undefined) return cached;
  const type = valueType ?? normalizeValueType(String(resource.properties.valueType)) ?? resource.properties.valueType;
  const r = new AttributeReader(resource.attributes ?? {});
  const convert = r.string("convert");
  if (convert !== undefined && convert !== "degreesMinutes" && convert !== "hex") r.problem("convert", "must be degreesMinutes or hex");
  const signRaw = r.attrs.sign;
  const sign = typeof signRaw === "number" ? signRaw : typeof signRaw === "string" && /^\d+$/.test(signRaw) ? Number(signRaw) : typeof signRaw === "string" ? signRaw : undefined;
  const plan: ResourcePlan = {
    resourceName: resource.name,
    valueType: type,
    attributes: r.attrs,
    request: r.template("request"),
    write: r.template("write"),
    match: r.regex("match"),
    error: r.regex("error"),
    writeAck: r.regex("writeAck"),
    extraction: readExtraction(r, type),
    valueMap: readValueMap(r),
    conversion: convert as Conversion | undefined,
    sign,
    stream: r.bool("stream"),
    streamEvent: r.string("streamEvent") ?? resource.name,
    timeoutMs: r.integer("timeoutMs", 1, 3_600_000),
  };
  if (plan.request?.names.includes("value")) r.problem("request", "{value} is only for write templates");
  if (r.problems.length > 0) throw attributesInvalid(resource.name, r.problems);
  plans.set(resource, plan);
  return plan;
}

/**
 * Fills a plan's regexes with a device's variables.
 * @throws SerialError SERIAL_ATTRIBUTES_INVALID when a filled regex no longer compiles
 */
export function bindPlan(plan: ResourcePlan, deviceVariables: Readonly<Record<string, unknown>>): BoundPlan {
  const attrs = plan.attributes;
  const lookup = (name: string): unknown => attrs[name] ?? deviceVariables[name] ?? deviceVariables[name.toLowerCase()];
  const problems: InputProblem[] = [];
  const regex = (key: string, source: string | undefined): RegExp | undefined => {
    if (source === undefined) return undefined;
    try {
      return new RegExp(expandRegexSource(source, lookup), REGEX_FLAGS);
    } catch (err) {
      problems.push({ path: `attributes.${key}`, message: `is not a regular expression once filled in: ${err instanceof Error ? err.message : String(err)}` });
      return undefined;
    }
  };
  const x = plan.extraction;
  const extraction: Extraction =
    x.kind === "regex"
      ? { kind: "regex", pattern: regex("pattern", x.source) ?? /$^/, group: x.group }
      : x.kind === "json"
        ? { kind: "json", path: x.path, pattern: regex("pattern", x.source), group: x.group }
        : x;
  const bound: BoundPlan = {
    plan,
    match: regex("match", plan.match),
    error: regex("error", plan.error),
    writeAck: regex("writeAck", plan.writeAck),
    spec: { extraction, valueMap: plan.valueMap, conversion: plan.conversion, sign: plan.sign },
    lookup,
  };
  if (problems.length > 0) throw attributesInvalid(plan.resourceName, problems);
  return bound;
}
