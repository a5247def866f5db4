/**
 * @brink/core-metadata: devices, device profiles, device services and provision watchers, served with EdgeX
 * core-metadata's REST API and announced on the bus as system events.
 */
export { coreMetadataService, CORE_METADATA_PORT } from "./service.js";
export { CORE_METADATA_CONFIG_SCHEMA, DEFAULT_MAX_RESULT_COUNT } from "./config.js";
export type { CoreMetadataConfig } from "./config.js";
export { MetadataStore, EntityKind, METADATA_FILE_NAME } from "./store/metadata-store.js";
export type { MetadataStoreOptions, StoredEntities, EntityInputs, EntityIndexes, StoreChange } from "./store/metadata-store.js";
export type { StoredDevice, StoredDeviceProfile, StoredDeviceService, StoredProvisionWatcher, MetadataDocument } from "./store/document.js";
export type { CollectionFilter } from "./store/indexed-collection.js";
export { SystemEventPublisher, eventsFor, CORE_METADATA_SOURCE, NO_PROFILE_TOKEN } from "./events.js";
export type { EventLogger } from "./events.js";
export { MetadataError, MetadataErrorCode } from "./errors.js";
export { VERSION } from "./version.js";
