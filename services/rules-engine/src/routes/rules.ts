/**
 * Rule REST API (EdgeX style):
 * - POST /api/v3/rule: add rules; a JSON batch `[{ apiVersion, rule }]`, or YAML text (one rule, a list, or
 *   `rules: [...]`) with `Content-Type: application/yaml`; 207 with one status per rule (201, 400, 409)
 * - PUT /api/v3/rule/name/{name}: create (201) or replace (200) one rule, JSON or YAML; 400 with every problem
 * - GET /api/v3/rule/all (offset, limit, labels), GET /api/v3/rule/name/{name} (with its live state)
 * - DELETE /api/v3/rule/name/{name}
 * - POST /api/v3/rule/name/{name}/enable, POST /api/v3/rule/name/{name}/disable
 * - GET /api/v3/rule/name/{name}/firing, GET /api/v3/firing/all (offset, limit): firing records, newest first
 */
import type { Request, Response, Router } from "express";
import { ValidationError, baseResponse } from "@brink/contracts";
import { pageOf, parseLabels, parsePaging, pathParam, sendJson } from "@brink/service-kit";
import type { RuleEngine } from "../engine/engine.js";
import type { RuleManager } from "../rule/manager.js";
import type { StoredRule } from "../rule/types.js";
import { YamlSource } from "../rule/yaml.js";
import type { RuleScheduler } from "../scheduler/scheduler.js";
import type { FiringStore } from "../store/firing-store.js";
import { answerItem, requestInvalid, runBatch, type BatchAnswer } from "./common.js";

/** What the rule routes use. */
export interface RuleRoutesContext {
  readonly rules: RuleManager;
  readonly engine: RuleEngine;
  readonly scheduler: RuleScheduler;
  readonly firings: FiringStore;
}

const msToNs = (ms: number): bigint => BigInt(Math.trunc(ms)) * 1_000_000n;

/** A rule with what it is doing now. */
function view(rule: StoredRule, ctx: RuleRoutesContext): Record<string, unknown> {
  if (rule.schedule !== undefined) {
    const next = ctx.scheduler.nextRun(rule.name);
    return { ...rule, state: { kind: "schedule", ...(next === undefined ? {} : { nextRun: msToNs(next) }) } };
  }
  return { ...rule, state: { kind: "reading", devices: ctx.engine.status(rule.name) ?? [] } };
}

/** Mounts the routes on `router` (full paths). */
export function mountRuleRoutes(router: Router, ctx: RuleRoutesContext): void {
  router.post("/api/v3/rule", async (req: Request, res: Response) => {
    if (typeof req.body !== "string") {
      await runBatch(req, res, "rule", async (dto) => (await ctx.rules.add(dto)).id);
      return;
    }
    const source = YamlSource.parse(req.body, "rules");
    const answers: BatchAnswer[] = [];
    for (const { prefix, value } of source.rules()) {
      answers.push(
        await answerItem(undefined, 201, async () => {
          try {
            return (await ctx.rules.add(value)).id;
          } catch (err) {
            if (err instanceof ValidationError) throw new ValidationError(err.code, "rule", source.withLines(err.problems, prefix));
            throw err;
          }
        }),
      );
    }
    sendJson(res, 207, answers);
  });

  router.put("/api/v3/rule/name/:name", async (req: Request, res: Response) => {
    const name = pathParam(req, "name");
    let result;
    if (typeof req.body === "string") {
      const { definition, compiled } = ctx.rules.parseText(req.body);
      result = await ctx.rules.put(name, definition, compiled);
    } else {
      if (req.body === undefined) throw requestInvalid("the body must be a rule, as JSON or YAML");
      const body = req.body as Record<string, unknown>;
      result = await ctx.rules.put(name, body.rule !== undefined && body.name === undefined ? body.rule : body);
    }
    const status = result.created ? 201 : 200;
    sendJson(res, status, { ...baseResponse(status), id: result.rule.id });
  });

  router.get("/api/v3/rule/all", (req: Request, res: Response) => {
    const paging = parsePaging(req);
    const all = ctx.rules.list(parseLabels(req));
    sendJson(res, 200, { ...baseResponse(200), totalCount: all.length, rules: pageOf(all, paging) });
  });

  router.get("/api/v3/rule/name/:name", (req: Request, res: Response) => {
    sendJson(res, 200, { ...baseResponse(200), rule: view(ctx.rules.get(pathParam(req, "name")), ctx) });
  });

  router.delete("/api/v3/rule/name/:name", async (req: Request, res: Response) => {
    await ctx.rules.remove(pathParam(req, "name"));
    sendJson(res, 200, baseResponse(200));
  });

  for (const action of ["enable", "disable"] as const) {
    router.post(`/api/v3/rule/name/:name/${action}`, async (req: Request, res: Response) => {
      const rule = await ctx.rules.setEnabled(pathParam(req, "name"), action === "enable");
      sendJson(res, 200, { ...baseResponse(200), rule: view(rule, ctx) });
    });
  }

  router.get("/api/v3/rule/name/:name/firing", (req: Request, res: Response) => {
    const name = pathParam(req, "name");
    ctx.rules.get(name);
    const paging = parsePaging(req);
    const page = ctx.firings.list(name, paging.offset, paging.limit);
    sendJson(res, 200, { ...baseResponse(200), totalCount: page.totalCount, firings: page.items });
  });

  router.get("/api/v3/firing/all", (req: Request, res: Response) => {
    const paging = parsePaging(req);
    const page = ctx.firings.list(undefined, paging.offset, paging.limit);
    sendJson(res, 200, { ...baseResponse(200), totalCount: page.totalCount, firings: page.items });
  });
}
