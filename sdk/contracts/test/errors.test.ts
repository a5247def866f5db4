import assert from "node:assert/strict";
import { ErrorCode, ErrorKind, ServiceError, ValidationError, httpStatusOf, kindOfHttpStatus, type ServiceErrorDto } from "@brink/contracts";

describe("ServiceError", () => {
  it("keeps kind, code, message and details through toDto and fromDto", () => {
    for (const kind of Object.values(ErrorKind)) {
      const err = new ServiceError(kind, "SOME_CODE", "it broke", { details: { device: "d1" } });
      const back = ServiceError.fromDto(JSON.parse(JSON.stringify(err.toDto())) as ServiceErrorDto);
      assert.equal(back.kind, kind);
      assert.equal(back.code, "SOME_CODE");
      assert.equal(back.message, "it broke");
      assert.deepEqual(back.details, { device: "d1" });
      assert.equal(back.status, httpStatusOf(kind));
    }
  });

  it("keeps a ValidationError's problems through the wire", () => {
    const err = new ValidationError(ErrorCode.ProfileInvalid, "invalid device profile", [{ path: "name", message: "is required", line: 1 }]);
    assert.equal(err.kind, ErrorKind.ContractInvalid);
    assert.equal(err.status, 400);
    const back = ServiceError.fromDto(JSON.parse(JSON.stringify(err.toDto())) as ServiceErrorDto);
    assert.equal(back.code, ErrorCode.ProfileInvalid);
    assert.deepEqual(back.details, { problems: [{ path: "name", message: "is required", line: 1 }] });
  });

  it("rebuilds unknown or missing kinds as ServerError", () => {
    assert.equal(ServiceError.fromDto({ kind: "Bogus" as ErrorKind, code: "X", message: "m" }).kind, ErrorKind.Server);
    assert.equal(ServiceError.fromDto({ kind: "constructor" as ErrorKind, code: "X", message: "m" }).kind, ErrorKind.Server);
    const none = ServiceError.fromDto(undefined);
    assert.equal(none.kind, ErrorKind.Server);
    assert.equal(none.code, ErrorCode.RemoteError);
  });

  it("wraps foreign errors and passes ServiceErrors through", () => {
    const own = new ServiceError(ErrorKind.EntityDoesNotExist, ErrorCode.NotFound, "no");
    assert.equal(ServiceError.from(own), own);
    const wrapped = ServiceError.from(new TypeError("bad"));
    assert.equal(wrapped.code, ErrorCode.Internal);
    assert.equal(wrapped.kind, ErrorKind.Server);
    assert.ok(wrapped.cause instanceof TypeError);
  });

  it("maps kinds to the EdgeX status codes and back", () => {
    assert.equal(httpStatusOf(ErrorKind.EntityDoesNotExist), 404);
    assert.equal(httpStatusOf(ErrorKind.ServiceLocked), 423);
    assert.equal(httpStatusOf(ErrorKind.RangeNotSatisfiable), 416);
    assert.equal(httpStatusOf(ErrorKind.Communication), 503);
    assert.equal(kindOfHttpStatus(404), ErrorKind.EntityDoesNotExist);
    assert.equal(kindOfHttpStatus(423), ErrorKind.ServiceLocked);
    assert.equal(kindOfHttpStatus(599), ErrorKind.Server);
    assert.equal(kindOfHttpStatus(418), ErrorKind.ContractInvalid);
  });
});
