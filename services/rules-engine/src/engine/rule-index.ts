/**
 * Which rules a reading concerns, by device, profile, source and resource: rules naming one device are filed under
 * it, the others are matched by pattern once per (device, profile, source, resource) and the answer is cached until
 * the rules change. A reading is checked only against the rules that can match it.
 */
import type { RuleRuntime } from "./rule-runtime.js";

/** Most cached answers; past it the cache starts over (it refills from the readings that keep coming). */
export const MAX_CACHED_KEYS = 200_000;

const NONE: readonly RuleRuntime[] = Object.freeze([]);

/** The index; rebuilt by {@link RuleIndex.rebuild} whenever rules change. */
export class RuleIndex {
  private byDevice = new Map<string, RuleRuntime[]>();
  private anyDevice: RuleRuntime[] = [];
  private readonly cache = new Map<string, readonly RuleRuntime[]>();

  /** Files the given rules, dropping what was filed before. */
  rebuild(rules: Iterable<RuleRuntime>): void {
    this.byDevice = new Map();
    this.anyDevice = [];
    this.cache.clear();
    for (const rt of rules) {
      const literal = rt.rule.source.device.literal;
      if (literal === undefined) {
        this.anyDevice.push(rt);
        continue;
      }
      const list = this.byDevice.get(literal);
      if (list) list.push(rt);
      else this.byDevice.set(literal, [rt]);
    }
  }

  /** The rules a reading of `resource`, in an event of `device`/`profile`/`source`, concerns. */
  lookup(device: string, profile: string, source: string, resource: string): readonly RuleRuntime[] {
    const key = `${device}\u0000${profile}\u0000${source}\u0000${resource}`;
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    const found: RuleRuntime[] = [];
    const check = (rt: RuleRuntime): void => {
      const s = rt.rule.source;
      if (s.device.test(device) && s.profile.test(profile) && s.source.test(source) && rt.watches(resource)) found.push(rt);
    };
    for (const rt of this.byDevice.get(device) ?? NONE) check(rt);
    for (const rt of this.anyDevice) check(rt);
    const answer = found.length === 0 ? NONE : found;
    if (this.cache.size >= MAX_CACHED_KEYS) this.cache.clear();
    this.cache.set(key, answer);
    return answer;
  }
}
