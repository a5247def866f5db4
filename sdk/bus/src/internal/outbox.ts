/**
 * Publishes on their way to NATS. While connected they are batched per event-loop turn, so a stream of awaited
 * publishes costs one socket write per batch instead of one per message. While disconnected they are held, up to a
 * byte limit, and sent first, in order, once the connection is back (the NATS client itself discards what is
 * published while it is redialling).
 */
import { ErrorKind, NextTurn } from "@brink/contracts";
import { BusError, BusErrorCode } from "../errors.js";
import type { BusLogger } from "../types.js";

/** Queued characters that trigger an immediate send instead of waiting for the end of the turn. */
const WRITE_BATCH_CHARS = 64 * 1024;

/** The write side of a NATS connection. */
export type Send = (subject: string, data: string) => void;

export class NatsOutbox {
  private connected = false;
  private send: Send | undefined;
  // Flat [subject, data, subject, data, ...] lists: cheaper than an object per message on the hot path.
  private queued: string[] = [];
  private queuedChars = 0;
  private readonly sendSoon = new NextTurn(() => this.sendQueued());
  private held: string[] = [];
  private heldBytes = 0;

  constructor(
    private readonly maxHeldBytes: number,
    private readonly logger: BusLogger,
  ) {}

  /** Number of publishes waiting (queued or held). */
  get size(): number {
    return (this.queued.length + this.held.length) / 2;
  }

  /** Accepts a publish. Throws BusError BUS_BUFFER_FULL when disconnected and the hold buffer is full. */
  push(subject: string, data: string): void {
    if (!this.connected) {
      this.hold(subject, data);
      return;
    }
    this.queued.push(subject, data);
    this.queuedChars += data.length;
    if (this.queuedChars >= WRITE_BATCH_CHARS) this.sendQueued();
    else this.sendSoon.request();
  }

  /** Sends what is queued now; called before requests, replies, subscribes and flushes so they keep their order. */
  sendQueued(): void {
    if (this.queued.length === 0 || !this.connected || this.send === undefined) return;
    const q = this.queued;
    this.queued = [];
    this.queuedChars = 0;
    this.write(q);
  }

  /** The connection is up (first connect or reconnect): held publishes go out first, in order. */
  connectedTo(send: Send): number {
    this.send = send;
    this.connected = true;
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    if (held.length > 0) this.write(held);
    return held.length / 2;
  }

  /** The connection went down: queued publishes are held, ahead of those that follow. */
  disconnected(): void {
    this.connected = false;
    const q = this.queued;
    this.queued = [];
    this.queuedChars = 0;
    for (let i = 0; i < q.length; i += 2) this.held.push(q[i]!, q[i + 1]!);
    for (let i = 0; i < q.length; i += 2) this.heldBytes += Buffer.byteLength(q[i + 1]!) + q[i]!.length;
  }

  /** Drops everything waiting; returns how many publishes were lost. */
  discard(): number {
    const lost = this.size;
    this.connected = false;
    this.queued = [];
    this.queuedChars = 0;
    this.held = [];
    this.heldBytes = 0;
    return lost;
  }

  private hold(subject: string, data: string): void {
    const size = Buffer.byteLength(data) + subject.length;
    if (this.heldBytes + size > this.maxHeldBytes) {
      throw new BusError(ErrorKind.ServiceUnavailable, BusErrorCode.BufferFull, `bus disconnected and its outage buffer (${this.maxHeldBytes} bytes) is full`, {
        details: { subject, maxBytes: this.maxHeldBytes },
      });
    }
    this.held.push(subject, data);
    this.heldBytes += size;
  }

  private write(list: string[]): void {
    const send = this.send!;
    for (let i = 0; i < list.length; i += 2) {
      try {
        send(list[i]!, list[i + 1]!);
      } catch (err) {
        this.logger.error({ err, subject: list[i], lost: (list.length - i) / 2 }, "bus could not hand publishes to the NATS client");
        return;
      }
    }
  }
}
