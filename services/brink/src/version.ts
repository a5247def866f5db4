/** Brink's version, reported by `brink --version` and every service's /api/v3/version. */
export const VERSION = "0.1.0";
