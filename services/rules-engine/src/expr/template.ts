/**
 * Templates: strings with `${expression}` parts, such as `"Boiler ${$device} at ${round(temperature, 1)} C"`, compiled
 * once like conditions. `$${` writes a literal `${`. A JSON template is any JSON value whose strings are templates.
 */
import { compileExpression, type CompileOptions, type Evaluator } from "./compile.js";
import { ExpressionError } from "./parser.js";
import type { Scope, Value } from "./types.js";

/** A compiled string template. */
export interface CompiledTemplate {
  readonly source: string;
  /** Renders; throws a Missing (see types.ts) when an expression reads something without a value. */
  readonly render: (scope: Scope) => string;
  /** Device resources read. */
  readonly resources: ReadonlySet<string>;
  /** Reads the triggering reading. */
  readonly usesTrigger: boolean;
  /** No `${...}` in it. */
  readonly constant: boolean;
}

/** The text of a value in a rendered template: numbers as JavaScript writes them, null as `null`. */
export function textOf(v: Value): string {
  return v === null ? "null" : String(v);
}

/** Finds the `}` closing an expression that starts at `from`, skipping quoted strings; -1 when none. */
function closingBrace(text: string, from: number): number {
  let quote: string | undefined;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "}") return i;
  }
  return -1;
}

/** Compiles a string template. @throws ExpressionError, positioned within the whole string */
export function compileTemplate(text: string, options: CompileOptions): CompiledTemplate {
  const parts: (string | Evaluator)[] = [];
  const resources = new Set<string>();
  let usesTrigger = false;
  let literal = "";
  let i = 0;
  while (i < text.length) {
    if (text.startsWith("$${", i)) {
      literal += "${";
      i += 3;
      continue;
    }
    if (!text.startsWith("${", i)) {
      literal += text[i];
      i++;
      continue;
    }
    const close = closingBrace(text, i + 2);
    if (close < 0) throw new ExpressionError("unclosed ${ in template", i);
    const source = text.slice(i + 2, close);
    let compiled;
    try {
      compiled = compileExpression(source, options);
    } catch (err) {
      if (err instanceof ExpressionError) throw new ExpressionError(err.message, i + 2 + err.position);
      throw err;
    }
    for (const r of compiled.resources) resources.add(r);
    usesTrigger ||= compiled.usesTrigger;
    if (literal !== "") parts.push(literal);
    literal = "";
    parts.push(compiled.evaluate);
    i = close + 1;
  }
  if (literal !== "" || parts.length === 0) parts.push(literal);
  const constant = parts.every((p) => typeof p === "string");
  const render = constant
    ? () => parts.join("")
    : (scope: Scope) => {
        let out = "";
        for (const p of parts) out += typeof p === "string" ? p : textOf(p(scope));
        return out;
      };
  return { source: text, render, resources, usesTrigger, constant };
}

/** A compiled JSON template: renders a JSON value whose strings were templates. */
export interface CompiledJsonTemplate {
  readonly render: (scope: Scope) => unknown;
  readonly resources: ReadonlySet<string>;
  readonly usesTrigger: boolean;
}

/** Where a template error was found in a JSON value: the path below it (`body.SetPoint`) and the position. */
export class TemplateError extends ExpressionError {
  readonly path: string;

  constructor(path: string, cause: ExpressionError) {
    super(cause.message, cause.position);
    this.path = path;
  }
}

/**
 * Compiles every string of a JSON value as a template. Keys are kept as they are.
 * @throws TemplateError naming the path (relative to `value`) and position of the first problem
 */
export function compileJsonTemplate(value: unknown, options: CompileOptions): CompiledJsonTemplate {
  const resources = new Set<string>();
  let usesTrigger = false;
  const walk = (v: unknown, path: string): ((scope: Scope) => unknown) => {
    if (typeof v === "string") {
      let t: CompiledTemplate;
      try {
        t = compileTemplate(v, options);
      } catch (err) {
        if (err instanceof ExpressionError) throw new TemplateError(path, err);
        throw err;
      }
      for (const r of t.resources) resources.add(r);
      usesTrigger ||= t.usesTrigger;
      return t.constant ? () => v : t.render;
    }
    if (Array.isArray(v)) {
      const items = v.map((item, i) => walk(item, `${path}[${i}]`));
      return (s) => items.map((f) => f(s));
    }
    if (v !== null && typeof v === "object") {
      const entries = Object.entries(v as Record<string, unknown>).map(([k, item]) => [k, walk(item, path === "" ? k : `${path}.${k}`)] as const);
      return (s) => {
        // Own data properties only: a `__proto__` key stays a key and never sets a prototype.
        const out: Record<string, unknown> = {};
        for (const [k, f] of entries) Object.defineProperty(out, k, { value: f(s), enumerable: true, writable: true, configurable: true });
        return out;
      };
    }
    return () => v;
  };
  const render = walk(value, "");
  return { render, resources, usesTrigger };
}
