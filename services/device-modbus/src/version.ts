/** Version of the Modbus device service, reported by its /api/v3/version. */
export const VERSION = "0.1.0";
