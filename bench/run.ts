/**
 * `npm run bench`: every benchmark, each against its raw baseline in the same run, written to docs/benchmarks.md.
 * `npm run bench -- ingest footprint` runs a subset.
 */
import { machineLine } from "./report.js";

const BENCHES: Record<string, () => Promise<void>> = {
  ingest: async () => (await import("./ingest.js")).run(),
  footprint: async () => (await import("./footprint.js")).run(),
  command: async () => (await import("./command.js")).run(),
  rules: async () => (await import("./rules.js")).run(),
  autoevents: async () => (await import("./autoevents.js")).run(),
  console: async () => (await import("./console.js")).run(),
  serial: async () => (await import("./serial.js")).run(),
  "device-sdk": async () => (await import("./device-sdk.js")).run(),
  modbus: async () => (await import("./modbus.js")).run(),
  opcua: async () => (await import("./opcua.js")).run(),
  "app-service": async () => (await import("./app-service.js")).run(),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const names = wanted.length > 0 ? wanted : Object.keys(BENCHES);
console.log(`bench: ${machineLine()}`);
for (const name of names) {
  const bench = BENCHES[name];
  if (!bench) {
    console.error(`bench: unknown benchmark "${name}"; known: ${Object.keys(BENCHES).join(", ")}`);
    process.exit(2);
  }
  console.log(`\n== ${name}`);
  await bench();
}
process.exit(0);
