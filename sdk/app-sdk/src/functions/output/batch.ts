/**
 * Batch: collects data into a list and passes the list on when it holds `count` items, when it reaches `bytes`, or
 * `interval` after its first item, whichever comes first. Lists of records (ToFlatRecords) are spread into the
 * batch. What is still held on stop is passed on then.
 */
import type { FunctionFactory, PipelineContext, PipelineData, PipelineFunction } from "../../types.js";
import { byteSize, deriveContext } from "../data.js";
import { ParamReader } from "../params.js";

/**
 * Params: `count` (items per batch), `bytes` (a batch is passed on once its items, as JSON, reach this size),
 * `interval` (Go duration: longest an item waits); at least one.
 */
export const batch: FunctionFactory = (params) => {
  const name = "Batch";
  const r = new ParamReader(name, params);
  const count = r.number("count", { min: 1, integer: true });
  const bytes = r.number("bytes", { min: 1, integer: true });
  const intervalMs = r.duration("interval");
  if (!r.has("count") && !r.has("bytes") && !r.has("interval")) r.add("count", "give count, bytes, interval or several");
  r.done();

  let items: unknown[] = [];
  let size = 0;
  let firstCtx: PipelineContext | undefined;
  let timer: NodeJS.Timeout | undefined;
  let emit: ((ctx: PipelineContext, data: PipelineData) => Promise<void>) | undefined;

  const take = (): unknown[] => {
    const out = items;
    items = [];
    size = 0;
    firstCtx = undefined;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    return out;
  };
  const flushLater = (): void => {
    if (items.length === 0 || firstCtx === undefined || emit === undefined) return;
    const ctx = deriveContext(firstCtx, name);
    void emit(ctx, take());
  };

  const fn: PipelineFunction = {
    name,
    holds: true,
    start(e) {
      emit = e;
    },
    stop() {
      flushLater();
      take();
    },
    process(ctx, data) {
      const added = Array.isArray(data) ? data : [data];
      if (items.length === 0) {
        firstCtx = ctx;
        if (intervalMs !== undefined) timer = setTimeout(flushLater, intervalMs);
      }
      for (const item of added) {
        items.push(item);
        if (bytes !== undefined) size += byteSize(item);
      }
      if ((count !== undefined && items.length >= count) || (bytes !== undefined && size >= bytes)) return take();
      return undefined;
    },
  };
  return fn;
};
