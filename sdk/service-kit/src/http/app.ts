/**
 * The express app of a service: correlation IDs, metrics, auth, body parsing, common routes, the service's routes,
 * then 404 and the one error handler.
 */
import express, { Router, type Express } from "express";
import type { Logger } from "pino";
import type { ServiceMetrics } from "../metrics.js";
import { httpMetricsMiddleware } from "../metrics.js";
import type { ServiceConfig } from "../types.js";
import { jsonBody } from "./body.js";
import { commonRoutes } from "./common-routes.js";
import { bearerAuth, correlationId, errorHandler, notFound } from "./middleware.js";
import { MAX_BODY_BYTES_KEY } from "./multipart.js";

/** Options of {@link createApp}. */
export interface CreateAppOptions {
  readonly name: string;
  readonly version: string;
  readonly config: ServiceConfig<unknown>;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  /** Mounts the service's own routes (full paths, such as `/api/v3/event/...`). */
  readonly routes?: (router: Router) => void;
  /** Mounts routes open without the token (before auth and body parsing), such as a web UI's static files. */
  readonly publicRoutes?: (router: Router) => void;
}

/** Builds the express app of a service. */
export function createApp(options: CreateAppOptions): Express {
  const { config } = options;
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.locals[MAX_BODY_BYTES_KEY] = config.service.maxBodyBytes;
  app.use(correlationId());
  app.use(httpMetricsMiddleware(options.metrics));
  if (options.publicRoutes) {
    const open = Router();
    options.publicRoutes(open);
    app.use(open);
  }
  if (config.apiToken !== undefined) app.use(bearerAuth(config.apiToken));
  app.use(jsonBody(config.service.maxBodyBytes));
  app.use(commonRoutes({ name: options.name, version: options.version, config, registry: options.metrics.registry }));
  if (options.routes) {
    const router = Router();
    options.routes(router);
    app.use(router);
  }
  app.use(notFound());
  app.use(errorHandler(options.logger));
  return app;
}
