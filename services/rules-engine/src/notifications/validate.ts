/**
 * Checks of notifications and subscriptions from outside (REST bodies), listing every problem.
 */
import { ValidationError } from "@brink/contracts";
import { RulesErrorCode } from "../errors.js";
import { Problems, at, checkKeys, checkName, isRecord, optEnum, optString, optStringMap, optStrings, reqString } from "../rule/checks.js";
import { Severity } from "../rule/types.js";
import { ChannelType, type Channel, type NotificationInput, type SubscriptionInput } from "./types.js";

const SEVERITIES = Object.values(Severity);

/** Checks a notification body. @throws ValidationError NOTIFICATION_INVALID */
export function validateNotification(raw: unknown): NotificationInput {
  const problems = new Problems();
  if (!isRecord(raw)) throw new ValidationError(RulesErrorCode.NotificationInvalid, "notification", [{ path: "", message: "must be an object" }]);
  checkKeys(raw, ["apiVersion", "id", "category", "severity", "labels", "content", "contentType", "description", "sender", "status", "created", "modified"], "", problems);
  const category = reqString(raw, "category", "", problems);
  const severity = optEnum(raw, "severity", SEVERITIES, "", problems) ?? Severity.Normal;
  const labels = optStrings(raw, "labels", "", problems) ?? [];
  const content = reqString(raw, "content", "", problems);
  const contentType = optString(raw, "contentType", "", problems);
  const description = optString(raw, "description", "", problems, false);
  const sender = optString(raw, "sender", "", problems);
  if (!problems.empty || category === undefined || content === undefined) throw new ValidationError(RulesErrorCode.NotificationInvalid, "notification", problems.list);
  const input: NotificationInput = { category, severity, labels, content };
  if (contentType !== undefined) input.contentType = contentType;
  if (description !== undefined) input.description = description;
  if (sender !== undefined) input.sender = sender;
  return input;
}

function isUrl(text: string, schemes: readonly string[]): boolean {
  try {
    return schemes.includes(new URL(text).protocol);
  } catch {
    return false;
  }
}

function channel(raw: unknown, path: string, problems: Problems): Channel | undefined {
  if (!isRecord(raw)) {
    problems.add(path, "must be an object with a type");
    return undefined;
  }
  const type = optEnum(raw, "type", Object.values(ChannelType), path, problems);
  if (raw.type === undefined) problems.add(at(path, "type"), `is required: one of ${Object.values(ChannelType).join(", ")}`);
  switch (type) {
    case "webhook": {
      checkKeys(raw, ["type", "url", "method", "headers"], path, problems);
      const url = reqString(raw, "url", path, problems);
      if (url !== undefined && !isUrl(url, ["http:", "https:"])) problems.add(at(path, "url"), "must be an absolute http:// or https:// URL");
      const method = optEnum(raw, "method", ["POST", "PUT"] as const, path, problems);
      const headers = optStringMap(raw, "headers", path, problems);
      return url === undefined ? undefined : { type, url, ...(method ? { method } : {}), ...(headers ? { headers } : {}) };
    }
    case "mqtt": {
      checkKeys(raw, ["type", "broker", "topic", "qos", "retain"], path, problems);
      const broker = reqString(raw, "broker", path, problems);
      if (broker !== undefined && !isUrl(broker, ["mqtt:", "mqtts:", "tcp:", "ssl:", "ws:", "wss:"])) problems.add(at(path, "broker"), "must be a broker URL such as mqtt://host:1883");
      const topic = reqString(raw, "topic", path, problems);
      if (topic !== undefined && /[#+]/.test(topic)) problems.add(at(path, "topic"), "must not hold the wildcards # or +");
      const qos = raw.qos;
      if (qos !== undefined && qos !== 0 && qos !== 1 && qos !== 2) problems.add(at(path, "qos"), "must be 0, 1 or 2");
      if (raw.retain !== undefined && typeof raw.retain !== "boolean") problems.add(at(path, "retain"), "must be true or false");
      if (broker === undefined || topic === undefined) return undefined;
      return { type, broker, topic, ...(qos === 0 || qos === 1 || qos === 2 ? { qos } : {}), ...(raw.retain === true ? { retain: true } : {}) };
    }
    case "nats": {
      checkKeys(raw, ["type", "subject", "servers"], path, problems);
      const subject = reqString(raw, "subject", path, problems);
      if (subject !== undefined && !/^[^.\s*>]+(\.[^.\s*>]+)*$/.test(subject)) problems.add(at(path, "subject"), "must be a plain subject: dot-separated tokens, no spaces or wildcards");
      const servers = optStrings(raw, "servers", path, problems);
      if (subject === undefined) return undefined;
      return { type, subject, ...(servers && servers.length > 0 ? { servers } : {}) };
    }
    default:
      return undefined;
  }
}

/** Checks a subscription body. @throws ValidationError SUBSCRIPTION_INVALID */
export function validateSubscription(raw: unknown): SubscriptionInput {
  const problems = new Problems();
  if (!isRecord(raw)) throw new ValidationError(RulesErrorCode.SubscriptionInvalid, "subscription", [{ path: "", message: "must be an object" }]);
  checkKeys(raw, ["apiVersion", "id", "name", "description", "categories", "labels", "channels", "receiver", "adminState", "created", "modified"], "", problems);
  const name = checkName(raw, "", problems);
  const description = optString(raw, "description", "", problems, false);
  const categories = optStrings(raw, "categories", "", problems);
  const labels = optStrings(raw, "labels", "", problems);
  if ((categories ?? []).length === 0 && (labels ?? []).length === 0) problems.add("", "needs categories or labels (or both) to choose notifications by");
  const receiver = optString(raw, "receiver", "", problems);
  const adminState = optEnum(raw, "adminState", ["LOCKED", "UNLOCKED"] as const, "", problems) ?? "UNLOCKED";
  const channels: Channel[] = [];
  if (!Array.isArray(raw.channels) || raw.channels.length === 0) problems.add("channels", "is required: a list of at least one channel");
  else raw.channels.forEach((c: unknown, i) => {
    const ch = channel(c, at("channels", i), problems);
    if (ch) channels.push(ch);
  });
  if (!problems.empty || name === undefined) throw new ValidationError(RulesErrorCode.SubscriptionInvalid, `subscription ${name ?? "(unnamed)"}`, problems.list);
  const input: SubscriptionInput = { name, channels, adminState };
  if (description !== undefined) input.description = description;
  if (categories !== undefined) input.categories = categories;
  if (labels !== undefined) input.labels = labels;
  if (receiver !== undefined) input.receiver = receiver;
  return input;
}

/** Whether a subscription chooses a notification: its category is listed, or one of its labels is. */
export function subscriptionMatches(sub: SubscriptionInput, category: string, labels: readonly string[]): boolean {
  if (sub.adminState === "LOCKED") return false;
  if (sub.categories?.includes(category)) return true;
  return labels.some((l) => sub.labels?.includes(l) ?? false);
}
