/**
 * A reader of the Prometheus text format (what every Brink service answers on /metrics), enough to pick the few
 * figures the health page shows.
 */

/** One sample: metric name, labels and value. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"/g;

function unescapeLabel(text: string): string {
  return text.replace(/\\(.)/g, (_m, c: string) => (c === "n" ? "\n" : c));
}

function parseValue(text: string): number {
  if (text === "+Inf") return Infinity;
  if (text === "-Inf") return -Infinity;
  return Number(text);
}

/** Every sample of a metrics text; comment and malformed lines are skipped. */
export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const m = SAMPLE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(LABEL)) labels[l[1] as string] = unescapeLabel(l[2] as string);
    const value = parseValue(m[3] as string);
    if (!Number.isNaN(value)) samples.push({ name: m[1] as string, labels, value });
  }
  return samples;
}

/** The sum of every sample of a metric (across labels); undefined when there is none. */
export function sumOf(samples: readonly Sample[], name: string): number | undefined {
  let total: number | undefined;
  for (const s of samples) if (s.name === name) total = (total ?? 0) + s.value;
  return total;
}
