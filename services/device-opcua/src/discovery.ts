/**
 * Device discovery: asks each configured discovery URL (a Local Discovery Server, or a server itself) for the
 * servers it knows (FindServers), asks each server for its endpoints (GetEndpoints), and proposes one device per
 * server with an `opcua` protocol block. The endpoint chosen is one without security when the server offers it
 * (so the device works before any certificate is trusted), else the one with the highest security level.
 */
import type { ApplicationDescription, EndpointDescription, OPCUAClient } from "node-opcua-client";
import type { DiscoveredDeviceInfo } from "@brink/device-sdk";
import type { Logger } from "pino";
import { withTimeout } from "./connection.js";
import type { OpcuaLib } from "./lib.js";
import type { ClientPki } from "./pki.js";
import { OPCUA_PROTOCOL } from "./protocol.js";

/** Collaborators of {@link discoverServers}. */
export interface DiscoveryOptions {
  readonly lib: OpcuaLib;
  readonly pki: ClientPki;
  readonly urls: readonly string[];
  readonly timeoutMs: number;
  readonly logger: Logger;
  readonly onProgress?: (percent: number, message?: string) => void;
  /** Aborted when the discovery run is cancelled. */
  readonly signal?: AbortSignal;
}

const APPLICATION_TYPE_DISCOVERY_SERVER = 3;
const POLICY_PREFIX = "http://opcfoundation.org/UA/SecurityPolicy#";

async function withClient<T>(o: DiscoveryOptions, url: string, op: (client: OPCUAClient) => Promise<T>): Promise<T> {
  const client = o.lib.client.OPCUAClient.create({
    applicationName: o.pki.applicationName,
    applicationUri: o.pki.applicationUri,
    clientCertificateManager: o.pki.manager,
    certificateFile: o.pki.certificateFile,
    privateKeyFile: o.pki.privateKeyFile,
    endpointMustExist: false,
    connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 200 },
    transportTimeout: o.timeoutMs,
  });
  try {
    await withTimeout(client.connect(url), o.timeoutMs, `connect to ${url}`);
    return await withTimeout(op(client), o.timeoutMs, `discovery at ${url}`);
  } finally {
    await withTimeout(client.disconnect(), 1000, "disconnect").catch(() => undefined);
  }
}

/** The endpoint a discovered device should use (see the module comment). */
export function chooseEndpoint(endpoints: readonly Pick<EndpointDescription, "securityMode" | "securityLevel" | "endpointUrl" | "securityPolicyUri">[]): (typeof endpoints)[number] | undefined {
  const none = endpoints.find((e) => e.securityMode === 1);
  if (none !== undefined) return none;
  return [...endpoints].filter((e) => e.securityMode === 2 || e.securityMode === 3).sort((a, b) => b.securityLevel - a.securityLevel)[0];
}

/** A name usable in EdgeX (no `/ # + $`, no spaces). */
export function deviceNameOf(text: string): string {
  return text.replace(/[^A-Za-z0-9_.~-]+/g, "-").replace(/^-+|-+$/g, "") || "opcua-server";
}

/** Finds servers through the discovery URLs; unreachable URLs are logged and skipped. */
export async function discoverServers(o: DiscoveryOptions): Promise<DiscoveredDeviceInfo[]> {
  const out: DiscoveredDeviceInfo[] = [];
  const seenUris = new Set<string>();
  const usedNames = new Set<string>();
  for (let i = 0; i < o.urls.length; i++) {
    // A cancelled run stops before the next URL (the SDK has stopped waiting already).
    if (o.signal?.aborted === true) break;
    const url = o.urls[i]!;
    o.onProgress?.(Math.round((i / o.urls.length) * 100), `asking ${url}`);
    let servers: ApplicationDescription[];
    try {
      servers = await withClient(o, url, (client) => client.findServers());
    } catch (err) {
      o.logger.warn({ url, err: err instanceof Error ? err.message : String(err) }, "OPC UA discovery URL did not answer");
      continue;
    }
    for (const server of servers) {
      const uri = server.applicationUri ?? "";
      if (server.applicationType === APPLICATION_TYPE_DISCOVERY_SERVER || seenUris.has(uri)) continue;
      for (const discoveryUrl of server.discoveryUrls ?? []) {
        if (discoveryUrl === null) continue;
        try {
          const endpoints: EndpointDescription[] = await withClient(o, discoveryUrl, (client) => client.getEndpoints());
          const chosen = chooseEndpoint(endpoints);
          if (chosen === undefined || chosen.endpointUrl === null) continue;
          seenUris.add(uri);
          const appName = server.applicationName?.text ?? uri;
          let name = deviceNameOf(appName);
          for (let n = 2; usedNames.has(name); n++) name = `${deviceNameOf(appName)}-${n}`;
          usedNames.add(name);
          out.push({
            name,
            description: `OPC UA server ${appName} at ${chosen.endpointUrl}`,
            labels: ["OPCUA"],
            protocols: {
              [OPCUA_PROTOCOL]: {
                Endpoint: chosen.endpointUrl,
                SecurityPolicy: (chosen.securityPolicyUri ?? "").replace(POLICY_PREFIX, "") || "None",
                SecurityMode: chosen.securityMode === 1 ? "None" : chosen.securityMode === 2 ? "Sign" : "SignAndEncrypt",
              },
            },
            properties: { ApplicationUri: uri, ProductUri: server.productUri ?? "", ApplicationName: appName },
          });
          break;
        } catch (err) {
          o.logger.warn({ url: discoveryUrl, err: err instanceof Error ? err.message : String(err) }, "OPC UA server did not give its endpoints");
        }
      }
    }
  }
  o.onProgress?.(100, `${out.length} servers found`);
  return out;
}
