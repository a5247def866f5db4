/**
 * Compiles a parsed expression once into a tree of closures. Only the operators and functions listed here exist:
 * there is no member access, no assignment, no call of anything but the functions below, and values are primitives,
 * so an expression can read device values and compute, and nothing else.
 */
import type jsep from "jsep";
import { ExpressionError, parseExpression, type ExprNode } from "./parser.js";
import { MATH_FUNCTIONS } from "./functions.js";
import {
  AggregateFn, SpecialName, TRIGGER_RESOURCE, WINDOW_FUNCTIONS, isMissing, type AggregateRef, type Missing, type Scope, type Value,
} from "./types.js";

/** A compiled (sub)expression. */
export type Evaluator = (scope: Scope) => Value;

/** Slots of the aggregates a rule's expressions read, shared by all of them so each is computed once. */
export class AggregateTable {
  readonly refs: AggregateRef[] = [];

  /** The slot of `fn(resource)`, added when new. */
  ref(fn: AggregateFn, resource: string): AggregateRef {
    const label = `${fn}(${resource})`;
    const found = this.refs.find((r) => r.label === label);
    if (found) return found;
    const ref: AggregateRef = { slot: this.refs.length, fn, resource, label };
    this.refs.push(ref);
    return ref;
  }
}

/** Options of {@link compileExpression}. */
export interface CompileOptions {
  /** Identifiers may name device resources (reading rules); scheduled rules have no device. */
  readonly resources: boolean;
  /** Window functions (avg, min, max, sum, count, rate) may be used: the rule has a window. */
  readonly window: boolean;
  /** Where aggregates are registered. */
  readonly aggregates: AggregateTable;
}

/** Something an expression reads, recorded with each firing. */
export interface ExpressionInput {
  /** `temperature`, `avg(temperature)`, `$value`... */
  readonly label: string;
  readonly read: (scope: Scope) => Value | undefined;
}

/** A relational comparison at the top of an expression (used to derive a hysteresis clear condition). */
export interface Comparison {
  readonly operator: "<" | "<=" | ">" | ">=";
  readonly left: Evaluator;
  readonly right: Evaluator;
}

/** A compiled expression. */
export interface CompiledExpression {
  readonly source: string;
  /** Evaluates; throws a {@link Missing} when something read has no value yet. */
  readonly evaluate: Evaluator;
  /** Device resources it reads (directly or through aggregates). */
  readonly resources: ReadonlySet<string>;
  /** Reads the reading being evaluated (`$value`, `$resource`, or an aggregate of `$value`). */
  readonly usesTrigger: boolean;
  /** What it reads, for firing records. */
  readonly inputs: readonly ExpressionInput[];
  /** Set when the whole expression is `a < b`, `a <= b`, `a > b` or `a >= b`. */
  readonly comparison: Comparison | undefined;
}

const SPECIALS: ReadonlySet<string> = new Set(Object.values(SpecialName));
const AGGREGATES: ReadonlySet<string> = new Set(Object.values(AggregateFn));
const RELATIONAL: ReadonlySet<string> = new Set(["<", "<=", ">", ">="]);
const TRIGGER_SPECIALS: ReadonlySet<string> = new Set([SpecialName.Value, SpecialName.Resource]);

function missing(what: string): Missing {
  return { missing: what };
}

function num(v: Value): number {
  return typeof v === "number" ? v : Number(v);
}

const BINARY: Readonly<Record<string, (a: Value, b: Value) => Value>> = {
  "+": (a, b) => (typeof a === "string" || typeof b === "string" ? String(a) + String(b) : num(a) + num(b)),
  "-": (a, b) => num(a) - num(b),
  "*": (a, b) => num(a) * num(b),
  "/": (a, b) => num(a) / num(b),
  "%": (a, b) => num(a) % num(b),
  "**": (a, b) => num(a) ** num(b),
  "==": (a, b) => a === b,
  "!=": (a, b) => a !== b,
  "<": (a, b) => (a as number) < (b as number),
  "<=": (a, b) => (a as number) <= (b as number),
  ">": (a, b) => (a as number) > (b as number),
  ">=": (a, b) => (a as number) >= (b as number),
};

/** Compiles one expression. @throws ExpressionError with the position of the first problem */
export function compileExpression(source: string, options: CompileOptions): CompiledExpression {
  return new Compiler(source, options).compile();
}

class Compiler {
  private readonly resources = new Set<string>();
  private readonly inputs = new Map<string, ExpressionInput>();
  private usesTrigger = false;

  constructor(
    private readonly source: string,
    private readonly options: CompileOptions,
  ) {}

  compile(): CompiledExpression {
    const ast = parseExpression(this.source);
    const evaluate = this.node(ast);
    let comparison: Comparison | undefined;
    if (ast.type === "BinaryExpression" && RELATIONAL.has((ast as jsep.BinaryExpression).operator)) {
      const b = ast as jsep.BinaryExpression;
      comparison = { operator: b.operator as Comparison["operator"], left: this.node(b.left as ExprNode), right: this.node(b.right as ExprNode) };
    }
    return { source: this.source, evaluate, resources: this.resources, usesTrigger: this.usesTrigger, inputs: [...this.inputs.values()], comparison };
  }

  private fail(message: string, node: ExprNode): never {
    throw new ExpressionError(message, node.start ?? 0);
  }

  private node(node: ExprNode): Evaluator {
    switch (node.type) {
      case "Literal":
        return this.literal(node as jsep.Literal & ExprNode);
      case "Identifier":
        return this.identifier((node as jsep.Identifier).name, node);
      case "UnaryExpression":
        return this.unary(node as jsep.UnaryExpression & ExprNode);
      case "BinaryExpression":
        return this.binary(node as jsep.BinaryExpression & ExprNode);
      case "ConditionalExpression": {
        const n = node as jsep.ConditionalExpression;
        const test = this.node(n.test as ExprNode);
        const yes = this.node(n.consequent as ExprNode);
        const no = this.node(n.alternate as ExprNode);
        return (s) => (test(s) ? yes(s) : no(s));
      }
      case "CallExpression":
        return this.call(node as jsep.CallExpression & ExprNode);
      case "MemberExpression":
        return this.fail("member access (a.b, a[b]) is not supported; use resource(\"name\") for a resource whose name is not an identifier", node);
      case "ArrayExpression":
        return this.fail("arrays are not supported", node);
      case "ThisExpression":
        return this.fail("`this` is not supported", node);
      default:
        return this.fail(`${node.type} is not supported`, node);
    }
  }

  private literal(node: jsep.Literal & ExprNode): Evaluator {
    const value = node.value;
    if (value !== null && typeof value !== "number" && typeof value !== "string" && typeof value !== "boolean") this.fail("unsupported literal", node);
    const v: Value = value;
    return () => v;
  }

  private identifier(name: string, node: ExprNode): Evaluator {
    if (name.startsWith("$")) {
      if (!SPECIALS.has(name)) this.fail(`unknown name ${name}; the special names are ${[...SPECIALS].join(", ")}`, node);
      const special = name as SpecialName;
      if (TRIGGER_SPECIALS.has(special)) {
        if (!this.options.resources) this.fail(`${name} has no meaning in a scheduled rule`, node);
        this.usesTrigger = true;
      }
      const read = (s: Scope): Value | undefined => s.special(special);
      this.input(name, read);
      return (s) => {
        const v = s.special(special);
        if (v === undefined) throw missing(name);
        return v;
      };
    }
    return this.resource(name, node);
  }

  private resource(name: string, node: ExprNode): Evaluator {
    if (!this.options.resources) this.fail(`${name}: a scheduled rule has no device resources to read`, node);
    this.resources.add(name);
    const read = (s: Scope): Value | undefined => s.value(name);
    this.input(name, read);
    return (s) => {
      const v = s.value(name);
      if (v === undefined) throw missing(name);
      return v;
    };
  }

  private input(label: string, read: (s: Scope) => Value | undefined): void {
    if (!this.inputs.has(label)) this.inputs.set(label, { label, read });
  }

  private unary(node: jsep.UnaryExpression & ExprNode): Evaluator {
    const arg = this.node(node.argument as ExprNode);
    switch (node.operator) {
      case "-":
        return (s) => -num(arg(s));
      case "+":
        return (s) => num(arg(s));
      case "!":
      case "not":
        return (s) => !arg(s);
      default:
        return this.fail(`operator ${node.operator} is not supported`, node);
    }
  }

  private binary(node: jsep.BinaryExpression & ExprNode): Evaluator {
    const left = this.node(node.left as ExprNode);
    const right = this.node(node.right as ExprNode);
    switch (node.operator) {
      // Kleene logic over missing values: `missing and false` is false, `missing or true` is true, so a condition
      // can test `count(t) == 0 or avg(t) > 10` on an empty window. Otherwise the missing value stands.
      case "and":
      case "&&":
        return (s) => {
          let a: Value;
          try {
            a = left(s);
          } catch (err) {
            if (isMissing(err) && !right(s)) return false;
            throw err;
          }
          return a ? right(s) : a;
        };
      case "or":
      case "||":
        return (s) => {
          let a: Value;
          try {
            a = left(s);
          } catch (err) {
            if (!isMissing(err)) throw err;
            const b = right(s);
            if (b) return b;
            throw err;
          }
          return a ? a : right(s);
        };
      default: {
        const op = BINARY[node.operator];
        if (!op) return this.fail(`operator ${node.operator} is not supported`, node.left as ExprNode);
        return (s) => op(left(s), right(s));
      }
    }
  }

  private call(node: jsep.CallExpression & ExprNode): Evaluator {
    const callee = node.callee as ExprNode;
    if (callee.type !== "Identifier") return this.fail("only named functions can be called", node);
    const name = (callee as jsep.Identifier).name;
    const args = node.arguments as ExprNode[];
    if (name === "resource") {
      const resource = this.resourceArgument(name, args, node);
      if (resource === TRIGGER_RESOURCE) return this.identifier(SpecialName.Value, node);
      return this.resource(resource, node);
    }
    if ((name === "min" || name === "max") && args.length >= 2) return this.math(name, args, node);
    if (AGGREGATES.has(name)) return this.aggregate(name as AggregateFn, args, node);
    return this.math(name, args, node);
  }

  /** The resource an aggregate or `resource()` names: an identifier, a string, or `$value`. */
  private resourceArgument(fn: string, args: readonly ExprNode[], node: ExprNode): string {
    if (args.length !== 1) this.fail(`${fn}() takes one resource: a name, a "quoted name" or $value`, node);
    const arg = args[0]!;
    if (arg.type === "Identifier") {
      const id = (arg as jsep.Identifier).name;
      if (id === TRIGGER_RESOURCE) return TRIGGER_RESOURCE;
      if (id.startsWith("$")) this.fail(`${fn}() takes a resource, not ${id}`, arg);
      return id;
    }
    if (arg.type === "Literal" && typeof (arg as jsep.Literal).value === "string" && (arg as jsep.Literal).value !== "") return (arg as jsep.Literal).value as string;
    return this.fail(`${fn}() takes a resource: a name, a "quoted name" or $value`, arg);
  }

  private aggregate(fn: AggregateFn, args: readonly ExprNode[], node: ExprNode): Evaluator {
    if (!this.options.resources) this.fail(`${fn}(): a scheduled rule has no device resources to read`, node);
    const resource = this.resourceArgument(fn, args, node);
    if (WINDOW_FUNCTIONS.has(fn) && !this.options.window) this.fail(`${fn}() needs a window: add window: { type, duration or count } to the rule`, node);
    if (resource === TRIGGER_RESOURCE) this.usesTrigger = true;
    else this.resources.add(resource);
    const ref = this.options.aggregates.ref(fn, resource);
    const read = (s: Scope): Value | undefined => s.aggregate(ref);
    this.input(ref.label, read);
    return (s) => {
      const v = s.aggregate(ref);
      if (v === undefined) throw missing(ref.label);
      return v;
    };
  }

  private math(name: string, args: readonly ExprNode[], node: ExprNode): Evaluator {
    const fn = Object.hasOwn(MATH_FUNCTIONS, name) ? MATH_FUNCTIONS[name] : undefined;
    if (!fn) {
      const known = [...new Set([...Object.keys(MATH_FUNCTIONS), ...AGGREGATES, "resource"])].sort().join(", ");
      return this.fail(`unknown function ${name}(); the functions are ${known}`, node);
    }
    if (args.length < fn.minArgs || args.length > fn.maxArgs) {
      const arity = fn.minArgs === fn.maxArgs ? `${fn.minArgs}` : fn.maxArgs === Infinity ? `at least ${fn.minArgs}` : `${fn.minArgs} to ${fn.maxArgs}`;
      this.fail(`${name}() takes ${arity} argument${fn.maxArgs === 1 ? "" : "s"}`, node);
    }
    const compiled = args.map((a) => this.node(a));
    const apply = fn.apply;
    if (compiled.length === 1) {
      const a = compiled[0]!;
      return (s) => apply([a(s)]);
    }
    return (s) => apply(compiled.map((c) => c(s)));
  }
}
