/**
 * The client's PKI under the data dir (`<dataDir>/device-opcua/pki`, or `driver.pkiDir`):
 * - `own/certs/client_certificate.pem` and `own/private/private_key.pem`: the client's self-signed certificate and
 *   key, created on the first start and kept;
 * - `trusted/certs/`: server certificates the client trusts. Trust is explicit: a server certificate that is not
 *   there is refused (OPCUA_CERTIFICATE_UNTRUSTED) and written to `rejected/`; move it to `trusted/certs/` to
 *   trust it (or set `driver.acceptUnknownServerCertificates`, for laboratories).
 * Servers must in turn trust the client certificate (most put it in their own `rejected` folder on first contact).
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import type { OPCUACertificateManager } from "node-opcua-certificate-manager";
import type { OpcuaLib } from "./lib.js";

/** Validity of the client certificate created on first start, days. */
export const CLIENT_CERTIFICATE_VALIDITY_DAYS = 3650;

/** The client's identity: certificate manager, certificate and key files, application name and URI. */
export interface ClientPki {
  readonly manager: OPCUACertificateManager;
  readonly certificateFile: string;
  readonly privateKeyFile: string;
  readonly applicationName: string;
  readonly applicationUri: string;
  readonly rootDir: string;
  /** Trusts a server certificate (PEM or DER file): written to `trusted/certs/`, used from the next connection on. */
  trust(certificateFile: string): Promise<void>;
  /** Releases the certificate manager (file watchers). */
  dispose(): Promise<void>;
}

/** Where the client certificate lives in a PKI folder. */
export function clientCertificateFile(pkiDir: string): string {
  return join(pkiDir, "own", "certs", "client_certificate.pem");
}

/** The default application URI of the client on this host. */
export function defaultApplicationUri(): string {
  return `urn:${hostname()}:brink:device-opcua`;
}

/** Opens (creating on first use) the PKI folder and the client certificate. */
export async function openClientPki(lib: OpcuaLib, options: { pkiDir: string; applicationName: string; applicationUri: string; acceptUnknownServerCertificates: boolean }): Promise<ClientPki> {
  mkdirSync(options.pkiDir, { recursive: true });
  const manager = new lib.certificates.OPCUACertificateManager({
    rootFolder: options.pkiDir,
    automaticallyAcceptUnknownCertificate: options.acceptUnknownServerCertificates,
  });
  await manager.initialize();
  const certificateFile = clientCertificateFile(options.pkiDir);
  const applicationUri = options.applicationUri || defaultApplicationUri();
  if (!existsSync(certificateFile)) {
    const host = hostname();
    await manager.createSelfSignedCertificate({
      applicationUri,
      dns: [host],
      subject: `/CN=${`${options.applicationName}@${host}`.slice(0, 63)}/O=Brink`,
      startDate: new Date(),
      validity: CLIENT_CERTIFICATE_VALIDITY_DAYS,
      outputFile: certificateFile,
    });
  }
  // Held for the driver's lifetime: each OPCUAClient releases one reference when it disconnects.
  manager.referenceCounter++;
  return {
    manager,
    certificateFile,
    privateKeyFile: manager.privateKey,
    applicationName: options.applicationName,
    applicationUri,
    rootDir: manager.rootDir,
    trust: (file) => manager.trustCertificate(certificateDer(file)),
    dispose: async () => {
      manager.referenceCounter = 0;
      await manager.dispose();
    },
  };
}

/** The DER bytes of a certificate file, PEM (the first certificate) or DER. */
export function certificateDer(file: string): Buffer {
  const bytes = readFileSync(file);
  const pem = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(bytes.toString("latin1"));
  return pem === null ? bytes : Buffer.from(pem[1]!.replace(/\s+/g, ""), "base64");
}
