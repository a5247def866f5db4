#!/usr/bin/env node
// The `brink` command. Runs the compiled CLI (run `npm run build` first; `npm start` does).
import("../dist/cli.js").catch((err) => {
  if (err && err.code === "ERR_MODULE_NOT_FOUND" && String(err.message).includes("dist/cli.js")) {
    console.error("brink: not built yet. Run `npm run build` (or `npm start`) from the repository root first.");
    process.exit(2);
  }
  throw err;
});
