/**
 * Batches of the outbox: how one row of the `batches` table holds many messages.
 *
 * `data` is the messages' meta (JSON, UTF-8) and payload back to back. `idx` has one entry of {@link ENTRY_BYTES}
 * bytes per message still queued, in seq order: seq and enqueuedAt (float64 each, exact up to 2^53), then the offset
 * of its meta in `data`, the meta length and the payload length (uint32 each), all little-endian. Removing one message
 * from the middle of a batch (a dead letter) rewrites `idx` only; `data` stays as written. Appending messages to a
 * small batch appends to both.
 */

/** Bytes of one `idx` entry. */
export const ENTRY_BYTES = 28;

/** One message to encode. */
export interface BatchEntry {
  readonly seq: number;
  readonly enqueuedAt: number;
  readonly meta: Buffer;
  readonly payload: Uint8Array;
}

/**
 * The `idx` and `data` of messages appended after `dataOffset` bytes of existing data (0 for a new batch). Both are
 * allocated outside Node's shared buffer pool, so keeping one does not keep a pool slab alive.
 */
export function encodeBatch(entries: readonly BatchEntry[], dataOffset = 0): { idx: Buffer; data: Buffer } {
  let total = 0;
  for (const e of entries) total += e.meta.byteLength + e.payload.byteLength;
  const data = Buffer.allocUnsafeSlow(total);
  const idx = Buffer.allocUnsafeSlow(entries.length * ENTRY_BYTES);
  let offset = 0;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const at = i * ENTRY_BYTES;
    idx.writeDoubleLE(e.seq, at);
    idx.writeDoubleLE(e.enqueuedAt, at + 8);
    idx.writeUInt32LE(dataOffset + offset, at + 16);
    idx.writeUInt32LE(e.meta.byteLength, at + 20);
    idx.writeUInt32LE(e.payload.byteLength, at + 24);
    data.set(e.meta, offset);
    offset += e.meta.byteLength;
    data.set(e.payload, offset);
    offset += e.payload.byteLength;
  }
  return { idx, data };
}

/** Reads an `idx` column. */
export class BatchIndex {
  constructor(readonly buffer: Buffer) {}

  get count(): number {
    return this.buffer.byteLength / ENTRY_BYTES;
  }

  seq(i: number): number {
    return this.buffer.readDoubleLE(i * ENTRY_BYTES);
  }

  enqueuedAt(i: number): number {
    return this.buffer.readDoubleLE(i * ENTRY_BYTES + 8);
  }

  /** Meta and payload bytes of message `i` (its size as the limits count it). */
  size(i: number): number {
    return this.buffer.readUInt32LE(i * ENTRY_BYTES + 20) + this.buffer.readUInt32LE(i * ENTRY_BYTES + 24);
  }

  /** Meta (UTF-8 JSON) and payload of message `i`, as views of the batch's `data`. */
  slices(i: number, data: Buffer): { meta: Buffer; payload: Buffer } {
    const at = i * ENTRY_BYTES;
    const offset = this.buffer.readUInt32LE(at + 16);
    const metaLength = this.buffer.readUInt32LE(at + 20);
    const payloadLength = this.buffer.readUInt32LE(at + 24);
    return { meta: data.subarray(offset, offset + metaLength), payload: data.subarray(offset + metaLength, offset + metaLength + payloadLength) };
  }

  /** Index of the first message with a seq above `seq` (`count` when there is none). */
  indexAfter(seq: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.seq(mid) <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** How many messages have a seq in `(after, through]`, and their bytes. */
  sizeBetween(after: number, through = Number.POSITIVE_INFINITY): { count: number; bytes: number } {
    let count = 0;
    let bytes = 0;
    for (let i = this.indexAfter(after); i < this.count && this.seq(i) <= through; i++) {
      count += 1;
      bytes += this.size(i);
    }
    return { count, bytes };
  }

  /** Index of the message with this seq, or -1. */
  indexOf(seq: number): number {
    const i = this.indexAfter(seq - 1);
    return i < this.count && this.seq(i) === seq ? i : -1;
  }

  /** The index without message `i`. */
  without(i: number): Buffer {
    return Buffer.concat([this.buffer.subarray(0, i * ENTRY_BYTES), this.buffer.subarray((i + 1) * ENTRY_BYTES)]);
  }
}

/**
 * What the outbox keeps in memory of a stored batch: a summary of the messages still queued in it (those above the
 * target's head). The index and data stay in SQLite and are read when needed.
 */
export interface StoredBatch {
  readonly id: number;
  /** Seq of the first message of the row (it may be at or below the head). */
  firstSeq: number;
  lastSeq: number;
  /** Messages above the head, and their bytes. */
  count: number;
  bytes: number;
  /** enqueuedAt of the first and the last message of the row. */
  firstAt: number;
  lastAt: number;
  /** Length of the row's data. */
  dataBytes: number;
}
