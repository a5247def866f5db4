/**
 * Template: reshapes data with a JSONata expression (https://jsonata.org), compiled once when the pipeline loads,
 * so a syntax error is reported at load with its position. The expression sees the event (or whatever the previous
 * function produced) with int64 fields such as `origin` as decimal strings, exact (`$number(origin)` for arithmetic).
 */
import type jsonataModule from "jsonata";
import { ErrorKind, lazyRequire, stringifyJson } from "@brink/contracts";
import { AppSdkError, AppSdkErrorCode } from "../../errors.js";
import type { FunctionFactory } from "../../types.js";
import { JSON_CONTENT_TYPE } from "../data.js";
import { ParamReader } from "../params.js";

/** jsonata is loaded when the first template is compiled, so services without templates do not carry it. */
const loadJsonata = lazyRequire<typeof jsonataModule>(import.meta.url, "jsonata");
function jsonata(expression: string): jsonataModule.Expression {
  return loadJsonata()(expression);
}

/** A copy of `value` fit for JSONata: bigint as decimal strings, bytes as base64. */
export function templateInput(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (Array.isArray(value)) return value.map(templateInput);
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = templateInput(v);
    return out;
  }
  return value;
}

/** Plain objects and arrays from a JSONata result (which uses null-prototype objects and tagged sequences). */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === "object" && value !== null && !(value instanceof Uint8Array)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = plain(v);
    return out;
  }
  return value;
}

/** Compiles a JSONata expression, or returns why it does not compile (with the position of the error). */
export function compileTemplate(expression: string): jsonataModule.Expression | string {
  try {
    return jsonata(expression);
  } catch (err) {
    const e = err as Partial<jsonataModule.JsonataError>;
    const near = e.token !== undefined ? ` near "${e.token}"` : "";
    return `JSONata syntax error at position ${e.position ?? "?"}${near}: ${e.message ?? String(err)} (code ${e.code ?? "?"})`;
  }
}

/**
 * Params: `expression` (JSONata, required), `output` (`json`: JSON text, default; `text`: the result as text, a
 * string as is and anything else as JSON; `object`: the result itself for the next function, as plain objects; numbers and booleans as JSON). A result of nothing
 * (no match) stops the message, counted as filtered. An evaluation error fails the message (TEMPLATE_FAILED).
 */
export const template: FunctionFactory = (params) => {
  const name = "Template";
  const r = new ParamReader(name, params);
  const expression = r.string("expression", { required: true }) ?? "";
  const output = r.choice("output", ["json", "text", "object"] as const, "json");
  const compiled = expression.trim() === "" ? undefined : compileTemplate(expression);
  if (typeof compiled === "string") r.add("expression", compiled);
  r.done();
  const expr = compiled as jsonataModule.Expression;
  return {
    name,
    async process(ctx, data) {
      let result: unknown;
      try {
        result = await expr.evaluate(templateInput(data), { pipeline: ctx.pipeline, tags: ctx.tags });
      } catch (err) {
        const e = err as Partial<jsonataModule.JsonataError>;
        throw new AppSdkError(ErrorKind.ContractInvalid, AppSdkErrorCode.TemplateFailed, `Template failed at position ${e.position ?? "?"}: ${e.message ?? String(err)}`, {
          details: { position: e.position, code: e.code },
          cause: err,
        });
      }
      if (result === undefined) return undefined;
      if (output === "object") {
        if (typeof result === "object" && result !== null) return plain(result) as Record<string, unknown>;
        if (typeof result === "string") return result;
      }
      if (output === "text" && typeof result === "string") {
        ctx.contentType = "text/plain";
        return result;
      }
      ctx.contentType = JSON_CONTENT_TYPE;
      return stringifyJson(result);
    },
  };
};
