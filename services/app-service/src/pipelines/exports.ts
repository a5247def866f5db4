/**
 * The function registry of app-service: the app-sdk's FUNCTIONS merged with its export functions, built through
 * `createExport` so that each export step's binding (its outbox target and delivery target) is kept for the
 * ForwarderPool that drains the outbox.
 */
import { EXPORT_FUNCTIONS, FUNCTIONS, createExport, pipelineBindings, type ExportBinding, type FunctionFactory, type PipelineFunction } from "@brink/app-sdk";

/** Keeps the binding behind each export function it builds. */
export class ExportBindings {
  private readonly byFunction = new WeakMap<PipelineFunction, ExportBinding>();
  /** Every function by name, exports included. */
  readonly registry: Readonly<Record<string, FunctionFactory>>;
  /** Names of the export functions. */
  readonly names: ReadonlySet<string> = new Set(Object.keys(EXPORT_FUNCTIONS));

  constructor() {
    const exports: Record<string, FunctionFactory> = {};
    for (const name of this.names) {
      exports[name] = (params, env) => {
        const binding = createExport(name, params, env);
        this.byFunction.set(binding.fn, binding);
        return binding.fn;
      };
    }
    this.registry = Object.freeze({ ...FUNCTIONS, ...exports });
  }

  /** The bindings of a pipeline's functions, in order (MQTT exports after a SparkplugB step carry its edge node). */
  of(functions: readonly PipelineFunction[]): ExportBinding[] {
    return pipelineBindings(functions, (fn) => this.byFunction.get(fn));
  }
}
