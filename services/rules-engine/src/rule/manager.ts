/**
 * Rules as a whole: saving (compiled first, refused with every problem), storing, loading at start (stored rules,
 * then YAML files of the rules directory), and handing enabled rules to the engine or the scheduler.
 */
import { randomUUID } from "node:crypto";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { ErrorCode, ErrorKind, ServiceError, ValidationError, nowNanos, type Problem } from "@brink/contracts";
import type { Logger } from "pino";
import type { RuleEngine } from "../engine/engine.js";
import type { RuleScheduler } from "../scheduler/scheduler.js";
import type { DocumentStore } from "../store/document-store.js";
import type { FiringStore } from "../store/firing-store.js";
import { compileRule, type CompiledRule } from "./compile.js";
import type { RuleDefinition, StoredRule } from "./types.js";
import { YamlSource } from "./yaml.js";

/** Options of {@link RuleManager}. */
export interface RuleManagerOptions {
  readonly store: DocumentStore;
  readonly engine: RuleEngine;
  readonly scheduler: RuleScheduler;
  readonly firings: FiringStore;
  readonly logger: Logger;
}

/** Extensions of rule files in the rules directory. */
export const RULE_FILE_EXTENSIONS = [".yaml", ".yml", ".json"] as const;

const STORED_FIELDS = ["id", "created", "modified", "apiVersion"] as const;

/** The definition part of a body or stored rule (id, times and apiVersion left out). */
function definitionOf(input: unknown): unknown {
  if (input === null || typeof input !== "object" || Array.isArray(input)) return input;
  const copy = { ...(input as Record<string, unknown>) };
  for (const key of STORED_FIELDS) delete copy[key];
  return copy;
}

function notFound(name: string): ServiceError {
  return new ServiceError(ErrorKind.EntityDoesNotExist, ErrorCode.NotFound, `rule ${name} does not exist`, { details: { name } });
}

/** See the module comment. */
export class RuleManager {
  private readonly options: RuleManagerOptions;
  /** Compiled rules by name (enabled or not), as last applied. */
  private readonly compiled = new Map<string, CompiledRule>();

  constructor(options: RuleManagerOptions) {
    this.options = options;
  }

  /** Compiles and applies every stored rule; a stored rule that no longer compiles is logged and left stored, idle. */
  loadStored(): void {
    for (const stored of this.options.store.rules()) {
      try {
        this.apply(compileRule(definitionOf(stored)), stored.enabled, false);
      } catch (err) {
        const e = ServiceError.from(err);
        this.options.logger.error({ rule: stored.name, code: e.code, problems: (e.details as { problems?: unknown } | undefined)?.problems }, `stored rule ${stored.name} does not compile; it stays stored but idle`);
      }
    }
  }

  /**
   * Adds the rules of every YAML/JSON file in `dir` whose name is not stored yet (a rule changed over REST is not
   * overwritten at the next start). Files that fail are logged with their problems and lines; the others load.
   * @returns the names of the rules added
   */
  async loadDirectory(dir: string): Promise<string[]> {
    let files: string[];
    try {
      files = (await readdir(dir)).filter((f) => RULE_FILE_EXTENSIONS.some((ext) => f.endsWith(ext))).sort();
    } catch (err) {
      this.options.logger.error({ dir, err }, "cannot read the rules directory");
      return [];
    }
    const added: string[] = [];
    const report = (path: string, err: unknown): void => {
      const e = ServiceError.from(err);
      this.options.logger.error({ file: path, code: e.code, problems: (e.details as { problems?: Problem[] } | undefined)?.problems }, e.message);
    };
    for (const file of files) {
      const path = join(dir, file);
      let source: YamlSource;
      try {
        source = YamlSource.parse(await readFile(path, "utf8"), `rule file ${file}`);
      } catch (err) {
        report(path, err);
        continue;
      }
      // Each rule on its own: one bad rule does not keep the others of its file out.
      for (const { prefix, value } of source.rules()) {
        const name = (value as { name?: unknown } | null)?.name;
        if (typeof name === "string" && this.options.store.rule(name)) continue;
        try {
          added.push((await this.add(value)).name);
        } catch (err) {
          report(path, err instanceof ValidationError ? new ValidationError(err.code, `rule file ${file}`, source.withLines(err.problems, prefix)) : err);
        }
      }
    }
    return added;
  }

  /** Parses a rule from YAML (or JSON) text, problems with lines. @throws ValidationError */
  parseText(text: string): { definition: unknown; compiled: CompiledRule } {
    const source = YamlSource.parse(text, "rule");
    try {
      return { definition: source.data, compiled: compileRule(definitionOf(source.data)) };
    } catch (err) {
      if (err instanceof ValidationError) throw new ValidationError(err.code, "rule", source.withLines(err.problems, ""));
      throw err;
    }
  }

  /** Adds a new rule. @throws ValidationError RULE_INVALID, ServiceError DUPLICATE_NAME */
  async add(input: unknown): Promise<StoredRule> {
    const compiled = compileRule(definitionOf(input));
    if (this.options.store.rule(compiled.name)) {
      throw new ServiceError(ErrorKind.DuplicateName, ErrorCode.DuplicateName, `rule ${compiled.name} exists already`, { details: { name: compiled.name } });
    }
    return this.save(compiled, undefined);
  }

  /**
   * Creates or replaces the rule `name` (the body's name must match). Resolves with the stored rule and whether it
   * was created. @throws ValidationError RULE_INVALID
   */
  async put(name: string, input: unknown, compiled?: CompiledRule): Promise<{ rule: StoredRule; created: boolean }> {
    const rule = compiled ?? compileRule(definitionOf(input));
    if (rule.name !== name) {
      throw new ValidationError(ErrorCode.RequestInvalid, "rule", [{ path: "name", message: `must be ${JSON.stringify(name)}, the name in the path` }]);
    }
    const previous = this.options.store.rule(name);
    return { rule: await this.save(rule, previous), created: previous === undefined };
  }

  /** @throws ServiceError NOT_FOUND */
  async remove(name: string): Promise<void> {
    if (!(await this.options.store.deleteRule(name))) throw notFound(name);
    this.compiled.delete(name);
    this.options.engine.removeRule(name);
    this.options.scheduler.removeRule(name, true);
    this.options.firings.deleteRule(name);
  }

  /** Enables or disables a rule. @throws ServiceError NOT_FOUND */
  async setEnabled(name: string, enabled: boolean): Promise<StoredRule> {
    const stored = this.get(name);
    if (stored.enabled === enabled) return stored;
    const updated: StoredRule = { ...stored, enabled, modified: nowNanos() };
    const compiled = compileRule(definitionOf(updated));
    await this.options.store.putRule(updated);
    this.apply(compiled, enabled, false);
    return updated;
  }

  /** @throws ServiceError NOT_FOUND */
  get(name: string): StoredRule {
    const rule = this.options.store.rule(name);
    if (!rule) throw notFound(name);
    return rule;
  }

  /** Rules carrying every one of `labels`, in the order they were added. */
  list(labels: readonly string[]): StoredRule[] {
    return this.options.store.rules().filter((r) => labels.every((l) => r.labels?.includes(l)));
  }

  private async save(compiled: CompiledRule, previous: StoredRule | undefined): Promise<StoredRule> {
    const now = nowNanos();
    const definition = definitionOf(compiled.definition) as RuleDefinition;
    const enabled = definition.enabled ?? previous?.enabled ?? true;
    const stored: StoredRule = { ...definition, enabled, id: previous?.id ?? randomUUID(), created: previous?.created ?? now, modified: now };
    await this.options.store.putRule(stored);
    this.apply(compiled, enabled, previous === undefined);
    return stored;
  }

  /** Every stored rule that compiles, enabled or not. */
  compiledRules(): CompiledRule[] {
    return [...this.compiled.values()];
  }

  private apply(rule: CompiledRule, enabled: boolean, isNew: boolean): void {
    const { engine, scheduler } = this.options;
    this.compiled.set(rule.name, rule);
    if (rule.kind === "reading") {
      scheduler.removeRule(rule.name, false);
      if (enabled) engine.setRule(rule);
      else engine.removeRule(rule.name);
    } else {
      engine.removeRule(rule.name);
      if (enabled) scheduler.setRule(rule, isNew);
      else scheduler.removeRule(rule.name, false);
    }
  }
}
