/**
 * Ingest: readings/s from publishers through the bus into core-data, committed to SQLite, embedded (InProcessBus)
 * and over NATS, against raw better-sqlite3 inserting the same rows into the same schema (same indexes) in the same
 * run. Events carry 10 readings each.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import Database from "better-sqlite3";
import { InProcessBus, NatsBus, type MessageBus } from "@brink/bus";
import { eventSubject, nowNanos, type AddEventRequest } from "@brink/contracts";
import { startService, createLogger } from "@brink/service-kit";
import { coreDataService } from "@brink/core-data";
import { startNatsServer } from "../test/harness/index.js";
import { fmt, machineLine, median, table, writeSection } from "./report.js";

const READINGS_PER_EVENT = 10;
const EVENTS = Number(process.env.BENCH_INGEST_EVENTS ?? 20_000);
const DEVICES = 100;
const RUNS = 3;

function makeEvent(i: number): AddEventRequest {
  const device = `bench-device-${i % DEVICES}`;
  const origin = nowNanos();
  const readings = [];
  for (let r = 0; r < READINGS_PER_EVENT; r++) {
    readings.push({ id: randomUUID(), origin, deviceName: device, resourceName: `r${r}`, profileName: "bench-profile", valueType: "Float64" as const, value: (i * 0.5 + r).toExponential() });
  }
  return { apiVersion: "v3", event: { apiVersion: "v3", id: randomUUID(), deviceName: device, profileName: "bench-profile", sourceName: "all", origin, readings } };
}

async function readingCount(url: string): Promise<number> {
  const res = await fetch(`${url}/api/v3/reading/count`);
  return ((await res.json()) as { count: number }).count;
}

/** Publishes EVENTS events and waits until core-data has committed all their readings; returns readings/s. */
async function throughBus(publisher: MessageBus, serviceBus: MessageBus): Promise<{ rate: number; dbFile: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), "brink-bench-ingest-"));
  const logger = createLogger({ name: "bench", level: "warn" });
  const svc = await startService(coreDataService, { bus: serviceBus, logger, overrides: { service: { port: 0, logLevel: "warn" } }, env: { BRINK_DATA_DIR: dataDir } });
  try {
    const events = Array.from({ length: EVENTS }, (_, i) => makeEvent(i));
    const total = EVENTS * READINGS_PER_EVENT;
    const t0 = performance.now();
    for (const e of events) await publisher.publish(eventSubject("bench-svc", "bench-profile", e.event.deviceName, "all"), e);
    while ((await readingCount(svc.url)) < total) await new Promise((r) => setTimeout(r, 5));
    const seconds = (performance.now() - t0) / 1000;
    return { rate: total / seconds, dbFile: join(dataDir, "core-data", "events.db") };
  } finally {
    await svc.stop();
  }
}

/** Raw better-sqlite3: the same rows into the same schema, transactions of 1000 readings. */
function rawInsert(schemaFrom: string): number {
  const source = new Database(schemaFrom, { readonly: true });
  const ddl = source.prepare("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY type DESC").all() as { sql: string }[];
  const columns = (table: string) => (source.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
  const eventCols = columns("events");
  const readingCols = columns("readings");
  source.close();
  const dir = mkdtempSync(join(tmpdir(), "brink-bench-raw-"));
  const db = new Database(join(dir, "raw.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  for (const { sql } of ddl) db.exec(sql);
  const insertEvent = db.prepare(`INSERT INTO events (${eventCols.join(",")}) VALUES (${eventCols.map(() => "?").join(",")})`);
  const insertReading = db.prepare(`INSERT INTO readings (${readingCols.join(",")}) VALUES (${readingCols.map(() => "?").join(",")})`);
  // Column getters are resolved once, so the loop below does only what SQLite needs: bind and step.
  type Getter = (e: AddEventRequest, r: AddEventRequest["event"]["readings"][number] | undefined, eventRow: number | bigint) => unknown;
  const getterFor = (col: string, ofReading: boolean): Getter => {
    if (col === "event_id") return (_e, _r, eventRow) => eventRow;
    if (col === "seq") return () => null;
    return (e, r) => {
      const v = ((ofReading ? r : e.event) as unknown as Record<string, unknown>)[col];
      return typeof v === "bigint" || typeof v === "string" || typeof v === "number" ? v : null;
    };
  };
  const eventGetters = eventCols.map((c) => getterFor(c, false));
  const readingGetters = readingCols.map((c) => getterFor(c, true));
  const events = Array.from({ length: EVENTS }, (_, i) => makeEvent(i));
  const batch = db.transaction((chunk: AddEventRequest[]) => {
    for (const e of chunk) {
      const eventRow = insertEvent.run(eventGetters.map((g) => g(e, undefined, 0))).lastInsertRowid;
      for (const r of e.event.readings) insertReading.run(readingGetters.map((g) => g(e, r, eventRow)));
    }
  });
  const perTx = 1000 / READINGS_PER_EVENT;
  const t0 = performance.now();
  for (let i = 0; i < events.length; i += perTx) batch(events.slice(i, i + perTx));
  const seconds = (performance.now() - t0) / 1000;
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return (EVENTS * READINGS_PER_EVENT) / seconds;
}

export async function run(): Promise<void> {
  const embedded: number[] = [];
  const overNats: number[] = [];
  const raw: number[] = [];
  const nats = await startNatsServer();
  try {
    for (let i = 0; i < RUNS; i++) {
      const bus = new InProcessBus();
      await bus.connect();
      const { rate, dbFile } = await throughBus(bus, bus);
      await bus.close();
      embedded.push(rate);
      raw.push(rawInsert(dbFile));

      const pub = new NatsBus({ servers: nats.url, name: "bench-publisher" });
      const sub = new NatsBus({ servers: nats.url, name: "bench-core-data" });
      await pub.connect();
      await sub.connect();
      overNats.push((await throughBus(pub, sub)).rate);
      await pub.close();
      await sub.close();
      console.log(`run ${i + 1}: embedded ${fmt(embedded[i]!)} r/s, nats ${fmt(overNats[i]!)} r/s, raw ${fmt(raw[i]!)} r/s`);
    }
  } finally {
    await nats.stop();
  }
  const e = median(embedded);
  const n = median(overNats);
  const r = median(raw);
  const md = [
    "## Ingest into core-data",
    "",
    `${machineLine()}. ${fmt(EVENTS)} events × ${READINGS_PER_EVENT} readings, ${DEVICES} devices, median of ${RUNS} runs. Rate = readings committed to SQLite per second, from the first publish until core-data's count reached the total.`,
    "",
    table(
      ["path", "readings/s", "× raw"],
      [
        ["raw better-sqlite3, same schema and indexes, transactions of 1000 readings", fmt(r), "1.00"],
        ["embedded: InProcessBus → core-data → SQLite", fmt(e), fmt(e / r, 2)],
        ["distributed: NatsBus → nats-server → core-data → SQLite", fmt(n), fmt(n / r, 2)],
      ],
    ),
    "",
    "Target: ≥ 50,000 readings/s embedded and ≥ 0.6 × raw.",
  ].join("\n");
  writeSection("ingest", md);
  console.log(md);
}
