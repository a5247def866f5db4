/**
 * Cuts a serial byte stream into frames, and frames outgoing payloads the same way. Four framings (a delimiter, a
 * fixed length, start/end bytes, a length prefix) and an optional checksum. Bad input never stops the stream:
 * garbage between frames is skipped, a frame with a bad checksum is dropped, an over-long frame is dropped, and each
 * is counted in {@link FramerStats}. Framings with a start byte resynchronise on it after a bad frame.
 */
import type { ChecksumSettings, FrameSettings } from "../protocol.js";
import { CHECKSUM_WIDTH_BYTES, checksumOf } from "./checksum.js";

/** What a framer has seen. Counters only grow. */
export interface FramerStats {
  /** Frames delivered (good checksum, within size). */
  frames: number;
  /** Frames dropped because their checksum did not match. */
  badChecksum: number;
  /** Frames dropped because they exceeded `maxFrameBytes` (or their length field was impossible). */
  overflows: number;
  /** Unfinished frames dropped: a new start byte came first, or they were older than `partialTimeoutMs`. */
  partials: number;
  /** Bytes skipped outside any frame (before a start byte). */
  garbageBytes: number;
}

/** A new zeroed stats object. */
export function emptyFramerStats(): FramerStats {
  return { frames: 0, badChecksum: 0, overflows: 0, partials: 0, garbageBytes: 0 };
}

const EMPTY = Buffer.alloc(0);
const HEX_DIGITS = "0123456789ABCDEF";

/** See the module comment. */
export class Framer {
  readonly stats: FramerStats = emptyFramerStats();
  private buffer: Buffer = EMPTY;
  /** Delimiter framing: the rest of an over-long frame is being skipped up to the next delimiter. */
  private discarding = false;
  private readonly checksumWidth: number;
  private readonly separatorLength: number;

  constructor(private readonly settings: FrameSettings) {
    const c = settings.checksum;
    this.checksumWidth = c === undefined ? 0 : CHECKSUM_WIDTH_BYTES[c.algorithm] * (c.encoding === "hex" ? 2 : 1);
    this.separatorLength = c === undefined ? 0 : c.separator.length;
  }

  /** Bytes held of an unfinished frame. */
  get pendingBytes(): number {
    return this.buffer.length;
  }

  /** Drops the unfinished frame, if any, counting it as a partial. */
  dropPartial(): void {
    if (this.buffer.length > 0 || this.discarding) this.stats.partials++;
    this.buffer = EMPTY;
    this.discarding = false;
  }

  /** Adds received bytes; calls `onFrame` with each complete frame's payload (framing and checksum removed). */
  push(chunk: Buffer, onFrame: (payload: Buffer) => void): void {
    const buf = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    let pos = 0;
    switch (this.settings.framing.kind) {
      case "delimiter":
        pos = this.scanDelimited(buf, this.settings.framing.delimiter, onFrame);
        break;
      case "fixed":
        pos = this.scanFixed(buf, this.settings.framing.frameLength, this.settings.framing.startByte, onFrame);
        break;
      case "startEnd":
        pos = this.scanStartEnd(buf, this.settings.framing.startByte, this.settings.framing.endByte, onFrame);
        break;
      case "lengthPrefix":
        pos = this.scanLengthPrefixed(buf, onFrame);
        break;
    }
    this.buffer = pos >= buf.length ? EMPTY : buf.subarray(pos);
  }

  private scanDelimited(buf: Buffer, delimiter: Buffer, onFrame: (payload: Buffer) => void): number {
    let pos = 0;
    for (;;) {
      const idx = buf.indexOf(delimiter, pos);
      if (idx < 0) {
        if (buf.length - pos > this.settings.maxFrameBytes) {
          if (!this.discarding) this.stats.overflows++;
          this.discarding = true;
          // Keep a possible first part of the delimiter.
          return Math.max(pos, buf.length - delimiter.length + 1);
        }
        return pos;
      }
      if (this.discarding) this.discarding = false;
      else if (idx - pos > this.settings.maxFrameBytes) this.stats.overflows++;
      else if (idx > pos) this.emit(buf, pos, idx, pos, idx, onFrame);
      pos = idx + delimiter.length;
    }
  }

  private scanFixed(buf: Buffer, length: number, startByte: number | undefined, onFrame: (payload: Buffer) => void): number {
    let pos = 0;
    for (;;) {
      if (startByte !== undefined) pos = this.skipTo(buf, pos, startByte);
      if (buf.length - pos < length) return pos;
      const ok = this.emit(buf, pos, pos + length, pos, pos + length, onFrame);
      pos = ok || startByte === undefined ? pos + length : pos + 1;
    }
  }

  private scanStartEnd(buf: Buffer, start: number, end: number, onFrame: (payload: Buffer) => void): number {
    const after = this.settings.checksum?.position === "afterEnd" ? this.separatorLength + this.checksumWidth : 0;
    let pos = 0;
    for (;;) {
      pos = this.skipTo(buf, pos, start);
      if (pos >= buf.length) return pos;
      const e = buf.indexOf(end, pos + 1);
      // A start byte before the end byte: the frame in progress was cut off; start over from the new one.
      const restart = start === end ? -1 : e < 0 ? buf.indexOf(start, pos + 1) : buf.subarray(pos + 1, e).indexOf(start);
      if (restart >= 0) {
        this.stats.partials++;
        pos = e < 0 ? restart : pos + 1 + restart;
        continue;
      }
      if (e < 0 || buf.length < e + 1 + after) {
        if (buf.length - pos > this.settings.maxFrameBytes) {
          this.stats.overflows++;
          pos = pos + 1;
          continue;
        }
        return pos;
      }
      const frameEnd = e + 1 + after;
      if (frameEnd - pos > this.settings.maxFrameBytes) {
        this.stats.overflows++;
        pos = frameEnd;
        continue;
      }
      const ok = after > 0 ? this.emit(buf, pos, frameEnd, pos + 1, e, onFrame) : this.emit(buf, pos, e + 1, pos + 1, e, onFrame);
      pos = ok ? frameEnd : pos + 1;
    }
  }

  private scanLengthPrefixed(buf: Buffer, onFrame: (payload: Buffer) => void): number {
    const f = this.settings.framing;
    if (f.kind !== "lengthPrefix") return 0;
    const head = f.lengthOffset + f.lengthBytes;
    const least = head + this.separatorLength + this.checksumWidth;
    let pos = 0;
    for (;;) {
      if (f.startByte !== undefined) pos = this.skipTo(buf, pos, f.startByte);
      if (buf.length - pos < head) return pos;
      const at = pos + f.lengthOffset;
      const value =
        f.lengthBytes === 1 ? buf[at]! : f.lengthBytes === 2 ? (f.lengthEndian === "big" ? buf.readUInt16BE(at) : buf.readUInt16LE(at)) : f.lengthEndian === "big" ? buf.readUInt32BE(at) : buf.readUInt32LE(at);
      const total = head + value + f.lengthAdjust;
      if (total < least || total > this.settings.maxFrameBytes) {
        this.stats.overflows++;
        if (f.startByte === undefined) return buf.length; // no way to find the next frame: drop what is held
        pos++;
        continue;
      }
      if (buf.length - pos < total) return pos;
      const ok = this.emit(buf, pos, pos + total, pos, pos + total, onFrame);
      pos = ok || f.startByte === undefined ? pos + total : pos + 1;
    }
  }

  /** Index of the next `byte` at or after `pos` (skipped bytes counted as garbage), or buf.length. */
  private skipTo(buf: Buffer, pos: number, byte: number): number {
    const at = buf.indexOf(byte, pos);
    const to = at < 0 ? buf.length : at;
    this.stats.garbageBytes += to - pos;
    return to;
  }

  /**
   * Checks the checksum of the frame `buf[frameStart..frameEnd)` whose payload (with its checksum at the end unless
   * the checksum follows the end byte) is `buf[bodyStart..bodyEnd)`, and delivers the payload. False when dropped.
   */
  private emit(buf: Buffer, frameStart: number, frameEnd: number, bodyStart: number, bodyEnd: number, onFrame: (payload: Buffer) => void): boolean {
    const c = this.settings.checksum;
    if (c === undefined) {
      this.stats.frames++;
      onFrame(buf.subarray(bodyStart, bodyEnd));
      return true;
    }
    const trailing = bodyEnd < frameEnd - 1; // startEnd with the checksum after the end byte
    const fieldEnd = trailing ? frameEnd : bodyEnd;
    const fieldStart = fieldEnd - this.checksumWidth;
    const dataEnd = fieldStart - this.separatorLength;
    if (dataEnd < frameStart + c.skip || (!trailing && dataEnd < bodyStart) || !this.separatorAt(buf, dataEnd, c)) {
      this.stats.badChecksum++;
      return false;
    }
    const expected = checksumOf(c.algorithm, buf, frameStart + c.skip, dataEnd);
    if (readChecksum(buf, fieldStart, c) !== expected) {
      this.stats.badChecksum++;
      return false;
    }
    this.stats.frames++;
    onFrame(buf.subarray(bodyStart, trailing ? bodyEnd : dataEnd));
    return true;
  }

  private separatorAt(buf: Buffer, at: number, c: ChecksumSettings): boolean {
    return this.separatorLength === 0 || buf.compare(c.separator, 0, this.separatorLength, at, at + this.separatorLength) === 0;
  }

  /**
   * Frames an outgoing payload as this framing frames incoming ones: adds the delimiter, the start/end bytes or the
   * length field, and the checksum. For length-prefix framing the first `lengthOffset` payload bytes are the header
   * that precedes the length field.
   * @throws RangeError when a fixed-length payload does not fill the frame, or the length does not fit its field
   */
  encode(payload: Buffer): Buffer {
    const f = this.settings.framing;
    const c = this.settings.checksum;
    const trailer = this.separatorLength + this.checksumWidth;
    let frame: Buffer;
    let fieldAt: number;
    switch (f.kind) {
      case "delimiter":
        frame = Buffer.alloc(payload.length + trailer + f.delimiter.length);
        payload.copy(frame, 0);
        f.delimiter.copy(frame, payload.length + trailer);
        fieldAt = payload.length + this.separatorLength;
        break;
      case "fixed":
        if (payload.length + trailer !== f.frameLength) throw new RangeError(`a fixed frame holds ${f.frameLength - trailer} payload bytes, not ${payload.length}`);
        frame = Buffer.alloc(f.frameLength);
        payload.copy(frame, 0);
        fieldAt = payload.length + this.separatorLength;
        break;
      case "startEnd": {
        const afterEnd = c?.position === "afterEnd";
        frame = Buffer.alloc(payload.length + 2 + trailer);
        frame[0] = f.startByte;
        payload.copy(frame, 1);
        frame[afterEnd ? payload.length + 1 : payload.length + 1 + trailer] = f.endByte;
        fieldAt = afterEnd ? payload.length + 2 + this.separatorLength : payload.length + 1 + this.separatorLength;
        break;
      }
      case "lengthPrefix": {
        if (payload.length < f.lengthOffset) throw new RangeError(`the payload must start with the ${f.lengthOffset}-byte header`);
        const total = payload.length + f.lengthBytes + trailer;
        const value = total - f.lengthOffset - f.lengthBytes - f.lengthAdjust;
        if (value < 0 || value >= 2 ** (8 * f.lengthBytes)) throw new RangeError(`length ${value} does not fit a ${f.lengthBytes}-byte field`);
        frame = Buffer.alloc(total);
        payload.copy(frame, 0, 0, f.lengthOffset);
        if (f.lengthEndian === "big") frame.writeUIntBE(value, f.lengthOffset, f.lengthBytes);
        else frame.writeUIntLE(value, f.lengthOffset, f.lengthBytes);
        payload.copy(frame, f.lengthOffset + f.lengthBytes, f.lengthOffset);
        fieldAt = total - this.checksumWidth;
        break;
      }
    }
    if (c !== undefined) {
      c.separator.copy(frame, fieldAt - this.separatorLength);
      writeChecksum(frame, fieldAt, c, checksumOf(c.algorithm, frame, c.skip, fieldAt - this.separatorLength));
    }
    return frame;
  }
}

function readChecksum(buf: Buffer, at: number, c: ChecksumSettings): number {
  const width = CHECKSUM_WIDTH_BYTES[c.algorithm];
  if (c.encoding === "hex") {
    let v = 0;
    for (let i = 0; i < width * 2; i++) {
      const d = hexValue(buf[at + i]!);
      if (d < 0) return -1;
      v = v * 16 + d;
    }
    return v;
  }
  if (width === 1) return buf[at]!;
  return c.endian === "big" ? buf.readUInt16BE(at) : buf.readUInt16LE(at);
}

function writeChecksum(buf: Buffer, at: number, c: ChecksumSettings, value: number): void {
  const width = CHECKSUM_WIDTH_BYTES[c.algorithm];
  if (c.encoding === "hex") {
    for (let i = width * 2 - 1; i >= 0; i--) {
      buf[at + i] = HEX_DIGITS.charCodeAt(value & 0xf);
      value >>>= 4;
    }
  } else if (width === 1) buf[at] = value;
  else if (c.endian === "big") buf.writeUInt16BE(value, at);
  else buf.writeUInt16LE(value, at);
}

function hexValue(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x41 && b <= 0x46) return b - 0x37;
  if (b >= 0x61 && b <= 0x66) return b - 0x57;
  return -1;
}
