/** Small shared hooks. */
import { useEffect, useRef, useState } from "preact/hooks";
import { follow } from "./api.js";
import type { SseMessage } from "../../src/sse-reader.js";

/** The current time, refreshed every `everyMs`. */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}

/** Loads something and reloads it on demand; `error` holds the last failure. */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): { data: T | undefined; error: Error | undefined; reload: () => void; loading: boolean } {
  const [state, setState] = useState<{ data: T | undefined; error: Error | undefined; loading: boolean }>({ data: undefined, error: undefined, loading: true });
  const [round, setRound] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    load(controller.signal).then(
      (data) => !controller.signal.aborted && setState({ data, error: undefined, loading: false }),
      (error: Error) => !controller.signal.aborted && error.name !== "AbortError" && setState((s) => ({ data: s.data, error, loading: false })),
    );
    return () => controller.abort();
  }, [...deps, round]);
  return { ...state, reload: () => setRound((r) => r + 1) };
}

/** Whether a console stream is connected. */
export type StreamState = "connecting" | "live" | "reconnecting";

/** Follows a console stream while mounted; `onMessage` may change between renders. */
export function useStream(path: string | undefined, onMessage: (m: SseMessage) => void): StreamState {
  const handler = useRef(onMessage);
  handler.current = onMessage;
  const [state, setState] = useState<StreamState>("connecting");
  useEffect(() => {
    if (path === undefined) return;
    setState("connecting");
    return follow(path, {
      onMessage: (m) => handler.current(m),
      onOpen: () => setState("live"),
      onError: () => setState("reconnecting"),
    });
  }, [path]);
  return state;
}
