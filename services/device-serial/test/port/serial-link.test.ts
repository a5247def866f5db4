/**
 * The two serial links on a real socat pty pair: the polled link device-serial uses on Linux and macOS, and the
 * `serialport` stream link it falls back to on Windows. Each is checked for order and completeness of a burst larger
 * than the pty's buffers (writes that must wait for "writable"), for back-pressure (a paused link reads nothing
 * and loses nothing), and for an unplug (the owner hears of the loss, pending writes fail, writes are refused).
 */
import { strict as assert } from "node:assert";
import type { LineSettings } from "../../src/protocol.js";
import { openSerialPort, openSerialPortStream, type LinkEvents, type LinkOpener, type SerialLink } from "../../src/port/serial-link.js";
import { startSerialPair, waitFor, type SerialPair } from "../../../../test/harness/index.js";

function line(path: string): LineSettings {
  return { path, baudRate: 115200, dataBits: 8, stopBits: 1, parity: "none", flowControl: "none" };
}

/** An open link and what it received. */
interface Opened {
  readonly link: SerialLink;
  readonly received: Buffer[];
  readonly closes: (Error | undefined)[];
  bytes(): Buffer;
}

async function open(opener: LinkOpener, path: string): Promise<Opened> {
  const received: Buffer[] = [];
  const closes: (Error | undefined)[] = [];
  const events: LinkEvents = { onData: (chunk) => received.push(chunk), onClose: (err) => closes.push(err) };
  const link = await opener(line(path), events);
  return { link, received, closes, bytes: () => Buffer.concat(received) };
}

/** 256 KiB of a counting pattern: a lost, doubled or reordered chunk shows. */
function burst(): Buffer {
  const b = Buffer.alloc(256 * 1024);
  for (let i = 0; i < b.length; i += 4) b.writeUInt32BE(i / 4, i);
  return b;
}

for (const [name, opener] of [
  ["polled link (Linux, macOS)", openSerialPort],
  ["serialport stream link (Windows)", openSerialPortStream],
] as const) {
  describe(`serial link: ${name}`, function () {
    this.timeout(30_000);
    let pair: SerialPair;
    const opened: Opened[] = [];

    beforeEach(async () => {
      pair = await startSerialPair();
    });

    afterEach(async () => {
      for (const o of opened.splice(0)) await o.link.close();
      await pair.stop();
    });

    async function both(): Promise<[Opened, Opened]> {
      const a = await open(opener, pair.a);
      const b = await open(opener, pair.b);
      opened.push(a, b);
      return [a, b];
    }

    it("carries a 256 KiB burst in order and whole, both ways, through full pty buffers", async () => {
      const [a, b] = await both();
      const data = burst();
      await Promise.all([a.link.write(data), b.link.write(data)]);
      await waitFor(() => a.bytes().length >= data.length && b.bytes().length >= data.length, { timeoutMs: 20_000, message: "both ends receive the burst" });
      assert.ok(b.bytes().equals(data), "a -> b differs");
      assert.ok(a.bytes().equals(data), "b -> a differs");
    });

    it("keeps writes in the order they were made", async () => {
      const [a, b] = await both();
      const parts = Array.from({ length: 200 }, (_, i) => Buffer.from(`${i};`));
      await Promise.all(parts.map((p) => a.link.write(p)));
      const want = Buffer.concat(parts).toString();
      await waitFor(() => b.bytes().length >= want.length, { timeoutMs: 10_000, message: "b receives every part" });
      assert.equal(b.bytes().toString(), want);
    });

    it("reads nothing while paused and everything after resume", async () => {
      const [a, b] = await both();
      b.link.pause();
      await a.link.write(Buffer.from("held in the OS buffer\n"));
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(b.bytes().length, 0);
      b.link.resume();
      await waitFor(() => b.bytes().toString() === "held in the OS buffer\n", { timeoutMs: 5_000, message: "b reads after resume" });
    });

    it("reports an unplug to its owner, fails the probe and refuses writes", async () => {
      const [a] = await both();
      await pair.stop();
      await waitFor(() => a.closes.length === 1, { timeoutMs: 10_000, message: "the owner hears of the loss" });
      assert.ok(a.closes[0] instanceof Error, "the loss carries its cause");
      assert.equal(await a.link.probe(), false);
      await assert.rejects(async () => {
        // The first write after the loss may still reach the OS before the link notices; the second cannot.
        await a.link.write(Buffer.from("x"));
        await a.link.write(Buffer.from("x"));
      });
      pair = await startSerialPair();
    });
  });
}
