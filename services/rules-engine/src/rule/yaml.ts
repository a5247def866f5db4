/**
 * Rule documents in YAML (JSON is YAML too): one rule, a list of rules, or `rules: [...]`. Problems found in a rule
 * get the line of the value they are about.
 */
import { LineCounter, isMap, isNode, isScalar, isSeq, parseDocument, type Document } from "yaml";
import { ErrorCode, ValidationError, type Problem } from "@brink/contracts";
import { isRecord } from "./checks.js";

const MAX_ALIAS_COUNT = 100;

/** A parsed document that can tell the line of any value. */
export class YamlSource {
  private constructor(
    readonly data: unknown,
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  /** @throws ValidationError YAML_MALFORMED, each parse error with its line */
  static parse(text: string, subject: string): YamlSource {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
    if (doc.errors.length > 0) {
      const problems = doc.errors.map((e): Problem => {
        const line = e.linePos?.[0].line;
        const message = (e.message.split("\n")[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, "");
        return line === undefined ? { path: "", message } : { path: "", message, line };
      });
      throw new ValidationError(ErrorCode.YamlMalformed, subject, problems);
    }
    let data: unknown;
    try {
      data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      throw new ValidationError(ErrorCode.YamlMalformed, subject, [{ path: "", message: err instanceof Error ? err.message : String(err) }]);
    }
    return new YamlSource(data, doc, lines);
  }

  /** 1-based line of the value at a problem path (`actions[0].body.SetPoint`), or of its nearest ancestor. */
  lineOf(path: string): number | undefined {
    const segments = path.match(/[^.[\]]+/g) ?? [];
    let node: unknown = this.doc.contents;
    let line: number | undefined;
    for (let i = 0; ; i++) {
      if (isNode(node) && node.range) line = this.lines.linePos(node.range[0]).line;
      if (i === segments.length || node === undefined) return line;
      node = child(node, segments[i]!);
    }
  }

  /** Adds lines to problems found in the value at `prefix` (`rules[2]` for the third of a list). */
  withLines(problems: readonly Problem[], prefix: string): Problem[] {
    return problems.map((p) => {
      const full = prefix === "" ? p.path : p.path === "" ? prefix : `${prefix}.${p.path}`;
      const line = this.lineOf(full);
      return { ...p, path: full, ...(line === undefined ? {} : { line }) };
    });
  }

  /** The rules of the document, each with the path prefix of its problems. */
  rules(): { readonly prefix: string; readonly value: unknown }[] {
    const data = this.data;
    if (Array.isArray(data)) return data.map((value, i) => ({ prefix: `[${i}]`, value }));
    if (isRecord(data) && Array.isArray(data.rules) && data.name === undefined) return data.rules.map((value: unknown, i) => ({ prefix: `rules[${i}]`, value }));
    return [{ prefix: "", value: data }];
  }
}

function child(node: unknown, segment: string): unknown {
  if (isSeq(node)) return node.items[Number(segment)];
  if (!isMap(node)) return undefined;
  for (const pair of node.items) {
    const key: unknown = isScalar(pair.key) ? pair.key.value : pair.key;
    if (String(key) === segment) return pair.value;
  }
  return undefined;
}
