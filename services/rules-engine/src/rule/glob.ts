/**
 * Name patterns of a rule's source: `*` matches any run of characters, `?` one character, anything else itself.
 */

/** A compiled pattern. */
export interface Matcher {
  /** The pattern as written (`*` when absent). */
  readonly pattern: string;
  /** Matches every name. */
  readonly any: boolean;
  /** The one name it matches, when it has no wildcard. */
  readonly literal: string | undefined;
  test(name: string): boolean;
}

const ANY: Matcher = { pattern: "*", any: true, literal: undefined, test: () => true };

/** Compiles a glob; undefined or `*` matches everything. */
export function globMatcher(pattern: string | undefined): Matcher {
  if (pattern === undefined || pattern === "*") return ANY;
  if (!/[*?]/.test(pattern)) return { pattern, any: false, literal: pattern, test: (name) => name === pattern };
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  const re = new RegExp(`^${source}$`, "s");
  return { pattern, any: false, literal: undefined, test: (name) => re.test(name) };
}
