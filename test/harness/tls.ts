/**
 * Throwaway TLS material for tests: a CA, a server certificate for localhost and 127.0.0.1, and a client certificate,
 * made with openssl (P-256 keys, valid two days).
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { requireBinary } from "./binaries.js";

/** The PEM files {@link makeTestCerts} writes. */
export interface TestCerts {
  /** The CA that signed the server and client certificates. */
  readonly caFile: string;
  /** The server's certificate (CN localhost; SAN DNS:localhost, IP:127.0.0.1) and key. */
  readonly serverCertFile: string;
  readonly serverKeyFile: string;
  /** A client certificate (CN brink-test-client) and key. */
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
}

/** Writes a CA, a server and a client certificate into `dir`. Throws, naming the Debian package, without openssl. */
export function makeTestCerts(dir: string): TestCerts {
  const openssl = requireBinary("openssl", "openssl");
  const f = (name: string): string => path.join(dir, name);
  // node-opcua-crypto restores an unset OPENSSL_CONF as the string "undefined" after reading a key, which openssl
  // then tries to open: drop it when a test in this process ran node-opcua first.
  const env = { ...process.env };
  if (env.OPENSSL_CONF === "undefined") delete env.OPENSSL_CONF;
  const run = (args: string[]): void => void execFileSync(openssl, args, { stdio: "pipe", env });
  const key = (file: string): void => run(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", file]);
  key(f("ca.key"));
  run(["req", "-x509", "-new", "-key", f("ca.key"), "-out", f("ca.crt"), "-days", "2", "-subj", "/CN=brink-test-ca"]);
  writeFileSync(f("server.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  for (const who of ["server", "client"]) {
    key(f(`${who}.key`));
    run(["req", "-new", "-key", f(`${who}.key`), "-out", f(`${who}.csr`), "-subj", `/CN=${who === "server" ? "localhost" : "brink-test-client"}`]);
    run(["x509", "-req", "-in", f(`${who}.csr`), "-CA", f("ca.crt"), "-CAkey", f("ca.key"), "-CAcreateserial", "-out", f(`${who}.crt`), "-days", "2", ...(who === "server" ? ["-extfile", f("server.ext")] : [])]);
  }
  return { caFile: f("ca.crt"), serverCertFile: f("server.crt"), serverKeyFile: f("server.key"), clientCertFile: f("client.crt"), clientKeyFile: f("client.key") };
}
