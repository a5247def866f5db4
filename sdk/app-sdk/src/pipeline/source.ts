/**
 * YAML (or JSON) text of pipeline definitions, parsed so that any problem path can be given its line: the
 * contracts' SourceText, with every integer a plain number (pipelines have no int64 fields).
 */
import { SourceText } from "@brink/contracts";

export { parsePath, formatPath, type PathSegment } from "@brink/contracts";

/** Parsed pipeline text with line lookup. */
export type SourceLines = SourceText;

/** Parses pipeline YAML or JSON (see {@link SourceText.parse}); throws ValidationError YAML_MALFORMED. */
export const SourceLines = {
  parse: (text: string, subject: string): SourceLines => SourceText.parse(text, subject, { int64: false }),
};
