/**
 * AddTags: adds tags to the context (read by transforms and exports) and to the event(s) passing through.
 */
import type { Event } from "@brink/contracts";
import type { FunctionFactory } from "../../types.js";
import { isEvent } from "../data.js";
import { ParamReader } from "../params.js";

/** Params: `tags` (a mapping of names to strings, required, not empty). */
export const addTags: FunctionFactory = (params) => {
  const name = "AddTags";
  const r = new ParamReader(name, params);
  const tags = r.stringMap("tags", { required: true }) ?? {};
  if (r.has("tags") && Object.keys(tags).length === 0 && r.problems.length === 0) r.add("tags", "must not be empty");
  r.done();
  const tagged = (e: Event): Event => ({ ...e, tags: { ...(e.tags ?? {}), ...tags } });
  return {
    name,
    process(ctx, data) {
      Object.assign(ctx.tags, tags);
      if (isEvent(data)) return tagged(data);
      if (Array.isArray(data) && data.length > 0 && data.every(isEvent)) return (data as readonly Event[]).map(tagged);
      return data;
    },
  };
};
