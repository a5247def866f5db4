/**
 * core-metadata's own config keys (YAML top level; env `BRINK_STRICT_DEVICE_PROFILE_CHANGES`, ...), named after
 * EdgeX core-metadata's `Writable.ProfileChange` and `Service.MaxResultCount` settings.
 */

/** EdgeX's default `Service.MaxResultCount`: the most entities one list request returns. */
export const DEFAULT_MAX_RESULT_COUNT = 1024;

/** core-metadata's own config. */
export interface CoreMetadataConfig {
  /**
   * Refuse (423 PROFILE_LOCKED) every device profile update, as EdgeX's
   * `Writable.ProfileChange.StrictDeviceProfileChanges`. @default false
   */
  strictDeviceProfileChanges: boolean;
  /**
   * Refuse (423 PROFILE_LOCKED) every device profile delete, as EdgeX's
   * `Writable.ProfileChange.StrictDeviceProfileDeletes`; a profile in use is always refused with 409. @default false
   */
  strictDeviceProfileDeletes: boolean;
  /** The most entities one list request returns; `limit=-1` and larger limits are cut to it. @default 1024 */
  maxResultCount: number;
}

/** JSON schema of {@link CoreMetadataConfig}. */
export const CORE_METADATA_CONFIG_SCHEMA = {
  type: "object",
  properties: {
    strictDeviceProfileChanges: {
      type: "boolean",
      default: false,
      description: "Refuse (423) every device profile update (EdgeX Writable.ProfileChange.StrictDeviceProfileChanges).",
    },
    strictDeviceProfileDeletes: {
      type: "boolean",
      default: false,
      description: "Refuse (423) every device profile delete (EdgeX Writable.ProfileChange.StrictDeviceProfileDeletes); a profile in use is refused with 409 regardless.",
    },
    maxResultCount: {
      type: "integer",
      minimum: 1,
      default: DEFAULT_MAX_RESULT_COUNT,
      description: "The most entities one list request returns; limit=-1 and larger limits are cut to it (EdgeX Service.MaxResultCount).",
    },
  },
} as const;
