/**
 * The export functions by name, and {@link createExport}, which the app-service calls for each export step of a
 * pipeline to get both the pipeline function and the target its messages go to.
 */
import { ErrorKind } from "@brink/contracts";
import { AppSdkError, AppSdkErrorCode } from "../errors.js";
import { sparkplugSessionOf } from "../functions/sparkplug/sparkplug-b.js";
import type { FunctionEnvironment, FunctionFactory, PipelineFunction } from "../types.js";
import type { ExportBinding } from "./common.js";
import { HTTP_EXPORT, httpExport } from "./http-export.js";
import { MQTT_EXPORT, mqttExport } from "./mqtt-export.js";
import { MqttTarget } from "./mqtt-target.js";
import { NATS_EXPORT, natsExport } from "./nats-export.js";

type BindingFactory = (params: Readonly<Record<string, unknown>>, env: FunctionEnvironment) => ExportBinding;

const BINDINGS: Readonly<Record<string, BindingFactory>> = {
  [MQTT_EXPORT]: mqttExport,
  [HTTP_EXPORT]: httpExport,
  [NATS_EXPORT]: natsExport,
};

/** True when `name` is an export function (`MqttExport`, `HttpExport`, `NatsExport`). */
export function isExportFunction(name: string): boolean {
  return Object.hasOwn(BINDINGS, name);
}

/**
 * Builds an export step from its pipeline YAML name and params. No I/O happens here: the returned
 * {@link ExportBinding} holds the pipeline function (`fn`), which only enqueues into `env.outbox`, and the
 * unconnected `target`, which a {@link Forwarder} drains (give every binding of every pipeline to one
 * {@link ForwarderPool} with `apply()`; it keeps one forwarder per `targetName`).
 *
 * Throws ValidationError FUNCTION_PARAMS_INVALID listing every bad parameter; AppSdkError SECRET_NOT_FOUND when a
 * secret the params name is missing; AppSdkError FUNCTION_PARAMS_INVALID when `name` is no export function.
 *
 * @example
 * const binding = createExport("MqttExport", { url: "mqtt://broker:1883", topic: "site1/{device}" }, env);
 * pipelineSteps.push(binding.fn);
 * await pool.apply([binding, ...otherBindings]);
 */
export function createExport(name: string, params: Readonly<Record<string, unknown>>, env: FunctionEnvironment): ExportBinding {
  const factory = BINDINGS[name];
  if (factory === undefined || !Object.hasOwn(BINDINGS, name)) {
    throw new AppSdkError(ErrorKind.ContractInvalid, AppSdkErrorCode.FunctionParamsInvalid, `${name} is not an export function (known: ${Object.keys(BINDINGS).join(", ")})`, {
      details: { function: name },
    });
  }
  return factory(params, env);
}

/**
 * The export functions as plain factories, for a registry of all pipeline functions. A pipeline built with these
 * alone enqueues but nothing drains the queue: the service must also start the targets, so it should call
 * {@link createExport} for export steps and keep the bindings.
 */
export const EXPORT_FUNCTIONS: Readonly<Record<string, FunctionFactory>> = {
  [MQTT_EXPORT]: (params, env) => mqttExport(params, env).fn,
  [HTTP_EXPORT]: (params, env) => httpExport(params, env).fn,
  [NATS_EXPORT]: (params, env) => natsExport(params, env).fn,
};

/**
 * The export bindings of one pipeline's steps, in order, with each MQTT export that follows a SparkplugB step made to
 * carry that step's edge node (NDEATH as the will, births on connect, NCMD rebirth; see MqttTarget). Such a binding's
 * `settingsKey` names the node, so one target cannot carry a node for one pipeline and plain data for another.
 */
export function pipelineBindings(functions: readonly PipelineFunction[], bindingOf: (fn: PipelineFunction) => ExportBinding | undefined): ExportBinding[] {
  const out: ExportBinding[] = [];
  let sparkplug: string | undefined;
  for (const fn of functions) {
    sparkplug = sparkplugSessionOf(fn) ?? sparkplug;
    const b = bindingOf(fn);
    if (b === undefined) continue;
    if (sparkplug !== undefined && b.target instanceof MqttTarget) {
      b.target.useSparkplugSession(sparkplug);
      out.push({ ...b, settingsKey: `${b.settingsKey}\nsparkplug:${sparkplug}` });
    } else {
      out.push(b);
    }
  }
  return out;
}
