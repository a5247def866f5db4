/** @brink/device-modbus: Modbus TCP and RTU devices (EdgeX device-modbus) on Brink's device SDK. */
export { ModbusDriver } from "./driver.js";
export type { ModbusDriverOptions, CachedPlan } from "./driver.js";
export { ModbusError, ModbusErrorCode, exceptionName, exceptionError } from "./errors.js";
export type { RequestContext } from "./errors.js";
export {
  MODBUS_DRIVER_SCHEMA, resolveDriverConfig, DEFAULT_MAX_GAP_REGISTERS, DEFAULT_MAX_GAP_BITS, MAX_REGISTERS_PER_READ, MAX_BITS_PER_READ,
  MAX_REGISTERS_PER_WRITE, MAX_BITS_PER_WRITE, DEFAULT_QUEUE_LIMIT, DEFAULT_RECONNECT_INITIAL_MS, DEFAULT_RECONNECT_MAX_MS, DEFAULT_TIMEOUTS_BEFORE_RECONNECT,
} from "./config.js";
export type { ModbusDriverConfig } from "./config.js";
export { parseDeviceAddress, MODBUS_TCP, MODBUS_RTU, DEFAULT_TCP_PORT, DEFAULT_TIMEOUT_MS, DEFAULT_BAUD_RATE } from "./protocol.js";
export type { DeviceAddress, LinkSpec, TcpLinkSpec, RtuLinkSpec, Parity } from "./protocol.js";
export { PrimaryTable, parseResourceAddress, isBitTable, isWritableTable, NUMERIC_REGISTERS, MAX_STRING_REGISTERS } from "./attributes.js";
export type { ResourceAddress } from "./attributes.js";
export { decodeRegisters, encodeRegisters, setBit } from "./codec.js";
export { planReads, describePlan } from "./planner.js";
export type { PlanItem, PlanOptions, PlannedRead, ReadPlan, Restriction } from "./planner.js";
export { Link, interFrameGapMs } from "./link.js";
export type { LinkClock, LinkJob, LinkOptions, LinkStatus, Exchange } from "./link.js";
export { Backoff } from "./backoff.js";
export { TcpTransport, RtuTransport, modbusSerialTransport } from "./transport.js";
export type { Transport, TransportFactory, ModbusRequest, ModbusResponse, TransportFailure, SendCallback } from "./transport.js";
export type { DeviceReport, PlanReport, AutoEventPlanReport, PlannedRequestReport } from "./inspect.js";
export { deviceModbusService, MODBUS_PROFILES_DIR, DEVICE_MODBUS_PORT } from "./service.js";
export { VERSION } from "./version.js";
