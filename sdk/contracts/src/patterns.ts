/**
 * Name patterns as EdgeX matches them (provision-watcher identifiers, `ds-regexcmd` command names): a regular
 * expression over the whole name, so `dev1` does not match `dev10`.
 */

/** `pattern` anchored at both ends, or undefined when it is not a regular expression. */
export function anchoredRegExp(pattern: string): RegExp | undefined {
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch {
    return undefined;
  }
}
