/**
 * YAML text with line numbers; lines that have problems are marked, their problems shown under them, and the first
 * one scrolled into view.
 */
import { useEffect, useRef } from "preact/hooks";
import type { Problem } from "../types.js";

export function YamlLines(props: { text: string; problems?: readonly Problem[] }) {
  const byLine = new Map<number, Problem[]>();
  for (const p of props.problems ?? []) {
    if (p.line === undefined) continue;
    byLine.set(p.line, [...(byLine.get(p.line) ?? []), p]);
  }
  const lines = props.text.replace(/\r\n?/g, "\n").split("\n");
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  const box = useRef<HTMLDivElement>(null);
  const first = Math.min(...byLine.keys());
  useEffect(() => {
    const el = box.current;
    const target = el?.querySelector<HTMLElement>(`[data-line="${first}"]`);
    if (el && target) el.scrollTop = Math.max(0, target.offsetTop - el.offsetTop - el.clientHeight / 3);
  }, [first, props.text]);
  return (
    <div class="yaml" role="table" ref={box}>
      {lines.map((text, i) => {
        const n = i + 1;
        const problems = byLine.get(n);
        return (
          <div class={`yaml-line${problems ? " has-problem" : ""}`} data-line={n} key={n}>
            <span class="ln">{n}</span>
            <code>{text || " "}</code>
            {problems?.map((p) => (
              <div class="problem" data-problem-line={n}>
                <span class="ln">!</span>
                <span>
                  {p.path && <code>{p.path}</code>} {p.message}
                </span>
              </div>
            ))}
          </div>
        );
      })}
    </div>
  );
}
