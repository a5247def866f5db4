/**
 * `/api/v3/pipeline`: list, read, create or replace, and delete pipelines. PUT takes one definition as JSON
 * (`{ name, trigger, functions, enabled }`, or wrapped as `{ pipeline: {...} }`), several as `{ pipelines: [...] }`,
 * or the same as YAML text (`Content-Type: application/yaml`); it answers 400 listing every problem, changing nothing.
 */
import type { Router } from "express";
import { SourceLines, compilePipeline, compilePipelineDocument, type CompiledPipeline, type LoaderOptions } from "@brink/app-sdk";
import { ErrorCode, ErrorKind, ServiceError, baseResponse } from "@brink/contracts";
import { pageOf, parsePaging, pathParam, sendJson } from "@brink/service-kit";
import type { PipelineManager } from "../pipelines/manager.js";

const PREFIX = "/api/v3/pipeline";

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The pipelines of a PUT body, validated (every problem of every pipeline in one ValidationError). */
export function compileBody(body: unknown, loader: LoaderOptions): CompiledPipeline[] {
  let value = body;
  let source: SourceLines | undefined;
  if (typeof body === "string") {
    source = SourceLines.parse(body, "pipeline definition");
    value = source.data;
  }
  if (!isRecord(value)) {
    throw new ServiceError(ErrorKind.ContractInvalid, ErrorCode.RequestInvalid, "the body must be a pipeline definition, { pipeline: {...} } or { pipelines: [...] }");
  }
  if (Array.isArray(value.pipelines)) return compilePipelineDocument(value, loader, source);
  if (isRecord(value.pipeline) && value.name === undefined) {
    // `{ apiVersion?, pipeline }`, EdgeX's request shape; paths stay relative to the definition.
    return [compilePipeline(value.pipeline, loader)];
  }
  return [compilePipeline(value, loader, source)];
}

/** Mounts the pipeline routes. */
export function pipelineRoutes(router: Router, manager: PipelineManager, loader: LoaderOptions): void {
  router.get(`${PREFIX}/all`, (req, res) => {
    const all = manager.list();
    sendJson(res, 200, { ...baseResponse(200), totalCount: all.length, pipelines: pageOf(all, parsePaging(req, { defaultLimit: -1 })) });
  });

  router.get(`${PREFIX}/name/:name`, (req, res) => {
    sendJson(res, 200, { ...baseResponse(200), pipeline: manager.get(pathParam(req, "name")) });
  });

  router.put(PREFIX, async (req, res) => {
    if (req.body === undefined) throw new ServiceError(ErrorKind.ContractInvalid, ErrorCode.RequestInvalid, "the request body (a pipeline definition) is required");
    const results = await manager.put(compileBody(req.body, loader));
    const created = results.every((r) => r.created);
    const status = created ? 201 : 200;
    sendJson(res, status, { ...baseResponse(status), pipelines: results });
  });

  router.delete(`${PREFIX}/name/:name`, async (req, res) => {
    await manager.delete(pathParam(req, "name"));
    sendJson(res, 200, baseResponse(200));
  });
}
