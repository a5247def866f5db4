import { strict as assert } from "node:assert";
import { Framer } from "../../src/framing/framer.js";
import { parseSerialProtocol, type FrameSettings } from "../../src/protocol.js";

/** Frame settings from a `serial` block, as a device would write them. */
function settings(block: Record<string, unknown>): FrameSettings {
  return parseSerialProtocol({ name: "t", protocols: { serial: { path: "/dev/null", ...block } } });
}

/** Feeds `chunks` and returns the payloads (latin1) and the stats. */
function feed(framer: Framer, ...chunks: (string | Buffer)[]): string[] {
  const out: string[] = [];
  for (const c of chunks) framer.push(typeof c === "string" ? Buffer.from(c, "latin1") : c, (p) => out.push(p.toString("latin1")));
  return out;
}

const NMEA = { checksum: "xor", checksumEncoding: "hex", checksumSeparator: "*", checksumSkip: 1 };
const GGA = "$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,";

describe("Framer", () => {
  describe("delimiter", () => {
    it("cuts lines at CRLF, across chunk boundaries, skipping empty lines", () => {
      const f = new Framer(settings({}));
      assert.deepEqual(feed(f, "VAL 1 2", "1.5\r", "\nOK\r\n\r\nE", "RR 2\r\n"), ["VAL 1 21.5", "OK", "ERR 2"]);
      assert.equal(f.stats.frames, 3);
      assert.equal(f.pendingBytes, 0);
    });

    it("takes a custom delimiter in escape form", () => {
      const f = new Framer(settings({ delimiter: "\\x03" }));
      assert.deepEqual(feed(f, "A\x03B\x03C"), ["A", "B"]);
      assert.equal(f.pendingBytes, 1);
    });

    it("checks an NMEA checksum and drops the frame when it is wrong", () => {
      const f = new Framer(settings(NMEA));
      assert.deepEqual(feed(f, `${GGA}*47\r\n`, `${GGA}*48\r\n`, "$GPGGA,no-checksum\r\n", `${GGA}*47\r\n`), [GGA, GGA]);
      assert.equal(f.stats.frames, 2);
      assert.equal(f.stats.badChecksum, 2);
    });

    it("accepts lower-case hex digits", () => {
      const f = new Framer(settings({ ...NMEA, checksumSkip: 0 }));
      assert.deepEqual(feed(f, "AB*03\r\n", "AB*0a\r\n"), ["AB"]);
      assert.equal(f.stats.badChecksum, 1);
    });

    it("drops an over-long line and everything up to its delimiter, counting one overflow", () => {
      const f = new Framer(settings({ maxFrameBytes: 8 }));
      assert.deepEqual(feed(f, "0123456789", "abcdef", "\r\nshort\r\n"), ["short"]);
      assert.equal(f.stats.overflows, 1);
    });

    it("drops a partial line on request and counts it", () => {
      const f = new Framer(settings({}));
      feed(f, "VAL 1 2");
      f.dropPartial();
      assert.deepEqual(feed(f, "OK\r\n"), ["OK"]);
      assert.equal(f.stats.partials, 1);
    });
  });

  describe("fixed length", () => {
    it("cuts every frameLength bytes", () => {
      const f = new Framer(settings({ framing: "fixed", frameLength: 4 }));
      assert.deepEqual(feed(f, "abcdef", "gh", "i"), ["abcd", "efgh"]);
      assert.equal(f.pendingBytes, 1);
    });

    it("resynchronises on a start byte after garbage and after a bad checksum", () => {
      const f = new Framer(settings({ framing: "fixed", frameLength: 4, startByte: "0x02", checksum: "xor" }));
      const frame = (a: number, b: number) => Buffer.from([0x02, a, b, 0x02 ^ a ^ b]);
      const bad = Buffer.from([0x02, 0x10, 0x20, 0x00]);
      const out = feed(f, Buffer.from("junk"), frame(1, 2), bad, frame(3, 4));
      assert.deepEqual(out.map((s) => Buffer.from(s, "latin1").toString("hex")), ["020102", "020304"]);
      assert.equal(f.stats.garbageBytes > 0, true);
      assert.equal(f.stats.badChecksum, 1);
    });
  });

  describe("start/end bytes", () => {
    it("returns the bytes between STX and ETX, skipping garbage before STX", () => {
      const f = new Framer(settings({ framing: "startEnd" }));
      assert.deepEqual(feed(f, "xx\x02HELLO\x03yy\x02WOR", "LD\x03"), ["HELLO", "WORLD"]);
      assert.equal(f.stats.garbageBytes, 4);
    });

    it("drops a frame cut off by a new STX", () => {
      const f = new Framer(settings({ framing: "startEnd" }));
      assert.deepEqual(feed(f, "\x02PART", "\x02WHOLE\x03"), ["WHOLE"]);
      assert.equal(f.stats.partials, 1);
    });

    it("checks a block check after ETX that covers the data and ETX", () => {
      const f = new Framer(settings({ framing: "startEnd", checksum: "xor" }));
      const bcc = (s: string) => [...Buffer.from(s + "\x03", "latin1")].reduce((a, b) => a ^ b, 0);
      const good = Buffer.concat([Buffer.from("\x02DATA\x03", "latin1"), Buffer.from([bcc("DATA")])]);
      const bad = Buffer.concat([Buffer.from("\x02DATA\x03", "latin1"), Buffer.from([bcc("DATA") ^ 1])]);
      assert.deepEqual(feed(f, bad, good.subarray(0, 3), good.subarray(3)), ["DATA"]);
      assert.equal(f.stats.badChecksum, 1);
    });

    it("checks a checksum before ETX", () => {
      const f = new Framer(settings({ framing: "startEnd", checksum: "sum", checksumPosition: "beforeEnd" }));
      const sum = [...Buffer.from("AB", "latin1")].reduce((a, b) => (a + b) & 0xff, 0);
      assert.deepEqual(feed(f, Buffer.from([0x02, 0x41, 0x42, sum, 0x03])), ["AB"]);
    });
  });

  describe("length prefix", () => {
    const BIN = { framing: "lengthPrefix", startByte: "0xAA", lengthOffset: 1, lengthBytes: 1, lengthAdjust: 2, checksum: "crc16-modbus" };

    it("reads frames whose length field counts the body, resyncing after garbage and bad CRCs", () => {
      const f = new Framer(settings(BIN));
      const one = f.encode(Buffer.from([0xaa, 0x01, 0x81, 0x10, 0x20]));
      const two = f.encode(Buffer.from([0xaa, 0x02, 0x81]));
      const bad = Buffer.from(one);
      bad[bad.length - 1] = bad[bad.length - 1]! ^ 0xff;
      const out = feed(f, Buffer.from([0x00, 0x13]), bad, one.subarray(0, 4), one.subarray(4), two);
      assert.deepEqual(out.map((s) => Buffer.from(s, "latin1").toString("hex")), ["aa0401811020", "aa020281"]);
      assert.equal(f.stats.badChecksum, 1);
      assert.equal(f.stats.frames, 2);
    });

    it("reads a two-byte little-endian length", () => {
      const f = new Framer(settings({ framing: "lengthPrefix", lengthBytes: 2, lengthEndian: "little" }));
      assert.deepEqual(feed(f, Buffer.from([0x03, 0x00, 0x41, 0x42]), Buffer.from([0x43, 0x01, 0x00, 0x44])), ["\x03\x00ABC", "\x01\x00D"]);
    });

    it("counts an impossible length as an overflow and finds the next start byte", () => {
      const f = new Framer(settings({ ...BIN, maxFrameBytes: 16 }));
      const good = f.encode(Buffer.from([0xaa, 0x01, 0x01]));
      const out = feed(f, Buffer.from([0xaa, 0xff, 0x00]), good);
      assert.equal(out.length, 1);
      assert.equal(f.stats.overflows, 1);
    });
  });

  describe("encode", () => {
    const cases: [string, Record<string, unknown>, string, string][] = [
      ["delimiter", {}, "PING", "PING"],
      ["delimiter with NMEA checksum", NMEA, "$PMTK220,1000", "$PMTK220,1000"],
      ["fixed with CRC-16/CCITT", { framing: "fixed", frameLength: 6, checksum: "crc16-ccitt" }, "ABCD", "ABCD"],
      ["start/end with BCC after ETX", { framing: "startEnd", checksum: "xor" }, "HELLO", "HELLO"],
      ["start/end with hex sum before ETX", { framing: "startEnd", checksum: "sum", checksumEncoding: "hex", checksumPosition: "beforeEnd" }, "HI", "HI"],
      ["length prefix with CRC-16/MODBUS", { framing: "lengthPrefix", startByte: "0xAA", lengthOffset: 1, lengthAdjust: 2, checksum: "crc16-modbus" }, "\xAA\x01\x02\x03", "\xAA\x03\x01\x02\x03"],
      ["4-byte length prefix", { framing: "lengthPrefix", lengthBytes: 4 }, "payload", "\x00\x00\x00\x07payload"],
    ];
    for (const [name, block, payload, expected] of cases) {
      it(`round-trips a payload through ${name}`, () => {
        const frame = new Framer(settings(block)).encode(Buffer.from(payload, "latin1"));
        assert.deepEqual(feed(new Framer(settings(block)), frame), [expected]);
      });
    }

    it("writes the NMEA checksum the receiver expects", () => {
      const f = new Framer(settings(NMEA));
      assert.equal(f.encode(Buffer.from("$PMTK220,1000")).toString("latin1"), "$PMTK220,1000*1F\r\n");
    });

    it("refuses a fixed-length payload that does not fill the frame", () => {
      const f = new Framer(settings({ framing: "fixed", frameLength: 6 }));
      assert.throws(() => f.encode(Buffer.from("ABC")), RangeError);
    });
  });
});
