/**
 * Rule documents in YAML (JSON is YAML too): one rule, a list of rules, or `rules: [...]`. Problems found in a rule
 * get the line of the value they are about.
 */
import { SourceText, type Problem } from "@brink/contracts";
import { isRecord } from "./checks.js";

/** A parsed document that can tell the line of any value (the contracts' SourceText, integers as numbers). */
export class YamlSource {
  private constructor(private readonly text: SourceText) {}

  /** @throws ValidationError YAML_MALFORMED, each parse error with its line */
  static parse(text: string, subject: string): YamlSource {
    return new YamlSource(SourceText.parse(text, subject, { int64: false }));
  }

  /** The document as plain values. */
  get data(): unknown {
    return this.text.data;
  }

  /** 1-based line of the value at a problem path (`actions[0].body.SetPoint`), or of its nearest ancestor. */
  lineOf(path: string): number | undefined {
    return this.text.lineOf(path);
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

