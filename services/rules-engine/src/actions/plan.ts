/**
 * Actions compiled when a rule is saved: every template and expression is compiled once, every field checked, so
 * that firing only renders and sends.
 */
import { ExpressionError } from "../expr/parser.js";
import { compileExpression, type CompileOptions, type CompiledExpression } from "../expr/compile.js";
import { TemplateError, compileJsonTemplate, compileTemplate, type CompiledJsonTemplate, type CompiledTemplate } from "../expr/template.js";
import { at, checkKeys, isRecord, optEnum, optString, optStringMap, optStrings, reqString, type Problems } from "../rule/checks.js";
import { ActionType, BrinkServiceKey, Severity, type ActionDefinition } from "../rule/types.js";

/** Writes to a device. */
export interface CommandPlan {
  readonly type: "command";
  readonly device: CompiledTemplate;
  readonly command: string;
  readonly body: CompiledJsonTemplate;
}

/** Publishes an alert on the bus. */
export interface AlertPlan {
  readonly type: "alert";
  readonly severity: Severity;
  readonly message: CompiledTemplate;
  readonly subject: string | undefined;
}

/** Publishes an EdgeX event. */
export interface EventPlan {
  readonly type: "event";
  readonly device: CompiledTemplate;
  readonly profile: CompiledTemplate;
  readonly source: string;
  readonly readings: readonly { readonly name: string; readonly value: CompiledExpression }[];
}

/** Calls an HTTP API now. */
export interface HttpPlan {
  readonly type: "http";
  readonly method: string;
  readonly url: CompiledTemplate | undefined;
  readonly service: BrinkServiceKey | undefined;
  readonly path: CompiledTemplate | undefined;
  readonly body: CompiledJsonTemplate | undefined;
  readonly headers: Readonly<Record<string, string>>;
}

/** Posts to a webhook through the outbox. */
export interface WebhookPlan {
  readonly type: "webhook";
  readonly url: string;
  readonly method: "POST" | "PUT";
  readonly headers: Readonly<Record<string, string>>;
  readonly body: CompiledJsonTemplate | undefined;
}

/** Publishes to MQTT through the outbox. */
export interface MqttPlan {
  readonly type: "mqtt";
  readonly broker: string;
  readonly topic: CompiledTemplate;
  readonly payload: CompiledJsonTemplate | undefined;
  readonly qos: 0 | 1 | 2;
  readonly retain: boolean;
}

/** Records a notification. */
export interface NotifyPlan {
  readonly type: "notify";
  readonly category: string;
  readonly severity: Severity;
  readonly labels: readonly string[];
  readonly content: CompiledTemplate;
  readonly description: CompiledTemplate | undefined;
}

/** A compiled action. */
export type ActionPlan = CommandPlan | AlertPlan | EventPlan | HttpPlan | WebhookPlan | MqttPlan | NotifyPlan;

const SEVERITIES = Object.values(Severity);
const SERVICES = Object.values(BrinkServiceKey);
const ACTION_TYPES = Object.values(ActionType);
const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

/** What compiling an action needs to know about its rule. */
export interface ActionCompileContext {
  readonly ruleName: string;
  /** Scheduled rules have no device: templates cannot read resources and device fields must be given. */
  readonly scheduled: boolean;
  readonly expressions: CompileOptions;
}

function isAbsoluteUrl(text: string, schemes: readonly string[]): boolean {
  try {
    return schemes.includes(new URL(text).protocol);
  } catch {
    return false;
  }
}

/** Compiles the actions of a rule; problems go to `problems`, and failed actions are left out. */
export function compileActions(raw: unknown, path: string, ctx: ActionCompileContext, problems: Problems): ActionPlan[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    problems.add(path, "is required: a list of at least one action");
    return [];
  }
  const plans: ActionPlan[] = [];
  raw.forEach((item: unknown, i) => {
    const plan = compileAction(item, at(path, i), ctx, problems);
    if (plan) plans.push(plan);
  });
  return plans;
}

function compileAction(raw: unknown, path: string, ctx: ActionCompileContext, problems: Problems): ActionPlan | undefined {
  if (!isRecord(raw)) {
    problems.add(path, "must be an object with a type");
    return undefined;
  }
  const type = optEnum(raw, "type", ACTION_TYPES, path, problems);
  if (type === undefined) {
    if (raw.type === undefined) problems.add(at(path, "type"), `is required: one of ${ACTION_TYPES.join(", ")}`);
    return undefined;
  }
  const before = problems.list.length;
  const t = new Templates(path, ctx, problems);
  const plan = build(type, raw as Record<string, unknown>, path, ctx, problems, t);
  return problems.list.length === before ? plan : undefined;
}

/** Compiles templates, reporting problems under the action's path. */
class Templates {
  constructor(
    private readonly path: string,
    private readonly ctx: ActionCompileContext,
    private readonly problems: Problems,
  ) {}

  text(key: string, source: string): CompiledTemplate {
    try {
      return compileTemplate(source, this.ctx.expressions);
    } catch (err) {
      if (!(err instanceof ExpressionError)) throw err;
      this.problems.addExpression(at(this.path, key), err.message, err.position, source);
      return compileTemplate("", this.ctx.expressions);
    }
  }

  json(key: string, value: unknown): CompiledJsonTemplate {
    try {
      return compileJsonTemplate(value, this.ctx.expressions);
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      this.problems.addExpression(err.path === "" ? at(this.path, key) : at(at(this.path, key), err.path), err.message, err.position, sourceAt(value, err.path));
      return compileJsonTemplate(null, this.ctx.expressions);
    }
  }

  expression(key: string, source: string): CompiledExpression | undefined {
    try {
      return compileExpression(source, this.ctx.expressions);
    } catch (err) {
      if (!(err instanceof ExpressionError)) throw err;
      this.problems.addExpression(at(this.path, key), err.message, err.position, source);
      return undefined;
    }
  }

  /** A device-naming template; defaults to the reading's device, which scheduled rules do not have. */
  device(raw: Record<string, unknown>, key: string, fallback: string): CompiledTemplate {
    const given = optString(raw, key, this.path, this.problems);
    if (given === undefined && this.ctx.scheduled && raw[key] === undefined) this.problems.add(at(this.path, key), "is required in a scheduled rule");
    return this.text(key, given ?? fallback);
  }
}

/** The string at a template path inside a JSON value (for error messages). */
function sourceAt(value: unknown, path: string): string {
  let v = value;
  for (const part of path.match(/[^.[\]]+/g) ?? []) v = isRecord(v) ? v[part] : Array.isArray(v) ? v[Number(part)] : undefined;
  return typeof v === "string" ? v : "";
}

function build(type: ActionDefinition["type"], raw: Record<string, unknown>, path: string, ctx: ActionCompileContext, problems: Problems, t: Templates): ActionPlan {
  switch (type) {
    case "command": {
      checkKeys(raw, ["type", "device", "command", "body"], path, problems);
      const command = reqString(raw, "command", path, problems) ?? "";
      if (!isRecord(raw.body) || Object.keys(raw.body).length === 0) problems.add(at(path, "body"), "is required: an object of resource name -> value");
      return { type, device: t.device(raw, "device", "${$device}"), command, body: t.json("body", isRecord(raw.body) ? raw.body : {}) };
    }
    case "alert": {
      checkKeys(raw, ["type", "severity", "message", "subject"], path, problems);
      const subject = optString(raw, "subject", path, problems);
      if (subject !== undefined && /[\s*>]|^\.|\.\.|\.$/.test(subject)) problems.add(at(path, "subject"), "must be a plain bus subject: no spaces, no wildcards, no empty token");
      return {
        type,
        severity: optEnum(raw, "severity", SEVERITIES, path, problems) ?? Severity.Normal,
        message: t.text("message", optString(raw, "message", path, problems) ?? (ctx.scheduled ? `rule ${ctx.ruleName} ran` : `rule ${ctx.ruleName} fired for \${$device}`)),
        subject,
      };
    }
    case "event": {
      checkKeys(raw, ["type", "device", "profile", "source", "readings"], path, problems);
      const readings: { name: string; value: CompiledExpression }[] = [];
      if (!isRecord(raw.readings) || Object.keys(raw.readings).length === 0) {
        problems.add(at(path, "readings"), "is required: an object of reading name -> expression");
      } else {
        for (const [name, source] of Object.entries(raw.readings)) {
          if (typeof source !== "string" || source.trim() === "") {
            problems.add(at(at(path, "readings"), name), "must be an expression");
            continue;
          }
          const value = t.expression(`readings.${name}`, source);
          if (value) readings.push({ name, value });
        }
      }
      return {
        type,
        device: t.device(raw, "device", "${$device}"),
        profile: t.device(raw, "profile", "${$profile}"),
        source: optString(raw, "source", path, problems) ?? ctx.ruleName,
        readings,
      };
    }
    case "http": {
      checkKeys(raw, ["type", "method", "url", "service", "path", "body", "headers"], path, problems);
      const method = (optEnum(raw, "method", HTTP_METHODS, path, problems) ?? "POST") as string;
      const url = optString(raw, "url", path, problems);
      const service = optEnum(raw, "service", SERVICES, path, problems);
      const apiPath = optString(raw, "path", path, problems);
      if ((url === undefined) === (service === undefined)) problems.add(path, "needs exactly one of url and service (with path)");
      if (service !== undefined && (apiPath === undefined || !apiPath.startsWith("/"))) problems.add(at(path, "path"), "is required with service and starts with /");
      if (url !== undefined && apiPath !== undefined) problems.add(at(path, "path"), "goes with service; put the whole address in url");
      if (url !== undefined && !url.includes("${") && !isAbsoluteUrl(url, ["http:", "https:"])) problems.add(at(path, "url"), "must be an absolute http:// or https:// URL");
      return {
        type,
        method,
        url: url === undefined ? undefined : t.text("url", url),
        service,
        path: apiPath === undefined ? undefined : t.text("path", apiPath),
        body: raw.body === undefined ? undefined : t.json("body", raw.body),
        headers: optStringMap(raw, "headers", path, problems) ?? {},
      };
    }
    case "webhook": {
      checkKeys(raw, ["type", "url", "method", "headers", "body"], path, problems);
      const url = reqString(raw, "url", path, problems) ?? "";
      if (url !== "" && !isAbsoluteUrl(url, ["http:", "https:"])) problems.add(at(path, "url"), "must be an absolute http:// or https:// URL");
      return {
        type,
        url,
        method: optEnum(raw, "method", ["POST", "PUT"] as const, path, problems) ?? "POST",
        headers: optStringMap(raw, "headers", path, problems) ?? {},
        body: raw.body === undefined ? undefined : t.json("body", raw.body),
      };
    }
    case "mqtt": {
      checkKeys(raw, ["type", "broker", "topic", "payload", "qos", "retain"], path, problems);
      const broker = reqString(raw, "broker", path, problems) ?? "";
      if (broker !== "" && !isAbsoluteUrl(broker, ["mqtt:", "mqtts:", "tcp:", "ssl:", "ws:", "wss:"])) problems.add(at(path, "broker"), "must be a broker URL such as mqtt://host:1883");
      const qos = raw.qos ?? 1;
      if (qos !== 0 && qos !== 1 && qos !== 2) problems.add(at(path, "qos"), "must be 0, 1 or 2");
      if (raw.retain !== undefined && typeof raw.retain !== "boolean") problems.add(at(path, "retain"), "must be true or false");
      return {
        type,
        broker,
        topic: t.text("topic", reqString(raw, "topic", path, problems) ?? ""),
        payload: raw.payload === undefined ? undefined : t.json("payload", raw.payload),
        qos: qos === 0 || qos === 2 ? qos : 1,
        retain: raw.retain === true,
      };
    }
    case "notify": {
      checkKeys(raw, ["type", "category", "severity", "labels", "content", "description"], path, problems);
      const description = optString(raw, "description", path, problems);
      return {
        type,
        category: optString(raw, "category", path, problems) ?? "rules",
        severity: optEnum(raw, "severity", SEVERITIES, path, problems) ?? Severity.Normal,
        labels: optStrings(raw, "labels", path, problems) ?? [],
        content: t.text("content", optString(raw, "content", path, problems) ?? (ctx.scheduled ? `rule ${ctx.ruleName} ran` : `rule ${ctx.ruleName} fired for \${$device}`)),
        description: description === undefined ? undefined : t.text("description", description),
      };
    }
  }
}
