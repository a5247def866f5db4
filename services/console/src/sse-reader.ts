/**
 * A reader of `text/event-stream` bodies for fetch-based clients (the console page and the `brink` CLI), which,
 * unlike EventSource, can send the `Authorization` header. No Node or DOM-only API: it runs in both.
 */

/** One server-sent event. */
export interface SseMessage {
  /** `event:` field; "message" when absent. */
  readonly event: string;
  /** `data:` lines joined with "\n". */
  readonly data: string;
}

/**
 * Reads messages from a stream body until it ends or `onMessage` returns false (which cancels the body).
 * Comment lines (keep-alives) are skipped.
 */
export async function readSse(body: ReadableStream<Uint8Array>, onMessage: (message: SseMessage) => boolean | void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let event = "";
  let data: string[] = [];
  const line = (text: string): boolean => {
    if (text === "") {
      if (data.length === 0) {
        event = "";
        return true;
      }
      const message: SseMessage = { event: event || "message", data: data.join("\n") };
      event = "";
      data = [];
      return onMessage(message) !== false;
    }
    if (text.startsWith(":")) return true;
    const colon = text.indexOf(":");
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? "" : text.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
    return true;
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
        // A CR that ends the chunk may be the first half of a CRLF: wait for the next chunk.
        if (buffer[newline] === "\r" && newline === buffer.length - 1) break;
        const text = buffer.slice(0, newline);
        buffer = buffer.slice(newline + (buffer[newline] === "\r" && buffer[newline + 1] === "\n" ? 2 : 1));
        if (!line(text)) {
          await reader.cancel();
          return;
        }
      }
    }
  } finally {
    reader.releaseLock();
  }
}
