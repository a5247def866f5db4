import { strict as assert } from "node:assert";
import { ErrorKind, type Device } from "@brink/contracts";
import { SerialError, SerialErrorCode } from "../src/errors.js";
import { parseSerialProtocol } from "../src/protocol.js";

const device = (serial: unknown): Pick<Device, "name" | "protocols"> => ({ name: "d", protocols: { serial } as Device["protocols"] });

describe("parseSerialProtocol", () => {
  it("applies the defaults: 9600 8N1, no flow control, CRLF lines, no checksum", () => {
    const s = parseSerialProtocol(device({ path: "/dev/ttyUSB0" }));
    assert.deepEqual(s.line, { path: "/dev/ttyUSB0", baudRate: 9600, dataBits: 8, stopBits: 1, parity: "none", flowControl: "none" });
    assert.deepEqual(s.framing, { kind: "delimiter", delimiter: Buffer.from("\r\n") });
    assert.equal(s.checksum, undefined);
    assert.equal(s.timeoutMs, 1000);
    assert.equal(s.requestFraming, "raw");
    assert.equal(s.maxFrameBytes, 4096);
  });

  it("reads EdgeX-style capitalised keys, strings for numbers and short parity names", () => {
    const s = parseSerialProtocol(device({ Path: "/dev/ttyS1", BaudRate: "19200", DataBits: "7", StopBits: "2", Parity: "E", FlowControl: "RTS/CTS".replace("/", "") }));
    assert.deepEqual(s.line, { path: "/dev/ttyS1", baudRate: 19200, dataBits: 7, stopBits: 2, parity: "even", flowControl: "rtscts" });
  });

  it("reads every framing and its checksum", () => {
    const s = parseSerialProtocol(device({ path: "p", framing: "lengthPrefix", startByte: "0xAA", lengthOffset: "1", lengthBytes: 2, lengthEndian: "little", lengthAdjust: 2, checksum: "crc16-modbus" }));
    assert.deepEqual(s.framing, { kind: "lengthPrefix", lengthOffset: 1, lengthBytes: 2, lengthEndian: "little", lengthAdjust: 2, startByte: 0xaa });
    assert.deepEqual({ ...s.checksum, separator: s.checksum?.separator.length }, { algorithm: "crc16-modbus", encoding: "binary", endian: "little", separator: 0, skip: 0, position: "afterEnd" });
    const t = parseSerialProtocol(device({ path: "p", framing: "stx-etx", checksum: "xor" }));
    assert.deepEqual(t.framing, { kind: "startEnd", startByte: 2, endByte: 3 });
    assert.equal(t.checksum?.skip, 1, "a start/end checksum skips the start byte by default");
  });

  it("makes equal port keys for devices that can share a port, and different ones otherwise", () => {
    const a = parseSerialProtocol(device({ path: "/dev/a", unit: "01", baudRate: 115200 }));
    const b = parseSerialProtocol(device({ path: "/dev/a", unit: "02", baudRate: "115200", timeoutMs: 50 }));
    const c = parseSerialProtocol(device({ path: "/dev/a", unit: "03", baudRate: 115200, checksum: "xor" }));
    assert.equal(a.portKey, b.portKey);
    assert.notEqual(a.portKey, c.portKey);
  });

  it("keeps every key as a template variable, also in lower case", () => {
    const s = parseSerialProtocol(device({ path: "p", Unit: "07" }));
    assert.equal(s.variables.Unit, "07");
    assert.equal(s.variables.unit, "07");
  });

  it("lists every problem with its key", () => {
    try {
      parseSerialProtocol(device({ baudRate: "fast", dataBits: 9, parity: "sometimes", framing: "fixed", checksum: "md5", delimiter: "\u20ac" }));
      assert.fail("expected an error");
    } catch (err) {
      assert.ok(err instanceof SerialError);
      assert.equal(err.code, SerialErrorCode.ProtocolInvalid);
      assert.equal(err.kind, ErrorKind.ContractInvalid);
      const paths = (err.details?.problems as { path: string }[]).map((p) => p.path).sort();
      assert.deepEqual(paths, ["baudRate", "checksum", "dataBits", "frameLength", "parity", "path"]);
    }
  });

  for (const protocols of [{}, { serial: "x" }, { other: { path: "p" } }, { serial: [] }]) {
    it(`refuses protocols ${JSON.stringify(protocols)}`, () => {
      assert.throws(
        () => parseSerialProtocol({ name: "d", protocols: protocols as Device["protocols"] }),
        (err: unknown) => err instanceof SerialError && err.code === SerialErrorCode.ProtocolInvalid,
      );
    });
  }
});
