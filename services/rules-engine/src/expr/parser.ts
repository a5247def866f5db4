/**
 * Parsing rule expressions with jsep (a small, maintained expression parser that builds an AST and never evaluates
 * anything). The grammar is jsep's JavaScript-like one, narrowed and extended once, on first use:
 * - added: `and`, `or` (as `&&`, `||`) and `not` (as `!`, but binding looser than comparisons: `not x > 3` is
 *   `not (x > 3)`);
 * - removed: bitwise and shift operators, `===`, `!==`, `??` and `~`, so writing them is a syntax error at their
 *   position instead of a surprise at run time.
 * jsep keeps its operator tables process-wide; Brink has no other jsep user.
 */
import jsep from "jsep";

/** A parsed expression node; `start` is the 0-based position of the token that begins it, when known. */
export type ExprNode = jsep.Expression & { start?: number };

/** An expression error (syntax, or a name or operator the rules engine does not know): what is wrong and the 0-based character position where it was found. */
export class ExpressionError extends Error {
  override readonly name = "ExpressionError";
  readonly position: number;

  constructor(message: string, position: number) {
    super(message);
    this.position = position;
  }
}

const REMOVED_BINARY = ["|", "^", "&", "<<", ">>", ">>>", "===", "!==", "??"] as const;
/** Logical operators: `not` lifting stops at them. */
export const LOGICAL_OPERATORS: ReadonlySet<string> = new Set(["and", "or", "&&", "||"]);

let configured = false;

function configure(): void {
  if (configured) return;
  for (const op of REMOVED_BINARY) jsep.removeBinaryOp(op);
  jsep.removeUnaryOp("~");
  jsep.addBinaryOp("or", 1);
  jsep.addBinaryOp("and", 2);
  jsep.addUnaryOp("not");
  configured = true;
}

/** The parts of jsep's parser class (exported at run time, not in its typings) used here. */
interface JsepParser {
  index: number;
  gobbleSpaces(): void;
  gobbleExpression(): jsep.Expression | false;
  gobbleToken(): jsep.Expression | false;
}
const JsepParserClass = (jsep as unknown as { Jsep: new (source: string) => JsepParser }).Jsep;

/** jsep's parser, noting where each token starts so later checks can name positions. */
class PositionedParser extends JsepParserClass {
  override gobbleToken(): jsep.Expression | false {
    this.gobbleSpaces();
    const start = this.index;
    const node = super.gobbleToken() as ExprNode | false;
    if (node && node.start === undefined) node.start = start;
    return node;
  }
}

/** `not a > b` parses as `(not a) > b`; this makes it `not (a > b)`, as in Python and SQL. */
function liftNot(node: ExprNode): ExprNode {
  switch (node.type) {
    case "BinaryExpression": {
      const n = node as jsep.BinaryExpression & ExprNode;
      const left = liftNot(n.left);
      const right = liftNot(n.right);
      if (!LOGICAL_OPERATORS.has(n.operator) && left.type === "UnaryExpression" && (left as jsep.UnaryExpression).operator === "not") {
        const inner = { ...n, left: (left as jsep.UnaryExpression).argument, right } as ExprNode;
        return { type: "UnaryExpression", operator: "not", argument: inner, prefix: true, start: left.start } as ExprNode;
      }
      return { ...n, left, right } as ExprNode;
    }
    case "UnaryExpression": {
      const n = node as jsep.UnaryExpression & ExprNode;
      return { ...n, argument: liftNot(n.argument) } as ExprNode;
    }
    case "ConditionalExpression": {
      const n = node as jsep.ConditionalExpression & ExprNode;
      return { ...n, test: liftNot(n.test), consequent: liftNot(n.consequent), alternate: liftNot(n.alternate) } as ExprNode;
    }
    case "CallExpression": {
      const n = node as jsep.CallExpression & ExprNode;
      return { ...n, arguments: n.arguments.map(liftNot) } as ExprNode;
    }
    default:
      return node;
  }
}

/**
 * Parses one expression.
 * @throws ExpressionError naming the position of the first problem
 */
export function parseExpression(source: string): ExprNode {
  configure();
  const parser = new PositionedParser(source);
  let node: ExprNode | false;
  try {
    node = parser.gobbleExpression() as ExprNode | false;
  } catch (err) {
    const e = err as Error & { index?: unknown; description?: unknown };
    const position = typeof e.index === "number" ? e.index : 0;
    const description = typeof e.description === "string" ? e.description : e.message;
    throw new ExpressionError(description, position);
  }
  parser.gobbleSpaces();
  if (parser.index < source.length) {
    throw new ExpressionError(`unexpected ${JSON.stringify(source[parser.index])}`, parser.index);
  }
  if (!node) throw new ExpressionError("the expression is empty", 0);
  return liftNot(node);
}
