/**
 * The NATS and JetStream client modules, loaded on first use: `brink start` runs on the in-process bus and does not
 * carry them (about 1 MB of heap). Every NATS user in Brink (NatsBus, JetStream ingest and input, the NATS export)
 * loads them through here.
 */
import type * as natsClient from "@nats-io/transport-node";
import type * as jetStreamClient from "@nats-io/jetstream";

type NatsClient = typeof natsClient;
let loading: Promise<NatsClient> | undefined;
let errors: NatsClient["errors"] | undefined;

/** The NATS client module (`@nats-io/transport-node`), loaded on the first call. */
export function loadNatsClient(): Promise<NatsClient> {
  loading ??= import("@nats-io/transport-node").then((m) => {
    errors = m.errors;
    return m;
  });
  return loading;
}

/** The client's error classes once it is loaded; errors can only come from a loaded client. */
export function loadedNatsErrors(): NatsClient["errors"] | undefined {
  return errors;
}

let loadingJetStream: Promise<typeof jetStreamClient> | undefined;
/** The JetStream module (`@nats-io/jetstream`), loaded on the first call. */
export function loadJetStream(): Promise<typeof jetStreamClient> {
  loadingJetStream ??= import("@nats-io/jetstream");
  return loadingJetStream;
}
