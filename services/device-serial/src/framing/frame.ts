/**
 * One received frame. The payload's text, CSV fields, JSON and regex matches are computed once and shared by every
 * resource that reads the frame (a GGA sentence feeds a dozen resources).
 */

/** See the module comment. */
export class Frame {
  private text_: string | undefined;
  private fields_: Map<string, readonly string[]> | undefined;
  private json_: { value: unknown } | { error: Error } | undefined;
  private matches_: Map<RegExp, RegExpExecArray | null> | undefined;

  constructor(
    /** The frame without its framing bytes and checksum. */
    readonly payload: Buffer,
    /** When the frame's last byte arrived, Unix ns. */
    readonly receivedAt: bigint,
  ) {}

  /** The payload as text, one character per byte (latin1). */
  get text(): string {
    return (this.text_ ??= this.payload.toString("latin1"));
  }

  /** The payload's text split at `separator`. */
  fields(separator: string): readonly string[] {
    this.fields_ ??= new Map();
    let f = this.fields_.get(separator);
    if (f === undefined) {
      f = this.text.split(separator);
      this.fields_.set(separator, f);
    }
    return f;
  }

  /** The payload parsed as JSON (UTF-8). @throws SyntaxError when it is not JSON */
  json(): unknown {
    if (this.json_ === undefined) {
      try {
        this.json_ = { value: JSON.parse(this.payload.toString("utf8")) as unknown };
      } catch (err) {
        this.json_ = { error: err instanceof Error ? err : new Error(String(err)) };
      }
    }
    if ("error" in this.json_) throw this.json_.error;
    return this.json_.value;
  }

  /** `regex.exec(text)`, remembered per regex (regexes here are never global or sticky). */
  match(regex: RegExp): RegExpExecArray | null {
    this.matches_ ??= new Map();
    let m = this.matches_.get(regex);
    if (m === undefined) {
      m = regex.exec(this.text);
      this.matches_.set(regex, m);
    }
    return m;
  }

  /** True when `regex` matches the payload's text. */
  test(regex: RegExp): boolean {
    return this.match(regex) !== null;
  }
}
