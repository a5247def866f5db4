/**
 * Frame checksums. The CRC variants are named as in the CRC catalogue (reveng.sourceforge.io/crc-catalogue):
 * - `sum`: 8-bit sum of the bytes, modulo 256.
 * - `xor`: 8-bit XOR of the bytes (NMEA 0183, most "BCC" block checks).
 * - `crc16-modbus`: CRC-16/MODBUS, poly 0x8005 reflected (0xA001), init 0xFFFF; check("123456789") = 0x4B37.
 * - `crc16-ccitt`: CRC-16/CCITT-FALSE (CRC-16/IBM-3740), poly 0x1021, init 0xFFFF, not reflected; check = 0x29B1.
 */

/** The checksum algorithms a device can use. */
export const ChecksumAlgorithm = {
  Sum: "sum",
  Xor: "xor",
  Crc16Modbus: "crc16-modbus",
  Crc16Ccitt: "crc16-ccitt",
} as const;
/** One checksum algorithm. */
export type ChecksumAlgorithm = (typeof ChecksumAlgorithm)[keyof typeof ChecksumAlgorithm];

/** Every algorithm name, for validation messages. */
export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = Object.values(ChecksumAlgorithm);

/** Width of each algorithm's value, bytes. */
export const CHECKSUM_WIDTH_BYTES: Readonly<Record<ChecksumAlgorithm, 1 | 2>> = { sum: 1, xor: 1, "crc16-modbus": 2, "crc16-ccitt": 2 };

/** The byte order each algorithm is usually sent in (Modbus RTU sends its CRC low byte first). */
export const CHECKSUM_DEFAULT_ENDIAN: Readonly<Record<ChecksumAlgorithm, "big" | "little">> = { sum: "big", xor: "big", "crc16-modbus": "little", "crc16-ccitt": "big" };

function crcTable(poly: number, reflected: boolean): Uint16Array {
  const table = new Uint16Array(256);
  for (let n = 0; n < 256; n++) {
    let c = reflected ? n : n << 8;
    for (let k = 0; k < 8; k++) {
      if (reflected) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
      else c = c & 0x8000 ? ((c << 1) ^ poly) & 0xffff : (c << 1) & 0xffff;
    }
    table[n] = c;
  }
  return table;
}

const MODBUS_TABLE = crcTable(0xa001, true);
const CCITT_TABLE = crcTable(0x1021, false);

/** CRC-16/MODBUS of `bytes[start..end)`. */
export function crc16Modbus(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ MODBUS_TABLE[(crc ^ bytes[i]!) & 0xff]!;
  return crc;
}

/** CRC-16/CCITT-FALSE of `bytes[start..end)`. */
export function crc16Ccitt(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ CCITT_TABLE[((crc >>> 8) ^ bytes[i]!) & 0xff]!;
  return crc;
}

/** The checksum of `bytes[start..end)` with `algorithm`. */
export function checksumOf(algorithm: ChecksumAlgorithm, bytes: Uint8Array, start = 0, end = bytes.length): number {
  switch (algorithm) {
    case "sum": {
      let s = 0;
      for (let i = start; i < end; i++) s = (s + bytes[i]!) & 0xff;
      return s;
    }
    case "xor": {
      let x = 0;
      for (let i = start; i < end; i++) x ^= bytes[i]!;
      return x;
    }
    case "crc16-modbus":
      return crc16Modbus(bytes, start, end);
    case "crc16-ccitt":
      return crc16Ccitt(bytes, start, end);
  }
}
