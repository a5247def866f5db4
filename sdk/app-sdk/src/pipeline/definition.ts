/**
 * Pipeline definitions as written in YAML (`pipelines: [...]`) or sent as JSON over REST, and the mapping of
 * EdgeX/MQTT topic filters (`edgex/events/device/#`) to NATS subject patterns (`edgex.events.device.>`).
 */
import { ALL_EVENTS, escapeToken } from "@brink/contracts";
import { isValidPattern } from "@brink/bus";

/** How a pipeline gets its messages. */
export const TriggerType = { Bus: "bus", Http: "http" } as const;
/** One trigger type. */
export type TriggerType = (typeof TriggerType)[keyof typeof TriggerType];

/** Messages from the bus: events published on any of `subjects`. */
export interface BusTriggerDefinition {
  type: typeof TriggerType.Bus;
  /**
   * Topic filters, MQTT style (`edgex/events/device/+/Thermostat/#`) or NATS style (`edgex.events.device.>`).
   * @default [edgex.events.device.>]
   */
  subjects: string[];
}

/** Messages from `POST /api/v3/trigger`. */
export interface HttpTriggerDefinition {
  type: typeof TriggerType.Http;
}

/** A pipeline's trigger. */
export type TriggerDefinition = BusTriggerDefinition | HttpTriggerDefinition;

/** One step of a pipeline: a function by name and its parameters. */
export interface FunctionDefinition {
  name: string;
  /** @default {} */
  params: Record<string, unknown>;
}

/** A pipeline, normalised (defaults filled in). */
export interface PipelineDefinition {
  /** Letters, digits, `_` and `-`, starting with a letter or digit; at most 64 characters. */
  name: string;
  /** @default true */
  enabled: boolean;
  trigger: TriggerDefinition;
  functions: FunctionDefinition[];
}

/** A file or request body of several pipelines. */
export interface PipelineDocument {
  pipelines: PipelineDefinition[];
}

/** Rule for pipeline names (they name queue groups, durable consumers and URL paths). */
export const PIPELINE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** The default bus trigger subjects: every device event. */
export const DEFAULT_TRIGGER_SUBJECTS: readonly string[] = [ALL_EVENTS];

/**
 * The NATS pattern of a topic filter, or why it is not one. A filter with a `/`, or one that is `#` or `+`, is
 * read as MQTT: levels become tokens (escaped as subject builders escape names), `+` becomes `*`, a last `#`
 * becomes `>`. Anything else must be a valid NATS pattern and is kept as written.
 */
export function toNatsPattern(filter: string): { pattern: string } | { problem: string } {
  if (typeof filter !== "string" || filter.trim() === "") return { problem: "must be a non-empty topic filter" };
  const mqtt = filter.includes("/") || filter === "#" || filter === "+";
  if (!mqtt) {
    return isValidPattern(filter)
      ? { pattern: filter }
      : { problem: `"${filter}" is neither an MQTT topic filter (edgex/events/device/#) nor a NATS pattern (edgex.events.device.>)` };
  }
  const levels = filter.split("/");
  const tokens: string[] = [];
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (level === "") return { problem: `"${filter}" has an empty level` };
    if (level === "#") {
      if (i !== levels.length - 1) return { problem: `"${filter}": # must be the last level` };
      tokens.push(">");
    } else if (level === "+") tokens.push("*");
    else if (level.includes("#") || level.includes("+")) return { problem: `"${filter}": + and # must stand alone in a level` };
    else tokens.push(escapeToken(level));
  }
  return { pattern: tokens.join(".") };
}
