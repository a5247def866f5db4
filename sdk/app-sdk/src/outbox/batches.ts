/**
 * Batches of the outbox: how one row of the `batches` table holds many messages, and the in-memory index of a stored
 * batch.
 *
 * `data` is the messages' meta (JSON, UTF-8) and payload back to back. `idx` has one entry of {@link ENTRY_BYTES}
 * bytes per message still queued, in seq order: seq (float64, exact up to 2^53), offset of its meta in `data`, meta
 * length and payload length (uint32 each), all little-endian. Removing one message from the middle of a batch (a dead
 * letter) rewrites `idx` only; `data` stays as written.
 */

/** Bytes of one `idx` entry. */
export const ENTRY_BYTES = 20;

/** One message to encode. */
export interface BatchEntry {
  readonly seq: number;
  readonly meta: Buffer;
  readonly payload: Uint8Array;
}

/** The `idx` and `data` columns of a batch of messages. */
export function encodeBatch(entries: readonly BatchEntry[]): { idx: Buffer; data: Buffer } {
  let total = 0;
  for (const e of entries) total += e.meta.byteLength + e.payload.byteLength;
  const data = Buffer.allocUnsafe(total);
  const idx = Buffer.allocUnsafe(entries.length * ENTRY_BYTES);
  let offset = 0;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const at = i * ENTRY_BYTES;
    idx.writeDoubleLE(e.seq, at);
    idx.writeUInt32LE(offset, at + 8);
    idx.writeUInt32LE(e.meta.byteLength, at + 12);
    idx.writeUInt32LE(e.payload.byteLength, at + 16);
    data.set(e.meta, offset);
    offset += e.meta.byteLength;
    data.set(e.payload, offset);
    offset += e.payload.byteLength;
  }
  return { idx, data };
}

/** A stored batch as the outbox keeps it in memory: its row id, time and index (the data stays in SQLite). */
export class StoredBatch {
  constructor(
    readonly id: number,
    readonly enqueuedAt: number,
    private idx: Buffer,
  ) {}

  /** Messages in the index. */
  get count(): number {
    return this.idx.byteLength / ENTRY_BYTES;
  }

  /** The `idx` column as it is now. */
  get index(): Buffer {
    return this.idx;
  }

  seq(i: number): number {
    return this.idx.readDoubleLE(i * ENTRY_BYTES);
  }

  get lastSeq(): number {
    return this.seq(this.count - 1);
  }

  /** Meta and payload bytes of message `i` (its size as the limits count it). */
  size(i: number): number {
    return this.idx.readUInt32LE(i * ENTRY_BYTES + 12) + this.idx.readUInt32LE(i * ENTRY_BYTES + 16);
  }

  /** Meta (UTF-8 JSON) and payload of message `i`, as views of the batch's `data`. */
  slices(i: number, data: Buffer): { meta: Buffer; payload: Buffer } {
    const at = i * ENTRY_BYTES;
    const offset = this.idx.readUInt32LE(at + 8);
    const metaLength = this.idx.readUInt32LE(at + 12);
    const payloadLength = this.idx.readUInt32LE(at + 16);
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

  /** Index of the message with this seq, or -1. */
  indexOf(seq: number): number {
    const i = this.indexAfter(seq - 1);
    return i < this.count && this.seq(i) === seq ? i : -1;
  }

  /** The index without message `i` (this batch is unchanged until {@link setIndex}). */
  without(i: number): Buffer {
    return Buffer.concat([this.idx.subarray(0, i * ENTRY_BYTES), this.idx.subarray((i + 1) * ENTRY_BYTES)]);
  }

  /** Replaces the index (after the row was updated). */
  setIndex(idx: Buffer): void {
    this.idx = idx;
  }
}
