/**
 * Link: the per-connection queue, timeouts, back-off and recovery, on fake timers with a scripted transport.
 */
import { strict as assert } from "node:assert";
import FakeTimers from "@sinonjs/fake-timers";
import { pino } from "pino";
import { ServiceError } from "@brink/contracts";
import { Link, ModbusErrorCode, interFrameGapMs, resolveDriverConfig, type LinkSpec, type ModbusRequest, type SendCallback, type Transport } from "../src/index.js";

const TCP: LinkSpec = { kind: "tcp", key: "tcp://10.0.0.1:502", host: "10.0.0.1", port: 502 };
const RTU: LinkSpec = { kind: "rtu", key: "rtu:///dev/ttyUSB0", path: "/dev/ttyUSB0", baudRate: 9600, dataBits: 8, stopBits: 1, parity: "none" };

/** A transport whose opens and answers the test decides. */
class ScriptedTransport implements Transport {
  isOpen = false;
  opens = 0;
  closes = 0;
  discards = 0;
  failOpens = 0;
  hangOpens = false;
  readonly sent: { unit: number; request: ModbusRequest; at: number; cb: SendCallback }[] = [];
  private closeListener: ((reason: string) => void) | undefined;

  constructor(private readonly clock: { readonly now: number }) {}

  async open(): Promise<void> {
    this.opens++;
    if (this.hangOpens) return new Promise<void>(() => undefined);
    if (this.failOpens > 0) {
      this.failOpens--;
      throw new Error("ECONNREFUSED");
    }
    this.isOpen = true;
  }
  async close(): Promise<void> {
    if (this.isOpen) this.closes++;
    this.isOpen = false;
  }
  onClose(listener: (reason: string) => void): void {
    this.closeListener = listener;
  }
  discardInput(): void {
    this.discards++;
  }
  send(unit: number, request: ModbusRequest, cb: SendCallback): void {
    this.sent.push({ unit, request, at: this.clock.now, cb });
  }
  /** The peer hangs up. */
  drop(): void {
    this.isOpen = false;
    this.closeListener?.("connection closed by the peer");
  }
  answerLast(registers = Buffer.from([0, 42])): void {
    this.sent[this.sent.length - 1]!.cb(undefined, { registers });
  }
}

const READ: ModbusRequest = { fc: 3, address: 0, count: 1 };

function setup(spec: LinkSpec = TCP, config: Parameters<typeof resolveDriverConfig>[1] = {}) {
  const clock = FakeTimers.createClock(1000);
  const transport = new ScriptedTransport(clock);
  const link = new Link({
    spec,
    transport,
    config: resolveDriverConfig({}, { reconnectInitialMs: 100, reconnectMaxMs: 1000, ...config }),
    logger: pino({ level: "silent" }),
    clock: { now: () => clock.now, setTimeout: (fn, ms) => clock.setTimeout(fn, ms), clearTimeout: (h) => clock.clearTimeout(h as FakeTimers.TimerId) },
    random: () => 1,
  });
  const read = (unitId: number, timeoutMs = 500, device = `unit-${unitId}`) => link.submit({ unitId, device, timeoutMs, run: (exchange) => exchange(READ) });
  return { clock, transport, link, read };
}

function code(err: unknown): string | undefined {
  return err instanceof ServiceError ? err.code : undefined;
}

describe("Link", () => {
  it("opens the connection on the first job and runs jobs one at a time, in order", async () => {
    const { clock, transport, read } = setup();
    const a = read(1);
    const b = read(2);
    await clock.tickAsync(0);
    assert.equal(transport.opens, 1);
    assert.equal(transport.sent.length, 1, "the second job waits for the first");
    transport.answerLast();
    await a;
    await clock.tickAsync(0);
    assert.deepEqual(transport.sent.map((s) => s.unit), [1, 2]);
    transport.answerLast();
    assert.ok(await b);
  });

  it("times a silent unit out after its own timeout, fails its queued jobs with it, and serves the next unit", async () => {
    const { clock, transport, read } = setup();
    const dead1 = read(6, 300).catch((e: unknown) => e);
    const dead2 = read(6, 300).catch((e: unknown) => e);
    const healthy = read(1, 300);
    await clock.tickAsync(299);
    assert.equal(transport.sent.length, 1);
    await clock.tickAsync(1);
    assert.equal(code(await dead1), ModbusErrorCode.Timeout);
    assert.equal(code(await dead2), ModbusErrorCode.Timeout, "queued behind the timeout: fails with it");
    await clock.tickAsync(0);
    assert.deepEqual(transport.sent.map((s) => [s.unit, s.at]), [
      [6, 1000],
      [1, 1300],
    ], "the healthy unit waited exactly one timeout");
    transport.answerLast();
    assert.ok(await healthy);
  });

  it("ignores an answer that arrives after its timeout", async () => {
    const { clock, transport, read } = setup();
    const late = read(1, 100).catch((e: unknown) => e);
    await clock.tickAsync(100);
    assert.equal(code(await late), ModbusErrorCode.Timeout);
    transport.answerLast();
    const next = read(1, 100);
    await clock.tickAsync(0);
    transport.answerLast(Buffer.from([0, 7]));
    assert.deepEqual(await next, { registers: Buffer.from([0, 7]) });
  });

  it("drops a late answer that arrives while the next request is in flight", async () => {
    const { clock, transport, read } = setup();
    const late = read(1, 100).catch((e: unknown) => e);
    await clock.tickAsync(100);
    assert.equal(code(await late), ModbusErrorCode.Timeout);
    const next = read(1, 1000);
    await clock.tickAsync(0);
    assert.equal(transport.sent.length, 2);
    transport.sent[0]!.cb(undefined, { registers: Buffer.from([0, 1]) });
    transport.sent[1]!.cb(undefined, { registers: Buffer.from([0, 2]) });
    assert.deepEqual(await next, { registers: Buffer.from([0, 2]) });
  });

  it("refuses jobs beyond the queue limit with MODBUS_QUEUE_FULL", async () => {
    const { clock, transport, read } = setup(TCP, { queueLimit: 2 });
    const running = read(1);
    const waiting = [read(1), read(1)];
    assert.equal(code(await read(1).catch((e: unknown) => e)), ModbusErrorCode.QueueFull, "two wait already");
    for (let i = 0; i < 3; i++) {
      await clock.tickAsync(0);
      transport.answerLast();
    }
    await Promise.all([running, ...waiting]);
  });

  it("backs off exponentially after failed connections and fails jobs at once meanwhile", async () => {
    const { clock, transport, link, read } = setup();
    transport.failOpens = 3;
    assert.equal(code(await read(1).catch((e: unknown) => e)), ModbusErrorCode.ConnectFailed);
    assert.equal(link.status().state, "backoff");
    assert.equal(code(await read(1).catch((e: unknown) => e)), ModbusErrorCode.NotConnected, "inside the back-off window");
    assert.equal(transport.opens, 1);
    const delays: number[] = [];
    for (let i = 0; i < 2; i++) {
      const wait = link.status().reconnectInMs!;
      delays.push(wait);
      await clock.tickAsync(wait);
      assert.equal(code(await read(1).catch((e: unknown) => e)), ModbusErrorCode.ConnectFailed);
    }
    delays.push(link.status().reconnectInMs!);
    assert.deepEqual(delays, [100, 200, 400], "doubling (jitter fixed at its top by the test's random)");
    await clock.tickAsync(400);
    const ok = read(1);
    await clock.tickAsync(0);
    transport.answerLast();
    assert.ok(await ok);
    assert.equal(link.status().state, "open");
    assert.equal(link.status().reconnects, 3);
  });

  it("gives up a connection attempt after the device's timeout and backs off", async () => {
    const { clock, transport, link, read } = setup();
    transport.hangOpens = true;
    const p = read(1, 300).catch((e: unknown) => e);
    await clock.tickAsync(299);
    assert.equal(link.status().state, "connecting");
    await clock.tickAsync(1);
    assert.equal(code(await p), ModbusErrorCode.ConnectFailed);
    assert.equal(link.status().state, "backoff");
  });

  it("fails the job in flight at once when the connection drops, and reconnects for the next job", async () => {
    const { clock, transport, read } = setup();
    const inFlight = read(1, 5000).catch((e: unknown) => e);
    await clock.tickAsync(0);
    transport.drop();
    assert.equal(code(await inFlight), ModbusErrorCode.Disconnected);
    const next = read(1);
    await clock.tickAsync(0);
    assert.equal(transport.opens, 2);
    transport.answerLast();
    assert.ok(await next);
  });

  it("reopens a TCP connection after repeated timeouts with no answer in between", async () => {
    const { clock, transport, read } = setup(TCP, { timeoutsBeforeReconnect: 2 });
    for (let i = 0; i < 2; i++) {
      const p = read(1, 100).catch((e: unknown) => e);
      await clock.tickAsync(100);
      assert.equal(code(await p), ModbusErrorCode.Timeout);
    }
    assert.equal(transport.closes, 1);
    const next = read(1);
    await clock.tickAsync(0);
    assert.equal(transport.opens, 2);
    transport.answerLast();
    assert.ok(await next);
  });

  it("reopens a TCP connection after a malformed answer", async () => {
    const { clock, transport, read } = setup();
    const bad = read(1).catch((e: unknown) => e);
    await clock.tickAsync(0);
    transport.sent[0]!.cb({ type: "malformed", message: "Data length error" });
    assert.equal(code(await bad), ModbusErrorCode.MalformedResponse);
    assert.equal(transport.closes, 1);
  });

  it("names the Modbus exception of an exception answer", async () => {
    const { clock, transport, read } = setup();
    const p = read(1).catch((e: unknown) => e);
    await clock.tickAsync(0);
    transport.sent[0]!.cb({ type: "exception", exceptionCode: 2 });
    const err = (await p) as ServiceError;
    assert.equal(err.code, ModbusErrorCode.IllegalDataAddress);
    assert.equal(err.details?.exception, "ILLEGAL DATA ADDRESS");
    assert.equal(err.details?.unitId, 1);
  });

  it("keeps the inter-frame gap between requests on a serial line and discards stray input", async () => {
    const { clock, transport, read } = setup(RTU);
    const gap = interFrameGapMs(9600, 8, false, 1);
    assert.ok(Math.abs(gap - (3.5 * 10 * 1000) / 9600) < 1e-9);
    const a = read(1);
    const b = read(2);
    await clock.tickAsync(0);
    transport.answerLast();
    await a;
    await clock.tickAsync(Math.ceil(gap));
    transport.answerLast();
    await b;
    assert.ok(transport.sent[1]!.at - transport.sent[0]!.at >= gap, `gap ${transport.sent[1]!.at - transport.sent[0]!.at} ms`);
    assert.equal(transport.discards, 2);
    assert.equal(interFrameGapMs(115200, 8, true, 1), 1.75);
  });

  it("closes an idle connection after the idle timeout, and reopens it for the next job", async () => {
    const { clock, transport, link, read } = setup();
    link.setIdleTimeout(1000);
    const p = read(1);
    await clock.tickAsync(0);
    transport.answerLast();
    await p;
    await clock.tickAsync(1000);
    assert.equal(transport.closes, 1);
    assert.equal(link.status().state, "closed");
    const q = read(1);
    await clock.tickAsync(0);
    transport.answerLast();
    await q;
    assert.equal(transport.opens, 2);
  });

  it("fails queued and in-flight jobs with MODBUS_STOPPED on close", async () => {
    const { clock, link, read } = setup();
    const a = read(1, 5000).catch((e: unknown) => e);
    const b = read(1, 5000).catch((e: unknown) => e);
    await clock.tickAsync(0);
    await link.close();
    assert.equal(code(await a), ModbusErrorCode.Stopped);
    assert.equal(code(await b), ModbusErrorCode.Stopped);
    assert.equal(code(await read(1).catch((e: unknown) => e)), ModbusErrorCode.Stopped);
  });
});
