import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import FakeTimers from "@sinonjs/fake-timers";
import { pino } from "pino";
import { SerialError, SerialErrorCode } from "../../src/errors.js";
import type { Frame } from "../../src/framing/frame.js";
import { PortChannel } from "../../src/port/port-channel.js";
import type { LinkEvents, LinkOpener, SerialLink } from "../../src/port/serial-link.js";
import { parseSerialProtocol } from "../../src/protocol.js";

/** A port the test plays the device of. */
class FakeLink implements SerialLink {
  readonly writes: string[] = [];
  closed = false;
  constructor(private readonly events: LinkEvents) {}
  async write(bytes: Buffer): Promise<void> {
    this.writes.push(bytes.toString("latin1"));
  }
  async close(): Promise<void> {
    this.closed = true;
  }
  async probe(): Promise<boolean> {
    return !this.closed;
  }
  pause(): void {}
  resume(): void {}
  /** The device sends bytes. */
  send(text: string): void {
    this.events.onData(Buffer.from(text, "latin1"));
  }
  /** The OS closes the port (unplugged). */
  unplug(): void {
    this.closed = true;
    this.events.onClose(new Error("EIO"));
  }
}

describe("PortChannel", () => {
  let clock: ReturnType<typeof FakeTimers.install>;
  let dir: string;
  let path: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "brink-port-"));
    path = join(dir, "tty");
    writeFileSync(path, "");
    clock = FakeTimers.install({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
  });

  afterEach(() => {
    clock.uninstall();
    rmSync(dir, { recursive: true, force: true });
  });

  function channel(opener: LinkOpener, extra: { frames?: Frame[]; states?: boolean[]; partialTimeoutMs?: number } = {}): PortChannel {
    const settings = parseSerialProtocol({ name: "d", protocols: { serial: { path } } });
    return new PortChannel({
      line: settings.line,
      frame: settings,
      opener,
      reopen: { initialDelayMs: 250, maxDelayMs: 5000, checkIntervalMs: 0 },
      logger: pino({ level: "silent" }),
      partialTimeoutMs: extra.partialTimeoutMs ?? 0,
      onFrame: (f) => extra.frames?.push(f),
      onState: (open) => extra.states?.push(open),
    });
  }

  /** An opener that fails `failures` times, then hands out FakeLinks; records attempt times. */
  function opener(failures: number): { open: LinkOpener; attempts: number[]; links: FakeLink[] } {
    const attempts: number[] = [];
    const links: FakeLink[] = [];
    return {
      attempts,
      links,
      open: async (_line, events) => {
        attempts.push(Date.now());
        if (attempts.length <= failures) throw new Error("ENOENT");
        const link = new FakeLink(events);
        links.push(link);
        return link;
      },
    };
  }

  /**
   * Lets real I/O (the channel stats its path) finish while the fake clock stands still. Bounded by real time
   * (performance is not faked), not by a count of loop turns, which a loaded machine can use up before the stat ends.
   */
  const until = async (condition: () => boolean, realMs = 10_000): Promise<void> => {
    const deadline = performance.now() + realMs;
    while (!condition() && performance.now() < deadline) await new Promise((r) => setImmediate(r));
  };

  const exchange = (c: PortChannel, bytes: string, match?: RegExp, error?: RegExp, timeoutMs = 1000) =>
    c.exchange({ bytes: Buffer.from(bytes, "latin1"), expect: { match, error, timeoutMs }, turnaroundMs: 0, startBy: Date.now() + 10_000, what: bytes.trim() });

  it("retries a missing port with doubling delays up to maxDelayMs", async () => {
    const o = opener(6);
    const c = channel(o.open);
    const t0 = Date.now();
    await c.start();
    await clock.tickAsync(20_000);
    await until(() => c.isOpen);
    assert.deepEqual(o.attempts.map((t) => t - t0), [0, 250, 750, 1750, 3750, 7750, 12750]);
    assert.equal(c.isOpen, true);
    await c.stop();
  });

  it("answers an exchange with the first matching frame and hands the others on as unsolicited", async () => {
    const frames: Frame[] = [];
    const o = opener(0);
    const c = channel(o.open, { frames });
    await c.start();
    const answer = exchange(c, "READ?1\r\n", /^VAL 1 /);
    await clock.tickAsync(0);
    assert.deepEqual(o.links[0]!.writes, ["READ?1\r\n"]);
    o.links[0]!.send("DATA,1\r\nVAL 1 2");
    o.links[0]!.send("1.5\r\n");
    assert.equal((await answer)?.text, "VAL 1 21.5");
    assert.deepEqual(frames.map((f) => f.text), ["DATA,1"]);
    assert.equal(c.stats.unsolicited, 1);
    await c.stop();
  });

  it("runs exchanges one at a time, in order", async () => {
    const o = opener(0);
    const c = channel(o.open);
    await c.start();
    const first = exchange(c, "A\r\n");
    const second = exchange(c, "B\r\n");
    await clock.tickAsync(0);
    assert.deepEqual(o.links[0]!.writes, ["A\r\n"]);
    assert.equal(c.stats.queued, 1);
    o.links[0]!.send("a\r\n");
    assert.equal((await first)?.text, "a");
    await clock.tickAsync(0);
    assert.deepEqual(o.links[0]!.writes, ["A\r\n", "B\r\n"]);
    o.links[0]!.send("b\r\n");
    assert.equal((await second)?.text, "b");
    await c.stop();
  });

  it("fails an exchange with SERIAL_DEVICE_REFUSED on the error pattern and SERIAL_TIMEOUT without an answer", async () => {
    const o = opener(0);
    const c = channel(o.open);
    await c.start();
    const refused = exchange(c, "READ?9\r\n", /^(VAL|ERR)/, /^ERR/);
    await clock.tickAsync(0);
    o.links[0]!.send("ERR 2\r\n");
    await assert.rejects(refused, (e: unknown) => e instanceof SerialError && e.code === SerialErrorCode.DeviceRefused && e.details?.answer === "ERR 2");
    const silent = exchange(c, "READ?1\r\n", undefined, undefined, 300);
    const check = assert.rejects(silent, (e: unknown) => e instanceof SerialError && e.code === SerialErrorCode.Timeout);
    await clock.tickAsync(301);
    await check;
    assert.equal(c.stats.timeouts, 1);
    assert.equal(c.stats.refused, 1);
    await c.stop();
  });

  it("drops an exchange that waited in the queue past its startBy", async () => {
    const o = opener(0);
    const c = channel(o.open);
    await c.start();
    const slow = exchange(c, "SLOW\r\n", undefined, undefined, 2000);
    const late = c.exchange({ bytes: Buffer.from("LATE\r\n"), turnaroundMs: 0, startBy: Date.now() + 500, what: "late" });
    const check = assert.rejects(late, (e: unknown) => e instanceof SerialError && e.code === SerialErrorCode.Timeout && e.details?.queued === true);
    await clock.tickAsync(1000);
    o.links[0]!.send("ok\r\n");
    await slow;
    await check;
    assert.deepEqual(o.links[0]!.writes, ["SLOW\r\n"]);
    await c.stop();
  });

  it("fails what waits when the port is lost, refuses new exchanges, and reopens after the initial delay", async () => {
    const states: boolean[] = [];
    const o = opener(0);
    const c = channel(o.open, { states });
    await c.start();
    const waiting = exchange(c, "READ?1\r\n");
    const check = assert.rejects(waiting, (e: unknown) => e instanceof SerialError && e.code === SerialErrorCode.PortClosed);
    await clock.tickAsync(0);
    o.links[0]!.unplug();
    await check;
    await assert.rejects(exchange(c, "READ?1\r\n"), (e: unknown) => e instanceof SerialError && e.code === SerialErrorCode.PortUnavailable);
    await clock.tickAsync(249);
    await until(() => c.isOpen, 200); // a short real-time window: it must not reopen before its delay
    assert.equal(c.isOpen, false);
    await clock.tickAsync(1);
    await until(() => c.isOpen);
    assert.equal(c.isOpen, true);
    assert.deepEqual(states, [true, false, true]);
    assert.equal(c.stats.losses, 1);
    assert.equal(c.stats.opens, 2);
    await c.stop();
  });

  it("drops an unfinished frame older than partialTimeoutMs when more bytes arrive", async () => {
    const frames: Frame[] = [];
    const o = opener(0);
    const c = channel(o.open, { frames, partialTimeoutMs: 500 });
    await c.start();
    o.links[0]!.send("VAL 1 2");
    await clock.tickAsync(600);
    o.links[0]!.send("OK\r\n");
    assert.deepEqual(frames.map((f) => f.text), ["OK"]);
    assert.equal(c.stats.partials, 1);
    await c.stop();
  });

  it("fails queued exchanges when stopped", async () => {
    const o = opener(0);
    const c = channel(o.open);
    await c.start();
    const waiting = exchange(c, "A\r\n");
    const queued = exchange(c, "B\r\n");
    const checks = [waiting, queued].map((p) => assert.rejects(p, (e: unknown) => e instanceof SerialError && e.code === SerialErrorCode.PortClosed));
    await clock.tickAsync(0);
    await c.stop();
    await Promise.all(checks);
    assert.equal(o.links[0]!.closed, true);
  });
});
