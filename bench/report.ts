/**
 * Writes benchmark results into docs/benchmarks.md: each benchmark owns a section between
 * `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`, replaced on every run so the page always shows the latest run.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const DOC = join(fileURLToPath(new URL("..", import.meta.url)), "docs/benchmarks.md");

/** One line of machine context, printed above each section. */
export function machineLine(): string {
  const cpu = cpus()[0]?.model ?? "unknown cpu";
  return `${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, Node ${process.version}, ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB`;
}

/** Replaces (or appends) the section `name` of docs/benchmarks.md with `markdown`. */
export function writeSection(name: string, markdown: string): void {
  const open = `<!-- bench:${name} -->`;
  const close = `<!-- /bench:${name} -->`;
  const block = `${open}\n${markdown.trim()}\n${close}`;
  const doc = existsSync(DOC) ? readFileSync(DOC, "utf8") : "# Benchmarks\n";
  const start = doc.indexOf(open);
  const end = doc.indexOf(close);
  const next = start >= 0 && end > start ? doc.slice(0, start) + block + doc.slice(end + close.length) : `${doc.trimEnd()}\n\n${block}\n`;
  writeFileSync(DOC, next);
}

/** A markdown table. */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** Percentile of a sorted-or-not sample (p in 0..100). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

export const fmt = (n: number, digits = 0): string => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Median of three (or more) runs. */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}
