#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=4
// The `brink` command. Runs the compiled CLI (run `npm run build` first; `npm start` does).
// --max-semi-space-size=4 caps V8's young generation at 2 x 4 MB instead of 2 x 16 MB: about 20 MB less idle RSS on
// a gateway, with no measurable cost to ingest (docs/benchmarks.md). MALLOC_ARENA_MAX=2 keeps glibc from giving each
// of Node's threads its own malloc arena (about 1.5 MB less idle RSS for `brink start`; the images set it too).
// `node brink.js` without them works too. dist/launch.js runs `brink start` and `brink run <service>` without loading
// the command-line parser, and hands every other command line to dist/cli.js.
import("../dist/launch.js").catch((err) => {
  if (err && err.code === "ERR_MODULE_NOT_FOUND" && String(err.message).includes("dist/launch.js")) {
    console.error("brink: not built yet. Run `npm run build` (or `npm start`) from the repository root first.");
    process.exit(2);
  }
  throw err;
});
