/** Test helpers shared by the contracts tests. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ValidationError, type Problem } from "@brink/contracts";

/** Runs `fn`, asserts it throws a ValidationError with `code`, and returns its problems. */
export function problemsOf(fn: () => unknown, code: string): Problem[] {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ValidationError, `expected a ValidationError, got ${String(caught)}`);
  assert.equal(caught.code, code);
  assert.equal(caught.kind, "ContractInvalid");
  return [...caught.problems];
}

/** The problems as `path@line` strings (or just paths when `withLines` is false), for compact assertions. */
export function where(problems: readonly Problem[], withLines = true): string[] {
  return problems.map((p) => (withLines && p.line !== undefined ? `${p.path}@${p.line}` : p.path));
}

/** Reads a file of test/fixtures. */
export function fixture(relative: string): string {
  return readFileSync(fileURLToPath(new URL(`./fixtures/${relative}`, import.meta.url)), "utf8");
}

/** A fresh deep copy of a JSON-able value. */
export function clone<T>(value: T): T {
  return structuredClone(value);
}
