/**
 * The pipeline functions of the app-sdk by the name pipeline definitions use. Export functions (MqttExport,
 * HttpExport, NatsExport) live in their own registry, EXPORT_FUNCTIONS; a service merges both.
 */
import type { FunctionFactory } from "../types.js";
import { deadband } from "./cleaning/deadband.js";
import { dedupe } from "./cleaning/dedupe.js";
import { nanFilter } from "./cleaning/nan-filter.js";
import { rangeCheck } from "./cleaning/range-check.js";
import { spikeFilter } from "./cleaning/spike-filter.js";
import { stuckSensor } from "./cleaning/stuck-sensor.js";
import { filterByDeviceName, filterByProfileName, filterByResourceName, filterBySourceName } from "./filters.js";
import { addTags } from "./output/add-tags.js";
import { batch } from "./output/batch.js";
import { compress } from "./output/compress.js";
import { encrypt } from "./output/encrypt.js";
import { sparkplugB } from "./sparkplug/sparkplug-b.js";
import { template } from "./transforms/template.js";
import { toEdgeXEvent } from "./transforms/to-edgex-event.js";
import { toFlatRecords } from "./transforms/to-flat-records.js";
import { windowFunction } from "./window.js";

/** Every non-export pipeline function, by name. */
export const FUNCTIONS: Readonly<Record<string, FunctionFactory>> = Object.freeze({
  FilterByDeviceName: filterByDeviceName,
  FilterByProfileName: filterByProfileName,
  FilterBySourceName: filterBySourceName,
  FilterByResourceName: filterByResourceName,
  Deadband: deadband,
  Dedupe: dedupe,
  RangeCheck: rangeCheck,
  SpikeFilter: spikeFilter,
  StuckSensor: stuckSensor,
  NaNFilter: nanFilter,
  Window: windowFunction,
  ToEdgeXEvent: toEdgeXEvent,
  ToFlatRecords: toFlatRecords,
  Template: template,
  SparkplugB: sparkplugB,
  Batch: batch,
  Compress: compress,
  Encrypt: encrypt,
  AddTags: addTags,
});
