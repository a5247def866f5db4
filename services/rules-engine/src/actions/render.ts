/**
 * Rendering compiled actions into concrete requests, synchronously at the moment a rule fires, so every action of
 * a firing sees the same values. An action whose template reads something without a value fails alone
 * (ACTION_TEMPLATE_FAILED) and the others still run.
 */
import { randomUUID } from "node:crypto";
import { API_VERSION, ErrorKind, ServiceError, eventSubject, type AddEventRequest, type SimpleReading } from "@brink/contracts";
import { RulesErrorCode } from "../errors.js";
import { isMissing, type Scope, type Value } from "../expr/types.js";
import { alertSubject, type Alert, type FiringContext } from "../engine/firing.js";
import type { NotificationInput } from "../notifications/types.js";
import type { ActionType, BrinkServiceKey } from "../rule/types.js";
import type { ActionPlan } from "./plan.js";

/** The service name rule-made events are published under. */
export const RULES_ENGINE_SERVICE = "rules-engine";

/** A rendered action, ready to run. */
export type ActionRequest =
  | { readonly type: "command"; readonly device: string; readonly command: string; readonly body: Record<string, unknown> }
  | { readonly type: "alert"; readonly subject: string; readonly alert: Alert }
  | { readonly type: "event"; readonly subject: string; readonly event: AddEventRequest }
  | {
      readonly type: "http";
      readonly method: string;
      readonly url: string | undefined;
      readonly service: BrinkServiceKey | undefined;
      readonly path: string | undefined;
      readonly body: unknown;
      readonly headers: Readonly<Record<string, string>>;
    }
  | { readonly type: "webhook"; readonly url: string; readonly method: "POST" | "PUT"; readonly headers: Readonly<Record<string, string>>; readonly body: unknown }
  | { readonly type: "mqtt"; readonly broker: string; readonly topic: string; readonly payload: unknown; readonly qos: 0 | 1 | 2; readonly retain: boolean }
  | { readonly type: "notify"; readonly notification: NotificationInput };

/** A rendered action, or why it could not be rendered. */
export type Rendered = { readonly ok: true; readonly request: ActionRequest } | { readonly ok: false; readonly type: ActionType; readonly error: ServiceError };

/** EdgeX's float format (Go `%e` with the shortest digits): `2.15e+01`. */
export function formatFloat(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return v.toExponential().replace(/e([+-])(\d)$/, "e$10$2");
}

/** The default body of webhooks and MQTT messages: the firing. */
function firingBody(firing: FiringContext): Record<string, unknown> {
  const body: Record<string, unknown> = { rule: firing.rule, firedAt: firing.firedAt, inputs: firing.inputs };
  if (firing.device !== "") body.device = firing.device;
  if (firing.trigger) body.trigger = firing.trigger;
  return body;
}

function readingOf(name: string, v: Value, device: string, profile: string, origin: bigint): SimpleReading {
  const base = { id: randomUUID(), origin, deviceName: device, resourceName: name, profileName: profile };
  if (typeof v === "number") return { ...base, valueType: "Float64", value: formatFloat(v) };
  if (typeof v === "boolean") return { ...base, valueType: "Bool", value: String(v) };
  return { ...base, valueType: "String", value: v === null ? "null" : v };
}

function render(plan: ActionPlan, scope: Scope, firing: FiringContext): ActionRequest {
  switch (plan.type) {
    case "command":
      return { type: "command", device: plan.device.render(scope), command: plan.command, body: plan.body.render(scope) as Record<string, unknown> };
    case "alert": {
      const alert: Alert = {
        apiVersion: API_VERSION,
        id: firing.id,
        rule: firing.rule,
        device: firing.device,
        severity: plan.severity,
        message: plan.message.render(scope),
        firedAt: firing.firedAt,
        inputs: firing.inputs,
      };
      return { type: "alert", subject: plan.subject ?? alertSubject(firing.rule, firing.device), alert };
    }
    case "event": {
      const device = plan.device.render(scope);
      const profile = plan.profile.render(scope);
      const readings = plan.readings.map((r) => readingOf(r.name, r.value.evaluate(scope), device, profile, firing.firedAt));
      const event: AddEventRequest = {
        apiVersion: API_VERSION,
        event: { apiVersion: API_VERSION, id: randomUUID(), deviceName: device, profileName: profile, sourceName: plan.source, origin: firing.firedAt, readings },
      };
      return { type: "event", subject: eventSubject(RULES_ENGINE_SERVICE, profile, device, plan.source), event };
    }
    case "http":
      return {
        type: "http",
        method: plan.method,
        url: plan.url?.render(scope),
        service: plan.service,
        path: plan.path?.render(scope),
        body: plan.body?.render(scope),
        headers: plan.headers,
      };
    case "webhook":
      return { type: "webhook", url: plan.url, method: plan.method, headers: plan.headers, body: plan.body ? plan.body.render(scope) : firingBody(firing) };
    case "mqtt":
      return { type: "mqtt", broker: plan.broker, topic: plan.topic.render(scope), payload: plan.payload ? plan.payload.render(scope) : firingBody(firing), qos: plan.qos, retain: plan.retain };
    case "notify": {
      const notification: NotificationInput = {
        category: plan.category,
        severity: plan.severity,
        labels: [...plan.labels],
        content: plan.content.render(scope),
        sender: `${RULES_ENGINE_SERVICE}/${firing.rule}`,
      };
      if (plan.description) notification.description = plan.description.render(scope);
      return { type: "notify", notification };
    }
  }
}

/** Renders every action of a firing; one that fails to render is reported and does not stop the others. */
export function renderActions(plans: readonly ActionPlan[], scope: Scope, firing: FiringContext): Rendered[] {
  return plans.map((plan): Rendered => {
    try {
      return { ok: true, request: render(plan, scope, firing) };
    } catch (err) {
      const error = isMissing(err)
        ? new ServiceError(ErrorKind.ContractInvalid, RulesErrorCode.TemplateFailed, `${plan.type} action: ${err.missing} has no value yet`, { details: { missing: err.missing } })
        : ServiceError.from(err);
      return { ok: false, type: plan.type, error };
    }
  });
}
