/**
 * The fields of a command's write form, built from the profile: each resource's value type, minimum and maximum,
 * units and default, and the command's mappings; and the checks a value passes before it is sent.
 */
import type { CoreCommand, DeviceProfile } from "./types.js";

/** One input of a write form. */
export interface Field {
  readonly resource: string;
  readonly valueType: string;
  readonly units?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  /** What the device service uses when the field is left empty. */
  readonly defaultValue?: string;
  /** Mapped values the user picks from (EdgeX `mappings`: raw -> shown). */
  readonly choices?: readonly string[];
}

/** Integer ranges of EdgeX's integer types (Int64/Uint64 checked as text). */
const INT_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  Int8: [-128, 127],
  Int16: [-32768, 32767],
  Int32: [-2147483648, 2147483647],
  Uint8: [0, 255],
  Uint16: [0, 65535],
  Uint32: [0, 4294967295],
};

export const isInteger = (t: string): boolean => /^(Int|Uint)(8|16|32|64)$/.test(t);
export const isFloat = (t: string): boolean => t === "Float32" || t === "Float64";

/** The fields of a set command. */
export function fieldsOf(command: CoreCommand, profile: DeviceProfile | undefined): Field[] {
  const resources = new Map((profile?.deviceResources ?? []).map((r) => [r.name, r]));
  const deviceCommand = profile?.deviceCommands?.find((c) => c.name === command.name);
  const operations = new Map((deviceCommand?.resourceOperations ?? []).map((o) => [o.deviceResource, o]));
  const params = command.parameters && command.parameters.length > 0 ? command.parameters : [{ resourceName: command.name, valueType: resources.get(command.name)?.properties.valueType ?? "String" }];
  return params.map((p) => {
    const props = resources.get(p.resourceName)?.properties;
    const op = operations.get(p.resourceName);
    const mapped = op?.mappings ? Object.values(op.mappings) : [];
    const field: Field = {
      resource: p.resourceName,
      valueType: p.valueType,
      ...(props?.units ? { units: props.units } : {}),
      ...(typeof props?.minimum === "number" ? { minimum: props.minimum } : {}),
      ...(typeof props?.maximum === "number" ? { maximum: props.maximum } : {}),
      ...(op?.defaultValue !== undefined && op.defaultValue !== "" ? { defaultValue: op.defaultValue } : props?.defaultValue ? { defaultValue: props.defaultValue } : {}),
      ...(mapped.length > 0 ? { choices: [...new Set(mapped)] } : {}),
    };
    return field;
  });
}

/** Why a value cannot be sent, or undefined when it can. Empty values are not sent and pass. */
export function problemOf(field: Field, raw: string): string | undefined {
  const text = raw.trim();
  if (text === "") return undefined;
  if (field.choices) return field.choices.includes(text) ? undefined : `choose one of ${field.choices.join(", ")}`;
  const t = field.valueType;
  if (t === "Bool") return text === "true" || text === "false" ? undefined : "true or false";
  if (isInteger(t) || isFloat(t)) {
    if (isInteger(t) && !/^[+-]?\d+$/.test(text)) return `an integer is needed for ${t}`;
    const n = Number(text);
    if (isFloat(t) && !Number.isFinite(n)) return `a number is needed for ${t}`;
    const range = INT_RANGES[t];
    if (range && (n < range[0] || n > range[1])) return `${t} holds ${range[0]} to ${range[1]}`;
    if (t.startsWith("Uint") && text.startsWith("-")) return `${t} cannot be negative`;
    if (field.minimum !== undefined && n < field.minimum) return `at least ${field.minimum}`;
    if (field.maximum !== undefined && n > field.maximum) return `at most ${field.maximum}`;
    return undefined;
  }
  if (t.endsWith("Array") || t === "Object") {
    try {
      const v: unknown = JSON.parse(text);
      if (t === "Object" ? typeof v !== "object" || v === null || Array.isArray(v) : !Array.isArray(v)) return t === "Object" ? "a JSON object" : "a JSON array, such as [1, 2]";
    } catch {
      return t === "Object" ? "a JSON object" : "a JSON array, such as [1, 2]";
    }
  }
  return undefined;
}

/** The PUT body: only the fields that were filled in; Object values as JSON, the rest as EdgeX strings. */
export function bodyOf(fields: readonly Field[], values: Readonly<Record<string, string>>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const f of fields) {
    const text = (values[f.resource] ?? "").trim();
    if (text === "") continue;
    body[f.resource] = f.valueType === "Object" ? (JSON.parse(text) as unknown) : text;
  }
  return body;
}
