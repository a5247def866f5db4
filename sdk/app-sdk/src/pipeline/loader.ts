/**
 * The one pipeline loader: validates a whole document (YAML file or REST body) and builds every function, so each
 * problem — unknown function, bad parameter, bad regex, bad template, missing secret — is reported at load with its
 * path (`pipelines[1].functions[2].params.patterns[0]: invalid regex ...`) and, for text, its line. Nothing
 * about a definition can fail later at run time.
 */
import { ValidationError, type Problem } from "@brink/contracts";
import { AppSdkErrorCode } from "../errors.js";
import type { FunctionEnvironment, FunctionFactory, PipelineFunction } from "../types.js";
import {
  DEFAULT_TRIGGER_SUBJECTS, PIPELINE_NAME, TriggerType, toNatsPattern, type FunctionDefinition, type PipelineDefinition,
  type TriggerDefinition,
} from "./definition.js";
import { SourceLines } from "./source.js";

/** What the loader needs: the functions it may build and what their factories get. */
export interface LoaderOptions {
  /** Function factories by name (FUNCTIONS merged with EXPORT_FUNCTIONS). */
  readonly registry: Readonly<Record<string, FunctionFactory>>;
  readonly env: FunctionEnvironment;
}

/** A validated pipeline with its functions built (not started). */
export interface CompiledPipeline {
  readonly definition: PipelineDefinition;
  readonly functions: readonly PipelineFunction[];
  /** NATS patterns of a bus trigger's subjects; empty for an HTTP trigger. */
  readonly patterns: readonly string[];
}

const PIPELINE_KEYS = new Set(["name", "enabled", "trigger", "functions"]);
const FUNCTION_KEYS = new Set(["name", "params"]);
const SUBJECT = "pipeline definitions";

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function join(base: string, path: string): string {
  if (path === "") return base;
  if (base === "") return path;
  return path.startsWith("[") ? `${base}${path}` : `${base}.${path}`;
}

class Collector {
  readonly problems: Problem[] = [];
  constructor(private readonly source?: SourceLines) {}

  add(path: string, message: string): void {
    const line = this.source?.lineOf(path);
    this.problems.push(line === undefined ? { path, message } : { path, message, line });
  }

  throwIfAny(): void {
    if (this.problems.length === 0) return;
    const problems = this.source === undefined ? this.problems : [...this.problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    throw new ValidationError(AppSdkErrorCode.PipelineInvalid, SUBJECT, problems);
  }
}

function checkKeys(c: Collector, value: Record<string, unknown>, known: ReadonlySet<string>, base: string, what: string): void {
  for (const key of Object.keys(value)) if (!known.has(key)) c.add(join(base, key), `unknown key of ${what} (known: ${[...known].join(", ")})`);
}

function readTrigger(c: Collector, value: unknown, base: string): { trigger?: TriggerDefinition; patterns: string[] } {
  const path = join(base, "trigger");
  if (!isRecord(value)) {
    c.add(path, value === undefined ? "is required: { type: bus, subjects: [...] } or { type: http }" : "must be a mapping");
    return { patterns: [] };
  }
  if (value.type === TriggerType.Http) {
    checkKeys(c, value, new Set(["type"]), path, "an http trigger");
    return { trigger: { type: TriggerType.Http }, patterns: [] };
  }
  if (value.type !== TriggerType.Bus) {
    c.add(join(path, "type"), `must be bus or http, got ${JSON.stringify(value.type ?? null)}`);
    return { patterns: [] };
  }
  checkKeys(c, value, new Set(["type", "subjects"]), path, "a bus trigger");
  const raw = value.subjects ?? [...DEFAULT_TRIGGER_SUBJECTS];
  if (!Array.isArray(raw) || raw.length === 0) {
    c.add(join(path, "subjects"), "must be a non-empty list of topic filters");
    return { patterns: [] };
  }
  const subjects: string[] = [];
  const patterns: string[] = [];
  raw.forEach((s: unknown, i) => {
    const mapped = toNatsPattern(s as string);
    if ("problem" in mapped) c.add(join(path, `subjects[${i}]`), mapped.problem);
    else {
      subjects.push(s as string);
      if (!patterns.includes(mapped.pattern)) patterns.push(mapped.pattern);
    }
  });
  return { trigger: { type: TriggerType.Bus, subjects }, patterns };
}

function buildFunction(c: Collector, value: unknown, path: string, options: LoaderOptions): { def?: FunctionDefinition; fn?: PipelineFunction } {
  if (!isRecord(value)) {
    c.add(path, "must be a mapping { name, params }");
    return {};
  }
  checkKeys(c, value, FUNCTION_KEYS, path, "a function");
  const name = value.name;
  if (typeof name !== "string" || name === "") {
    c.add(join(path, "name"), "is required: the function's name");
    return {};
  }
  const params = value.params ?? {};
  if (!isRecord(params)) {
    c.add(join(path, "params"), "must be a mapping");
    return {};
  }
  if (!Object.hasOwn(options.registry, name)) {
    c.add(join(path, "name"), `unknown function "${name}" (known: ${Object.keys(options.registry).sort().join(", ")})`);
    return {};
  }
  const def: FunctionDefinition = { name, params };
  try {
    return { def, fn: options.registry[name]!(params, options.env) };
  } catch (err) {
    if (err instanceof ValidationError) for (const p of err.problems) c.add(join(join(path, "params"), p.path), p.message);
    else c.add(join(path, "params"), err instanceof Error ? err.message : String(err));
    return { def };
  }
}

function compileOne(c: Collector, value: unknown, base: string, options: LoaderOptions): CompiledPipeline | undefined {
  if (!isRecord(value)) {
    c.add(base, "must be a mapping { name, trigger, functions, enabled }");
    return undefined;
  }
  const before = c.problems.length;
  checkKeys(c, value, PIPELINE_KEYS, base, "a pipeline");
  const name = value.name;
  if (typeof name !== "string" || !PIPELINE_NAME.test(name)) {
    c.add(join(base, "name"), `must be 1 to 64 letters, digits, _ or -, starting with a letter or digit; got ${JSON.stringify(name ?? null)}`);
  }
  const enabled = value.enabled ?? true;
  if (typeof enabled !== "boolean") c.add(join(base, "enabled"), "must be true or false");
  const { trigger, patterns } = readTrigger(c, value.trigger, base);
  const functions: PipelineFunction[] = [];
  const defs: FunctionDefinition[] = [];
  if (!Array.isArray(value.functions) || value.functions.length === 0) {
    c.add(join(base, "functions"), "must be a non-empty list of functions");
  } else {
    value.functions.forEach((f: unknown, i) => {
      const { def, fn } = buildFunction(c, f, join(base, `functions[${i}]`), options);
      if (def) defs.push(def);
      if (fn) functions.push(fn);
    });
  }
  if (c.problems.length > before || trigger === undefined) return undefined;
  return { definition: { name: name as string, enabled: enabled as boolean, trigger, functions: defs }, functions, patterns };
}

/**
 * Validates and builds one pipeline definition (a REST body; `source` gives lines when it was text).
 * @throws ValidationError PIPELINE_INVALID listing every problem (paths relative to the definition).
 */
export function compilePipeline(value: unknown, options: LoaderOptions, source?: SourceLines): CompiledPipeline {
  const c = new Collector(source);
  const compiled = compileOne(c, value, "", options);
  c.throwIfAny();
  return compiled!;
}

/**
 * Validates and builds a document `{ pipelines: [...] }` given as plain values (`source` gives lines for text).
 * Names must be unique.
 * @throws ValidationError PIPELINE_INVALID listing every problem.
 */
export function compilePipelineDocument(value: unknown, options: LoaderOptions, source?: SourceLines): CompiledPipeline[] {
  const c = new Collector(source);
  const out: CompiledPipeline[] = [];
  if (value === undefined || value === null) return out;
  if (!isRecord(value)) {
    c.add("", "must be a mapping with a pipelines list");
    c.throwIfAny();
  }
  const doc = value as Record<string, unknown>;
  checkKeys(c, doc, new Set(["pipelines"]), "", "a pipeline document");
  const list = doc.pipelines ?? [];
  if (!Array.isArray(list)) c.add("pipelines", "must be a list of pipelines");
  else {
    const seen = new Map<string, number>();
    list.forEach((p: unknown, i) => {
      const compiled = compileOne(c, p, `pipelines[${i}]`, options);
      const name = isRecord(p) ? p.name : undefined;
      if (typeof name === "string") {
        const first = seen.get(name);
        if (first !== undefined) c.add(`pipelines[${i}].name`, `"${name}" is also the name of pipelines[${first}]`);
        else seen.set(name, i);
      }
      if (compiled) out.push(compiled);
    });
  }
  c.throwIfAny();
  return out;
}

/**
 * Parses YAML (or JSON) text of `pipelines: [...]` and validates it as {@link compilePipelineDocument} does, with
 * the line of each problem. Empty text holds no pipelines.
 * @throws ValidationError YAML_MALFORMED for syntax errors, PIPELINE_INVALID for everything else.
 */
export function loadPipelinesText(text: string, options: LoaderOptions): CompiledPipeline[] {
  const source = SourceLines.parse(text, SUBJECT);
  return compilePipelineDocument(source.data, options, source);
}
