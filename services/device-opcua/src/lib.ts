/**
 * The one place node-opcua is loaded, on first use: importing this package costs nothing, so `brink start` and
 * every service that does not run device-opcua never pay node-opcua's memory and start time. The rest of the
 * package imports node-opcua's types only.
 */
import type * as Client from "node-opcua-client";
import type * as Certificates from "node-opcua-certificate-manager";

/** The node-opcua client and its certificate manager. */
export interface OpcuaLib {
  readonly client: typeof Client;
  readonly certificates: typeof Certificates;
}

let loading: Promise<OpcuaLib> | undefined;

/** Loads node-opcua's client once per process. */
export function loadOpcua(): Promise<OpcuaLib> {
  loading ??= Promise.all([import("node-opcua-client"), import("node-opcua-certificate-manager")]).then(([client, certificates]) => ({ client, certificates }));
  return loading;
}
