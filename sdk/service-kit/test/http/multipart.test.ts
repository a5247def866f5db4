import assert from "node:assert/strict";
import { ErrorCode } from "@brink/contracts";
import type { RunningService } from "../../src/index.js";
import { newProbe, startTestService } from "../support/service.js";

const LIMIT = 2048;

describe("readMultipartFile", () => {
  let service: RunningService;
  before(async () => {
    service = await startTestService(newProbe(), { overrides: { service: { port: 0, maxBodyBytes: LIMIT } } });
  });
  after(() => service.stop());

  function upload(form: FormData): Promise<Response> {
    return fetch(`${service.url}/api/v3/upload`, { method: "POST", body: form });
  }

  it("returns the named file part as text with its file name", async () => {
    const form = new FormData();
    form.append("note", "ignored field");
    form.append("other", new Blob(["not this one"]), "other.txt");
    form.append("file", new Blob(["name: Pump\nlabels: [é]\n"]), "pump.yaml");
    const res = await upload(form);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { filename: "pump.yaml", text: "name: Pump\nlabels: [é]\n" });
  });

  it("answers 413 BODY_TOO_LARGE for a file over maxBodyBytes", async () => {
    const form = new FormData();
    form.append("file", new Blob(["x".repeat(LIMIT + 1)]), "big.yaml");
    const res = await upload(form);
    assert.equal(res.status, 413);
    assert.equal(((await res.json()) as { code: string }).code, ErrorCode.BodyTooLarge);
  });

  it("answers 400 REQUEST_INVALID when the part is missing", async () => {
    const form = new FormData();
    form.append("notfile", new Blob(["a"]), "a.yaml");
    const res = await upload(form);
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { code: string }).code, ErrorCode.RequestInvalid);
  });

  it("answers 400 REQUEST_INVALID for a request that is not multipart", async () => {
    const res = await fetch(`${service.url}/api/v3/upload`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { code: string }).code, ErrorCode.RequestInvalid);
  });
});
