import { strict as assert } from "node:assert";
import { CHECKSUM_ALGORITHMS, checksumOf, crc16Ccitt, crc16Modbus, type ChecksumAlgorithm } from "../../src/framing/checksum.js";

const CHECK = Buffer.from("123456789", "latin1");

describe("checksums", () => {
  const cases: [ChecksumAlgorithm, Buffer, number][] = [
    // Check values from the CRC catalogue (reveng): CRC-16/MODBUS 0x4B37, CRC-16/IBM-3740 (CCITT-FALSE) 0x29B1.
    ["crc16-modbus", CHECK, 0x4b37],
    ["crc16-ccitt", CHECK, 0x29b1],
    ["sum", CHECK, (0x31 + 0x32 + 0x33 + 0x34 + 0x35 + 0x36 + 0x37 + 0x38 + 0x39) & 0xff],
    ["xor", CHECK, 0x31],
    // The classic NMEA example sentence carries *47.
    ["xor", Buffer.from("GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,", "latin1"), 0x47],
    // Modbus RTU "read holding registers" request 01 03 00 00 00 0A: CRC C5CD, sent CD C5.
    ["crc16-modbus", Buffer.from([0x01, 0x03, 0x00, 0x00, 0x00, 0x0a]), 0xcdc5],
    ["sum", Buffer.alloc(0), 0],
    ["crc16-ccitt", Buffer.alloc(0), 0xffff],
  ];
  for (const [algorithm, bytes, expected] of cases) {
    it(`${algorithm} of ${JSON.stringify(bytes.toString("latin1").slice(0, 20))} is 0x${expected.toString(16)}`, () => {
      assert.equal(checksumOf(algorithm, bytes), expected);
    });
  }

  it("covers only bytes[start..end)", () => {
    const framed = Buffer.concat([Buffer.from("$$"), CHECK, Buffer.from("**")]);
    assert.equal(crc16Modbus(framed, 2, 11), 0x4b37);
    assert.equal(crc16Ccitt(framed, 2, 11), 0x29b1);
  });

  it("names four algorithms", () => {
    assert.deepEqual([...CHECKSUM_ALGORITHMS].sort(), ["crc16-ccitt", "crc16-modbus", "sum", "xor"]);
  });
});
