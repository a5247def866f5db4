/**
 * The live chart's data: a fixed window of rows in typed-array rings, so a chart that runs for hours holds the same
 * memory as after its first minute. Readings are put into rows by time bucket (`bucketMs`): readings of several
 * resources taken together share a row, and a resource updated twice in one bucket keeps its last value.
 */

/** uPlot's aligned data: x values, then one array per series (null for a gap). */
export type AlignedData = [number[], ...(number | null)[][]];

export class SeriesWindow {
  private readonly xs: Float64Array;
  private readonly ys: Float64Array[];
  private start = 0;
  private length = 0;
  /** Points received, for display and tests. */
  points = 0;
  private out: AlignedData | undefined;

  /**
   * @param series names of the series, in chart order
   * @param capacity rows kept (the oldest go first)
   * @param bucketMs width of a row, ms
   */
  constructor(
    readonly series: readonly string[],
    readonly capacity: number,
    readonly bucketMs: number,
  ) {
    this.xs = new Float64Array(capacity);
    this.ys = series.map(() => new Float64Array(capacity).fill(Number.NaN));
  }

  /** Rows held. */
  get size(): number {
    return this.length;
  }

  /** Sets `value` of series `index` at time `ms`; returns false when the time is older than the window allows. */
  put(index: number, ms: number, value: number): boolean {
    if (index < 0 || index >= this.ys.length) return false;
    const bucket = Math.floor(ms / this.bucketMs) * this.bucketMs;
    const row = this.rowOf(bucket);
    if (row < 0) return false;
    (this.ys[index] as Float64Array)[row] = value;
    this.points++;
    return true;
  }

  /**
   * The window as uPlot data: x in seconds, NaN gaps as null. The arrays are reused while the row count stays the
   * same (always, once the window is full), so a chart redrawn for hours allocates nothing per redraw.
   */
  data(): AlignedData {
    const n = this.length;
    if (this.out === undefined || this.out[0].length !== n) this.out = [new Array<number>(n), ...this.ys.map(() => new Array<number | null>(n))];
    const [x, ...ys] = this.out;
    for (let i = 0; i < n; i++) {
      const r = (this.start + i) % this.capacity;
      x[i] = (this.xs[r] as number) / 1000;
      for (let s = 0; s < this.ys.length; s++) {
        const v = (this.ys[s] as Float64Array)[r] as number;
        (ys[s] as (number | null)[])[i] = Number.isNaN(v) ? null : v;
      }
    }
    return this.out;
  }

  /** The ring index of the row of `bucket`, adding a row when it is newer than the newest; -1 when too old. */
  private rowOf(bucket: number): number {
    if (this.length > 0) {
      const newest = this.xs[(this.start + this.length - 1) % this.capacity] as number;
      if (bucket <= newest) {
        // Late readings are rare: look back a little way for their row, and drop them when it is gone.
        for (let back = 0; back < Math.min(this.length, 64); back++) {
          const r = (this.start + this.length - 1 - back) % this.capacity;
          const x = this.xs[r] as number;
          if (x === bucket) return r;
          if (x < bucket) return -1;
        }
        return -1;
      }
    }
    let r: number;
    if (this.length < this.capacity) {
      r = (this.start + this.length) % this.capacity;
      this.length++;
    } else {
      r = this.start;
      this.start = (this.start + 1) % this.capacity;
    }
    this.xs[r] = bucket;
    for (const y of this.ys) y[r] = Number.NaN;
    return r;
  }
}
