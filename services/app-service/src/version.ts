/** app-service's version, as every service's /api/v3/version reports it. */
export const VERSION = "0.1.0";
