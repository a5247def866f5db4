/**
 * Prometheus metrics of the serial driver, read from its port counters at each scrape of `/api/v3/metrics`.
 */
import { Counter, Gauge, type Registry } from "prom-client";
import type { SerialDriver, SerialPortStats } from "./driver.js";

/** Why a frame (or a streamed value) was dropped, as the `reason` label says it. */
const DROP_REASONS: readonly (readonly [string, keyof SerialPortStats])[] = [
  ["bad_checksum", "badChecksum"],
  ["overflow", "overflows"],
  ["partial", "partials"],
  ["unmatched", "unmatched"],
  ["parse_failed", "parseFailed"],
  ["push_failed", "pushFailed"],
];

/** Registers the serial metrics of `driver` in `registry`. */
export function registerSerialMetrics(registry: Registry, driver: Pick<SerialDriver, "portStats">): void {
  const counter = (name: string, help: string, labelNames: string[], values: (port: string, s: SerialPortStats, set: (labels: Record<string, string>, v: number) => void) => void): void => {
    new Counter({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const [port, s] of Object.entries(driver.portStats())) values(port, s, (labels, v) => this.inc(labels, v));
      },
    });
  };
  counter("brink_serial_frames_total", "Frames received with a good checksum, by port.", ["port"], (port, s, set) => set({ port }, s.frames));
  counter("brink_serial_frames_dropped_total", "Frames or streamed values dropped, by port and reason.", ["port", "reason"], (port, s, set) => {
    for (const [reason, key] of DROP_REASONS) set({ port, reason }, s[key]);
  });
  counter("brink_serial_garbage_bytes_total", "Bytes skipped outside any frame, by port.", ["port"], (port, s, set) => set({ port }, s.garbageBytes));
  counter("brink_serial_bytes_total", "Bytes read and written, by port and direction.", ["port", "direction"], (port, s, set) => {
    set({ port, direction: "in" }, s.bytesIn);
    set({ port, direction: "out" }, s.bytesOut);
  });
  counter("brink_serial_exchanges_total", "Requests and writes sent, by port.", ["port"], (port, s, set) => set({ port }, s.exchanges));
  counter("brink_serial_timeouts_total", "Exchanges that got no answer in time, by port.", ["port"], (port, s, set) => set({ port }, s.timeouts));
  counter("brink_serial_port_losses_total", "Times the port disappeared, by port.", ["port"], (port, s, set) => set({ port }, s.losses));
  counter("brink_serial_port_opens_total", "Times the port was opened, by port.", ["port"], (port, s, set) => set({ port }, s.opens));
  new Gauge({
    name: "brink_serial_port_queue",
    help: "Exchanges waiting for their turn, by port.",
    labelNames: ["port"],
    registers: [registry],
    collect() {
      this.reset();
      for (const [port, s] of Object.entries(driver.portStats())) this.set({ port }, s.queued);
    },
  });
}
