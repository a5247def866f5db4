/**
 * Profile checks for the console's upload page: the same validation core-metadata runs (`parseProfile`), answered
 * with every problem and its line before anything is saved; and a stored profile written back as YAML.
 */
import { ServiceError, ValidationError, loadYaml, parseProfile, type DeviceProfile, type Problem } from "@brink/contracts";

/** The outcome of a check. */
export interface ProfileCheck {
  readonly valid: boolean;
  /** ValidationError code (PROFILE_INVALID, YAML_MALFORMED) when invalid. */
  readonly code?: string;
  /** Every problem, with its 1-based line when known, sorted by line. */
  readonly problems: readonly Problem[];
  /** What the profile holds, when valid. */
  readonly summary?: { readonly name: string; readonly resources: number; readonly commands: number };
}

/** Checks profile text (EdgeX v3 YAML or JSON) as core-metadata would, without storing it. */
export function checkProfileText(text: string): ProfileCheck {
  try {
    const profile = parseProfile(text);
    return { valid: true, problems: [], summary: { name: profile.name, resources: profile.deviceResources?.length ?? 0, commands: profile.deviceCommands?.length ?? 0 } };
  } catch (err) {
    if (err instanceof ValidationError) {
      const problems = [...err.problems].sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER));
      return { valid: false, code: err.code, problems };
    }
    if (err instanceof ServiceError) return { valid: false, code: err.code, problems: [{ path: "", message: err.message }] };
    throw err;
  }
}

/** The fields core-metadata adds to a stored profile; they are left out of the YAML so it can be uploaded again. */
const STORED_ONLY: ReadonlySet<string> = new Set(["apiVersion", "id", "created", "modified"]);

/** A stored profile as EdgeX v3 YAML, keys in the order EdgeX writes them. */
export function profileYaml(profile: DeviceProfile): string {
  const plain = Object.fromEntries(Object.entries(profile).filter(([k, v]) => !STORED_ONLY.has(k) && v !== undefined));
  return loadYaml().stringify(plain, { lineWidth: 0 });
}
