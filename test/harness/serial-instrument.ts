/**
 * A simulated serial instrument in its own process, on the far end of a socat pty pair (see serial-pty.ts). It
 * answers requests and streams frames in one of the protocols of serial-instrument-devices.ts, and the test steers
 * it over IPC: inject garbage or partial frames, corrupt the checksums of the next frames, fall silent, stream,
 * burst as fast as the line takes. When its port disappears (socat stopped) it reopens it once it is back.
 *
 * ```ts
 * const pty = await startPtyPair();
 * const sim = await startSerialInstrument({ path: pty.b, protocol: "sim", checksum: true });
 * await sim.inject("garbage\r\nVAL 1 2");   // a garbage line, then a partial frame
 * await sim.corrupt(2);                     // the next two frames carry bad checksums
 * await sim.stop();
 * ```
 */
import { fork, type ChildProcess } from "node:child_process";
import { statSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { makeProtocol, type InstrumentProtocol, type InstrumentProtocolName } from "./serial-instrument-devices.js";

/** Options of {@link startSerialInstrument}. */
export interface SerialInstrumentOptions {
  /** The port the instrument opens (a pty end). */
  readonly path: string;
  readonly protocol: InstrumentProtocolName;
  /** sim and binary: addresses that answer (RS-485 multi-drop). */
  readonly units?: readonly number[];
  /** sim: end every sent line with `*hh`. */
  readonly checksum?: boolean;
  /** Stream from the start every this many ms (0: only when asked). @default 0 */
  readonly streamIntervalMs?: number;
}

/** A running instrument. */
export interface SerialInstrument {
  readonly pid: number;
  /** Writes raw bytes (garbage, a partial frame) to the line. */
  inject(bytes: string | Uint8Array): Promise<void>;
  /** The next `count` frames sent (answers or streamed) carry a bad checksum. */
  corrupt(count: number): Promise<void>;
  /** While on, the instrument neither answers nor streams. */
  silence(on: boolean): Promise<void>;
  /** Streams every `intervalMs` (0 stops). */
  stream(intervalMs: number): Promise<void>;
  /** Writes `count` streamed frames back to back, as fast as the line takes them; resolves when written. */
  burst(count: number): Promise<{ bytes: number }>;
  /** Changes simulated state (`load`, `stable`, `fix`, `temp`, `ch1`...). */
  set(key: string, value: unknown): Promise<void>;
  /** Requests received so far, as text (binary ones in hex). */
  received(): Promise<string[]>;
  /** True while the instrument holds its port open. */
  isOpen(): Promise<boolean>;
  stop(): Promise<void>;
}

type Command =
  | { type: "inject"; data: string }
  | { type: "corrupt"; count: number }
  | { type: "silence"; on: boolean }
  | { type: "stream"; intervalMs: number }
  | { type: "burst"; count: number }
  | { type: "set"; key: string; value: unknown }
  | { type: "received" }
  | { type: "isOpen" };

interface Reply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

const SELF = fileURLToPath(import.meta.url);
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Starts the instrument process; resolves once it holds its port open. */
export async function startSerialInstrument(options: SerialInstrumentOptions): Promise<SerialInstrument> {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on("exit", () => {
      for (const c of live) c.kill("SIGKILL");
    });
  }
  const child = fork(SELF, [JSON.stringify(options)], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  live.add(child);
  let nextId = 1;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  void exited.then(() => {
    live.delete(child);
    for (const w of waiting.values()) w.reject(new Error("serial instrument exited"));
    waiting.clear();
  });
  child.on("message", (msg: Reply) => {
    const w = waiting.get(msg.id);
    if (w === undefined) return;
    waiting.delete(msg.id);
    if (msg.ok) w.resolve(msg.result);
    else w.reject(new Error(msg.error));
  });
  const call = <T>(command: Command): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, command });
    });
  const ready = await Promise.race([
    (async () => {
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline) {
        if (await call<boolean>({ type: "isOpen" })) return true;
        await new Promise((r) => setTimeout(r, 20));
      }
      return false;
    })(),
    exited.then(() => false),
  ]);
  if (!ready) {
    child.kill("SIGKILL");
    throw new Error(`serial instrument (${options.protocol}) did not open ${options.path}`);
  }
  return {
    pid: child.pid ?? -1,
    inject: (bytes) => call({ type: "inject", data: Buffer.from(typeof bytes === "string" ? Buffer.from(bytes, "latin1") : bytes).toString("base64") }),
    corrupt: (count) => call({ type: "corrupt", count }),
    silence: (on) => call({ type: "silence", on }),
    stream: (intervalMs) => call({ type: "stream", intervalMs }),
    burst: (count) => call({ type: "burst", count }),
    set: (key, value) => call({ type: "set", key, value }),
    received: () => call({ type: "received" }),
    isOpen: () => call({ type: "isOpen" }),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The instrument process: opens the port, keeps it open across unplugs, serves IPC commands. */
async function main(options: SerialInstrumentOptions): Promise<void> {
  const { SerialPort } = await import("serialport");
  let port: InstanceType<typeof SerialPort> | undefined;
  let identity: string | undefined;
  let silent = false;
  let corruptLeft = 0;
  let streamTimer: NodeJS.Timeout | undefined;

  const writeFrame = (frame: Buffer): void => {
    if (silent || port === undefined || !port.isOpen) return;
    if (corruptLeft > 0) {
      corruptLeft--;
      frame = protocol.corrupt(frame);
    }
    port.write(frame);
  };
  const setStreaming = (intervalMs: number): void => {
    clearInterval(streamTimer);
    streamTimer = intervalMs > 0 ? setInterval(() => writeFrame(protocol.streamFrame()), intervalMs) : undefined;
  };
  // The closures above run only once the protocol exists.
  const protocol: InstrumentProtocol = makeProtocol(options.protocol, { send: writeFrame, setStreaming }, options);
  if ((options.streamIntervalMs ?? 0) > 0) setStreaming(options.streamIntervalMs!);

  const identityOf = (): string | undefined => {
    try {
      const s = statSync(options.path);
      return `${s.ino}:${s.rdev}`;
    } catch {
      return undefined;
    }
  };
  const close = (): void => {
    const p = port;
    port = undefined;
    if (p?.isOpen) p.close(() => undefined);
  };
  let opening = false;
  // Keep the port open: reopen when the path reappears or names another pty (socat restarted).
  const keepOpen = (): void => {
    const now = identityOf();
    if (port !== undefined && (now === undefined || now !== identity)) close();
    if (port !== undefined || now === undefined || opening) return;
    opening = true;
    const p = new SerialPort({ path: options.path, baudRate: 9600, autoOpen: false });
    p.open((err) => {
      opening = false;
      if (err) return;
      port = p;
      identity = now;
      p.on("data", (chunk: Buffer) => {
        if (!silent) protocol.receive(chunk);
      });
      p.on("error", () => undefined);
      p.on("close", () => {
        if (port === p) port = undefined;
      });
    });
  };
  keepOpen();
  setInterval(keepOpen, 50);

  const burst = async (count: number): Promise<{ bytes: number }> => {
    let bytes = 0;
    const chunk: Buffer[] = [];
    let size = 0;
    const flush = async (): Promise<void> => {
      const p = port;
      if (p === undefined || chunk.length === 0) return;
      const data = Buffer.concat(chunk.splice(0));
      size = 0;
      bytes += data.length;
      if (!p.write(data)) await new Promise((r) => p.once("drain", r));
    };
    for (let i = 0; i < count; i++) {
      let frame = protocol.streamFrame();
      if (corruptLeft > 0) {
        corruptLeft--;
        frame = protocol.corrupt(frame);
      }
      chunk.push(frame);
      size += frame.length;
      if (size >= 16_384) await flush();
    }
    await flush();
    await new Promise<void>((r) => (port ? port.drain(() => r()) : r()));
    return { bytes };
  };

  process.on("message", (msg: { id: number; command: Command }) => {
    const { id, command } = msg;
    const reply = (result?: unknown): void => void process.send?.({ id, ok: true, result } satisfies Reply);
    const fail = (err: unknown): void => void process.send?.({ id, ok: false, error: err instanceof Error ? err.message : String(err) } satisfies Reply);
    try {
      switch (command.type) {
        case "inject":
          port?.write(Buffer.from(command.data, "base64"), () => reply());
          if (port === undefined) reply();
          return;
        case "corrupt":
          corruptLeft = command.count;
          return reply();
        case "silence":
          silent = command.on;
          return reply();
        case "stream":
          setStreaming(command.intervalMs);
          return reply();
        case "burst":
          burst(command.count).then(reply, fail);
          return;
        case "set":
          protocol.set(command.key, command.value);
          return reply();
        case "received":
          return reply(protocol.received);
        case "isOpen":
          return reply(port?.isOpen === true);
      }
    } catch (err) {
      fail(err);
    }
  });
  process.on("SIGTERM", () => {
    close();
    process.exit(0);
  });
  process.on("disconnect", () => process.exit(0));
}

if (process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === import.meta.url) {
  void main(JSON.parse(process.argv[2] ?? "{}") as SerialInstrumentOptions);
}
