/**
 * Reading a function's YAML parameters: every check records a problem (path relative to the params) instead of
 * throwing, so one ValidationError lists everything wrong. Factories call {@link ParamReader.done} last.
 */
import { ValidationError, parseGoDuration, type Problem } from "@brink/contracts";
import { AppSdkErrorCode } from "../errors.js";

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "string" ? `"${value}"` : typeof value === "object" ? "an object" : String(value);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Compiles a name pattern anchored at both ends (`dev1` does not match `dev10`), or returns the reason it is not a
 * regular expression.
 */
export function compileAnchored(pattern: string): RegExp | string {
  try {
    return new RegExp(`^(?:${pattern})$`, "u");
  } catch (err) {
    return `invalid regex ${JSON.stringify(pattern)}: ${err instanceof Error ? err.message.replace(/^Invalid regular expression: \/[\s\S]*\/[a-z]*: /, "") : String(err)}`;
  }
}

/** Collects typed parameters and problems for one function. */
export class ParamReader {
  readonly problems: Problem[] = [];
  private readonly seen = new Set<string>();

  constructor(
    private readonly fn: string,
    private readonly params: Readonly<Record<string, unknown>>,
  ) {
    if (!isRecord(params)) this.problems.push({ path: "", message: "params must be a mapping" });
  }

  /** Records a problem at `path` (relative to the params). */
  add(path: string, message: string): void {
    this.problems.push({ path, message });
  }

  /** True when the key is given (not undefined or null). */
  has(key: string): boolean {
    this.seen.add(key);
    return this.raw(key) !== undefined;
  }

  private raw(key: string): unknown {
    if (!isRecord(this.params)) return undefined;
    const v = this.params[key];
    return v === null ? undefined : v;
  }

  private take(key: string): unknown {
    this.seen.add(key);
    return this.raw(key);
  }

  /** A string; `def` when absent; problem when required and absent. */
  string(key: string, options: { def?: string; required?: boolean; nonEmpty?: boolean } = {}): string | undefined {
    const v = this.take(key);
    if (v === undefined) {
      if (options.required) this.add(key, "is required");
      return options.def;
    }
    if (typeof v !== "string") {
      this.add(key, `must be a string, got ${describe(v)}`);
      return options.def;
    }
    if ((options.nonEmpty ?? options.required) && v.trim() === "") this.add(key, "must not be empty");
    return v;
  }

  /** One of `choices`. */
  choice<T extends string>(key: string, choices: readonly T[], def: T): T {
    const v = this.take(key);
    if (v === undefined) return def;
    if (typeof v !== "string" || !(choices as readonly string[]).includes(v)) {
      this.add(key, `must be one of ${choices.join(", ")}, got ${describe(v)}`);
      return def;
    }
    return v as T;
  }

  /** A finite number within bounds (`integer` for whole numbers). */
  number(key: string, options: { def?: number; required?: boolean; min?: number; max?: number; integer?: boolean; exclusiveMin?: boolean } = {}): number | undefined {
    const v = this.take(key);
    if (v === undefined) {
      if (options.required) this.add(key, "is required");
      return options.def;
    }
    if (typeof v !== "number" || !Number.isFinite(v)) {
      this.add(key, `must be a number, got ${describe(v)}`);
      return options.def;
    }
    if (options.integer && !Number.isInteger(v)) this.add(key, `must be a whole number, got ${v}`);
    else if (options.min !== undefined && (options.exclusiveMin ? v <= options.min : v < options.min)) this.add(key, `must be ${options.exclusiveMin ? "above" : "at least"} ${options.min}, got ${v}`);
    else if (options.max !== undefined && v > options.max) this.add(key, `must be at most ${options.max}, got ${v}`);
    else return v;
    return options.def;
  }

  /** A boolean. */
  boolean(key: string, def: boolean): boolean {
    const v = this.take(key);
    if (v === undefined) return def;
    if (typeof v !== "boolean") {
      this.add(key, `must be true or false, got ${describe(v)}`);
      return def;
    }
    return v;
  }

  /** A Go duration (`500ms`, `10s`, `1m`) above zero, in milliseconds. */
  duration(key: string, options: { def?: string; required?: boolean; zero?: boolean } = {}): number | undefined {
    const v = this.take(key) ?? options.def;
    if (v === undefined) {
      if (options.required) this.add(key, "is required");
      return undefined;
    }
    if (typeof v !== "string") {
      this.add(key, `must be a Go duration such as 500ms, 10s or 1m, got ${describe(v)}`);
      return undefined;
    }
    let ms: number;
    try {
      ms = parseGoDuration(v);
    } catch {
      this.add(key, `must be a Go duration such as 500ms, 10s or 1m, got ${describe(v)}`);
      return undefined;
    }
    if (!(ms > 0) && !(options.zero === true && ms === 0)) {
      this.add(key, `must be ${options.zero === true ? "zero or more" : "above zero"}, got ${describe(v)}`);
      return undefined;
    }
    return ms;
  }

  /** A list of strings (each non-empty). */
  strings(key: string, options: { required?: boolean } = {}): string[] | undefined {
    const v = this.take(key);
    if (v === undefined) {
      if (options.required) this.add(key, "is required");
      return undefined;
    }
    if (!Array.isArray(v)) {
      this.add(key, `must be a list of strings, got ${describe(v)}`);
      return undefined;
    }
    const out: string[] = [];
    v.forEach((item, i) => {
      if (typeof item !== "string" || item === "") this.add(`${key}[${i}]`, `must be a non-empty string, got ${describe(item)}`);
      else out.push(item);
    });
    return out;
  }

  /** A list of regular expressions, each compiled anchored (see {@link compileAnchored}). */
  patterns(key: string): RegExp[] | undefined {
    const list = this.strings(key);
    if (list === undefined) return undefined;
    const out: RegExp[] = [];
    list.forEach((p, i) => {
      const re = compileAnchored(p);
      if (typeof re === "string") this.add(`${key}[${i}]`, re);
      else out.push(re);
    });
    return out;
  }

  /** A mapping of strings to strings. */
  stringMap(key: string, options: { required?: boolean } = {}): Record<string, string> | undefined {
    const v = this.take(key);
    if (v === undefined) {
      if (options.required) this.add(key, "is required");
      return undefined;
    }
    if (!isRecord(v)) {
      this.add(key, `must be a mapping of names to strings, got ${describe(v)}`);
      return undefined;
    }
    const out: Record<string, string> = {};
    for (const [k, item] of Object.entries(v)) {
      if (typeof item === "string") out[k] = item;
      else if (typeof item === "number" || typeof item === "boolean") out[k] = String(item);
      else this.add(`${key}.${k}`, `must be a string, got ${describe(item)}`);
    }
    return out;
  }

  /** A mapping of names to sub-mappings, each read by `read` with its own reader (paths are prefixed). */
  mapOf<T>(key: string, read: (sub: ParamReader) => T): Record<string, T> | undefined {
    const v = this.take(key);
    if (v === undefined) return undefined;
    if (!isRecord(v)) {
      this.add(key, `must be a mapping, got ${describe(v)}`);
      return undefined;
    }
    const out: Record<string, T> = {};
    for (const [name, item] of Object.entries(v)) {
      const sub = new ParamReader(this.fn, isRecord(item) ? item : {});
      if (!isRecord(item)) sub.add("", `must be a mapping, got ${describe(item)}`);
      const value = read(sub);
      sub.checkUnknown();
      for (const p of sub.problems) this.add(p.path === "" ? `${key}.${name}` : `${key}.${name}.${p.path}`, p.message);
      out[name] = value;
    }
    return out;
  }

  /** The raw value of a key, marked as read (for params the factory checks itself). */
  value(key: string): unknown {
    return this.take(key);
  }

  /** Records a problem for every key no reader asked for (typos such as `pattern` for `patterns`). */
  checkUnknown(): void {
    if (!isRecord(this.params)) return;
    for (const key of Object.keys(this.params)) {
      if (!this.seen.has(key)) this.add(key, `unknown parameter of ${this.fn}${this.seen.size > 0 ? ` (known: ${[...this.seen].join(", ")})` : ""}`);
    }
  }

  /**
   * Checks for unknown keys, then throws one ValidationError FUNCTION_PARAMS_INVALID listing every problem, if any.
   */
  done(): void {
    this.checkUnknown();
    if (this.problems.length > 0) throw new ValidationError(AppSdkErrorCode.FunctionParamsInvalid, `params of ${this.fn}`, this.problems);
  }
}
