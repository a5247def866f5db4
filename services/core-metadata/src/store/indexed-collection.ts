/**
 * One kind of metadata entity held in memory with its indexes (by name, id, label and named secondary keys), so no read
 * ever scans the file. Entities are deep-frozen when stored: a reader cannot change what the store holds.
 */

/** Fields every stored entity has. */
export interface StoredEntity {
  readonly id: string;
  readonly name: string;
  readonly labels?: readonly string[];
  readonly created: bigint;
  readonly modified: bigint;
}

/** Secondary index definitions: index name -> the key an entity is filed under (undefined or "" for none). */
export type IndexKeys<T, K extends string> = Readonly<Record<K, (item: T) => string | undefined>>;

/** Filter of {@link IndexedCollection.query}. */
export interface CollectionFilter<K extends string> {
  /** Entities must carry every one of these labels (EdgeX intersects label filters). */
  readonly labels?: readonly string[];
  /** Entities must be filed under this key of this secondary index; several entries must all match. */
  readonly where?: Partial<Readonly<Record<K, string>>>;
}

/** Recursively freezes a plain JSON-like value. */
export function deepFreeze<V>(value: V): V {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child);
  }
  return value;
}

function addTo(map: Map<string, Set<string>>, key: string, name: string): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(name);
}

function removeFrom(map: Map<string, Set<string>>, key: string, name: string): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(name);
  if (set.size === 0) map.delete(key);
}

/** Newest first by `modified`, then by `created`, then by name, so paging is stable. */
function byModifiedDesc(a: StoredEntity, b: StoredEntity): number {
  if (a.modified !== b.modified) return a.modified > b.modified ? -1 : 1;
  if (a.created !== b.created) return a.created > b.created ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** An in-memory, indexed set of entities keyed by unique name. */
export class IndexedCollection<T extends StoredEntity, K extends string = never> {
  readonly #byName = new Map<string, T>();
  readonly #byId = new Map<string, T>();
  readonly #byLabel = new Map<string, Set<string>>();
  readonly #keys: IndexKeys<T, K>;
  readonly #indexes = new Map<K, Map<string, Set<string>>>();
  #sorted: T[] | undefined;

  /** @param keys secondary indexes to maintain, by name. */
  constructor(keys: IndexKeys<T, K>) {
    this.#keys = keys;
    for (const name of Object.keys(keys) as K[]) this.#indexes.set(name, new Map());
  }

  /** Number of entities. */
  get size(): number {
    return this.#byName.size;
  }

  /** The entity with this name. */
  byName(name: string): T | undefined {
    return this.#byName.get(name);
  }

  /** The entity with this id. */
  byId(id: string): T | undefined {
    return this.#byId.get(id);
  }

  /** Number of entities filed under `key` in secondary index `index`. */
  count(index: K, key: string): number {
    return this.#indexes.get(index)?.get(key)?.size ?? 0;
  }

  /** Names of the entities filed under `key` in secondary index `index`. */
  namesBy(index: K, key: string): readonly string[] {
    return [...(this.#indexes.get(index)?.get(key) ?? [])];
  }

  /** Stores an entity (frozen), replacing the one of the same name; returns the replaced one. */
  put(item: T): T | undefined {
    const previous = this.#byName.get(item.name);
    if (previous) this.#unindex(previous);
    deepFreeze(item);
    this.#byName.set(item.name, item);
    this.#byId.set(item.id, item);
    for (const label of new Set(item.labels ?? [])) addTo(this.#byLabel, label, item.name);
    for (const [index, map] of this.#indexes) {
      const key = this.#keys[index](item);
      if (key) addTo(map, key, item.name);
    }
    this.#sorted = undefined;
    return previous;
  }

  /** Removes the entity with this name; returns it. */
  remove(name: string): T | undefined {
    const item = this.#byName.get(name);
    if (!item) return undefined;
    this.#unindex(item);
    this.#byName.delete(name);
    this.#sorted = undefined;
    return item;
  }

  /** Every entity in insertion order (the order they are written to the file in). */
  values(): T[] {
    return [...this.#byName.values()];
  }

  /** Entities matching the filter, newest `modified` first. */
  query(filter: CollectionFilter<K> = {}): T[] {
    const candidates: Set<string>[] = [];
    for (const label of new Set(filter.labels ?? [])) candidates.push(this.#byLabel.get(label) ?? new Set());
    for (const [index, key] of Object.entries(filter.where ?? {}) as [K, string | undefined][]) {
      if (key === undefined) continue;
      candidates.push(this.#indexes.get(index)?.get(key) ?? new Set());
    }
    if (candidates.length === 0) return [...this.#allSorted()];
    candidates.sort((a, b) => a.size - b.size);
    const [smallest, ...rest] = candidates as [Set<string>, ...Set<string>[]];
    const matches: T[] = [];
    for (const name of smallest) {
      if (rest.every((set) => set.has(name))) matches.push(this.#byName.get(name)!);
    }
    return matches.sort(byModifiedDesc);
  }

  /** Drops every entity. */
  clear(): void {
    this.#byName.clear();
    this.#byId.clear();
    this.#byLabel.clear();
    for (const map of this.#indexes.values()) map.clear();
    this.#sorted = undefined;
  }

  #allSorted(): readonly T[] {
    this.#sorted ??= [...this.#byName.values()].sort(byModifiedDesc);
    return this.#sorted;
  }

  #unindex(item: T): void {
    this.#byId.delete(item.id);
    for (const label of item.labels ?? []) removeFrom(this.#byLabel, label, item.name);
    for (const [index, map] of this.#indexes) {
      const key = this.#keys[index](item);
      if (key) removeFrom(map, key, item.name);
    }
  }
}
