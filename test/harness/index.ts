/**
 * The shared test harness: real peers on free ports, process control, polling and HTTP helpers.
 * Import it by relative path, e.g. `import { startNatsServer } from "../../../test/harness/index.js"`.
 */
export { freePort, portAccepts } from "./ports.js";
export { requireBinary, findBinary } from "./binaries.js";
export { startProcess } from "./process.js";
export type { StartProcessOptions, ProcessHandle, ReadyWhen, ExitInfo } from "./process.js";
export { startNatsServer } from "./nats.js";
export type { NatsServer, NatsServerOptions } from "./nats.js";
export { waitFor } from "./wait.js";
export type { WaitForOptions } from "./wait.js";
export { httpJson } from "./http.js";
export type { HttpJsonResponse } from "./http.js";
