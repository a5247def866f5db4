import assert from "node:assert/strict";
import { ErrorCode } from "@brink/contracts";
import type { RunningService } from "../../src/index.js";
import { newProbe, startTestService } from "../support/service.js";

describe("query and path helpers", () => {
  let service: RunningService;
  before(async () => {
    service = await startTestService(newProbe());
  });
  after(() => service.stop());

  async function paging(query: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${service.url}/api/v3/paging${query}`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it("defaults paging to offset 0, limit 20, no labels", async () => {
    const { status, body } = await paging("");
    assert.equal(status, 200);
    assert.deepEqual(body, { offset: 0, limit: 20, labels: [], n: null });
  });

  it("reads offset, limit -1 (all), labels and a bounded integer", async () => {
    const { body } = await paging("?offset=5&limit=-1&labels=a,%20b,,c&n=10");
    assert.deepEqual(body, { offset: 5, limit: -1, labels: ["a", "b", "c"], n: 10 });
  });

  for (const query of ["?offset=-1", "?limit=-2", "?limit=abc", "?offset=1.5", "?n=0", "?n=11", "?offset=1&offset=2"]) {
    it(`answers 400 REQUEST_INVALID for ${query}`, async () => {
      const { status, body } = await paging(query);
      assert.equal(status, 400);
      assert.equal(body.code, ErrorCode.RequestInvalid);
    });
  }

  it("decodes path parameters", async () => {
    const res = await fetch(`${service.url}/api/v3/locked/a%2Fb`);
    assert.deepEqual(((await res.json()) as { details: unknown }).details, { device: "a/b" });
  });
});
