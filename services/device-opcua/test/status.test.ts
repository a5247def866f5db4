import { strict as assert } from "node:assert";
import { ErrorKind } from "@brink/contracts";
import { OpcuaErrorCode } from "../src/errors.js";
import { QUALITY_TAG, STATUS_TAG, qualityTags, severityOf, statusError } from "../src/status.js";

describe("severityOf", () => {
  it("reads the two top bits", () => {
    assert.equal(severityOf(0), "Good");
    assert.equal(severityOf(0x00a20000), "Good");
    assert.equal(severityOf(0x40920000), "Uncertain");
    assert.equal(severityOf(0x808c0000), "Bad");
    assert.equal(severityOf(0xc0000000), "Bad");
  });
});

describe("qualityTags", () => {
  it("tags Uncertain values and leaves Good ones untagged", () => {
    assert.deepEqual(qualityTags({ value: 0x40920000, name: "UncertainInitialValue" }), { [QUALITY_TAG]: "Uncertain", [STATUS_TAG]: "UncertainInitialValue" });
    assert.equal(qualityTags({ value: 0, name: "Good" }), undefined);
  });
});

describe("statusError", () => {
  const cases: [string, number, string, string][] = [
    ["BadNodeIdUnknown", 0x80340000, ErrorKind.EntityDoesNotExist, OpcuaErrorCode.NodeNotFound],
    ["BadNodeIdInvalid", 0x80330000, ErrorKind.ContractInvalid, OpcuaErrorCode.NodeIdInvalid],
    ["BadNotWritable", 0x803b0000, ErrorKind.NotAllowed, OpcuaErrorCode.AccessDenied],
    ["BadUserAccessDenied", 0x801f0000, ErrorKind.NotAllowed, OpcuaErrorCode.AccessDenied],
    ["BadTypeMismatch", 0x80740000, ErrorKind.ContractInvalid, OpcuaErrorCode.TypeMismatch],
    ["BadSensorFailure", 0x808c0000, ErrorKind.Server, OpcuaErrorCode.BadStatus],
  ];
  for (const [name, value, kind, code] of cases) {
    it(`maps ${name} to ${code} (${kind}), naming the status`, () => {
      const err = statusError("read", "r", "ns=2;s=x", { value, name });
      assert.equal(err.kind, kind);
      assert.equal(err.code, code);
      assert.equal(err.details?.statusCode, name);
      assert.equal(err.details?.nodeId, "ns=2;s=x");
    });
  }
});
