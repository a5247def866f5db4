/** Small shared pieces: state badges, error lines, the stream indicator. */
import { ApiError } from "../api.js";
import type { StreamState } from "../hooks.js";

const BADGE: Record<string, string> = { UP: "ok", UNLOCKED: "ok", DOWN: "bad", LOCKED: "locked", UNKNOWN: "muted" };

export function StateBadge({ value }: { value: string | undefined }) {
  return <span class={`badge ${BADGE[value ?? ""] ?? "muted"}`}>{value ?? "?"}</span>;
}

/** An error as the API gave it: code and message. */
export function ErrorLine({ error }: { error: Error }) {
  const code = error instanceof ApiError ? error.code : "";
  return (
    <p class="error" role="alert">
      {code && <code class="code">{code}</code>} {error.message}
    </p>
  );
}

export function StreamBadge({ state }: { state: StreamState }) {
  const text = state === "live" ? "live" : state === "connecting" ? "connecting…" : "reconnecting…";
  return <span class={`stream ${state}`} title="live updates from the console's stream">{text}</span>;
}
