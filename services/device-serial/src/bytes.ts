/**
 * Bytes as profiles and device lists write them. YAML double-quoted strings already turn `"\r\n"` or `"\x02"` into
 * control characters; single-quoted YAML, JSON typed by hand and UI text fields keep the backslash, so the same
 * escapes are decoded here too. Strings map to bytes one character per byte (latin1), so `\xFF` is the byte 0xFF.
 */

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = { r: 0x0d, n: 0x0a, t: 0x09, "0": 0x00, e: 0x1b, "\\": 0x5c, a: 0x07, b: 0x08, f: 0x0c, v: 0x0b };

/**
 * Decodes backslash escapes (`\r \n \t \0 \e \\ \xNN`) to characters; any other backslash is kept as written.
 * The result is a latin1 string: one character per byte.
 */
export function unescapeText(text: string): string {
  if (!text.includes("\\")) return text;
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== "\\" || i + 1 >= text.length) {
      out += c;
      continue;
    }
    const next = text[i + 1]!;
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      out += String.fromCharCode(simple);
      i++;
    } else if (next === "x" && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 2, i + 4))) {
      out += String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 4), 16));
      i += 3;
    } else {
      out += c;
    }
  }
  return out;
}

/** The bytes of a latin1 string (one byte per character; characters above U+00FF are not bytes). */
export function latin1Bytes(text: string): Buffer {
  return Buffer.from(text, "latin1");
}

/** True when every character of `text` is a byte (U+0000..U+00FF). */
export function isLatin1(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return false;
  return true;
}

/**
 * A byte sequence from a protocol-block setting: a string with escapes (`"\r\n"`, `"\x02"`), a hex number
 * (`"0x02"`), or a number 0..255. Returns undefined when the input is none of these or is empty.
 */
export function parseByteSequence(input: unknown): Buffer | undefined {
  if (typeof input === "number") return Number.isInteger(input) && input >= 0 && input <= 255 ? Buffer.from([input]) : undefined;
  if (typeof input !== "string" || input === "") return undefined;
  if (/^0x[0-9a-fA-F]{1,2}$/.test(input)) return Buffer.from([Number.parseInt(input.slice(2), 16)]);
  const text = unescapeText(input);
  return isLatin1(text) ? latin1Bytes(text) : undefined;
}

/** Bytes as `0A 0D` for logs and error details (at most `max` bytes, then `...`). */
export function hexOf(bytes: Uint8Array, max = 64): string {
  const parts: string[] = [];
  for (let i = 0; i < Math.min(bytes.length, max); i++) parts.push(bytes[i]!.toString(16).padStart(2, "0").toUpperCase());
  return parts.join(" ") + (bytes.length > max ? " ..." : "");
}

/** Bytes as printable text for logs and error details: control bytes as `\xNN`, at most `max` characters. */
export function printable(bytes: Uint8Array, max = 120): string {
  let out = "";
  for (let i = 0; i < bytes.length && out.length < max; i++) {
    const b = bytes[i]!;
    if (b === 0x0d) out += "\\r";
    else if (b === 0x0a) out += "\\n";
    else if (b < 0x20 || b >= 0x7f) out += `\\x${b.toString(16).padStart(2, "0")}`;
    else out += String.fromCharCode(b);
  }
  return out.length >= max ? out.slice(0, max) + "..." : out;
}
