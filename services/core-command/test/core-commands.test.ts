import { strict as assert } from "node:assert";
import { ErrorKind, ServiceError, type DeviceProfile } from "@brink/contracts";
import { buildCoreCommands, commandPath, resolveCommand } from "../src/core-commands.js";
import { CoreCommandErrorCode } from "../src/errors.js";

const PROFILE: DeviceProfile = {
  name: "Thermostat",
  deviceResources: [
    { name: "Temperature", properties: { valueType: "Float32", readWrite: "R" } },
    { name: "SetPoint", properties: { valueType: "Float32", readWrite: "RW" } },
    { name: "Mode", properties: { valueType: "String", readWrite: "W" } },
    { name: "Secret", isHidden: true, properties: { valueType: "Int32", readWrite: "RW" } },
    { name: "Both", properties: { valueType: "Bool", readWrite: "RW" } },
  ],
  deviceCommands: [
    { name: "Configure", readWrite: "W", resourceOperations: [{ deviceResource: "SetPoint" }, { deviceResource: "Mode" }] },
    { name: "Hidden", readWrite: "RW", isHidden: true, resourceOperations: [{ deviceResource: "Secret" }] },
    // A command named like a resource replaces the resource's own command.
    { name: "Both", readWrite: "R", resourceOperations: [{ deviceResource: "Both" }, { deviceResource: "Temperature" }] },
  ],
};

function assertServiceError(fn: () => unknown, kind: ErrorKind, code: string): void {
  assert.throws(fn, (err: unknown) => err instanceof ServiceError && err.kind === kind && err.code === code);
}

describe("buildCoreCommands", () => {
  const commands = buildCoreCommands("dev 1", "http://localhost:59882", PROFILE);
  const byName = new Map(commands.map((c) => [c.name, c]));

  it("lists visible device commands first, then visible resources not covered by a command", () => {
    assert.deepEqual(
      commands.map((c) => c.name),
      ["Configure", "Both", "Temperature", "SetPoint", "Mode"],
    );
  });

  it("derives get and set from readWrite", () => {
    assert.deepEqual([byName.get("Temperature")!.get, byName.get("Temperature")!.set], [true, false]);
    assert.deepEqual([byName.get("SetPoint")!.get, byName.get("SetPoint")!.set], [true, true]);
    assert.deepEqual([byName.get("Mode")!.get, byName.get("Mode")!.set], [false, true]);
    assert.deepEqual([byName.get("Configure")!.get, byName.get("Configure")!.set], [false, true]);
  });

  it("gives each command its parameters, path and url", () => {
    const configure = byName.get("Configure")!;
    assert.deepEqual(configure.parameters, [
      { resourceName: "SetPoint", valueType: "Float32" },
      { resourceName: "Mode", valueType: "String" },
    ]);
    assert.equal(configure.path, "/api/v3/device/name/dev%201/Configure");
    assert.equal(configure.url, "http://localhost:59882");
    assert.deepEqual(byName.get("Both")!.parameters.map((p) => p.resourceName), ["Both", "Temperature"]);
  });

  it("refuses a command that names a missing resource", () => {
    const broken: DeviceProfile = { ...PROFILE, deviceCommands: [{ name: "X", readWrite: "R", resourceOperations: [{ deviceResource: "Nope" }] }] };
    assertServiceError(() => buildCoreCommands("d", "", broken), ErrorKind.Server, "PROFILE_INVALID");
  });

  it("encodes names in the path", () => {
    assert.equal(commandPath("a/b", "c d"), "/api/v3/device/name/a%2Fb/c%20d");
  });
});

describe("resolveCommand", () => {
  const commands = buildCoreCommands("d", "", PROFILE);

  it("finds a command by exact name for an allowed method", () => {
    const target = resolveCommand(commands, "d", "SetPoint", "set", true);
    assert.equal(target.kind, "command");
    assert.equal(target.kind === "command" && target.command.name, "SetPoint");
  });

  it("answers 404 COMMAND_NOT_FOUND for unknown and hidden names", () => {
    assertServiceError(() => resolveCommand(commands, "d", "Nope", "get", false), ErrorKind.EntityDoesNotExist, CoreCommandErrorCode.CommandNotFound);
    assertServiceError(() => resolveCommand(commands, "d", "Secret", "get", true), ErrorKind.EntityDoesNotExist, CoreCommandErrorCode.CommandNotFound);
    assertServiceError(() => resolveCommand(commands, "d", "Hidden", "set", true), ErrorKind.EntityDoesNotExist, CoreCommandErrorCode.CommandNotFound);
  });

  it("answers 405 for a method the command does not allow", () => {
    assertServiceError(() => resolveCommand(commands, "d", "Mode", "get", true), ErrorKind.NotAllowed, CoreCommandErrorCode.CommandNotReadable);
    assertServiceError(() => resolveCommand(commands, "d", "Temperature", "set", true), ErrorKind.NotAllowed, CoreCommandErrorCode.CommandNotWritable);
  });

  it("treats a GET name as a whole-name regular expression over readable resources when regex is on", () => {
    const target = resolveCommand(commands, "d", "Temp.*|Set.*", "get", true);
    assert.equal(target.kind, "pattern");
    assert.deepEqual(target.kind === "pattern" && target.matches.map((c) => c.name), ["Temperature", "SetPoint"]);
    assertServiceError(() => resolveCommand(commands, "d", "Temp.*", "get", false), ErrorKind.EntityDoesNotExist, CoreCommandErrorCode.CommandNotFound);
    assertServiceError(() => resolveCommand(commands, "d", "Temp", "get", true), ErrorKind.EntityDoesNotExist, CoreCommandErrorCode.CommandNotFound);
    assertServiceError(() => resolveCommand(commands, "d", "Temp.*", "set", true), ErrorKind.EntityDoesNotExist, CoreCommandErrorCode.CommandNotFound);
    assertServiceError(() => resolveCommand(commands, "d", "(", "get", true), ErrorKind.EntityDoesNotExist, CoreCommandErrorCode.CommandNotFound);
  });
});
