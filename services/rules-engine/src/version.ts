/** Version of the rules engine, reported by its /api/v3/version. */
export const VERSION = "0.1.0";
