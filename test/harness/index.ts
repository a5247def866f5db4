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
export { startPymodbusServer } from "./pymodbus.js";
export type { PymodbusServer, PymodbusServerOptions, PymodbusUnit, PymodbusFault } from "./pymodbus.js";
export { startSerialPair } from "./socat.js";
export type { SerialPair } from "./socat.js";
export { startPtyPair } from "./serial-pty.js";
export type { PtyPair, PtyPairOptions } from "./serial-pty.js";
export { startSerialInstrument } from "./serial-instrument.js";
export type { SerialInstrument, SerialInstrumentOptions } from "./serial-instrument.js";
export { INSTRUMENT_PROTOCOLS, crc16ModbusBitwise } from "./serial-instrument-devices.js";
export type { InstrumentProtocolName } from "./serial-instrument-devices.js";
export { startMosquitto } from "./mosquitto.js";
export type { Mosquitto, MosquittoOptions, MosquittoCerts } from "./mosquitto.js";
export { makeTestCerts, type TestCerts } from "./tls.js";
export { startOpcuaServer } from "./opcua-server.js";
export type { OpcuaServer, OpcuaServerOptions, OpcuaServerStats } from "./opcua-server.js";
export { documentedCodes } from "./errors-doc.js";
