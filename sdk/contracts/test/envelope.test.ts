import assert from "node:assert/strict";
import { ErrorKind, ServiceError, envelopeOf, errorEnvelopeOf, isEnvelope, parseJson, stringifyJson, unwrapReply, type MessageEnvelope } from "@brink/contracts";

describe("envelope", () => {
  it("wraps and unwraps a payload, keeping int64 values through the wire", () => {
    const env = envelopeOf({ origin: 1700000000000000001n }, { correlationID: "c1" });
    assert.equal(env.requestID, "c1");
    assert.equal(env.errorCode, 0);
    const back = parseJson<MessageEnvelope>(stringifyJson(env));
    assert.ok(isEnvelope(back));
    assert.deepEqual(unwrapReply(back), { origin: 1700000000000000001n });
  });

  it("carries a ServiceError and rebuilds it with its kind and code", () => {
    const env = errorEnvelopeOf(new ServiceError(ErrorKind.ServiceLocked, "LOCKED", "device is locked"), { correlationID: "c2", requestID: "r2" });
    const back = parseJson<MessageEnvelope>(stringifyJson(env));
    assert.throws(() => unwrapReply(back), (err: unknown) => err instanceof ServiceError && err.kind === ErrorKind.ServiceLocked && err.code === "LOCKED");
  });

  it("tells envelopes from other values", () => {
    assert.equal(isEnvelope({ payload: 1 }), false);
    assert.equal(isEnvelope(null), false);
  });
});
