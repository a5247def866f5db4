/**
 * Server-sent events with backpressure. A stream writes frames while the socket takes them; once `write()` says the
 * socket is full it queues frames, per key (a device), up to a bound, and when the bound is passed drops the oldest
 * frame of the key that holds most, so one chatty device cannot starve the others and a slow browser costs bounded
 * memory. The count of dropped frames is sent as a `dropped` event once the socket drains.
 */
import type { ServerResponse } from "node:http";
import { stringifyJson } from "@brink/contracts";

/** Frames queued per key, bounded in total; round-robin across keys on the way out. */
export class FrameQueue {
  private readonly byKey = new Map<string, string[]>();
  private count = 0;

  /** @param limit frames held at most across all keys */
  constructor(private readonly limit: number) {}

  /** Frames held. */
  get size(): number {
    return this.count;
  }

  /** Adds a frame; returns how many frames were dropped to stay within the limit (0 or 1). */
  push(key: string, frame: string): number {
    let queue = this.byKey.get(key);
    if (queue === undefined) {
      queue = [];
      this.byKey.set(key, queue);
    }
    queue.push(frame);
    this.count++;
    if (this.count <= this.limit) return 0;
    let busiest: string[] = queue;
    let busiestKey = key;
    for (const [k, q] of this.byKey) {
      if (q.length > busiest.length) {
        busiest = q;
        busiestKey = k;
      }
    }
    busiest.shift();
    this.count--;
    if (busiest.length === 0) this.byKey.delete(busiestKey);
    return 1;
  }

  /** Takes the next frame, one key after another; undefined when empty. */
  shift(): string | undefined {
    const first = this.byKey.entries().next();
    if (first.done) return undefined;
    const [key, queue] = first.value;
    const frame = queue.shift();
    this.byKey.delete(key);
    // The key goes to the back of the line if it has more.
    if (queue.length > 0) this.byKey.set(key, queue);
    this.count--;
    return frame;
  }

  clear(): void {
    this.byKey.clear();
    this.count = 0;
  }
}

/** Options of {@link SseStream}. */
export interface SseStreamOptions {
  /** Frames held while the socket is full. */
  readonly queueFrames: number;
  /** Interval of the keep-alive comment, ms. */
  readonly heartbeatMs: number;
}

/** Counters of one stream. */
export interface SseStreamStats {
  readonly sent: number;
  readonly dropped: number;
  readonly queued: number;
}

/** One `text/event-stream` response. */
export class SseStream {
  private readonly queue: FrameQueue;
  private blocked = false;
  private closed = false;
  private sent = 0;
  private dropped = 0;
  private unreported = 0;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly closeListeners: (() => void)[] = [];

  constructor(private readonly res: ServerResponse, options: SseStreamOptions) {
    this.queue = new FrameQueue(options.queueFrames);
    res.writeHead(200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      Connection: "keep-alive",
      // Tells proxies such as nginx not to buffer the stream.
      "X-Accel-Buffering": "no",
    });
    res.flushHeaders();
    res.on("close", () => this.close());
    res.on("drain", () => this.flush());
    this.heartbeat = setInterval(() => {
      if (!this.blocked) this.write(": ping\n\n");
    }, options.heartbeatMs);
    this.heartbeat.unref();
  }

  /** True once the client went away or the stream was closed. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Calls `listener` once when the stream ends (client gone or {@link SseStream.close}); at once if it has. */
  onClosed(listener: () => void): void {
    if (this.closed) listener();
    else this.closeListeners.push(listener);
  }

  stats(): SseStreamStats {
    return { sent: this.sent, dropped: this.dropped, queued: this.queue.size };
  }

  /**
   * Sends one event whose data is JSON (bigint written as exact integers). `key` groups frames for the drop policy,
   * such as a device name.
   */
  send(event: string, data: unknown, key = ""): void {
    if (this.closed) return;
    const frame = `event: ${event}\ndata: ${stringifyJson(data)}\n\n`;
    if (this.blocked) {
      const lost = this.queue.push(key, frame);
      this.dropped += lost;
      this.unreported += lost;
      return;
    }
    this.write(frame);
    this.sent++;
  }

  /** Ends the response and stops the heartbeat; idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    this.queue.clear();
    if (!this.res.writableEnded) this.res.end();
    for (const listener of this.closeListeners.splice(0)) listener();
  }

  private write(frame: string): void {
    if (!this.res.write(frame)) this.blocked = true;
  }

  private flush(): void {
    if (this.closed) return;
    this.blocked = false;
    if (this.unreported > 0) {
      const count = this.unreported;
      this.unreported = 0;
      this.write(`event: dropped\ndata: ${JSON.stringify({ count, total: this.dropped })}\n\n`);
    }
    while (!this.blocked) {
      const frame = this.queue.shift();
      if (frame === undefined) return;
      this.write(frame);
      this.sent++;
    }
  }
}
