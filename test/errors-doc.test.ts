/**
 * docs/errors.md and the code keep in step: every error code declared in an `errors.ts` of a package is documented,
 * and the page documents no code that no `errors.ts` declares.
 *
 * A code is the value of an UPPER_SNAKE_CASE string property in an `{ ... } as const` object of
 * `sdk/<pkg>/src/**\/errors.ts` or `services/<pkg>/src/**\/errors.ts`. A documented code is the first cell of a
 * `| CODE | kind | meaning |` table row.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { ErrorKind } from "@brink/contracts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CODE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;
const PROPERTY = /(?:[A-Za-z_$][\w$]*|"[^"]*"|'[^']*')\s*:\s*(["'])([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)\1/g;

/** Every `src/**\/errors.ts` of every package under sdk/ and services/. */
function errorFiles(): string[] {
  const files: string[] = [];
  for (const group of ["sdk", "services"]) {
    const groupDir = join(ROOT, group);
    if (!existsSync(groupDir)) continue;
    for (const pkg of readdirSync(groupDir, { withFileTypes: true })) {
      const src = join(groupDir, pkg.name, "src");
      if (!pkg.isDirectory() || !existsSync(src)) continue;
      for (const entry of readdirSync(src, { recursive: true, encoding: "utf8" })) {
        if (entry === "errors.ts" || entry.endsWith("/errors.ts")) files.push(join(src, entry));
      }
    }
  }
  return files.sort();
}

/** Removes comments (a `//` after `:` as in `http://` is kept: it is inside a string). */
function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[\s;,{}()])\/\/.*$/gm, "$1");
}

/** The bodies of the `{ ... } as const` objects of a source file. */
function constObjects(source: string): string[] {
  const bodies: string[] = [];
  for (const m of source.matchAll(/\}\s*as\s+const\b/g)) {
    const close = m.index;
    let depth = 0;
    for (let i = close; i >= 0; i--) {
      const c = source[i];
      if (c === "}") depth++;
      else if (c === "{" && --depth === 0) {
        bodies.push(source.slice(i + 1, close));
        break;
      }
    }
  }
  return bodies;
}

/** Code -> the files that declare it. */
function declaredCodes(): Map<string, string[]> {
  const codes = new Map<string, string[]>();
  for (const file of errorFiles()) {
    const source = withoutComments(readFileSync(file, "utf8"));
    for (const body of constObjects(source)) {
      for (const m of body.matchAll(PROPERTY)) {
        const code = m[2]!;
        codes.set(code, [...(codes.get(code) ?? []), relative(ROOT, file)]);
      }
    }
  }
  return codes;
}

interface DocRow {
  code: string;
  kind: string;
  line: number;
}

/** The rows of the code tables in docs/errors.md. */
function documentedRows(): DocRow[] {
  const rows: DocRow[] = [];
  readFileSync(join(ROOT, "docs", "errors.md"), "utf8").split("\n").forEach((text, i) => {
    const cells = text.trim().match(/^\|(.*)\|$/)?.[1]?.split("|").map((c) => c.trim().replace(/^`(.*)`$/, "$1"));
    if (cells === undefined || cells.length < 3 || cells[0] === "CODE" || !CODE.test(cells[0]!)) return;
    rows.push({ code: cells[0]!, kind: cells[1]!, line: i + 1 });
  });
  return rows;
}

describe("docs/errors.md", () => {
  const declared = declaredCodes();
  const rows = documentedRows();
  const documented = new Set(rows.map((r) => r.code));

  it("finds the codes of every errors.ts, including the shared ones", () => {
    assert.ok(errorFiles().some((f) => f.endsWith(join("sdk", "contracts", "src", "errors.ts"))));
    for (const shared of ["PROFILE_INVALID", "NOT_FOUND", "INTERNAL", "DURATION_INVALID"]) assert.ok(declared.has(shared), shared);
  });

  it("documents every code declared in an errors.ts", () => {
    const missing = [...declared].filter(([code]) => !documented.has(code)).map(([code, files]) => `${code} (${files.join(", ")})`);
    assert.deepEqual(missing, [], `add these codes to docs/errors.md under their package: ${missing.join("; ")}`);
  });

  it("documents no code that no errors.ts declares", () => {
    const stale = rows.filter((r) => !declared.has(r.code)).map((r) => `${r.code} (docs/errors.md:${r.line})`);
    assert.deepEqual(stale, [], `remove or declare these codes: ${stale.join("; ")}`);
  });

  it("gives each documented code a known kind", () => {
    const kinds = new Set<string>(Object.values(ErrorKind));
    const bad = rows.filter((r) => !kinds.has(r.kind)).map((r) => `${r.code}: "${r.kind}" (docs/errors.md:${r.line})`);
    assert.deepEqual(bad, [], `kinds must be one of ${[...kinds].join(", ")}`);
  });
});
