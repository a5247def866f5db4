/**
 * Runs the rendered actions of a firing, all at once, each on its own: one failing (a device down, a receiver
 * refusing) is recorded and changes nothing for the others or for other rules.
 */
import {
  AdminState, ErrorCode, ErrorKind, ServiceError, commandRequestSubject, stringifyJson, type CommandRequestPayload, type Subject,
} from "@brink/contracts";
import type { MessageBus } from "@brink/bus";
import { HttpClient } from "@brink/service-kit";
import { RulesErrorCode } from "../errors.js";
import { roundMs, type ActionResult } from "../engine/firing.js";
import type { NotificationInput } from "../notifications/types.js";
import type { BrinkServiceKey } from "../rule/types.js";
import type { DeviceDirectory } from "./device-directory.js";
import type { ActionRequest, Rendered } from "./render.js";

/** Store-and-forward delivery of webhook and MQTT actions (the app-sdk outbox). */
export interface ExportGateway {
  /** Durably queues one webhook request; resolves once stored. */
  webhook(request: { url: string; method: "POST" | "PUT"; headers: Readonly<Record<string, string>>; body: Uint8Array }): Promise<void>;
  /** Durably queues one MQTT message; resolves once stored. */
  mqtt(request: { broker: string; topic: string; payload: Uint8Array; qos: 0 | 1 | 2; retain: boolean }): Promise<void>;
}

/** Where notify actions put their notifications. */
export interface NotificationSink {
  create(input: NotificationInput): Promise<{ readonly id: string; readonly status: string }>;
}

/** Options of {@link ActionRunner}. */
export interface ActionRunnerOptions {
  readonly bus: MessageBus;
  readonly devices: DeviceDirectory;
  /** How long a device service may take to acknowledge a write, ms. */
  readonly commandTimeoutMs: number;
  /** Timeout of HTTP actions, ms. */
  readonly httpTimeoutMs: number;
  /** Base URLs of the core services HTTP actions may name. */
  readonly serviceUrls: Readonly<Record<BrinkServiceKey, string>>;
  /** Bearer token sent to core services (BRINK_API_TOKEN). */
  readonly apiToken: string | undefined;
  readonly notifications: NotificationSink;
  /** Absent when store-and-forward is not available: webhook and MQTT actions then fail with DELIVERY_UNAVAILABLE. */
  readonly exports: ExportGateway | undefined;
}

type Detail = Record<string, unknown>;

/** Runs actions; see the module comment. */
export class ActionRunner {
  private readonly options: ActionRunnerOptions;

  constructor(options: ActionRunnerOptions) {
    this.options = options;
  }

  /** Runs every rendered action at once; results come back in action order. */
  run(actions: readonly Rendered[]): Promise<ActionResult[]> {
    return Promise.all(actions.map((a) => this.runOne(a)));
  }

  private async runOne(action: Rendered): Promise<ActionResult> {
    if (!action.ok) return { type: action.type, ok: false, durationMs: 0, error: errorOf(action.error) };
    const started = performance.now();
    try {
      const detail = await this.execute(action.request);
      return { type: action.request.type, ok: true, durationMs: roundMs(performance.now() - started), detail };
    } catch (err) {
      return { type: action.request.type, ok: false, durationMs: roundMs(performance.now() - started), error: errorOf(ServiceError.from(err)) };
    }
  }

  private async execute(request: ActionRequest): Promise<Detail> {
    const o = this.options;
    switch (request.type) {
      case "command":
        return this.command(request.device, request.command, request.body);
      case "alert":
        await o.bus.publish(request.subject, request.alert);
        return { subject: request.subject };
      case "event":
        await o.bus.publish(request.subject, request.event);
        return { subject: request.subject, eventId: request.event.event.id };
      case "http":
        return this.http(request);
      case "webhook":
        await this.gateway().webhook({ url: request.url, method: request.method, headers: request.headers, body: encode(request.body) });
        return { queued: true, url: request.url };
      case "mqtt":
        await this.gateway().mqtt({ broker: request.broker, topic: request.topic, payload: encode(request.payload), qos: request.qos, retain: request.retain });
        return { queued: true, broker: request.broker, topic: request.topic };
      case "notify": {
        const n = await o.notifications.create(request.notification);
        return { notificationId: n.id, status: n.status };
      }
    }
  }

  /** The write: straight to the owning device service over bus request/reply, as core-command sends it. */
  private async command(deviceName: string, command: string, body: Record<string, unknown>): Promise<Detail> {
    const device = await this.options.devices.device(deviceName);
    if (device.adminState === AdminState.Locked) {
      throw new ServiceError(ErrorKind.ServiceLocked, ErrorCode.Locked, `device ${device.name} is locked`, { details: { deviceName: device.name } });
    }
    const subject = commandRequestSubject(device.serviceName, device.name, command, "set");
    await this.options.bus.request<CommandRequestPayload, unknown>(subject as Subject<CommandRequestPayload>, body, { timeoutMs: this.options.commandTimeoutMs });
    return { device: device.name, command, service: device.serviceName };
  }

  private async http(request: Extract<ActionRequest, { type: "http" }>): Promise<Detail> {
    const o = this.options;
    let target: URL;
    try {
      target = request.service !== undefined ? new URL(o.serviceUrls[request.service].replace(/\/+$/, "") + request.path) : new URL(request.url ?? "");
    } catch {
      throw new ServiceError(ErrorKind.ContractInvalid, ErrorCode.RequestInvalid, `http action: ${request.url ?? request.path ?? ""} is not a valid URL`);
    }
    const client = new HttpClient({
      baseUrl: target.origin,
      timeoutMs: o.httpTimeoutMs,
      apiToken: request.service !== undefined ? o.apiToken : undefined,
      peerName: request.service ?? target.host,
    });
    const options = request.body === undefined ? { headers: request.headers } : { headers: request.headers, body: request.body };
    const response = await client.request(request.method, target.pathname + target.search, options);
    return { status: response.status, url: target.toString() };
  }

  private gateway(): ExportGateway {
    if (this.options.exports) return this.options.exports;
    throw new ServiceError(ErrorKind.ServiceUnavailable, RulesErrorCode.DeliveryUnavailable, "store-and-forward delivery is not available in this process");
  }
}

function encode(body: unknown): Uint8Array {
  return Buffer.from(stringifyJson(body), "utf8");
}

function errorOf(err: ServiceError): NonNullable<ActionResult["error"]> {
  return { kind: err.kind, code: err.code, message: err.message };
}
