/**
 * The report of the plan endpoint: for one device, its link and the state of the connection, the read plan of each
 * AutoEvent interval, and the plans made so far for other reads (REST and bus commands).
 */
import type { Device, DeviceProfile, DeviceResource } from "@brink/contracts";
import { parseResourceAddress, tableAbbreviation } from "./attributes.js";
import type { CachedPlan } from "./driver.js";
import type { LinkStatus } from "./link.js";
import type { PlanItem, ReadPlan } from "./planner.js";
import { describePlan } from "./planner.js";
import type { DeviceAddress } from "./protocol.js";

/** One planned request, as the endpoint shows it. */
export interface PlannedRequestReport {
  /** HR, IR, CO or DI. */
  readonly table: string;
  readonly functionCode: number;
  readonly address: number;
  readonly count: number;
  readonly resources: readonly string[];
}

/** The plan of one set of resources. */
export interface PlanReport {
  readonly resources: number;
  readonly requests: readonly PlannedRequestReport[];
  /** The same, one line per request: `HR 0+100 (fc 3): a, b, c`. */
  readonly summary: readonly string[];
}

/** The reads of all AutoEvents of one interval, merged as they are sent. */
export interface AutoEventPlanReport extends PlanReport {
  readonly interval: string;
  readonly sources: readonly string[];
  /** Resources left out: not in the profile, or with attributes that cannot be read over Modbus (with why). */
  readonly skipped?: readonly { readonly resource: string; readonly problem: string }[];
}

/** What the plan endpoint returns for a device. */
export interface DeviceReport {
  readonly device: string;
  readonly link: LinkStatus;
  readonly unitId: number;
  readonly timeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly autoEvents: readonly AutoEventPlanReport[];
  readonly recentPlans: readonly PlanReport[];
}

/** What {@link describeDevice} needs. */
export interface DescribeInput {
  readonly device: Device;
  readonly address: DeviceAddress;
  readonly link: LinkStatus;
  readonly profile: DeviceProfile | undefined;
  /** Plans a set of resources as a read would. */
  plan(resources: readonly DeviceResource[]): CachedPlan;
  readonly cached: readonly CachedPlan[];
}

function reportOf(items: readonly PlanItem[], plan: ReadPlan): PlanReport {
  return {
    resources: items.length,
    requests: plan.requests.map((r) => ({
      table: tableAbbreviation(r.table),
      functionCode: r.functionCode,
      address: r.address,
      count: r.count,
      resources: r.members.map((m) => items[m]!.name),
    })),
    summary: describePlan(items, plan),
  };
}

/** The readable resources a source (a deviceCommand, else a deviceResource) reads. */
function resourcesOf(profile: DeviceProfile, source: string): DeviceResource[] | undefined {
  const byName = new Map((profile.deviceResources ?? []).map((r) => [r.name, r]));
  const command = (profile.deviceCommands ?? []).find((c) => c.name === source);
  if (command !== undefined) {
    const out: DeviceResource[] = [];
    for (const ro of command.resourceOperations ?? []) {
      const r = byName.get(ro.deviceResource);
      if (r === undefined) return undefined;
      out.push(r);
    }
    return out;
  }
  const r = byName.get(source);
  return r === undefined ? undefined : [r];
}

/** Builds the report (see the module comment). */
export function describeDevice(input: DescribeInput): DeviceReport {
  const groups = new Map<string, string[]>();
  for (const ae of input.device.autoEvents ?? []) {
    const list = groups.get(ae.interval);
    if (list === undefined) groups.set(ae.interval, [ae.sourceName]);
    else list.push(ae.sourceName);
  }
  const autoEvents: AutoEventPlanReport[] = [];
  for (const [interval, sources] of groups) {
    const skipped: { resource: string; problem: string }[] = [];
    const chosen: DeviceResource[] = [];
    const seen = new Set<DeviceResource>();
    for (const source of sources) {
      const resources = input.profile === undefined ? undefined : resourcesOf(input.profile, source);
      if (resources === undefined) {
        skipped.push({ resource: source, problem: input.profile === undefined ? `profile ${input.device.profileName} is not loaded` : "not in the profile" });
        continue;
      }
      for (const r of resources) {
        if (seen.has(r)) continue;
        seen.add(r);
        try {
          parseResourceAddress(r);
          chosen.push(r);
        } catch (err) {
          skipped.push({ resource: r.name, problem: err instanceof Error ? err.message : String(err) });
        }
      }
    }
    const made = input.plan(chosen);
    const report: AutoEventPlanReport = { interval, sources, ...reportOf(made.items, made.plan) };
    autoEvents.push(skipped.length > 0 ? { ...report, skipped } : report);
  }
  return {
    device: input.device.name,
    link: input.link,
    unitId: input.address.unitId,
    timeoutMs: input.address.timeoutMs,
    idleTimeoutMs: input.address.idleTimeoutMs,
    autoEvents,
    recentPlans: input.cached.filter((c) => c.items.length > 0).map((c) => reportOf(c.items, c.plan)),
  };
}
