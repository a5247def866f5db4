/**
 * The rule format, as written in YAML files and REST bodies (see docs/rules.md). A rule is either triggered by
 * readings (`when`) or by time (`schedule`), and runs its `actions` when it fires.
 */

/** How a window moves. */
export const WindowType = {
  /** The last `duration` (or `count` readings), moving with every reading; the rule is evaluated on each reading. */
  Sliding: "sliding",
  /** Back-to-back, non-overlapping windows; the rule is evaluated once per window, when it closes. */
  Tumbling: "tumbling",
} as const;
/** One window type. */
export type WindowType = (typeof WindowType)[keyof typeof WindowType];

/** The window a rule's aggregates (avg, min, max, sum, count, rate) are computed over, per device and resource. */
export interface WindowDefinition {
  type: WindowType;
  /** Go duration of a time window, such as `30s` or `5m`. Exactly one of `duration` and `count`. */
  duration?: string;
  /** Number of readings of a count window. */
  count?: number;
}

/** Which readings a rule looks at. Each field is a glob (`*` any run of characters, `?` one); absent means all. */
export interface SourceDefinition {
  device?: string;
  profile?: string;
  /** The event's source: the command or resource that was read. */
  source?: string;
  /** Restricts which resources trigger an evaluation (by default, those the condition names). */
  resource?: string;
}

/** What a scheduled rule does about runs it missed while the service was stopped. */
export const MissedRunPolicy = {
  /** Forget them; run at the next scheduled time (as EdgeX's support-scheduler does). */
  Skip: "skip",
  /** Run once at start when one or more runs were missed, then keep the schedule. */
  Once: "once",
} as const;
/** One missed-run policy. */
export type MissedRunPolicy = (typeof MissedRunPolicy)[keyof typeof MissedRunPolicy];

/** When a scheduled rule runs: exactly one of `interval` and `cron`. */
export interface ScheduleDefinition {
  /** Go duration between runs, such as `1m`. */
  interval?: string;
  /** Cron expression, 5 fields (minute precision) or 6 (seconds first), such as `0 3 * * *`. */
  cron?: string;
  /** IANA time zone of the cron expression. @default "UTC" */
  timezone?: string;
  /** @default "skip" */
  missed?: MissedRunPolicy;
}

/** Notification severities, as EdgeX's support-notifications names them. */
export const Severity = { Minor: "MINOR", Normal: "NORMAL", Critical: "CRITICAL" } as const;
/** One severity. */
export type Severity = (typeof Severity)[keyof typeof Severity];

/** Action types. */
export const ActionType = {
  Command: "command",
  Alert: "alert",
  Event: "event",
  Http: "http",
  Webhook: "webhook",
  Mqtt: "mqtt",
  Notify: "notify",
} as const;
/** One action type. */
export type ActionType = (typeof ActionType)[keyof typeof ActionType];

/** Writes to a device: the same as `PUT /api/v3/device/name/{device}/{command}` on core-command. */
export interface CommandActionDefinition {
  type: "command";
  /** Template. @default "${$device}" (the device of the reading) */
  device?: string;
  command: string;
  /** Resource name -> value; string values are templates. */
  body: Record<string, unknown>;
}

/** Publishes an alert on the bus, on `edgex.rules.alerts.<rule>.<device>` unless `subject` says otherwise. */
export interface AlertActionDefinition {
  type: "alert";
  /** @default "NORMAL" */
  severity?: Severity;
  /** Template. @default "rule <name> fired" */
  message?: string;
  /** A fixed subject to publish on instead. */
  subject?: string;
}

/** Publishes an EdgeX event (so core-data stores it and app services see it) with readings computed by expressions. */
export interface EventActionDefinition {
  type: "event";
  /** Template. @default "${$device}" */
  device?: string;
  /** Template. @default "${$profile}" */
  profile?: string;
  /** @default the rule's name */
  source?: string;
  /** Reading (resource) name -> expression giving its value (a number becomes Float64, a boolean Bool, text String). */
  readings: Record<string, string>;
}

/** Core services an HTTP action may name instead of a URL (their URLs come from the config's `clients`). */
export const BrinkServiceKey = { CoreData: "core-data", CoreMetadata: "core-metadata", CoreCommand: "core-command" } as const;
/** One service key. */
export type BrinkServiceKey = (typeof BrinkServiceKey)[keyof typeof BrinkServiceKey];

/** Calls an HTTP API once, now (no store-and-forward), recording the status: a Brink API or any other. */
export interface HttpActionDefinition {
  type: "http";
  /** @default "POST" */
  method?: string;
  /** Absolute URL (template). Exactly one of `url` and `service`. */
  url?: string;
  /** A core service, with `path`; the API token of the config is sent. */
  service?: BrinkServiceKey;
  /** Path (template) on `service`, such as `/api/v3/event/age/604800000000000`. */
  path?: string;
  /** JSON body; strings are templates. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** Posts JSON to a URL through the store-and-forward outbox (retried until delivered). */
export interface WebhookActionDefinition {
  type: "webhook";
  url: string;
  /** @default "POST" */
  method?: "POST" | "PUT";
  headers?: Record<string, string>;
  /** JSON body; strings are templates. @default the firing (rule, device, time, inputs) */
  body?: unknown;
}

/** Publishes to an MQTT broker through the store-and-forward outbox. */
export interface MqttActionDefinition {
  type: "mqtt";
  /** Broker URL, such as `mqtt://127.0.0.1:1883`. */
  broker: string;
  /** Topic (template). */
  topic: string;
  /** JSON payload; strings are templates. @default the firing */
  payload?: unknown;
  /** @default 1 */
  qos?: 0 | 1 | 2;
  /** @default false */
  retain?: boolean;
}

/** Records a notification, delivered to matching subscriptions. */
export interface NotifyActionDefinition {
  type: "notify";
  /** @default "rules" */
  category?: string;
  /** @default "NORMAL" */
  severity?: Severity;
  labels?: string[];
  /** Template. @default "rule <name> fired for <device>" */
  content?: string;
  /** Template. */
  description?: string;
}

/** One action. */
export type ActionDefinition =
  | CommandActionDefinition
  | AlertActionDefinition
  | EventActionDefinition
  | HttpActionDefinition
  | WebhookActionDefinition
  | MqttActionDefinition
  | NotifyActionDefinition;

/** A rule as users write it. */
export interface RuleDefinition {
  /** Unique; letters, digits and `-_.~` (it appears in URLs and subjects). */
  name: string;
  description?: string;
  labels?: string[];
  /** @default true */
  enabled?: boolean;
  source?: SourceDefinition;
  /** The condition (reading rules). */
  when?: string;
  window?: WindowDefinition;
  /** Go duration the condition must hold before the rule fires. @default "0s" */
  for?: string;
  /** Condition that ends a firing (the rule can fire again only after it held). @default not `when` */
  clear?: string;
  /** Instead of `clear`, for a `when` of the form `a > b` (or `>=`, `<`, `<=`): it clears once `a` is this far back past `b`. */
  hysteresis?: number;
  /** Go duration after a firing during which the rule does not fire again for the same device. @default "0s" */
  cooldown?: string;
  /** Time trigger (scheduled rules), instead of `when`. */
  schedule?: ScheduleDefinition;
  actions: ActionDefinition[];
}

/** A rule as stored and answered: the definition with its id and times (Unix ns). */
export interface StoredRule extends RuleDefinition {
  id: string;
  enabled: boolean;
  created: bigint;
  modified: bigint;
}
