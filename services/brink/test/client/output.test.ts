/** How client verbs print and which exit code a failure gives. */
import { strict as assert } from "node:assert";
import { ErrorKind, ServiceError } from "@brink/contracts";
import { ExitCode, displayValue, exitCodeOf, nsTime, renderFields, renderTable, reportError } from "../../src/client/output.js";

describe("client output", () => {
  it("pads table columns to their widest cell", () => {
    assert.equal(renderTable(["NAME", "STATE"], [["Pump-1", "UP"], ["P", "DOWN"]]), "NAME    STATE\nPump-1  UP\nP       DOWN\n");
    assert.equal(renderTable(["NAME", "STATE"], []), "NAME  STATE\n");
    assert.equal(renderFields([["Name", "x"], ["Profile", "y"]]), "Name:    x\nProfile: y\n");
  });

  it("shows EdgeX floats as numbers and times in UTC", () => {
    assert.equal(displayValue("Float64", "4.250000e+01"), "42.5");
    assert.equal(displayValue("Int64", "9223372036854775807"), "9223372036854775807");
    assert.equal(displayValue("Object", { a: 1n }), '{"a":1}');
    assert.equal(nsTime(1_700_000_000_123_456_789n), "2023-11-14 22:13:20.123");
  });

  const cases: [ServiceError, ExitCode][] = [
    [new ServiceError(ErrorKind.EntityDoesNotExist, "NOT_FOUND", "x"), ExitCode.NotFound],
    [new ServiceError(ErrorKind.Unauthorized, "UNAUTHORIZED", "x"), ExitCode.Unauthorized],
    [new ServiceError(ErrorKind.ServiceUnavailable, "SERVICE_UNREACHABLE", "x"), ExitCode.Unavailable],
    [new ServiceError(ErrorKind.Timeout, "TIMEOUT", "x"), ExitCode.Unavailable],
    [new ServiceError(ErrorKind.ServiceLocked, "LOCKED", "x"), ExitCode.Failed],
    [new ServiceError(ErrorKind.ContractInvalid, "PROFILE_INVALID", "x"), ExitCode.Failed],
  ];
  for (const [err, code] of cases) {
    it(`exits ${code} for ${err.kind} ${err.code}`, () => assert.equal(exitCodeOf(err), code));
  }

  it("reports a failure as text, or as the error's JSON with --json", () => {
    const lines: string[] = [];
    const output = { out: () => assert.fail("errors go to stderr"), err: (t: string) => void lines.push(t) };
    const err = new ServiceError(ErrorKind.ServiceLocked, "LOCKED", "device P1 is locked", { details: { device: "P1" } });
    assert.equal(reportError(err, false, output), ExitCode.Failed);
    assert.equal(reportError(err, true, output), ExitCode.Failed);
    assert.equal(lines[0], "brink: device P1 is locked (LOCKED)\n");
    assert.deepEqual(JSON.parse(lines[1] as string), { error: { kind: "ServiceLocked", code: "LOCKED", message: "device P1 is locked", details: { device: "P1" } } });
  });
});
