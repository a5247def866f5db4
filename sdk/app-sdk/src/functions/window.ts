/**
 * Window: aggregates numeric readings per device and resource over time windows and emits one event per device,
 * profile and source each time a window closes, in place of the raw events (which stop here):
 * - tumbling: back-to-back windows of `size`, each reading in exactly one;
 * - sliding: windows of `size` closing every `slide`, so a reading counts in `size / slide` windows.
 *
 * `time: arrival` (the default) windows readings by when they arrive, aligned to the pipeline's start, closed by a
 * timer. `time: origin` windows them by their own `origin`, aligned to multiples of `slide` since the epoch, so data
 * replayed after an outage (JetStream input, a device's backlog) falls in the windows it was measured in. A window
 * closes when the readings' watermark (the latest origin seen, minus `lateness`) passes its end; when no reading has
 * arrived for a `slide`, the clock minus `lateness` moves the watermark instead, so a silent device's last window still
 * closes. A reading whose windows have all closed is dropped, counted in the next event's `late` tag and logged.
 */
import { formatGoDuration, newUuid, type Event, type Reading, type ValueType } from "@brink/contracts";
import type { FunctionFactory, PipelineContext, PipelineData, PipelineFunction } from "../types.js";
import { deriveContext, formatFloatE, formatNumber, mapEvents, numericValue } from "./data.js";
import { ParamReader } from "./params.js";

/** Aggregate functions of Window. */
export const AggregateFunction = { Avg: "avg", Min: "min", Max: "max", Count: "count", Last: "last" } as const;
/** One aggregate function. */
export type AggregateFunction = (typeof AggregateFunction)[keyof typeof AggregateFunction];

/** Samples kept per series in a sliding window by default; older ones are dropped first. */
export const DEFAULT_WINDOW_MAX_SAMPLES = 100_000;

interface Sample {
  at: number;
  value: number;
  reading: Reading;
}

interface Group {
  deviceName: string;
  profileName: string;
  sourceName: string;
  ctx: PipelineContext;
  /** Samples per resource, oldest first. */
  series: Map<string, Sample[]>;
}

function aggregate(fn: AggregateFunction, samples: readonly Sample[]): { valueType: ValueType; value: string } {
  const last = samples[samples.length - 1]!;
  const type = last.reading.valueType;
  switch (fn) {
    case "count":
      return { valueType: "Uint64", value: String(samples.length) };
    case "last":
      return { valueType: type, value: "value" in last.reading ? last.reading.value : String(last.value) };
    case "min":
      return { valueType: type, value: formatNumber(type, samples.reduce((m, s) => Math.min(m, s.value), Infinity)) };
    case "max":
      return { valueType: type, value: formatNumber(type, samples.reduce((m, s) => Math.max(m, s.value), -Infinity)) };
    case "avg":
      return { valueType: "Float64", value: formatFloatE(samples.reduce((sum, s) => sum + s.value, 0) / samples.length, 64) };
  }
}

/**
 * Params: `type` (tumbling | sliding, default tumbling), `size` (Go duration, required), `slide` (Go duration,
 * sliding only, required there, at most `size`), `functions` (list of avg, min, max, count, last; default [avg]),
 * `maxSamples` (per series and window, default 100000; the oldest go first). Each closed window with data yields an event with
 * the device, profile and source of its readings, `origin` at the window's end, and one reading per resource and
 * function named `<resource>_<function>` (avg is Float64, count Uint64, min, max and last keep the resource's type),
 * tagged `aggregate` and `window`. NaN and infinite values are left out; non-numeric readings are dropped.
 * On stop, windows still open are emitted once, tagged `partial: "true"`. `time` (arrival | origin, default
 * arrival) and `lateness` (Go duration, origin time only, default 0s) choose the clock (see the module comment).
 */
export const windowFunction: FunctionFactory = (params) => {
  const name = "Window";
  const r = new ParamReader(name, params);
  const type = r.choice("type", ["tumbling", "sliding"] as const, "tumbling");
  const sizeMs = r.duration("size", { required: true }) ?? 1000;
  let slideMs = r.duration("slide", { required: type === "sliding" }) ?? sizeMs;
  if (type === "tumbling" && r.has("slide")) r.add("slide", "applies to sliding windows only");
  if (type === "sliding" && slideMs > sizeMs) r.add("slide", `must be at most size (${formatGoDuration(sizeMs)})`);
  if (type === "tumbling") slideMs = sizeMs;
  const functions = (r.strings("functions") ?? ["avg"]) as AggregateFunction[];
  const known = Object.values(AggregateFunction) as string[];
  functions.forEach((f, i) => {
    if (!known.includes(f)) r.add(`functions[${i}]`, `unknown aggregate function "${f}"; known: ${known.join(", ")}`);
    else if (functions.indexOf(f) !== i) r.add(`functions[${i}]`, `"${f}" is listed twice`);
  });
  if (functions.length === 0) r.add("functions", "must list at least one function");
  const maxSamples = r.number("maxSamples", { def: DEFAULT_WINDOW_MAX_SAMPLES, min: 1, integer: true }) ?? DEFAULT_WINDOW_MAX_SAMPLES;
  const time = r.choice("time", ["arrival", "origin"] as const, "arrival");
  const latenessMs = r.duration("lateness", { def: "0s", zero: true }) ?? 0;
  if (time === "arrival" && r.has("lateness")) r.add("lateness", "applies to time: origin only");
  r.done();

  const groups = new Map<string, Group>();
  const windowLabel = formatGoDuration(sizeMs);
  let timer: NodeJS.Timeout | undefined;
  // A reading that arrives in the same millisecond as a close, after it, belongs to the next window.
  let lastCloseAt = -Infinity;
  let emit: ((ctx: PipelineContext, data: PipelineData) => Promise<void>) | undefined;

  const nanos = (ms: number): bigint => BigInt(Math.round(ms)) * 1_000_000n;
  // Origin time: the end of the last closed window, the watermark, a lower bound of the earliest sample held (exact
  // after each close), when a reading last arrived, late drops since the last close.
  let lastEnd = Number.NEGATIVE_INFINITY;
  let heldFrom = Number.POSITIVE_INFINITY;
  let watermark = Number.NEGATIVE_INFINITY;
  let lastArrival = 0;
  let late = 0;
  let lateLogged = 0;
  const close = (now: number, partial: boolean): void => {
    lastCloseAt = now;
    const from = now - sizeMs;
    // After this close, the next window starts at now - size + slide: samples at or before it are done.
    const keepAfter = now - sizeMs + slideMs;
    for (const [key, group] of groups) {
      const readings: Reading[] = [];
      for (const [resource, samples] of group.series) {
        const inWindow = samples.filter((s) => s.at > from && s.at <= now);
        if (inWindow.length > 0) {
          const latest = inWindow[inWindow.length - 1]!.reading;
          for (const fn of functions) {
            const { valueType, value } = aggregate(fn, inWindow);
            const reading = {
              id: newUuid(),
              origin: nanos(now),
              deviceName: group.deviceName,
              profileName: group.profileName,
              resourceName: `${resource}_${fn}`,
              valueType,
              value,
              tags: { aggregate: fn, window: windowLabel },
            } as Reading;
            if (latest.units !== undefined && fn !== "count") reading.units = latest.units;
            readings.push(reading);
          }
        }
        const rest = samples.filter((s) => s.at > keepAfter);
        if (rest.length === 0) group.series.delete(resource);
        else group.series.set(resource, rest);
      }
      if (group.series.size === 0) groups.delete(key);
      if (readings.length === 0 || emit === undefined) continue;
      const event: Event = {
        apiVersion: "v3",
        id: newUuid(),
        deviceName: group.deviceName,
        profileName: group.profileName,
        sourceName: group.sourceName,
        origin: nanos(now),
        readings,
        tags: {
          window: type,
          windowStart: nanos(from).toString(),
          windowEnd: nanos(now).toString(),
          ...(partial ? { partial: "true" } : {}),
          ...(late > 0 ? { late: String(late) } : {}),
        },
      };
      late = 0;
      void emit(deriveContext(group.ctx, name), event);
    }
  };

  /** Origin time: the earliest sample held, ms (Infinity when none). */
  const earliest = (): number => {
    let min = Number.POSITIVE_INFINITY;
    for (const g of groups.values()) for (const samples of g.series.values()) if (samples.length > 0 && samples[0]!.at < min) min = samples[0]!.at;
    return min;
  };
  /**
   * Origin time: closes every window whose end the watermark has passed (or, on stop, every window holding data).
   * Runs on every message, so it decides from `heldFrom` alone that nothing is due, and scans the samples only after
   * closing windows.
   */
  const advance = (partial: boolean): void => {
    if (heldFrom === Number.POSITIVE_INFINITY) return;
    // Windows before the first that holds a sample are empty: start at the first end after it.
    let end = Math.max(lastEnd + slideMs, Math.ceil(heldFrom / slideMs) * slideMs);
    const limit = partial ? Number.POSITIVE_INFINITY : watermark;
    if (end > limit) return;
    while (end <= limit && groups.size > 0) {
      close(end, partial && end > watermark);
      lastEnd = end;
      end += slideMs;
    }
    heldFrom = earliest();
  };

  const fn: PipelineFunction = {
    name,
    holds: true,
    start(e) {
      emit = e;
      if (time === "origin") {
        timer ??= setInterval(() => {
          // A silent source: the clock moves the watermark, so its last windows close.
          if (Date.now() - lastArrival >= slideMs) watermark = Math.max(watermark, Date.now() - latenessMs);
          advance(false);
        }, slideMs);
        return;
      }
      // Windows are aligned to the start: what arrives in the start's millisecond belongs to the first one.
      lastCloseAt = Date.now();
      timer ??= setInterval(() => close(Date.now(), false), slideMs);
    },
    stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      if (time === "origin") advance(true);
      else close(Date.now(), true);
      groups.clear();
      heldFrom = Number.POSITIVE_INFINITY;
    },
    process(ctx, data) {
      if (time === "origin") return processByOrigin(ctx, data);
      const now = Date.now() > lastCloseAt ? Date.now() : lastCloseAt + 1e-3;
      mapEvents(name, data, (event) => {
        let group: Group | undefined;
        for (const reading of event.readings) {
          const v = numericValue(reading);
          if (v === undefined || !Number.isFinite(v)) continue;
          group = add(ctx, event, group, reading, now, v);
        }
        return undefined;
      });
      return undefined;
    },
  };

  /** Adds a sample to its device's series (a group is made on the first numeric reading). */
  const add = (ctx: PipelineContext, event: Event, group: Group | undefined, reading: Reading, at: number, value: number): Group => {
    const key = `${event.deviceName}\u0000${event.profileName}\u0000${event.sourceName}`;
    let g = group ?? groups.get(key);
    if (g === undefined) {
      g = { deviceName: event.deviceName, profileName: event.profileName, sourceName: event.sourceName, ctx, series: new Map() };
      groups.set(key, g);
    }
    g.ctx = ctx;
    let samples = g.series.get(reading.resourceName);
    if (samples === undefined) g.series.set(reading.resourceName, (samples = []));
    // Origins mostly come in order; an older one goes in its place, so "last" stays the latest measured.
    let i = samples.length;
    while (i > 0 && samples[i - 1]!.at > at) i--;
    samples.splice(i, 0, { at, value, reading });
    if (at < heldFrom) heldFrom = at;
    if (samples.length > maxSamples) samples.splice(0, samples.length - maxSamples);
    return g;
  };

  const processByOrigin = (ctx: PipelineContext, data: PipelineData): undefined => {
    lastArrival = Date.now();
    // A reading is late when every window holding it has closed: its last window ends at or before lastEnd.
    const lateBefore = lastEnd - sizeMs + slideMs;
    mapEvents(name, data, (event) => {
      let group: Group | undefined;
      for (const reading of event.readings) {
        const v = numericValue(reading);
        if (v === undefined || !Number.isFinite(v)) continue;
        const at = Number(reading.origin / 1_000_000n) + Number(reading.origin % 1_000_000n) / 1e6;
        if (at <= lateBefore) {
          late++;
          if (Date.now() - lateLogged >= 10_000) {
            lateLogged = Date.now();
            ctx.logger.warn({ pipeline: ctx.pipeline, device: event.deviceName, resource: reading.resourceName, lateness: formatGoDuration(latenessMs) }, "Window: reading older than its closed windows dropped");
          }
          continue;
        }
        group = add(ctx, event, group, reading, at, v);
        if (at - latenessMs > watermark) watermark = at - latenessMs;
      }
      return undefined;
    });
    advance(false);
    return undefined;
  };
  return fn;
};
