/**
 * Checks a rule and compiles it, once, when it is saved or loaded: every field, duration, window, schedule,
 * expression and template. A rule with any problem is refused with all of them (RULE_INVALID, 400); expression
 * problems name the field and the character position.
 */
import { ValidationError } from "@brink/contracts";
import { compileActions, type ActionPlan } from "../actions/plan.js";
import { AggregateTable, compileExpression, type CompileOptions, type CompiledExpression, type ExpressionInput } from "../expr/compile.js";
import { ExpressionError } from "../expr/parser.js";
import { WINDOW_FUNCTIONS, type AggregateRef, type Scope } from "../expr/types.js";
import { RulesErrorCode } from "../errors.js";
import { compileSchedule, type CompiledSchedule } from "../scheduler/schedule.js";
import { Problems, checkKeys, checkName, isRecord, optDurationMs, optEnum, optString, optStrings } from "./checks.js";
import { globMatcher, type Matcher } from "./glob.js";
import { WindowType, type RuleDefinition } from "./types.js";

/** A window in engine units. */
export interface CompiledWindow {
  readonly type: WindowType;
  /** Time window length, ms. */
  readonly durationMs: number | undefined;
  /** Count window length, readings. */
  readonly count: number | undefined;
}

/** What both kinds of rule have. */
interface CompiledRuleBase {
  readonly name: string;
  readonly definition: RuleDefinition;
  readonly actions: readonly ActionPlan[];
}

/** A rule triggered by readings. */
export interface ReadingRule extends CompiledRuleBase {
  readonly kind: "reading";
  readonly source: { readonly device: Matcher; readonly profile: Matcher; readonly source: Matcher; readonly resource: Matcher };
  readonly when: CompiledExpression;
  /** True when the firing is over; throws a Missing when it cannot tell yet. */
  readonly clear: (scope: Scope) => boolean;
  readonly window: CompiledWindow | undefined;
  readonly aggregates: readonly AggregateRef[];
  readonly forMs: number;
  readonly cooldownMs: number;
  /** Resources whose readings cause an evaluation (when not {@link perReading}). */
  readonly triggers: ReadonlySet<string>;
  /** The condition reads the reading itself (`$value`): evaluated for each matching reading, of any resource. */
  readonly perReading: boolean;
  /** What the condition reads, recorded with each firing. */
  readonly inputs: readonly ExpressionInput[];
}

/** A rule triggered by time. */
export interface ScheduledRule extends CompiledRuleBase {
  readonly kind: "schedule";
  readonly schedule: CompiledSchedule;
}

/** A compiled rule. */
export type CompiledRule = ReadingRule | ScheduledRule;

const RULE_KEYS = ["name", "description", "labels", "enabled", "source", "when", "window", "for", "clear", "hysteresis", "cooldown", "schedule", "actions"];
const READING_ONLY = ["source", "window", "for", "clear", "hysteresis", "cooldown"] as const;

function compileWindow(raw: unknown, problems: Problems): CompiledWindow | undefined {
  if (raw === undefined) return undefined;
  if (!isRecord(raw)) {
    problems.add("window", "must be an object: { type: sliding|tumbling, duration: 30s } or { type, count: 10 }");
    return undefined;
  }
  checkKeys(raw, ["type", "duration", "count"], "window", problems);
  const type = optEnum(raw, "type", Object.values(WindowType), "window", problems);
  if (raw.type === undefined) problems.add("window.type", "is required: sliding or tumbling");
  const durationMs = optDurationMs(raw, "duration", "window", problems, true);
  const count = raw.count;
  if (count !== undefined && (typeof count !== "number" || !Number.isInteger(count) || count < 1)) problems.add("window.count", "must be an integer of at least 1");
  if ((raw.duration === undefined) === (count === undefined)) problems.add("window", "needs exactly one of duration and count");
  if (type === undefined) return undefined;
  return { type, durationMs, count: typeof count === "number" ? count : undefined };
}

function compileSource(raw: unknown, problems: Problems): ReadingRule["source"] {
  const source = isRecord(raw) ? raw : {};
  if (raw !== undefined && !isRecord(raw)) problems.add("source", "must be an object of device, profile, source and resource patterns");
  checkKeys(source, ["device", "profile", "source", "resource"], "source", problems);
  return {
    device: globMatcher(optString(source, "device", "source", problems)),
    profile: globMatcher(optString(source, "profile", "source", problems)),
    source: globMatcher(optString(source, "source", "source", problems)),
    resource: globMatcher(optString(source, "resource", "source", problems)),
  };
}

function expression(raw: Record<string, unknown>, key: string, options: CompileOptions, problems: Problems): CompiledExpression | undefined {
  const source = optString(raw, key, "", problems);
  if (source === undefined) return undefined;
  try {
    return compileExpression(source, options);
  } catch (err) {
    if (!(err instanceof ExpressionError)) throw err;
    problems.addExpression(key, err.message, err.position, source);
    return undefined;
  }
}

/** Builds the clear check: the `clear` expression, a hysteresis band around a comparison, or "not `when`". */
function clearCheck(when: CompiledExpression, clear: CompiledExpression | undefined, hysteresis: number | undefined, problems: Problems): ReadingRule["clear"] {
  if (clear) return (s) => Boolean(clear.evaluate(s));
  if (hysteresis !== undefined) {
    const cmp = when.comparison;
    if (!cmp) {
      problems.add("hysteresis", "needs a when of the form a > b, a >= b, a < b or a <= b; use clear for other conditions");
      return () => false;
    }
    const { left, right } = cmp;
    // Above a threshold: clear once at or below threshold - h. Below one: clear once at or above threshold + h.
    if (cmp.operator === ">" || cmp.operator === ">=") return (s) => Number(left(s)) <= Number(right(s)) - hysteresis;
    return (s) => Number(left(s)) >= Number(right(s)) + hysteresis;
  }
  return (s) => !when.evaluate(s);
}

/**
 * Checks and compiles a rule document.
 * @throws ValidationError RULE_INVALID listing every problem (expression problems carry `position`)
 */
export function compileRule(input: unknown): CompiledRule {
  const problems = new Problems();
  if (!isRecord(input)) throw new ValidationError(RulesErrorCode.RuleInvalid, "rule", [{ path: "", message: "must be an object" }]);
  checkKeys(input, RULE_KEYS, "", problems);
  const name = checkName(input, "", problems) ?? "";
  optString(input, "description", "", problems, false);
  optStrings(input, "labels", "", problems);
  if (input.enabled !== undefined && typeof input.enabled !== "boolean") problems.add("enabled", "must be true or false");
  const scheduled = input.schedule !== undefined;
  if (scheduled === (input.when !== undefined)) problems.add("", "needs exactly one of when (a reading rule) and schedule (a scheduled rule)");

  const aggregates = new AggregateTable();
  if (scheduled) {
    for (const key of READING_ONLY) if (input[key] !== undefined) problems.add(key, "applies to reading rules only (this rule has a schedule)");
    const schedule = compileSchedule(input.schedule, "schedule", problems);
    const expressions: CompileOptions = { resources: false, window: false, aggregates };
    const actions = compileActions(input.actions, "actions", { ruleName: name, scheduled: true, expressions }, problems);
    if (!problems.empty || !schedule) throw new ValidationError(RulesErrorCode.RuleInvalid, `rule ${name || "(unnamed)"}`, problems.list);
    return { kind: "schedule", name, definition: input as unknown as RuleDefinition, actions, schedule };
  }

  const window = compileWindow(input.window, problems);
  const source = compileSource(input.source, problems);
  const options: CompileOptions = { resources: true, window: window !== undefined, aggregates };
  const when = expression(input, "when", options, problems);
  const clear = expression(input, "clear", options, problems);
  const hysteresis = input.hysteresis;
  if (hysteresis !== undefined && (typeof hysteresis !== "number" || !Number.isFinite(hysteresis) || hysteresis < 0)) problems.add("hysteresis", "must be a number of at least 0");
  if (hysteresis !== undefined && input.clear !== undefined) problems.add("hysteresis", "give either clear or hysteresis, not both");
  const forMs = optDurationMs(input, "for", "", problems) ?? 0;
  const cooldownMs = optDurationMs(input, "cooldown", "", problems) ?? 0;
  const actions = compileActions(input.actions, "actions", { ruleName: name, scheduled: false, expressions: options }, problems);
  const clearFn = when ? clearCheck(when, clear, typeof hysteresis === "number" ? hysteresis : undefined, problems) : () => false;
  if (window && !aggregates.refs.some((r) => WINDOW_FUNCTIONS.has(r.fn))) {
    problems.add("window", "is not used: nothing reads a window function (avg, min, max, sum, count, rate)");
  }
  if (!problems.empty || !when) throw new ValidationError(RulesErrorCode.RuleInvalid, `rule ${name || "(unnamed)"}`, problems.list);

  const triggers = new Set<string>();
  for (const r of [...when.resources, ...(clear?.resources ?? [])]) if (source.resource.test(r)) triggers.add(r);
  const perReading = when.usesTrigger || (clear?.usesTrigger ?? false);
  if (!perReading && triggers.size === 0) {
    throw new ValidationError(RulesErrorCode.RuleInvalid, `rule ${name}`, [
      { path: "when", message: "reads no resource that source.resource admits, so no reading would ever evaluate it" },
    ]);
  }
  const inputs = [...when.inputs];
  for (const i of clear?.inputs ?? []) if (!inputs.some((x) => x.label === i.label)) inputs.push(i);
  return {
    kind: "reading",
    name,
    definition: input as unknown as RuleDefinition,
    actions,
    source,
    when,
    clear: clearFn,
    window,
    aggregates: aggregates.refs,
    forMs,
    cooldownMs,
    triggers,
    perReading,
    inputs,
  };
}
