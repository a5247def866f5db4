/** The device list: name, service, profile, UP/DOWN, LOCKED, last reading; filtered by label; live. */
import { useMemo, useRef, useState } from "preact/hooks";
import { get } from "../api.js";
import { ago, clock, nsToMs } from "../format.js";
import { useLoad, useNow, useStream } from "../hooks.js";
import { href } from "../router.js";
import type { Device } from "../types.js";
import { ErrorLine, StateBadge, StreamBadge } from "../components/bits.js";

interface DeviceListBody {
  devices: Device[];
  dataError?: { code: string; message: string };
}

export function DevicesPage() {
  const { data, error, reload } = useLoad((signal) => get<DeviceListBody>("/api/console/devices", signal), []);
  const [seen, setSeen] = useState<Record<string, number>>({});
  const [label, setLabel] = useState(() => new URLSearchParams(location.hash.split("?")[1] ?? "").get("label") ?? "");
  const [text, setText] = useState("");
  const now = useNow();
  const refetch = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const stream = useStream("/api/console/stream/devices", (m) => {
    if (m.event === "seen") {
      const devices = (JSON.parse(m.data) as { devices: { deviceName: string; origin: number }[] }).devices;
      setSeen((s) => ({ ...s, ...Object.fromEntries(devices.map((d) => [d.deviceName, d.origin])) }));
    } else if (m.event === "changed") {
      clearTimeout(refetch.current);
      refetch.current = setTimeout(reload, 300);
    }
  });

  const devices = data?.devices ?? [];
  const labels = useMemo(() => [...new Set(devices.flatMap((d) => d.labels ?? []))].sort(), [devices]);
  const shown = devices.filter((d) => (label === "" || (d.labels ?? []).includes(label)) && (text === "" || d.name.toLowerCase().includes(text.toLowerCase())));

  return (
    <section>
      <div class="page-head">
        <h1>Devices</h1>
        <StreamBadge state={stream} />
      </div>
      <div class="toolbar">
        <label>
          Label{" "}
          <select name="label" value={label} onChange={(e) => setLabel(e.currentTarget.value)}>
            <option value="">All labels</option>
            {labels.map((l) => (
              <option value={l}>{l}</option>
            ))}
          </select>
        </label>
        <input type="search" placeholder="Filter by name" value={text} onInput={(e) => setText(e.currentTarget.value)} />
        <span class="muted">
          {shown.length} of {devices.length}
        </span>
      </div>
      {error && <ErrorLine error={error} />}
      {data?.dataError && <p class="warn">Last readings unknown: core-data did not answer ({data.dataError.code}).</p>}
      <table class="grid" id="devices">
        <thead>
          <tr>
            <th>Name</th>
            <th>Service</th>
            <th>Profile</th>
            <th>State</th>
            <th>Admin</th>
            <th>Last reading</th>
            <th>Labels</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((d) => {
            const last = seen[d.name] !== undefined ? nsToMs(seen[d.name]) : nsToMs(d.lastEvent?.origin);
            return (
              <tr key={d.name} data-device={d.name}>
                <td>
                  <a href={href({ page: "device", name: d.name })}>{d.name}</a>
                </td>
                <td>{d.serviceName}</td>
                <td>
                  <a href={href({ page: "profile", name: d.profileName })}>{d.profileName}</a>
                </td>
                <td>
                  <StateBadge value={d.operatingState} />
                </td>
                <td>
                  <StateBadge value={d.adminState} />
                </td>
                <td title={clock(last)} class="last-reading">
                  {ago(last, now)}
                </td>
                <td>
                  {(d.labels ?? []).map((l) => (
                    <button class={`chip${l === label ? " on" : ""}`} onClick={() => setLabel(l === label ? "" : l)}>
                      {l}
                    </button>
                  ))}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {data && shown.length === 0 && <p class="muted">No device matches.</p>}
    </section>
  );
}
