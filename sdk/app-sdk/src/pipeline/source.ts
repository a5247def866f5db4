/**
 * YAML (or JSON) text of pipeline definitions, parsed so that any problem path can be given its line.
 */
import { ErrorCode, ValidationError } from "@brink/contracts";
import { LineCounter, isMap, isNode, isScalar, isSeq, parseDocument, type Document } from "yaml";

/** A step of a path: a key or an index. */
export type PathSegment = string | number;

/** Splits `pipelines[1].functions[2].params.patterns[0]` into its segments. */
export function parsePath(path: string): PathSegment[] {
  const out: PathSegment[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  return out;
}

/** Writes segments as `pipelines[1].functions[2].params`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = "";
  for (const s of segments) out += typeof s === "number" ? `[${s}]` : out === "" ? s : `.${s}`;
  return out;
}

/** Parsed text with line lookup. */
export class SourceLines {
  private constructor(
    /** The document as plain values. */
    readonly data: unknown,
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  /**
   * Parses YAML or JSON text.
   * @throws ValidationError YAML_MALFORMED listing each syntax error with its line.
   */
  static parse(text: string, subject: string): SourceLines {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
    if (doc.errors.length > 0) {
      const problems = doc.errors.map((e) => {
        const line = e.linePos?.[0].line;
        const message = (e.message.split("\n")[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, "");
        return line === undefined ? { path: "", message } : { path: "", message, line };
      });
      throw new ValidationError(ErrorCode.YamlMalformed, subject, problems);
    }
    let data: unknown;
    try {
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      throw new ValidationError(ErrorCode.YamlMalformed, subject, [{ path: "", message: err instanceof Error ? err.message : String(err) }]);
    }
    return new SourceLines(data, doc, lines);
  }

  /** 1-based line of the value at `path`, or of its nearest ancestor found in the text. */
  lineOf(path: string): number | undefined {
    let node: unknown = this.doc.contents;
    let line: number | undefined;
    for (const seg of [...parsePath(path), undefined]) {
      const range = isNode(node) ? node.range : undefined;
      if (range) line = this.lines.linePos(range[0]).line;
      if (seg === undefined || node === undefined) break;
      node = child(node, seg);
    }
    return line;
  }
}

function child(node: unknown, seg: PathSegment): unknown {
  if (isSeq(node)) return typeof seg === "number" ? node.items[seg] : undefined;
  if (!isMap(node)) return undefined;
  for (const pair of node.items) {
    const k: unknown = isScalar(pair.key) ? pair.key.value : pair.key;
    if (String(k) === String(seg)) return pair.value;
  }
  return undefined;
}
