/**
 * EdgeX PATCH semantics: a field present in the request replaces the stored one; an absent or null field is left as
 * it is. `id`, `created`, `modified` and `apiVersion` are never taken from a patch. Fields named in `nested` are
 * objects patched one level deeper (a provision watcher's `discoveredDevice`).
 */

const NEVER_PATCHED = new Set(["id", "created", "modified", "apiVersion"]);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The entity `current` with `patch` applied, as a new plain object (bigint timestamps kept). */
export function applyPatch(current: object, patch: Readonly<Record<string, unknown>>, nested: readonly string[] = []): Record<string, unknown> {
  const result: Record<string, unknown> = structuredClone(current) as Record<string, unknown>;
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined || value === null || NEVER_PATCHED.has(key)) continue;
    if (nested.includes(key) && isPlainObject(value) && isPlainObject(result[key])) {
      result[key] = applyPatch(result[key] as object, value);
    } else {
      result[key] = structuredClone(value);
    }
  }
  return result;
}
