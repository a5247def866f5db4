import assert from "node:assert/strict";
import { ErrorCode, validateDeviceService } from "@brink/contracts";
import { problemsOf, where } from "../helpers.js";

describe("validateDeviceService", () => {
  it("accepts a valid service and defaults adminState", () => {
    const s = validateDeviceService({ name: "device-virtual", baseAddress: "http://localhost:59900", labels: ["virtual"] });
    assert.equal(s.adminState, "UNLOCKED");
    assert.equal(s.baseAddress, "http://localhost:59900");
  });

  it("canonicalises adminState", () => {
    assert.equal(validateDeviceService({ name: "s", baseAddress: "http://h:1", adminState: "Locked" }).adminState, "LOCKED");
  });

  const bad: [string, unknown, string[]][] = [
    ["missing name and baseAddress", {}, ["name", "baseAddress"]],
    ["name with #", { name: "svc#1", baseAddress: "http://h:1" }, ["name"]],
    ["relative baseAddress", { name: "s", baseAddress: "localhost:59900/x y" }, ["baseAddress"]],
    ["bad adminState", { name: "s", baseAddress: "http://h:1", adminState: "ON" }, ["adminState"]],
    ["labels not a list", { name: "s", baseAddress: "http://h:1", labels: "a" }, ["labels"]],
    ["not an object", [], [""]],
  ];
  for (const [what, body, paths] of bad) {
    it(`reports ${what}`, () => {
      assert.deepEqual(where(problemsOf(() => validateDeviceService(body), ErrorCode.DeviceServiceInvalid)), paths);
    });
  }
});
