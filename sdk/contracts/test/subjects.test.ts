import assert from "node:assert/strict";
import {
  ALL_EVENTS, ANY, commandRequestSubject, escapeToken, eventSubject, parseCommandRequestSubject, parseEventSubject, serviceCommandRequests,
  systemEventSubject, unescapeToken,
} from "@brink/contracts";

const NAMES = [
  "plain", "a.b", "a%2Eb", "a%b", "%", "%%2E", "*", ">", "a b", "tab\there", "line\nbreak", "a/b", "#", "+", "$SYS", "ümlaut",
  "ideographic\u3000space", "nbsp\u00a0x", "emoji 🌡️", "nul\u0000x", "Room 1.meter-2_x", "..", "%25",
];

describe("subjects", () => {
  it("escapes so that no separator, wildcard or whitespace survives in a token", () => {
    for (const name of NAMES) {
      const token = escapeToken(name);
      assert.doesNotMatch(token, /[.*>\s/#+$\p{Cc}]/u, `${JSON.stringify(name)} -> ${token}`);
    }
  });

  it("escapes injectively (a.b and a%2Eb differ) and unescapes back", () => {
    assert.notEqual(escapeToken("a.b"), escapeToken("a%2Eb"));
    const tokens = new Set(NAMES.map(escapeToken));
    assert.equal(tokens.size, NAMES.length);
    for (const name of NAMES) assert.equal(unescapeToken(escapeToken(name)), name);
  });

  it("leaves ordinary names as they are", () => {
    assert.equal(escapeToken("Random-Integer-Device_01"), "Random-Integer-Device_01");
  });

  it("parseEventSubject reverses eventSubject", () => {
    for (const name of NAMES) {
      const parts = { service: `svc ${name}`, profile: name, device: `${name}.dev`, source: name };
      const subject = eventSubject(parts.service, parts.profile, parts.device, parts.source);
      assert.equal(subject.split(".").length, 7);
      assert.deepEqual(parseEventSubject(subject), parts);
    }
    assert.equal(parseEventSubject("edgex.events.device.a.b.c"), undefined);
    assert.equal(parseEventSubject("other.events.device.a.b.c.d"), undefined);
  });

  it("parseCommandRequestSubject reverses commandRequestSubject", () => {
    for (const name of NAMES) {
      for (const method of ["get", "set"] as const) {
        const subject = commandRequestSubject(`device-${name}`, name, `${name}*`, method);
        assert.deepEqual(parseCommandRequestSubject(subject), { service: `device-${name}`, device: name, command: `${name}*`, method });
      }
    }
    assert.equal(parseCommandRequestSubject("edgex.device.command.request.s.d.c.put"), undefined);
  });

  it("builds wildcards only from ANY", () => {
    assert.equal(eventSubject("svc", ANY, ANY, ANY), "edgex.events.device.svc.*.*.*");
    assert.equal(eventSubject("*", ">", "a", "b"), "edgex.events.device.%2A.%3E.a.b");
    assert.equal(commandRequestSubject("svc", ANY, ANY, ANY), "edgex.device.command.request.svc.*.*.*");
    assert.equal(serviceCommandRequests("device.virtual"), "edgex.device.command.request.device%2Evirtual.>");
    assert.equal(systemEventSubject("device", "add", ANY, ANY), "edgex.system-events.core-metadata.device.add.*.*");
    assert.equal(ALL_EVENTS, "edgex.events.device.>");
  });
});
