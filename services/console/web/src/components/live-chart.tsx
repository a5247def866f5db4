/**
 * A uPlot line chart of a device's numeric resources, fed by the live stream. Redraws at most ten times a second,
 * on an animation frame, however fast readings come; its data window is fixed and reused (see SeriesWindow).
 */
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import { SeriesWindow } from "../chart-buffer.js";

/** Rows the chart keeps: five minutes at 10 rows per second. */
export const CHART_ROWS = 3000;
/** Width of one row, ms. */
export const CHART_BUCKET_MS = 100;
/** Least time between two redraws, ms: ten a second is live enough, and leaves the CPU to the rest. */
export const CHART_REDRAW_MS = 100;

const PALETTE = [
  "#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#65a30d", "#ea580c", "#4f46e5",
  "#0d9488", "#be123c", "#a16207", "#9333ea", "#0284c7", "#15803d", "#c2410c", "#6d28d9", "#b91c1c", "#047857",
];

/** Shown when nothing has arrived yet, and the least the chart spans, seconds. */
const MIN_SPAN_S = 60;

/** The time window: at least a minute, ending at the newest point (now, before any). */
export function timeRange(min: number | null, max: number | null): uPlot.Range.MinMax {
  if (min === null || max === null) {
    const now = Date.now() / 1000;
    return [now - MIN_SPAN_S, now];
  }
  return [Math.min(min, max - MIN_SPAN_S), max];
}

/**
 * A value range with 10% headroom that stays finite for any data: device-virtual's random Float64 values reach
 * ±1.8e308, where a plain max - min overflows.
 */
export function valueRange(min: number | null, max: number | null): uPlot.Range.MinMax {
  if (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (min === max) {
    const pad = Math.abs(min) * 0.1 || 1;
    return [min - pad, max + pad];
  }
  const pad = (max / 2 - min / 2) * 0.2;
  return [Math.max(-Number.MAX_VALUE, min - pad), Math.min(Number.MAX_VALUE, max + pad)];
}

/** A number short enough for an axis or the legend: exponent form when very large or very small. */
export function compact(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(2).replace("e+", "e");
  return String(Math.round(v * 1000) / 1000);
}

/** What the device page hands the chart: a way to push points. */
export interface ChartFeed {
  put(resource: string, ms: number, value: number): void;
}

export function LiveChart(props: { series: readonly string[]; units: Readonly<Record<string, string>>; feedRef: { current: ChartFeed | undefined } }) {
  const host = useRef<HTMLDivElement>(null);
  const key = props.series.join("\u0000");

  useEffect(() => {
    const el = host.current;
    if (!el || props.series.length === 0) return;
    const win = new SeriesWindow(props.series, CHART_ROWS, CHART_BUCKET_MS);
    const index = new Map(props.series.map((s, i) => [s, i]));
    const scales: uPlot.Scales = { x: { time: true, range: (_u, min, max) => timeRange(min, max) } };
    props.series.forEach((_name, i) => (scales[`y${i}`] = { range: (_u, min, max) => valueRange(min, max) }));
    const opts: uPlot.Options = {
      width: Math.max(300, el.clientWidth),
      height: 280,
      scales,
      series: [
        {},
        ...props.series.map((name, i) => ({
          label: props.units[name] ? `${name} (${props.units[name]})` : name,
          scale: `y${i}`,
          stroke: PALETTE[i % PALETTE.length],
          width: 1.5,
          spanGaps: true,
          points: { show: true, size: 4 },
          value: (_u: uPlot, v: number | null) => (v === null ? "--" : compact(v)),
        })),
      ],
      axes: [{}, { scale: "y0", size: 70, stroke: PALETTE[0], values: (_u, splits) => splits.map(compact) }],
      legend: { live: true },
    };
    const plot = new uPlot(opts, win.data(), el);
    let frame = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let lastDraw = 0;
    const draw = (): void => {
      frame = 0;
      lastDraw = performance.now();
      plot.setData(win.data());
      el.dataset.points = String(win.points);
      el.dataset.rows = String(win.size);
    };
    // At most one redraw per CHART_REDRAW_MS, on an animation frame, however fast readings come.
    const schedule = (): void => {
      if (timer !== undefined || frame !== 0) return;
      timer = setTimeout(() => {
        timer = undefined;
        frame = requestAnimationFrame(draw);
      }, Math.max(0, lastDraw + CHART_REDRAW_MS - performance.now()));
    };
    props.feedRef.current = {
      put(resource, ms, value) {
        const i = index.get(resource);
        if (i === undefined || !win.put(i, ms, value)) return;
        schedule();
      },
    };
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(300, el.clientWidth), height: 280 }));
    resize.observe(el);
    el.dataset.points = "0";
    return () => {
      props.feedRef.current = undefined;
      if (frame) cancelAnimationFrame(frame);
      clearTimeout(timer);
      resize.disconnect();
      plot.destroy();
    };
    // the chart is rebuilt only when the set of series changes
  }, [key]);

  if (props.series.length === 0) return <p class="muted">This device has no numeric resource to chart.</p>;
  return (
    <>
      <div class="chart" ref={host} id="live-chart" />
      {props.series.length > 1 && (
        <p class="muted chart-note">Each line has its own vertical scale, so sensors of different ranges stay readable; the axis is {props.series[0]}'s. Hover for values.</p>
      )}
    </>
  );
}
