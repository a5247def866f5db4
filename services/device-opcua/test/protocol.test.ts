import { strict as assert } from "node:assert";
import { ErrorKind, type Device } from "@brink/contracts";
import { OpcuaErrorCode } from "../src/errors.js";
import { DEFAULT_PUBLISHING_INTERVAL_MS, connectionKey, parseOpcuaProtocol } from "../src/protocol.js";

function device(opcua: Record<string, unknown> | undefined): Device {
  return { name: "d", adminState: "UNLOCKED", operatingState: "UP", serviceName: "device-opcua", profileName: "p", protocols: opcua === undefined ? {} : { opcua } };
}

function rejects(opcua: Record<string, unknown> | undefined): void {
  assert.throws(
    () => parseOpcuaProtocol(device(opcua)),
    (err: unknown) => (err as { code?: string }).code === OpcuaErrorCode.ProtocolInvalid && (err as { kind?: string }).kind === ErrorKind.ContractInvalid,
  );
}

describe("parseOpcuaProtocol", () => {
  it("reads EdgeX's block (Endpoint only) with anonymous, unsecured defaults and no subscription", () => {
    const s = parseOpcuaProtocol(device({ Endpoint: "opc.tcp://192.168.123.21:53530/OPCUA/SimulationServer" }));
    assert.equal(s.endpoint, "opc.tcp://192.168.123.21:53530/OPCUA/SimulationServer");
    assert.equal(s.securityPolicy, "None");
    assert.equal(s.securityMode, "None");
    assert.deepEqual(s.identity, { type: "Anonymous" });
    assert.deepEqual(s.subscription.resources, []);
    assert.equal(s.subscription.publishingIntervalMs, DEFAULT_PUBLISHING_INTERVAL_MS);
  });

  it("reads security, a user, and the subscription with string or number values", () => {
    const s = parseOpcuaProtocol(
      device({
        Endpoint: "opc.tcp://plc:4840",
        SecurityPolicy: "http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256",
        SecurityMode: "signandencrypt",
        Username: "operator",
        Password: " secret ",
        Resources: "Counter, Random,Counter",
        PublishingInterval: "250",
        SamplingInterval: 100,
        QueueSize: "5",
        DeadbandType: "percent",
        DeadbandValue: "2.5",
      }),
    );
    assert.equal(s.securityPolicy, "Basic256Sha256");
    assert.equal(s.securityMode, "SignAndEncrypt");
    assert.deepEqual(s.identity, { type: "UserName", userName: "operator", password: " secret " });
    assert.deepEqual(s.subscription, {
      resources: ["Counter", "Random"],
      publishingIntervalMs: 250,
      monitoring: { samplingIntervalMs: 100, queueSize: 5, deadbandType: "Percent", deadbandValue: 2.5 },
    });
  });

  it("reads EdgeX's Policy and Mode names, AuthType and a \"*\" subscription", () => {
    const s = parseOpcuaProtocol(device({ Endpoint: "opc.tcp://plc:4840", Policy: "Aes128_Sha256_RsaOaep", Mode: "Sign", AuthType: "Anonymous", Username: "x", Resources: "*" }));
    assert.equal(s.securityPolicy, "Aes128_Sha256_RsaOaep");
    assert.equal(s.securityMode, "Sign");
    assert.deepEqual(s.identity, { type: "Anonymous" });
    assert.equal(s.subscription.resources, "*");
  });

  const bad: [string, Record<string, unknown> | undefined][] = [
    ["no opcua block", undefined],
    ["no Endpoint", {}],
    ["an http Endpoint", { Endpoint: "http://plc:4840" }],
    ["an unknown policy", { Endpoint: "opc.tcp://plc:4840", SecurityPolicy: "Basic512", SecurityMode: "Sign" }],
    ["an unknown mode", { Endpoint: "opc.tcp://plc:4840", SecurityPolicy: "Basic256Sha256", SecurityMode: "Encrypt" }],
    ["a policy without a mode", { Endpoint: "opc.tcp://plc:4840", SecurityPolicy: "Basic256Sha256" }],
    ["a mode without a policy", { Endpoint: "opc.tcp://plc:4840", SecurityMode: "Sign" }],
    ["AuthType Username without a user", { Endpoint: "opc.tcp://plc:4840", AuthType: "Username" }],
    ["an unknown AuthType", { Endpoint: "opc.tcp://plc:4840", AuthType: "Kerberos" }],
    ["a negative sampling interval", { Endpoint: "opc.tcp://plc:4840", SamplingInterval: "-1" }],
    ["a fractional queue size", { Endpoint: "opc.tcp://plc:4840", QueueSize: 1.5 }],
    ["an unknown deadband", { Endpoint: "opc.tcp://plc:4840", DeadbandType: "Relative" }],
    ["Resources that are not names", { Endpoint: "opc.tcp://plc:4840", Resources: [1, 2] }],
  ];
  for (const [what, block] of bad) it(`refuses ${what} with OPCUA_PROTOCOL_INVALID`, () => rejects(block));
});

describe("connectionKey", () => {
  it("changes with the endpoint, security or identity, not with the subscription", () => {
    const base = { Endpoint: "opc.tcp://plc:4840", Resources: "A" };
    const key = connectionKey(parseOpcuaProtocol(device(base)));
    assert.equal(connectionKey(parseOpcuaProtocol(device({ ...base, Resources: "B" }))), key);
    assert.notEqual(connectionKey(parseOpcuaProtocol(device({ ...base, Endpoint: "opc.tcp://plc:4841" }))), key);
    assert.notEqual(connectionKey(parseOpcuaProtocol(device({ ...base, SecurityPolicy: "Basic256Sha256", SecurityMode: "Sign" }))), key);
    assert.notEqual(connectionKey(parseOpcuaProtocol(device({ ...base, Username: "u", Password: "p" }))), key);
  });
});
