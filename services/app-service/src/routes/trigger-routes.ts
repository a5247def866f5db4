/**
 * `POST /api/v3/trigger`: the HTTP trigger. The body (an EdgeX event or AddEventRequest) runs through every enabled
 * pipeline with an http trigger; the answer lists each pipeline's outcome and output, or is 202 when they take longer
 * than `trigger.httpWaitMs` (they go on).
 */
import { randomUUID } from "node:crypto";
import type { Router } from "express";
import type { RunResult } from "@brink/app-sdk";
import { ErrorCode, ErrorKind, ServiceError, baseResponse } from "@brink/contracts";
import { sendJson } from "@brink/service-kit";
import type { PipelineManager } from "../pipelines/manager.js";

/** One pipeline's answer to a trigger. */
export interface TriggerResult {
  pipeline: string;
  outcome: RunResult["outcome"];
  /** Function that filtered, held or failed the event. */
  function?: string;
  error?: { code: string; kind: string; message: string };
  contentType?: string;
  /** The last function's output: text as is, bytes as base64 (`dataEncoding: base64`), anything else as JSON. */
  data?: unknown;
  dataEncoding?: "base64";
}

function resultOf(pipeline: string, r: RunResult): TriggerResult {
  const out: TriggerResult = { pipeline, outcome: r.outcome };
  if (r.function !== undefined) out.function = r.function;
  if (r.error !== undefined) out.error = { code: r.error.code, kind: r.error.kind, message: r.error.message };
  if (r.ctx.contentType !== undefined) out.contentType = r.ctx.contentType;
  if (r.data instanceof Uint8Array) {
    out.data = Buffer.from(r.data).toString("base64");
    out.dataEncoding = "base64";
  } else if (r.data !== undefined) out.data = r.data;
  return out;
}

/** Mounts the trigger route. */
export function triggerRoutes(router: Router, manager: PipelineManager, waitMs: number): void {
  router.post("/api/v3/trigger", async (req, res) => {
    if (req.body === undefined) throw new ServiceError(ErrorKind.ContractInvalid, ErrorCode.RequestInvalid, "the request body (an EdgeX event or AddEventRequest) is required");
    const given: unknown = res.locals.correlationId;
    const { event, runs } = manager.trigger(req.body, typeof given === "string" ? given : randomUUID());
    const all = Promise.all(
      runs.map(({ pipeline, result }) =>
        result.then(
          (r) => resultOf(pipeline, r),
          (err: unknown) => {
            const e = ServiceError.from(err);
            return { pipeline, outcome: "error" as const, error: { code: e.code, kind: e.kind, message: e.message } };
          },
        ),
      ),
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), waitMs)));
    const results = await Promise.race([all, timeout]);
    clearTimeout(timer);
    if (results === "timeout") {
      sendJson(res, 202, { ...baseResponse(202, undefined, `accepted by ${runs.length} pipelines; still running`), eventId: event.id });
      return;
    }
    sendJson(res, 200, { ...baseResponse(200), eventId: event.id, results });
  });
}
