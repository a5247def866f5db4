/** Error codes the FakeDriver test double raises. Listed in docs/errors.md. */
export const FakeDriverErrorCode = {
  Unreachable: "FAKE_UNREACHABLE",
  ProtocolInvalid: "FAKE_PROTOCOL_INVALID",
  Stopped: "FAKE_STOPPED",
} as const;
