/**
 * Ids for events, readings and bus messages, made on every poll: RFC 9562 UUIDs of version 8 (vendor-specific), so
 * they pass every UUID check EdgeX makes while costing a counter increment instead of 16 fresh random bytes.
 *
 * Layout: 90 random bits drawn once per process (and again whenever the sequence wraps), then a 32-bit sequence that
 * starts at a random value. Ids are unique within a process by construction and across processes by the 90 random
 * bits; they are not secrets and must not be used as such (use `crypto.randomUUID` for tokens).
 */
import { randomFillSync } from "node:crypto";

const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => (i + 256).toString(16).slice(1));

let prefix = "";
let sequence = 0;
let remaining = 0;
/** `prefix` and the sequence's top three bytes, as text: it changes once every 256 ids. */
let head = "";
let headOf = -1;

function reseed(): void {
  const b = randomFillSync(Buffer.alloc(16));
  // xxxxxxxx-xxxx-8xxx-Vxxx-xxxx then the 8 hex digits of the sequence.
  prefix =
    HEX[b[0]!]! + HEX[b[1]!]! + HEX[b[2]!]! + HEX[b[3]!]! + "-" + HEX[b[4]!]! + HEX[b[5]!]! + "-" +
    HEX[(b[6]! & 0x0f) | 0x80]! + HEX[b[7]!]! + "-" + HEX[(b[8]! & 0x3f) | 0x80]! + HEX[b[9]!]! + "-" + HEX[b[10]!]! + HEX[b[11]!]!;
  sequence = b.readUInt32BE(12);
  remaining = 0x1_0000_0000;
  headOf = -1;
}

/** A fresh UUID (see the module comment). */
export function newUuid(): string {
  if (remaining === 0) reseed();
  remaining--;
  const s = sequence;
  sequence = (sequence + 1) >>> 0;
  const high = s >>> 8;
  if (high !== headOf) {
    head = prefix + HEX[s >>> 24]! + HEX[(s >>> 16) & 0xff]! + HEX[high & 0xff]!;
    head.charCodeAt(0); // flattens it once, so the 256 ids built on it are two-piece strings
    headOf = high;
  }
  return head + HEX[s & 0xff]!;
}
