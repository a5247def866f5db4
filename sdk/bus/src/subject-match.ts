/**
 * NATS subject rules and wildcard matching.
 *
 * A subject is tokens joined by `.`; no token is empty and none holds whitespace. In a pattern, a token that is
 * exactly `*` matches one token and a last token that is exactly `>` matches one or more trailing tokens. A `*` or
 * `>` inside a longer token is an ordinary character, as in nats-server. Published subjects hold no wildcard token.
 */
import { ErrorKind } from "@brink/contracts";
import { BusError, BusErrorCode } from "./errors.js";

const DOT = 46;
const STAR = 42;
const GT = 62;

/** Why a subject or pattern breaks the rules, or undefined when it is valid. */
function problemOf(text: string, allowWildcards: boolean): string | undefined {
  if (typeof text !== "string" || text.length === 0) return "is empty";
  let tokenStart = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i === text.length ? DOT : text.charCodeAt(i);
    if (c <= 32 || c === 127) return `holds a whitespace or control character at ${i}`;
    if (c !== DOT) continue;
    const len = i - tokenStart;
    if (len === 0) return `has an empty token at ${i}`;
    if (len === 1) {
      const t = text.charCodeAt(tokenStart);
      if (t === STAR && !allowWildcards) return "holds the wildcard token '*'";
      if (t === GT) {
        if (!allowWildcards) return "holds the wildcard token '>'";
        if (i !== text.length) return "has '>' before its last token";
      }
    }
    tokenStart = i + 1;
  }
  return undefined;
}

/** True when `subject` is a valid subject to publish on (no wildcards). */
export function isValidSubject(subject: string): boolean {
  return problemOf(subject, false) === undefined;
}

/** True when `pattern` is a valid subscription pattern (wildcards allowed). */
export function isValidPattern(pattern: string): boolean {
  return problemOf(pattern, true) === undefined;
}

/** Throws BusError BUS_SUBJECT_INVALID unless `subject` is a valid subject to publish on. */
export function assertSubject(subject: string): void {
  const problem = problemOf(subject, false);
  if (problem !== undefined) throw invalid("subject", subject, problem);
}

/** Throws BusError BUS_SUBJECT_INVALID unless `pattern` is a valid subscription pattern. */
export function assertPattern(pattern: string): void {
  const problem = problemOf(pattern, true);
  if (problem !== undefined) throw invalid("pattern", pattern, problem);
}

function invalid(what: string, text: string, problem: string): BusError {
  return new BusError(ErrorKind.ContractInvalid, BusErrorCode.SubjectInvalid, `${what} ${JSON.stringify(text)} ${problem}`, { details: { [what]: text } });
}

/** True when the valid `subject` matches the valid `pattern`. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split(".");
  const s = subject.split(".");
  for (let i = 0; i < p.length; i++) {
    const t = p[i];
    if (t === ">") return s.length > i;
    if (i >= s.length) return false;
    if (t !== "*" && t !== s[i]) return false;
  }
  return p.length === s.length;
}

class TrieNode<V> {
  readonly literals = new Map<string, TrieNode<V>>();
  star: TrieNode<V> | undefined;
  /** Values whose pattern ends at this node. */
  readonly exact: V[] = [];
  /** Values whose pattern is this node's path followed by `>`. */
  readonly rest: V[] = [];

  isEmpty(): boolean {
    return this.literals.size === 0 && this.star === undefined && this.exact.length === 0 && this.rest.length === 0;
  }
}

/**
 * Patterns indexed by token, so matching a subject walks its tokens (plus the wildcard branches) instead of testing
 * every pattern: publish cost does not grow with unrelated subscriptions. Values come back in insertion order per
 * trie node; the same value may be added under several patterns.
 */
export class SubjectTrie<V> {
  private readonly root = new TrieNode<V>();
  private count = 0;

  /** Number of (pattern, value) pairs held. */
  get size(): number {
    return this.count;
  }

  /** Adds `value` under the valid `pattern`. */
  add(pattern: string, value: V): void {
    const tokens = pattern.split(".");
    let node = this.root;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (t === ">" && i === tokens.length - 1) {
        node.rest.push(value);
        this.count++;
        return;
      }
      let next = t === "*" ? node.star : node.literals.get(t);
      if (next === undefined) {
        next = new TrieNode<V>();
        if (t === "*") node.star = next;
        else node.literals.set(t, next);
      }
      node = next;
    }
    node.exact.push(value);
    this.count++;
  }

  /** Removes one `value` added under `pattern`; returns false when it was not there. Prunes emptied branches. */
  remove(pattern: string, value: V): boolean {
    const tokens = pattern.split(".");
    const path: Array<{ parent: TrieNode<V>; token: string }> = [];
    let node = this.root;
    let list: V[] | undefined;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (t === ">" && i === tokens.length - 1) {
        list = node.rest;
        break;
      }
      const next = t === "*" ? node.star : node.literals.get(t);
      if (next === undefined) return false;
      path.push({ parent: node, token: t });
      node = next;
    }
    list ??= node.exact;
    const at = list.indexOf(value);
    if (at < 0) return false;
    list.splice(at, 1);
    this.count--;
    for (let i = path.length - 1; i >= 0; i--) {
      const { parent, token } = path[i]!;
      const child = token === "*" ? parent.star : parent.literals.get(token);
      if (child === undefined || !child.isEmpty()) break;
      if (token === "*") parent.star = undefined;
      else parent.literals.delete(token);
    }
    return true;
  }

  /** Every value whose pattern matches the valid, wildcard-free `subject`. */
  match(subject: string): V[] {
    const out: V[] = [];
    collect(this.root, subject.split("."), 0, out);
    return out;
  }
}

function collect<V>(node: TrieNode<V>, tokens: readonly string[], i: number, out: V[]): void {
  if (i === tokens.length) {
    for (const v of node.exact) out.push(v);
    return;
  }
  // `>` needs at least one more token, which i < tokens.length guarantees.
  for (const v of node.rest) out.push(v);
  const literal = node.literals.get(tokens[i]!);
  if (literal !== undefined) collect(literal, tokens, i + 1, out);
  if (node.star !== undefined) collect(node.star, tokens, i + 1, out);
}
