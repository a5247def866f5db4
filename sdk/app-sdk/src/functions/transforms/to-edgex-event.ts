/**
 * ToEdgeXEvent: writes the event (or a batch of events) as EdgeX v3 JSON, int64 timestamps exact. Tags set by
 * AddTags are merged into each event's `tags`.
 */
import { API_VERSION, stringifyJson, type Event } from "@brink/contracts";
import type { FunctionFactory, PipelineContext } from "../../types.js";
import { JSON_CONTENT_TYPE, isEvent, requireEvent } from "../data.js";
import { ParamReader } from "../params.js";

/** Merges the context's tags into an event's tags (a copy when there is anything to add). */
export function withContextTags(ctx: PipelineContext, event: Event): Event {
  if (Object.keys(ctx.tags).length === 0) return event;
  return { ...event, tags: { ...(event.tags ?? {}), ...ctx.tags } };
}

/**
 * Params: `format` (`event`: the Event object, default; `addEventRequest`: `{ apiVersion, requestId, event }`, what
 * EdgeX services publish). A list of events is written as a JSON array. Sets content type `application/json`.
 */
export const toEdgeXEvent: FunctionFactory = (params) => {
  const name = "ToEdgeXEvent";
  const r = new ParamReader(name, params);
  const format = r.choice("format", ["event", "addEventRequest"] as const, "event");
  r.done();
  const shape = (ctx: PipelineContext, event: Event): unknown => {
    const e = withContextTags(ctx, event);
    return format === "event" ? e : { apiVersion: API_VERSION, requestId: ctx.correlationId, event: e };
  };
  return {
    name,
    process(ctx, data) {
      const body = Array.isArray(data) && data.every(isEvent) ? (data as readonly Event[]).map((e) => shape(ctx, e)) : shape(ctx, requireEvent(name, data));
      ctx.contentType = JSON_CONTENT_TYPE;
      return stringifyJson(body);
    },
  };
};
