/**
 * Runs device-modbus alone on NATS (as `brink run device-modbus` does): BRINK_BUS_URL (default
 * nats://127.0.0.1:4222), config file as the first argument.
 */
import { NatsBus } from "@brink/bus";
import { createLogger, runUntilSignal, startService } from "@brink/service-kit";
import { deviceModbusService } from "./service.js";

const logger = createLogger();
const bus = new NatsBus({ servers: process.env.BRINK_BUS_URL ?? "nats://127.0.0.1:4222", name: "device-modbus", logger });
await bus.connect();
const service = await startService(deviceModbusService, { bus, logger, configFile: process.argv[2] });
runUntilSignal([service], { logger, onStopped: () => bus.close() });
