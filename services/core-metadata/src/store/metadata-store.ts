/**
 * MetadataStore: device services, device profiles, devices and provision watchers, held in memory with indexes and
 * persisted to `<dataDir>/core-metadata/metadata.json` through lowdb.
 *
 * Every mutation checks and applies its change synchronously (so checks made in one tick see each other), then
 * resolves once the file holding it is durably written. Mutations made in the same tick share one file write; while
 * a write is in flight, later mutations share the next one.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { Low } from "lowdb";
import { ErrorCode, ErrorKind, ValidationError, nowNanos } from "@brink/contracts";
import type { Device, DeviceProfile, DeviceService, Problem, ProvisionWatcher, ServiceError } from "@brink/contracts";
import { MetadataError, MetadataErrorCode } from "../errors.js";
import { CoalescingWriter } from "./coalescing-writer.js";
import { documentProblems, emptyDocument } from "./document.js";
import type { MetadataDocument, StoredDevice, StoredDeviceProfile, StoredDeviceService, StoredProvisionWatcher } from "./document.js";
import { IndexedCollection } from "./indexed-collection.js";
import type { CollectionFilter } from "./indexed-collection.js";
import { Int64JsonFile } from "./int64-json-file.js";

/** The four kinds of metadata entity; the values are EdgeX's system-event types. */
export const EntityKind = {
  DeviceService: "deviceservice",
  DeviceProfile: "deviceprofile",
  Device: "device",
  ProvisionWatcher: "provisionwatcher",
} as const;
/** One entity kind. */
export type EntityKind = (typeof EntityKind)[keyof typeof EntityKind];

/** Stored entity type by kind. */
export interface StoredEntities {
  deviceservice: StoredDeviceService;
  deviceprofile: StoredDeviceProfile;
  device: StoredDevice;
  provisionwatcher: StoredProvisionWatcher;
}

/** Input DTO type by kind (id, created and modified optional). */
export interface EntityInputs {
  deviceservice: DeviceService;
  deviceprofile: DeviceProfile;
  device: Device;
  provisionwatcher: ProvisionWatcher;
}

/** Secondary index names by kind, for {@link MetadataStore.query} and {@link MetadataStore.count}. */
export interface EntityIndexes {
  deviceservice: never;
  deviceprofile: "manufacturer" | "model";
  device: "service" | "profile";
  provisionwatcher: "service" | "profile";
}

/** A change made to the store, reported to {@link MetadataStore.onChange} listeners once durably written. */
export type StoreChange = {
  [K in EntityKind]: {
    readonly kind: K;
    readonly action: "add" | "update" | "delete";
    /** The entity after the change; for a delete, the deleted entity. */
    readonly entity: StoredEntities[K];
    /** The entity before an update. */
    readonly previous?: StoredEntities[K];
  };
}[EntityKind];

/** Options of {@link MetadataStore}. */
export interface MetadataStoreOptions {
  /** Root data directory; the file is `<dataDir>/core-metadata/metadata.json`. */
  readonly dataDir: string;
}

/** The file name under `<dataDir>/core-metadata/`. */
export const METADATA_FILE_NAME = "metadata.json";

type Collections = { [K in EntityKind]: IndexedCollection<StoredEntities[K], EntityIndexes[K]> };

const DOCUMENT_KEY: Readonly<Record<EntityKind, keyof MetadataDocument>> = {
  deviceservice: "deviceServices",
  deviceprofile: "deviceProfiles",
  device: "devices",
  provisionwatcher: "provisionWatchers",
};

const NOUN: Readonly<Record<EntityKind, string>> = {
  deviceservice: "device service",
  deviceprofile: "device profile",
  device: "device",
  provisionwatcher: "provision watcher",
};

const INVALID_CODE: Readonly<Record<EntityKind, string>> = {
  deviceservice: ErrorCode.DeviceServiceInvalid,
  deviceprofile: ErrorCode.ProfileInvalid,
  device: ErrorCode.DeviceInvalid,
  provisionwatcher: ErrorCode.ProvisionWatcherInvalid,
};

function newCollections(): Collections {
  return {
    deviceservice: new IndexedCollection<StoredDeviceService, never>({}),
    deviceprofile: new IndexedCollection<StoredDeviceProfile, "manufacturer" | "model">({
      manufacturer: (p) => p.manufacturer,
      model: (p) => p.model,
    }),
    device: new IndexedCollection<StoredDevice, "service" | "profile">({ service: (d) => d.serviceName, profile: (d) => d.profileName }),
    provisionwatcher: new IndexedCollection<StoredProvisionWatcher, "service" | "profile">({
      service: (w) => w.serviceName,
      profile: (w) => w.discoveredDevice?.profileName,
    }),
  };
}

/** Removes request-level and undefined fields, so the stored entity is plain JSON plus bigint timestamps. */
function toStored<K extends EntityKind>(input: EntityInputs[K], id: string, created: bigint, modified: bigint): StoredEntities[K] {
  const copy = structuredClone(input) as unknown as Record<string, unknown>;
  delete copy.apiVersion;
  for (const [key, value] of Object.entries(copy)) if (value === undefined) delete copy[key];
  return { ...copy, id, created, modified } as unknown as StoredEntities[K];
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The core-metadata store. Construct, then `start()`; `stop()` waits for pending writes. */
export class MetadataStore {
  readonly #file: string;
  readonly #db: Low<MetadataDocument>;
  readonly #collections: Collections = newCollections();
  readonly #listeners = new Set<(change: StoreChange) => void>();
  readonly #writer: CoalescingWriter;
  #open = false;

  constructor(options: MetadataStoreOptions) {
    this.#file = join(options.dataDir, "core-metadata", METADATA_FILE_NAME);
    this.#db = new Low<MetadataDocument>(new Int64JsonFile<MetadataDocument>(this.#file), emptyDocument());
    this.#writer = new CoalescingWriter(() => this.#writeFile());
  }

  /** Absolute path of the metadata file. */
  get file(): string {
    return this.#file;
  }

  /** Number of file writes completed since construction (coalesced changes count once). */
  get writeCount(): number {
    return this.#writer.writeCount;
  }

  /**
   * Loads the file; a missing file starts empty (nothing is written until the first change). Throws ServiceError
   * STORE_CORRUPT (naming the file) when it is not JSON or not the expected shape, and STORE_READ_FAILED when it
   * cannot be read; either way the file is left untouched.
   */
  async start(): Promise<void> {
    try {
      await this.#db.read();
    } catch (err) {
      if (err instanceof SyntaxError) throw this.#corrupt([`not valid JSON (${err.message})`], err);
      throw new MetadataError(ErrorKind.Database, MetadataErrorCode.StoreReadFailed, `cannot read metadata file ${this.#file}: ${(err as Error).message}`, {
        details: { file: this.#file },
        cause: err,
      });
    }
    const problems = documentProblems(this.#db.data);
    if (problems.length > 0) throw this.#corrupt(problems);
    const doc = this.#db.data;
    for (const collection of Object.values(this.#collections)) collection.clear();
    for (const kind of Object.values(EntityKind)) {
      const collection = this.#collections[kind] as unknown as IndexedCollection<StoredEntities[EntityKind], string>;
      for (const item of doc[DOCUMENT_KEY[kind]]) collection.put(item);
    }
    this.#open = true;
  }

  /** Waits for pending writes, then refuses further reads and changes (STORE_CLOSED, 503) until started again. */
  async stop(): Promise<void> {
    await this.#writer.idle();
    this.#open = false;
  }

  /** Resolves once every change made so far has been written (or its write has failed). */
  flush(): Promise<void> {
    return this.#writer.idle();
  }

  /** Registers a listener for durable changes; returns a function that removes it. Listener errors are ignored. */
  onChange(listener: (change: StoreChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The entity of this kind and name. */
  get<K extends EntityKind>(kind: K, name: string): StoredEntities[K] | undefined {
    this.#assertOpen();
    return this.#col(kind).byName(name);
  }

  /** The entity of this kind and id. */
  getById<K extends EntityKind>(kind: K, id: string): StoredEntities[K] | undefined {
    this.#assertOpen();
    return this.#col(kind).byId(id);
  }

  /** Entities of a kind matching a filter, most recently modified first. */
  query<K extends EntityKind>(kind: K, filter?: CollectionFilter<EntityIndexes[K]>): StoredEntities[K][] {
    this.#assertOpen();
    return this.#col(kind).query(filter);
  }

  /** Number of entities of a kind filed under `key` in secondary index `index` (e.g. devices using a profile). */
  count<K extends EntityKind>(kind: K, index: EntityIndexes[K], key: string): number {
    this.#assertOpen();
    return this.#col(kind).count(index, key);
  }

  /**
   * Adds an entity. Throws DUPLICATE_NAME (name or id taken), NOT_FOUND (a referenced device service or profile is
   * missing), or a ValidationError (an AutoEvent source the profile lacks). Keeps a given UUID id, else makes one.
   */
  async add<K extends EntityKind>(kind: K, input: EntityInputs[K]): Promise<StoredEntities[K]> {
    this.#assertOpen();
    const collection = this.#col(kind);
    if (collection.byName(input.name)) {
      throw new MetadataError(ErrorKind.DuplicateName, ErrorCode.DuplicateName, `${NOUN[kind]} name "${input.name}" already exists`, {
        details: { kind, name: input.name },
      });
    }
    const id = input.id !== undefined && input.id !== "" ? input.id : randomUUID();
    if (!UUID_RE.test(id)) throw this.#invalid(kind, [{ path: "id", message: "must be a UUID" }]);
    if (collection.byId(id)) {
      throw new MetadataError(ErrorKind.DuplicateName, ErrorCode.DuplicateName, `${NOUN[kind]} id "${id}" already exists`, { details: { kind, id } });
    }
    this.#checkReferences(kind, input);
    const now = nowNanos();
    const entity = toStored<K>(input, id, now, now);
    collection.put(entity);
    await this.#persist();
    this.#emit({ kind, action: "add", entity } as StoreChange);
    return entity;
  }

  /**
   * Replaces the entity of the same name (its id and created time are kept; modified is now). Throws NOT_FOUND when
   * there is none, REQUEST_INVALID when `input.id` names another entity, and the reference errors of {@link add}.
   */
  async update<K extends EntityKind>(kind: K, input: EntityInputs[K]): Promise<{ previous: StoredEntities[K]; current: StoredEntities[K] }> {
    this.#assertOpen();
    const collection = this.#col(kind);
    const previous = collection.byName(input.name);
    if (!previous) throw notFound(kind, input.name);
    if (input.id !== undefined && input.id !== "" && input.id !== previous.id) {
      throw new MetadataError(ErrorKind.ContractInvalid, ErrorCode.RequestInvalid, `${NOUN[kind]} id "${input.id}" does not match "${input.name}"`, {
        details: { kind, id: input.id, name: input.name },
      });
    }
    this.#checkReferences(kind, input);
    const modified = nowNanos();
    const current = toStored<K>(input, previous.id, previous.created, modified > previous.modified ? modified : previous.modified + 1n);
    collection.put(current);
    await this.#persist();
    this.#emit({ kind, action: "update", entity: current, previous } as StoreChange);
    return { previous, current };
  }

  /**
   * Deletes the named entity and returns it. Throws NOT_FOUND, or ENTITY_IN_USE when devices or provision watchers
   * still reference a device service or profile.
   */
  async remove<K extends EntityKind>(kind: K, name: string): Promise<StoredEntities[K]> {
    this.#assertOpen();
    const collection = this.#col(kind);
    if (!collection.byName(name)) throw notFound(kind, name);
    this.#checkNotInUse(kind, name);
    const entity = collection.remove(name)!;
    await this.#persist();
    this.#emit({ kind, action: "delete", entity } as StoreChange);
    return entity;
  }

  #col<K extends EntityKind>(kind: K): IndexedCollection<StoredEntities[K], EntityIndexes[K]> {
    return this.#collections[kind];
  }

  #assertOpen(): void {
    if (!this.#open) throw new MetadataError(ErrorKind.ServiceUnavailable, MetadataErrorCode.StoreClosed, "metadata store is not open");
  }

  #corrupt(problems: string[], cause?: unknown): MetadataError {
    return new MetadataError(ErrorKind.Database, ErrorCode.StoreCorrupt, `metadata file ${this.#file} is corrupt: ${problems.slice(0, 5).join("; ")}`, {
      details: { file: this.#file, problems },
      cause,
    });
  }

  #invalid(kind: EntityKind, problems: Problem[]): ValidationError {
    return new ValidationError(INVALID_CODE[kind], `invalid ${NOUN[kind]}`, problems);
  }

  #checkReferences(kind: EntityKind, input: EntityInputs[EntityKind]): void {
    if (kind === EntityKind.Device) {
      const device = input as Device;
      this.#requireService(device.serviceName);
      if (device.profileName) {
        const profile = this.#requireProfile(device.profileName);
        // A hand-edited file may lack the lists the validators always produce.
        const sources = new Set([...(profile.deviceResources ?? []).map((r) => r.name), ...(profile.deviceCommands ?? []).map((c) => c.name)]);
        const problems: Problem[] = [];
        (device.autoEvents ?? []).forEach((a, i) => {
          if (!sources.has(a.sourceName)) {
            problems.push({ path: `autoEvents[${i}].sourceName`, message: `"${a.sourceName}" is not a resource or command of profile "${profile.name}"` });
          }
        });
        if (problems.length > 0) throw this.#invalid(kind, problems);
      }
    } else if (kind === EntityKind.ProvisionWatcher) {
      const watcher = input as ProvisionWatcher;
      this.#requireService(watcher.serviceName);
      if (watcher.discoveredDevice?.profileName) this.#requireProfile(watcher.discoveredDevice.profileName);
    }
  }

  #requireService(name: string): StoredDeviceService {
    const service = this.#collections.deviceservice.byName(name);
    if (!service) throw notFound(EntityKind.DeviceService, name);
    return service;
  }

  #requireProfile(name: string): StoredDeviceProfile {
    const profile = this.#collections.deviceprofile.byName(name);
    if (!profile) throw notFound(EntityKind.DeviceProfile, name);
    return profile;
  }

  #checkNotInUse(kind: EntityKind, name: string): void {
    if (kind !== EntityKind.DeviceService && kind !== EntityKind.DeviceProfile) return;
    const index = kind === EntityKind.DeviceService ? "service" : "profile";
    const devices = this.#collections.device.count(index, name);
    const watchers = this.#collections.provisionwatcher.count(index, name);
    if (devices + watchers > 0) {
      throw new MetadataError(
        ErrorKind.StatusConflict,
        MetadataErrorCode.EntityInUse,
        `${NOUN[kind]} "${name}" is in use by ${devices} device(s) and ${watchers} provision watcher(s)`,
        { details: { kind, name, devices: this.#collections.device.namesBy(index, name), provisionWatchers: this.#collections.provisionwatcher.namesBy(index, name) } },
      );
    }
  }

  #emit(change: StoreChange): void {
    for (const listener of this.#listeners) {
      try {
        listener(change);
      } catch {
        // A listener's failure must not turn a durable change into a failed request.
      }
    }
  }

  /** Joins the next file write; resolves when it is durable, rejects with STORE_WRITE_FAILED. */
  async #persist(): Promise<void> {
    try {
      await this.#writer.request();
    } catch (err) {
      throw new MetadataError(ErrorKind.Database, MetadataErrorCode.StoreWriteFailed, `cannot write metadata file ${this.#file}: ${(err as Error).message}`, {
        details: { file: this.#file },
        cause: err,
      });
    }
  }

  /** Snapshots the collections (synchronously) and writes them through lowdb. */
  #writeFile(): Promise<void> {
    this.#db.data = {
      deviceServices: this.#collections.deviceservice.values(),
      deviceProfiles: this.#collections.deviceprofile.values(),
      devices: this.#collections.device.values(),
      provisionWatchers: this.#collections.provisionwatcher.values(),
    };
    return this.#db.write();
  }
}

function notFound(kind: EntityKind, name: string): ServiceError {
  return new MetadataError(ErrorKind.EntityDoesNotExist, ErrorCode.NotFound, `${NOUN[kind]} "${name}" does not exist`, { details: { kind, name } });
}
