/**
 * Rules and subscriptions: few, small, rarely written, meant to be read by people. They live in
 * `<dataDir>/rules-engine/rules.json` through lowdb (the text is written to a temporary file and renamed over the
 * old one, so a crash leaves either version), with int64 timestamps kept exact.
 */
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Low } from "lowdb";
import { DataFile } from "lowdb/node";
import { ErrorCode, ErrorKind, ServiceError, parseJson, stringifyJson } from "@brink/contracts";
import type { Subscription } from "../notifications/types.js";
import type { StoredRule } from "../rule/types.js";

/** The whole file. */
export interface RulesDocument {
  rules: StoredRule[];
  subscriptions: Subscription[];
}

/** Sub-directory of the data directory that holds the rules engine's files. */
export const RULES_ENGINE_DIR = "rules-engine";
/** The rules and subscriptions file, under {@link RULES_ENGINE_DIR}. */
export const RULES_FILE_NAME = "rules.json";

const JSON_INDENT_SPACES = 2;

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Rules and subscriptions, in memory and in their file. */
export class DocumentStore {
  readonly file: string;
  private db: Low<RulesDocument> | undefined;

  constructor(dataDir: string) {
    this.file = join(dataDir, RULES_ENGINE_DIR, RULES_FILE_NAME);
  }

  /**
   * Reads the file (a missing file is an empty store).
   * @throws ServiceError STORE_CORRUPT when the file is not JSON of the expected shape (it is left untouched)
   */
  async open(): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    const adapter = new DataFile<RulesDocument>(this.file, { parse: (text) => parseJson<RulesDocument>(text), stringify: (data) => stringifyJson(data, JSON_INDENT_SPACES) + "\n" });
    const db = new Low<RulesDocument>(adapter, { rules: [], subscriptions: [] });
    try {
      await db.read();
    } catch (err) {
      throw new ServiceError(ErrorKind.Database, ErrorCode.StoreCorrupt, `${this.file} is not valid JSON; fix or move it away`, { details: { file: this.file }, cause: err });
    }
    const data: unknown = db.data;
    if (!isRecord(data) || (data.rules !== undefined && !Array.isArray(data.rules)) || (data.subscriptions !== undefined && !Array.isArray(data.subscriptions))) {
      throw new ServiceError(ErrorKind.Database, ErrorCode.StoreCorrupt, `${this.file} must hold { rules: [...], subscriptions: [...] }`, { details: { file: this.file } });
    }
    db.data = { rules: (data.rules as StoredRule[] | undefined) ?? [], subscriptions: (data.subscriptions as Subscription[] | undefined) ?? [] };
    this.db = db;
  }

  private get data(): RulesDocument {
    if (!this.db) throw new ServiceError(ErrorKind.ServiceUnavailable, ErrorCode.Internal, "the rules store is not open");
    return this.db.data;
  }

  /** Every stored rule, in the order they were added. */
  rules(): readonly StoredRule[] {
    return this.data.rules;
  }

  rule(name: string): StoredRule | undefined {
    return this.data.rules.find((r) => r.name === name);
  }

  /** Adds or replaces a rule (by name) and writes the file. */
  async putRule(rule: StoredRule): Promise<void> {
    const list = this.data.rules;
    const i = list.findIndex((r) => r.name === rule.name);
    if (i >= 0) list[i] = rule;
    else list.push(rule);
    await this.write();
  }

  /** Deletes a rule; false when there was none. */
  async deleteRule(name: string): Promise<boolean> {
    const list = this.data.rules;
    const i = list.findIndex((r) => r.name === name);
    if (i < 0) return false;
    list.splice(i, 1);
    await this.write();
    return true;
  }

  subscriptions(): readonly Subscription[] {
    return this.data.subscriptions;
  }

  subscription(name: string): Subscription | undefined {
    return this.data.subscriptions.find((s) => s.name === name);
  }

  /** Adds or replaces a subscription (by name) and writes the file. */
  async putSubscription(subscription: Subscription): Promise<void> {
    const list = this.data.subscriptions;
    const i = list.findIndex((s) => s.name === subscription.name);
    if (i >= 0) list[i] = subscription;
    else list.push(subscription);
    await this.write();
  }

  /** Deletes a subscription; false when there was none. */
  async deleteSubscription(name: string): Promise<boolean> {
    const list = this.data.subscriptions;
    const i = list.findIndex((s) => s.name === name);
    if (i < 0) return false;
    list.splice(i, 1);
    await this.write();
    return true;
  }

  private async write(): Promise<void> {
    try {
      await this.db!.write();
    } catch (err) {
      throw new ServiceError(ErrorKind.Database, ErrorCode.Internal, `could not write ${this.file}: ${(err as Error).message}`, { cause: err });
    }
  }
}
