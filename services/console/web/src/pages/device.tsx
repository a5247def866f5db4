/** One device: state and lock, resources with their latest values, the live chart, and its commands. */
import { useMemo, useRef, useState } from "preact/hooks";
import { call, enc, get, svc } from "../api.js";
import { clock, displayValue, nsToMs, numericValue } from "../format.js";
import { useLoad, useStream } from "../hooks.js";
import { href } from "../router.js";
import type { CoreCommand, Device, DeviceProfile, EdgexEvent, Reading } from "../types.js";
import { ErrorLine, StateBadge, StreamBadge } from "../components/bits.js";
import { CommandCard } from "../components/command-card.js";
import { LiveChart, type ChartFeed } from "../components/live-chart.js";

interface Latest {
  text: string;
  ms: number | undefined;
}

const isArrayType = (t: string): boolean => t.endsWith("Array");

function readingText(r: Reading): string {
  if (r.value !== undefined) return displayValue(r.valueType, r.value);
  if (r.objectValue !== undefined) return JSON.stringify(r.objectValue);
  return `${r.mediaType ?? "binary"}${r.size !== undefined ? `, ${r.size} bytes` : ""}`;
}

export function DevicePage({ name }: { name: string }) {
  const device = useLoad((signal) => get<{ device: Device }>(svc("core-metadata", `/device/name/${enc(name)}`), signal).then((b) => b.device), [name]);
  const profileName = device.data?.profileName;
  const profile = useLoad(
    (signal) => (profileName ? get<{ profile: DeviceProfile }>(svc("core-metadata", `/deviceprofile/name/${enc(profileName)}`), signal).then((b) => b.profile) : Promise.resolve(undefined)),
    [profileName],
  );
  const commands = useLoad((signal) => get<{ deviceCoreCommand: { coreCommands: CoreCommand[] } }>(svc("core-command", `/device/name/${enc(name)}`), signal).then((b) => b.deviceCoreCommand.coreCommands), [name]);
  const [latest, setLatest] = useState<Record<string, Latest>>({});
  const [lockError, setLockError] = useState<Error | undefined>();
  const [dropped, setDropped] = useState(0);
  const feed = useRef<ChartFeed | undefined>(undefined);

  // The newest stored reading of each resource, until live ones arrive.
  useLoad(
    (signal) =>
      get<{ readings: Reading[] }>(svc("core-data", `/reading/device/name/${enc(name)}?limit=200`), signal).then((b) => {
        const first: Record<string, Latest> = {};
        for (const r of b.readings ?? []) if (!first[r.resourceName]) first[r.resourceName] = { text: readingText(r), ms: nsToMs(r.origin) };
        setLatest((s) => ({ ...first, ...s }));
      }),
    [name],
  );

  const resources = useMemo(() => (profile.data?.deviceResources ?? []).filter((r) => !r.isHidden), [profile.data]);
  const series = useMemo(() => resources.filter((r) => numericValue(r.properties.valueType, "0") !== undefined && !isArrayType(r.properties.valueType)).map((r) => r.name), [resources]);
  const units = useMemo(() => Object.fromEntries(resources.filter((r) => r.properties.units).map((r) => [r.name, r.properties.units as string])), [resources]);

  const take = (readings: readonly Reading[]): void => {
    const next: Record<string, Latest> = {};
    for (const r of readings) {
      const ms = nsToMs(r.origin) ?? Date.now();
      next[r.resourceName] = { text: readingText(r), ms };
      const n = numericValue(r.valueType, r.value);
      if (n !== undefined) feed.current?.put(r.resourceName, ms, n);
    }
    setLatest((s) => ({ ...s, ...next }));
  };

  const stream = useStream(`/api/console/stream/readings?device=${enc(name)}`, (m) => {
    if (m.event === "reading") take((JSON.parse(m.data) as EdgexEvent).readings);
    else if (m.event === "dropped") setDropped((d) => d + (JSON.parse(m.data) as { count: number }).count);
  });

  const setAdmin = async (adminState: "LOCKED" | "UNLOCKED"): Promise<void> => {
    setLockError(undefined);
    try {
      const answers = await call<{ statusCode: number; message?: string }[]>("PATCH", svc("core-metadata", "/device"), { json: [{ apiVersion: "v3", device: { name, adminState } }] });
      const failed = answers?.find((a) => a.statusCode >= 300);
      if (failed) throw new Error(failed.message ?? `HTTP ${failed.statusCode}`);
      device.reload();
    } catch (err) {
      setLockError(err as Error);
    }
  };

  const d = device.data;
  return (
    <section>
      <p class="crumbs">
        <a href={href({ page: "devices" })}>Devices</a> / {name}
      </p>
      {device.error && <ErrorLine error={device.error} />}
      {d && (
        <div class="page-head">
          <h1>{d.name}</h1>
          <StateBadge value={d.operatingState} />
          <span id="admin-state">
            <StateBadge value={d.adminState} />
          </span>
          {d.adminState === "LOCKED" ? (
            <button id="unlock" onClick={() => setAdmin("UNLOCKED")}>Unlock</button>
          ) : (
            <button id="lock" onClick={() => setAdmin("LOCKED")}>Lock</button>
          )}
          <StreamBadge state={stream} />
        </div>
      )}
      {lockError && <ErrorLine error={lockError} />}
      {d && (
        <p class="meta">
          service <strong>{d.serviceName}</strong> · profile <a href={href({ page: "profile", name: d.profileName })}>{d.profileName}</a>
          {(d.labels ?? []).length > 0 && <> · labels {(d.labels ?? []).join(", ")}</>}
          {d.description && <> · {d.description}</>}
        </p>
      )}

      <div class="card">
        <h2>
          Live readings {dropped > 0 && <span class="warn">({dropped} dropped while the page was slow)</span>}
        </h2>
        {profile.data && <LiveChart series={series} units={units} feedRef={feed} />}
      </div>

      <div class="card">
        <h2>Resources</h2>
        {profile.error && <ErrorLine error={profile.error} />}
        <table class="grid" id="resources">
          <thead>
            <tr>
              <th>Resource</th>
              <th>Type</th>
              <th>R/W</th>
              <th>Range</th>
              <th>Latest value</th>
              <th>At</th>
            </tr>
          </thead>
          <tbody>
            {resources.map((r) => {
              const p = r.properties;
              const l = latest[r.name];
              return (
                <tr data-resource={r.name}>
                  <td title={r.description}>{r.name}</td>
                  <td>{p.valueType}</td>
                  <td>{p.readWrite}</td>
                  <td class="muted">{p.minimum !== undefined || p.maximum !== undefined ? `${p.minimum ?? "…"} to ${p.maximum ?? "…"}` : ""}</td>
                  <td class="value">
                    {l?.text ?? ""} {l && p.units ? <span class="muted">{p.units}</span> : null}
                  </td>
                  <td class="muted">{clock(l?.ms)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>

      <h2>Commands</h2>
      {commands.error && <ErrorLine error={commands.error} />}
      <div class="commands">
        {(commands.data ?? []).map((c) => (
          <CommandCard key={c.name} device={name} command={c} profile={profile.data} onReadings={take} />
        ))}
      </div>
    </section>
  );
}
