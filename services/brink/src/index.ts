export { startEmbedded, runDistributed } from "./runner.js";
export type { Runtime, RunOptions } from "./runner.js";
export { SERVICE_LOADERS, EMBEDDED_ORDER, serviceNames } from "./registry.js";
export { VERSION } from "./version.js";
