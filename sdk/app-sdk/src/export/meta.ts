/**
 * Per-message delivery metadata stored with each outbox message, and the topic/subject templates that fill it.
 *
 * Templates name parts of the exported data in braces: `{device}`, `{profile}`, `{source}`, `{resource}` and
 * `{pipeline}`. Names come from the event (the first event of a batch; `{resource}` is the first reading's
 * resource); when the data is no longer an event (after a transform), device, profile and source come from the
 * trigger's bus subject. A name that cannot be found renders as `unknown`.
 */
import { isEvent } from "../functions/data.js";
import { parseEventSubject, type Event } from "@brink/contracts";
import type { PipelineContext, PipelineData } from "../types.js";

/** Meta key: MQTT topic of the message. */
export const META_TOPIC = "topic";
/** Meta key: NATS subject of the message. */
export const META_SUBJECT = "subject";
/** Meta key: content type of the payload (`application/json`, ...). */
export const META_CONTENT_TYPE = "contentType";
/** Meta key: content encoding of the payload (`gzip` when a pipeline compressed it). */
export const META_CONTENT_ENCODING = "contentEncoding";
/** Meta key: correlation id of the pipeline execution that exported the message. */
export const META_CORRELATION_ID = "correlationId";
/** Prefix of meta keys that are extra headers (HTTP headers, NATS headers): `header:X-Site`. */
export const META_HEADER_PREFIX = "header:";

/** The names a template may use. */
export const TEMPLATE_VARIABLES = ["device", "profile", "source", "resource", "pipeline"] as const;
/** One template variable. */
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

/** What a variable renders as when the data does not tell. */
export const UNKNOWN_VALUE = "unknown";

const PLACEHOLDER = /\{([^{}]*)\}/g;

/** A parsed template: literal parts and variables, alternating. */
export interface Template {
  readonly text: string;
  readonly parts: ReadonlyArray<string | { readonly variable: TemplateVariable }>;
  /** True when the template has no variables. */
  readonly constant: boolean;
}

/** Parses a template, or returns the problems (unknown variables, unbalanced braces). */
export function parseTemplate(text: string): Template | string[] {
  const problems: string[] = [];
  const parts: Array<string | { variable: TemplateVariable }> = [];
  let last = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    const name = m[1]!;
    if (m.index > last) parts.push(text.slice(last, m.index));
    if ((TEMPLATE_VARIABLES as readonly string[]).includes(name)) parts.push({ variable: name as TemplateVariable });
    else problems.push(`unknown variable {${name}} (known: ${TEMPLATE_VARIABLES.map((v) => `{${v}}`).join(", ")})`);
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  for (const p of parts) if (typeof p === "string" && /[{}]/.test(p)) problems.push("unbalanced { or }");
  if (problems.length > 0) return [...new Set(problems)];
  return { text, parts, constant: parts.every((p) => typeof p === "string") };
}

/** The variables of one message. */
export type TemplateValues = Readonly<Record<TemplateVariable, string>>;

/** The template variables of the data being exported (see the module comment). */
export function templateValues(ctx: PipelineContext, data: PipelineData): TemplateValues {
  const event: Event | undefined = isEvent(data) ? data : Array.isArray(data) && isEvent(data[0]) ? (data[0] as Event) : undefined;
  if (event !== undefined) {
    return { device: event.deviceName, profile: event.profileName, source: event.sourceName, resource: event.readings[0]?.resourceName ?? UNKNOWN_VALUE, pipeline: ctx.pipeline };
  }
  const parts = safeParseSubject(ctx.trigger);
  return {
    device: parts?.device ?? UNKNOWN_VALUE,
    profile: parts?.profile ?? UNKNOWN_VALUE,
    source: parts?.source ?? UNKNOWN_VALUE,
    resource: UNKNOWN_VALUE,
    pipeline: ctx.pipeline,
  };
}

function safeParseSubject(subject: string): { device: string; profile: string; source: string } | undefined {
  try {
    const p = parseEventSubject(subject);
    if (p === undefined) return undefined;
    return { device: p.device, profile: p.profile, source: p.source };
  } catch {
    return undefined;
  }
}

/** Renders a template; each value passes through `escape` (to keep it one topic level or subject token). */
export function renderTemplate(t: Template, values: TemplateValues, escape: (value: string) => string): string {
  if (t.constant) return t.text;
  let out = "";
  for (const p of t.parts) out += typeof p === "string" ? p : escape(values[p.variable]);
  return out;
}

/** Keeps a value within one MQTT topic level: `/`, `+`, `#` and NUL become `_`. */
export function mqttLevel(value: string): string {
  return value.replace(/[/+#]/g, "_").replaceAll("\u0000", "_");
}
