/**
 * Finds where JSON text first goes wrong. Node 20's JSON.parse names the position for some errors only
 * ("Unexpected token '}', ...\"a\": }\" is not valid JSON" has none), so malformed bodies are rescanned here.
 */

class Stop {
  constructor(readonly position: number) {}
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4 = /[0-9a-fA-F]{4}/y;

/**
 * The 0-based offset of the first character that makes `text` invalid JSON (`text.length` when it ends too early),
 * or undefined when the text is valid or too deeply nested to scan.
 */
export function jsonErrorPosition(text: string): number | undefined {
  const n = text.length;
  let i = 0;
  const skipWs = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return;
      i++;
    }
  };
  const expect = (ch: string): void => {
    if (text[i] !== ch) throw new Stop(i);
    i++;
  };
  const literal = (word: string): void => {
    for (let k = 0; k < word.length; k++, i++) if (text[i] !== word[k]) throw new Stop(i);
  };
  const string = (): void => {
    i++;
    for (;;) {
      if (i >= n) throw new Stop(n);
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) throw new Stop(i);
      if (c !== 0x5c) {
        i++;
        continue;
      }
      i++;
      const esc = text[i];
      if (esc !== undefined && '"\\/bfnrt'.includes(esc)) i++;
      else if (esc === "u") {
        HEX4.lastIndex = i + 1;
        if (!HEX4.test(text)) throw new Stop(i + 1);
        i += 5;
      } else throw new Stop(Math.min(i, n));
    }
  };
  const value = (): void => {
    skipWs();
    if (i >= n) throw new Stop(n);
    const c = text[i];
    if (c === "{") {
      i++;
      skipWs();
      if (text[i] === "}") {
        i++;
        return;
      }
      for (;;) {
        skipWs();
        if (text[i] !== '"') throw new Stop(Math.min(i, n));
        string();
        skipWs();
        expect(":");
        value();
        skipWs();
        if (text[i] === ",") i++;
        else return expect("}");
      }
    }
    if (c === "[") {
      i++;
      skipWs();
      if (text[i] === "]") {
        i++;
        return;
      }
      for (;;) {
        value();
        skipWs();
        if (text[i] === ",") i++;
        else return expect("]");
      }
    }
    if (c === '"') return string();
    if (c === "t") return literal("true");
    if (c === "f") return literal("false");
    if (c === "n") return literal("null");
    NUMBER.lastIndex = i;
    if (!NUMBER.test(text)) throw new Stop(i);
    i = NUMBER.lastIndex;
  };
  try {
    value();
    skipWs();
    return i < n ? i : undefined;
  } catch (err) {
    if (err instanceof Stop) return Math.min(err.position, n);
    return undefined; // too deep to scan: RangeError from the call stack
  }
}
