/**
 * One device's connection: an OPCUAClient, its session, and the supervisor that keeps them. The driver never leaves
 * recovery to node-opcua's own reconnection (which does not always re-create subscriptions): when the channel
 * closes, the server restarts, a keep-alive Read fails or a request times out, the whole client is dropped and a
 * new client, session and subscription are built from scratch, after 0, then `reconnectMinDelayMs` doubling up to
 * `reconnectMaxDelayMs`. Only one client per device exists at a time, so nothing is ever subscribed twice. The
 * device is reported DOWN while it is disconnected and UP once the session (and its subscription) is back.
 */
import { ErrorKind, ServiceError } from "@brink/contracts";
import type { Logger } from "pino";
import type { ClientSession, OPCUAClient, UserIdentityInfo } from "node-opcua-client";
import { OpcuaError, OpcuaErrorCode } from "./errors.js";
import type { OpcuaLib } from "./lib.js";
import type { ClientPki } from "./pki.js";
import type { OpcuaDeviceSettings } from "./protocol.js";

/** Timing of connections, from the driver config. */
export interface ConnectionTiming {
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly keepAliveIntervalMs: number;
  readonly reconnectMinDelayMs: number;
  readonly reconnectMaxDelayMs: number;
  readonly sessionTimeoutMs: number;
}

/** Collaborators of {@link DeviceConnection}. */
export interface DeviceConnectionOptions {
  readonly deviceName: string;
  readonly settings: OpcuaDeviceSettings;
  readonly lib: OpcuaLib;
  readonly pki: ClientPki;
  readonly timing: ConnectionTiming;
  readonly logger: Logger;
  /** Runs on each new session before the device counts as UP (subscriptions are created here). */
  readonly onSession?: (session: ClientSession) => Promise<void>;
  /** Runs when a session is gone, before the next one is built. */
  readonly onSessionLost?: () => void;
  /** Reports UP and DOWN transitions. */
  readonly onState: (state: "UP" | "DOWN", reason: string) => void;
}

/** Where the supervisor is. */
export type ConnectionPhase = "idle" | "connecting" | "up" | "waiting" | "closed";

const SERVER_STATUS_CURRENT_TIME = "i=2258";
const VALUE_ATTRIBUTE = 13;
const BROKEN = /BadConnectionClosed|BadSession|BadSecureChannel|Invalid Channel|BadCommunicationError|BadNotConnected|BadTimeout|BadServerHalted|socket|closed|timed out/i;
const DISPOSE_WAIT_MS = 1000;

class TimeoutError extends Error {}

/** Settles with `p`, or rejects with a TimeoutError after `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${what} timed out after ${ms} ms`)), ms);
  });
  p.catch(() => undefined);
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The error for a failed connection attempt, from what node-opcua threw. */
export function connectError(device: string, endpoint: string, err: unknown): OpcuaError {
  if (err instanceof OpcuaError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const details = { deviceName: device, endpoint };
  const make = (kind: ErrorKind, code: OpcuaErrorCode, text: string): OpcuaError => new OpcuaError(kind, code, `device ${device} (${endpoint}): ${text}`, { details, cause: err });
  if (/BadCertificate/.test(message)) {
    return make(ErrorKind.Communication, OpcuaErrorCode.CertificateUntrusted, `the server certificate is not trusted (${firstLine(message)}); move it from the PKI's rejected/ folder to trusted/certs/ to trust it`);
  }
  if (/BadUserAccessDenied|BadIdentityToken/.test(message)) return make(ErrorKind.Communication, OpcuaErrorCode.AuthFailed, `the server refused the user identity (${firstLine(message)})`);
  if (/Cannot find an Endpoint|BadSecurityPolicyRejected|BadSecurityModeRejected/.test(message)) {
    return make(ErrorKind.Communication, OpcuaErrorCode.EndpointNotFound, `the server has no endpoint with this security policy and mode (${firstLine(message)})`);
  }
  return make(ErrorKind.Communication, OpcuaErrorCode.ConnectFailed, `cannot connect: ${firstLine(message)}`);
}

function firstLine(text: string): string {
  return text.split("\n").map((l) => l.trim()).filter((l) => l !== "").join(" ").slice(0, 300);
}

/** See the module comment. */
export class DeviceConnection {
  private phase: ConnectionPhase = "idle";
  private client: OPCUAClient | undefined;
  private current: ClientSession | undefined;
  private generation = 0;
  private lastError: OpcuaError | undefined;
  private reported: "UP" | "DOWN" | undefined;
  private signalBroken: ((reason: string) => void) | undefined;
  private wakeWaiting: (() => void) | undefined;
  private settled: (() => void)[] = [];
  private keepAlive: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: DeviceConnectionOptions) {}

  /** The supervisor's phase. */
  get state(): ConnectionPhase {
    return this.phase;
  }

  /** The error of the last failed attempt, if the connection is not up. */
  get error(): OpcuaError | undefined {
    return this.phase === "up" ? undefined : this.lastError;
  }

  /** Starts connecting (and keeps reconnecting) in the background. */
  start(): void {
    if (this.phase !== "idle") return;
    this.loop = this.supervise();
  }

  /**
   * The current session. While an attempt is under way it waits for that attempt; otherwise it fails at once with
   * the last connection error (OPCUA_CERTIFICATE_UNTRUSTED, OPCUA_AUTH_FAILED, ...) or OPCUA_NOT_CONNECTED.
   */
  async session(): Promise<ClientSession> {
    if (this.phase === "idle") this.start();
    if (this.phase === "connecting") await new Promise<void>((resolve) => this.settled.push(resolve));
    if (this.phase === "up" && this.current !== undefined) return this.current;
    if (this.lastError !== undefined && this.phase !== "closed") throw this.lastError;
    throw new OpcuaError(ErrorKind.ServiceUnavailable, OpcuaErrorCode.NotConnected, `device ${this.options.deviceName}: not connected to ${this.options.settings.endpoint}`, {
      details: { deviceName: this.options.deviceName, endpoint: this.options.settings.endpoint, phase: this.phase },
    });
  }

  /**
   * Runs one service call on the session with the request deadline. A call that fails on the wire (timeout,
   * closed channel, lost session) rejects with OPCUA_REQUEST_FAILED and makes the supervisor rebuild the connection.
   */
  async request<T>(what: string, op: (session: ClientSession) => Promise<T>, timeoutMs = this.options.timing.requestTimeoutMs): Promise<T> {
    const session = await this.session();
    const generation = this.generation;
    try {
      return await withTimeout(op(session), timeoutMs, what);
    } catch (err) {
      if (err instanceof ServiceError) throw err;
      const message = err instanceof Error ? err.message : String(err);
      if (err instanceof TimeoutError || BROKEN.test(message)) this.broken(generation, `${what} failed: ${firstLine(message)}`);
      throw new OpcuaError(ErrorKind.Communication, OpcuaErrorCode.RequestFailed, `device ${this.options.deviceName}: ${what} failed: ${firstLine(message)}`, {
        details: { deviceName: this.options.deviceName },
        cause: err,
      });
    }
  }

  /** Stops supervising and closes the session (deleting its subscriptions) and the channel. */
  async close(options: { force: boolean } = { force: false }): Promise<void> {
    if (this.phase === "closed") return;
    const wasUp = this.phase === "up";
    this.phase = "closed";
    this.generation++;
    this.signalBroken?.("closed");
    this.wakeWaiting?.();
    this.release();
    await this.dispose(wasUp && !options.force);
    // An attempt in flight ends by itself (its client is disconnected above); a forced close does not wait for it.
    if (this.loop !== undefined) await Promise.race([this.loop, sleep(options.force ? 0 : this.options.timing.connectTimeoutMs)]);
  }

  private async supervise(): Promise<void> {
    const { timing, logger, deviceName } = this.options;
    let delay = 0;
    while (this.phase !== "closed") {
      this.phase = "connecting";
      let reason: string;
      try {
        const { broken } = await this.open();
        this.phase = "up";
        this.lastError = undefined;
        this.report("UP", "session open");
        this.release();
        delay = 0;
        reason = await broken;
      } catch (err) {
        if (this.isClosed()) break;
        this.lastError = connectError(deviceName, this.options.settings.endpoint, err);
        reason = this.lastError.message;
        logger.warn({ device: deviceName, code: this.lastError.code, err: this.lastError.message }, "OPC UA connection attempt failed");
      }
      if (this.isClosed()) break;
      this.phase = "waiting";
      this.release();
      this.report("DOWN", reason);
      await this.dispose(false);
      if (delay > 0) await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wakeWaiting = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeWaiting = undefined;
      delay = Math.min(Math.max(delay * 2, timing.reconnectMinDelayMs), timing.reconnectMaxDelayMs);
    }
  }

  /** Builds client, session and subscription; `broken` resolves with the reason the connection breaks. */
  private async open(): Promise<{ broken: Promise<string> }> {
    const { lib, pki, settings, timing, deviceName } = this.options;
    const { OPCUAClient, MessageSecurityMode, SecurityPolicy, UserTokenType } = lib.client;
    const generation = ++this.generation;
    const broken = new Promise<string>((resolve) => (this.signalBroken = resolve));
    const client = OPCUAClient.create({
      applicationName: pki.applicationName,
      applicationUri: pki.applicationUri,
      clientName: deviceName,
      clientCertificateManager: pki.manager,
      certificateFile: pki.certificateFile,
      privateKeyFile: pki.privateKeyFile,
      securityMode: MessageSecurityMode[settings.securityMode],
      securityPolicy: SecurityPolicy[settings.securityPolicy],
      endpointMustExist: false,
      connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 200 },
      keepSessionAlive: false,
      requestedSessionTimeout: timing.sessionTimeoutMs,
      defaultTransactionTimeout: timing.requestTimeoutMs,
      transportTimeout: timing.connectTimeoutMs,
    });
    this.client = client;
    client.on("connection_lost", () => this.broken(generation, "connection lost"));
    client.on("close", (err?: Error | null) => {
      if (err) this.broken(generation, `channel closed: ${firstLine(err.message)}`);
    });
    await withTimeout(client.connect(settings.endpoint), timing.connectTimeoutMs, "connect");
    this.checkLive(generation, client);
    const identity: UserIdentityInfo =
      settings.identity.type === "UserName"
        ? { type: UserTokenType.UserName, userName: settings.identity.userName, password: settings.identity.password }
        : { type: UserTokenType.Anonymous };
    const session = await withTimeout(client.createSession(identity), timing.connectTimeoutMs, "create session");
    this.current = session;
    this.checkLive(generation, client);
    session.on("session_closed", () => this.broken(generation, "the server closed the session"));
    if (this.options.onSession !== undefined) await withTimeout(this.options.onSession(session), timing.connectTimeoutMs + timing.requestTimeoutMs, "subscribe");
    this.checkLive(generation, client);
    this.startKeepAlive(generation, session);
    return { broken };
  }

  private isClosed(): boolean {
    return this.phase === "closed";
  }

  /** Throws (and lets go of the client) when the connection was closed while an attempt was in flight. */
  private checkLive(generation: number, client: OPCUAClient): void {
    if (generation === this.generation && this.phase !== "closed") return;
    void client.disconnect().catch(() => undefined);
    throw new Error("the connection was closed while connecting");
  }

  private startKeepAlive(generation: number, session: ClientSession): void {
    const { keepAliveIntervalMs, requestTimeoutMs } = this.options.timing;
    if (keepAliveIntervalMs <= 0) return;
    let busy = false;
    this.keepAlive = setInterval(() => {
      if (busy) return;
      busy = true;
      withTimeout(session.read({ nodeId: SERVER_STATUS_CURRENT_TIME, attributeId: VALUE_ATTRIBUTE }), requestTimeoutMs, "keep-alive read").then(
        () => (busy = false),
        (err: unknown) => {
          busy = false;
          this.broken(generation, `keep-alive failed: ${firstLine(err instanceof Error ? err.message : String(err))}`);
        },
      );
    }, keepAliveIntervalMs);
    this.keepAlive.unref();
  }

  private broken(generation: number, reason: string): void {
    if (generation !== this.generation || this.phase === "closed") return;
    const signal = this.signalBroken;
    this.signalBroken = undefined;
    signal?.(reason);
  }

  private report(state: "UP" | "DOWN", reason: string): void {
    if (this.reported === state) return;
    const first = this.reported === undefined;
    this.reported = state;
    if (state === "DOWN") this.options.logger.warn({ device: this.options.deviceName, reason }, "OPC UA device is not connected");
    else if (!first) this.options.logger.info({ device: this.options.deviceName }, "OPC UA device reconnected");
    this.options.onState(state, reason);
  }

  private release(): void {
    const waiting = this.settled;
    this.settled = [];
    for (const resolve of waiting) resolve();
  }

  /** Drops the client; a graceful close deletes the session and its subscriptions on the server first. */
  private async dispose(graceful: boolean): Promise<void> {
    clearInterval(this.keepAlive);
    this.keepAlive = undefined;
    const client = this.client;
    const session = this.current;
    this.client = undefined;
    this.current = undefined;
    if (session !== undefined) this.options.onSessionLost?.();
    if (client === undefined) return;
    const { requestTimeoutMs } = this.options.timing;
    const work = (async () => {
      if (graceful && session !== undefined) await withTimeout(session.close(true), requestTimeoutMs, "close session").catch(() => undefined);
      await client.disconnect().catch(() => undefined);
    })();
    await Promise.race([work, sleep(graceful ? requestTimeoutMs + DISPOSE_WAIT_MS : DISPOSE_WAIT_MS)]);
  }
}
