/**
 * AutoEvent `onChange`: an event is published only when a reading differs from the last published one.
 * With `onChangeThreshold`, a numeric reading whose value moved by less than the threshold (from the last
 * published value, so slow drift still gets through once it adds up) is not a change.
 */
import { isFloatType, isIntegerType, type Reading } from "@brink/contracts";

interface Last {
  readonly text: string;
  /** Numeric value, for the deadband; undefined for non-numeric readings ("overflow", mapped strings, ...). */
  readonly num: number | undefined;
}

function textOf(r: Reading): string {
  if ("binaryValue" in r) return `${r.mediaType}:${r.binaryValue}`;
  if ("objectValue" in r) return JSON.stringify(r.objectValue);
  return r.value;
}

function numOf(r: Reading): number | undefined {
  if (!("value" in r) || !(isIntegerType(r.valueType) || isFloatType(r.valueType))) return undefined;
  const n = Number(r.value);
  return Number.isNaN(n) ? undefined : n;
}

/** See the module comment. */
export class ChangeDetector {
  private last: Map<string, Last> | undefined;

  /** @param threshold numeric deadband; 0 or undefined compares values exactly. */
  constructor(private readonly threshold?: number) {}

  /**
   * True when the readings differ from the last accepted ones (always true the first time); the readings are then
   * remembered as the new reference.
   */
  accept(readings: readonly Reading[]): boolean {
    if (!this.changed(readings)) return false;
    this.last = new Map(readings.map((r) => [r.resourceName, { text: textOf(r), num: numOf(r) }]));
    return true;
  }

  /** Forgets the reference, so the next readings count as changed. */
  reset(): void {
    this.last = undefined;
  }

  private changed(readings: readonly Reading[]): boolean {
    const last = this.last;
    if (last === undefined || last.size !== readings.length) return true;
    const t = this.threshold ?? 0;
    for (const r of readings) {
      const prev = last.get(r.resourceName);
      if (prev === undefined) return true;
      const text = textOf(r);
      if (text === prev.text) continue;
      const num = numOf(r);
      if (t > 0 && num !== undefined && prev.num !== undefined && Number.isFinite(num) && Number.isFinite(prev.num)) {
        if (Math.abs(num - prev.num) >= t) return true;
        continue;
      }
      return true;
    }
    return false;
  }
}
