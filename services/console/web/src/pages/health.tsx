/** Health: every service's ping and version, the bus, key metrics; pipelines, rules and notifications. */
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { get } from "../api.js";
import { ago, bytes, clock, duration, nsToMs } from "../format.js";
import { useLoad, useNow } from "../hooks.js";
import { PANEL_SOURCES, acknowledge, loadPanel, type PanelList } from "../panels.js";
import { notificationRow, pipelineRow, ruleRows } from "../table-data.js";
import { ErrorLine, StateBadge } from "../components/bits.js";

interface ServiceHealth {
  name: string;
  kind: string;
  url: string;
  up: boolean;
  pingMs?: number;
  version?: string;
  metrics?: { residentMemoryBytes?: number; cpuSeconds?: number; uptimeSeconds?: number; eventLoopLagP99Seconds?: number; httpRequests?: number };
  brinkMetrics?: { name: string; labels: Record<string, string>; value: number }[];
  error?: { code: string; message: string };
}

interface Health {
  services: ServiceHealth[];
  bus: { kind: string; status: string; stats: { published: number; delivered: number; dropped: number; handlerErrors: number } };
}

const REFRESH_MS = 5000;

function metricName(m: { name: string; labels: Record<string, string> }): string {
  const labels = Object.entries(m.labels).map(([k, v]) => `${k}="${v}"`).join(",");
  return labels ? `${m.name}{${labels}}` : m.name;
}

/** Metrics shown at first; the rest fold away. */
const SHOWN_METRICS = 4;

function Metrics({ list }: { list: readonly { name: string; labels: Record<string, string>; value: number }[] }) {
  const line = (m: (typeof list)[number]) => (
    <div>
      <code>{metricName(m)}</code> {m.value.toLocaleString()}
    </div>
  );
  return (
    <>
      {list.slice(0, SHOWN_METRICS).map(line)}
      {list.length > SHOWN_METRICS && (
        <details>
          <summary>{list.length - SHOWN_METRICS} more</summary>
          {list.slice(SHOWN_METRICS).map(line)}
        </details>
      )}
    </>
  );
}

/** A panel: its state line when the service is away or has no such list, else its table. */
function Panel(props: { title: string; id: string; service: string; list: PanelList | undefined; header: readonly string[]; children?: ComponentChildren }) {
  const { list } = props;
  return (
    <div class="card" id={props.id}>
      <h2>{props.title}</h2>
      {!list && <p class="muted">asking {props.service}…</p>}
      {list?.state === "not-running" && (
        <p class="muted not-running">
          <StateBadge value="DOWN" /> {props.service} is not running.
        </p>
      )}
      {list?.state === "no-api" && <p class="muted">{props.service} answers, but offers no such list.</p>}
      {list?.state === "error" && list.error && <ErrorLine error={list.error} />}
      {list?.state === "ok" && list.items.length === 0 && <p class="muted">None.</p>}
      {list?.state === "ok" && list.items.length > 0 && (
        <table class="grid compact">
          <thead>
            <tr>
              {props.header.map((h) => (
                <th>{h}</th>
              ))}
            </tr>
          </thead>
          <tbody>{props.children}</tbody>
        </table>
      )}
    </div>
  );
}

export function HealthPage() {
  const [round, setRound] = useState(0);
  const health = useLoad((signal) => get<Health>("/api/console/health", signal), [round]);
  const pipelines = useLoad((signal) => loadPanel(PANEL_SOURCES.pipelines, signal), [round]);
  const rules = useLoad((signal) => loadPanel(PANEL_SOURCES.rules, signal), [round]);
  const firings = useLoad((signal) => loadPanel(PANEL_SOURCES.firings, signal), [round]);
  const now = useNow();
  const notifications = useLoad((signal) => loadPanel(PANEL_SOURCES.notifications, signal), [round]);
  const [ackError, setAckError] = useState<Error | undefined>();
  useEffect(() => {
    const t = setInterval(() => setRound((r) => r + 1), REFRESH_MS);
    return () => clearInterval(t);
  }, []);

  const h = health.data;
  const ack = async (id: string): Promise<void> => {
    setAckError(undefined);
    try {
      await acknowledge([id]);
      notifications.reload();
    } catch (err) {
      setAckError(err as Error);
    }
  };
  return (
    <section>
      <div class="page-head">
        <h1>Health</h1>
        <span class="muted">refreshed every {REFRESH_MS / 1000} s</span>
      </div>
      {health.error && <ErrorLine error={health.error} />}
      {h && (
        <p class="meta" id="bus">
          bus <strong>{h.bus.kind}</strong> <StateBadge value={h.bus.status === "connected" ? "UP" : "DOWN"} /> {h.bus.status} · published {h.bus.stats.published.toLocaleString()} · delivered{" "}
          {h.bus.stats.delivered.toLocaleString()} · dropped {h.bus.stats.dropped.toLocaleString()}
        </p>
      )}
      <table class="grid" id="services">
        <thead>
          <tr>
            <th>Service</th>
            <th>Ping</th>
            <th>Version</th>
            <th>Memory</th>
            <th>CPU</th>
            <th>Uptime</th>
            <th>Requests</th>
            <th>Brink metrics</th>
          </tr>
        </thead>
        <tbody>
          {(h?.services ?? []).map((s) => (
            <tr data-service={s.name}>
              <td>
                <strong>{s.name}</strong> <span class="muted">{s.kind}</span>
              </td>
              <td>
                <StateBadge value={s.up ? "UP" : "DOWN"} /> {s.up ? `${s.pingMs} ms` : <code class="code">{s.error?.code}</code>}
              </td>
              <td>{s.version ?? ""}</td>
              <td>{bytes(s.metrics?.residentMemoryBytes)}</td>
              <td>{s.metrics?.cpuSeconds !== undefined ? `${s.metrics.cpuSeconds.toFixed(1)} s` : ""}</td>
              <td>{duration(s.metrics?.uptimeSeconds)}</td>
              <td>{s.metrics?.httpRequests?.toLocaleString() ?? ""}</td>
              <td class="metrics">
                <Metrics list={s.brinkMetrics ?? []} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="panels">
        <Panel title="App-service pipelines" id="pipelines" service="app-service" list={pipelines.data} header={["Pipeline", "State", "Received", "Exported", "Errors", "Outbox", "Dropped", "Dead letters", "Targets"]}>
          {(pipelines.data?.items ?? []).map(pipelineRow).map((p) => (
            <tr data-pipeline={p.name}>
              <td>{p.name}</td>
              <td>{p.state}</td>
              <td>{p.received}</td>
              <td>{p.exported}</td>
              <td>{p.errors}</td>
              <td class="outbox-depth">{p.outboxDepth}</td>
              <td>{p.dropped}</td>
              <td>{p.deadLetters}</td>
              <td>{p.targets}</td>
            </tr>
          ))}
        </Panel>
        <Panel title="Rules" id="rules" service="rules-engine" list={rules.data} header={["Rule", "Enabled", "Kind", "Last firing", "Result", "Device"]}>
          {ruleRows(rules.data?.items ?? [], firings.data?.items ?? []).map((r) => (
            <tr data-rule={r.name}>
              <td>{r.name}</td>
              <td>{r.enabled}</td>
              <td>{r.kind}</td>
              <td title={clock(nsToMs(r.lastFiredAt))}>{r.lastFiredAt === undefined ? "never" : ago(nsToMs(r.lastFiredAt), now)}</td>
              <td>{r.lastResult}</td>
              <td>{r.lastDevice}</td>
            </tr>
          ))}
        </Panel>
        <Panel title="Notifications" id="notifications" service="support-notifications" list={notifications.data} header={["Created", "Severity", "Category", "Content", "Status", ""]}>
          {(notifications.data?.items ?? []).map(notificationRow).map((n) => (
            <tr data-notification={n.id}>
              <td title={clock(nsToMs(n.created))}>{ago(nsToMs(n.created), now)}</td>
              <td>{n.severity}</td>
              <td>{n.category}</td>
              <td>{n.content}</td>
              <td>{n.status}</td>
              <td>{!n.acknowledged && n.id && <button onClick={() => ack(n.id)}>Acknowledge</button>}</td>
            </tr>
          ))}
        </Panel>
      </div>
      {ackError && <ErrorLine error={ackError} />}
    </section>
  );
}
