/** A live-stream client for tests: collects the events of a console stream and waits for the ones it wants. */
import { parseJson } from "@brink/contracts";
import { readSse, type SseMessage } from "../../src/sse-reader.js";
import { waitFor } from "../../../../test/harness/index.js";

/** An open stream. */
export interface TestStream {
  readonly status: number;
  readonly messages: SseMessage[];
  /** The data of the messages of one event, parsed with int64-exact JSON. */
  data<T>(event: string): T[];
  /** Waits until `count` messages of `event` arrived. */
  waitForEvents(event: string, count?: number, timeoutMs?: number): Promise<void>;
  close(): void;
}

/** Opens a stream; the promise resolves once the answer's headers arrived. */
export async function openStream(url: string, token?: string): Promise<TestStream> {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { Accept: "text/event-stream", ...(token ? { Authorization: `Bearer ${token}` } : {}) }, signal: controller.signal });
  const messages: SseMessage[] = [];
  if (res.ok && res.body) {
    readSse(res.body, (m) => {
      messages.push(m);
    }).catch(() => undefined);
  } else await res.text();
  const data = <T>(event: string): T[] => messages.filter((m) => m.event === event).map((m) => parseJson(m.data) as T);
  return {
    status: res.status,
    messages,
    data,
    waitForEvents: async (event, count = 1, timeoutMs = 5000) => {
      await waitFor(() => messages.filter((m) => m.event === event).length >= count, { timeoutMs, intervalMs: 10, message: `${count} "${event}" event(s) on ${url}` });
    },
    close: () => controller.abort(),
  };
}
