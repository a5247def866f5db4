/**
 * @brink/device-serial: instruments that speak text or binary frames over serial ports (RS-232/485), described in
 * the device profile: framing and checksum in the device's `serial` protocol block, request/response templates,
 * regex/CSV/JSON/binary parsing, streaming and write templates in resource attributes. See docs/device-serial.md.
 */
export { SerialDriver } from "./driver.js";
export type { SerialDriverOptions, SerialPortStats } from "./driver.js";
export { SerialError, SerialErrorCode } from "./errors.js";
export type { InputProblem } from "./errors.js";
export {
  SERIAL_PROTOCOL, DEFAULT_BAUD_RATE, DEFAULT_RESPONSE_TIMEOUT_MS, DEFAULT_MAX_FRAME_BYTES, DEFAULT_PARTIAL_TIMEOUT_MS, Parity, FlowControl,
  FramingKind, parseSerialProtocol,
} from "./protocol.js";
export type { SerialSettings, LineSettings, FramingSettings, ChecksumSettings, FrameSettings, ProtocolDefaults } from "./protocol.js";
export {
  SERIAL_DRIVER_CONFIG_SCHEMA, DEFAULT_REOPEN_INITIAL_DELAY_MS, DEFAULT_REOPEN_MAX_DELAY_MS, DEFAULT_PORT_CHECK_INTERVAL_MS, DEFAULT_QUEUE_TIMEOUT_MS,
  DEFAULT_STREAM_MAX_AGE_MS, DEFAULT_MAX_PENDING_PUSHES, readDriverConfig,
} from "./config.js";
export type { SerialDriverConfig } from "./config.js";
export { ChecksumAlgorithm, CHECKSUM_ALGORITHMS, checksumOf, crc16Modbus, crc16Ccitt } from "./framing/checksum.js";
export { Framer, emptyFramerStats } from "./framing/framer.js";
export type { FramerStats } from "./framing/framer.js";
export { Frame } from "./framing/frame.js";
export { Template, TemplateProblem, parseFormat, formatValue, float32Text, expandRegexSource } from "./template.js";
export type { Format, BinaryType } from "./template.js";
export { ParseKind, OPTION_ATTRIBUTES, REGEX_FLAGS, planOf, bindPlan, parseJsonPath } from "./attributes.js";
export type { ResourcePlan, BoundPlan } from "./attributes.js";
export { Conversion, ParseProblem, extractValue, fromText, fromJson } from "./parse.js";
export type { Extraction, ValueSpec } from "./parse.js";
export { PortChannel } from "./port/port-channel.js";
export type { PortChannelOptions, Exchange, PortStats, ReopenPolicy } from "./port/port-channel.js";
export { openSerialPort } from "./port/serial-link.js";
export type { SerialLink, LinkEvents, LinkOpener } from "./port/serial-link.js";
export { unescapeText, parseByteSequence, hexOf, printable } from "./bytes.js";
export { registerSerialMetrics } from "./metrics.js";
export { deviceSerialService, SERIAL_PROFILES_DIR, DEVICE_SERIAL_PORT } from "./service.js";
export { VERSION } from "./version.js";
