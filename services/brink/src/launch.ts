/**
 * What bin/brink.js loads: `brink start` and `brink run <service>` with no options go straight to the runner; every
 * other command line goes to the full parser (cli.ts). Each service process of a distributed gateway is a
 * `brink run`, so skipping commander and the client verbs there saves about a megabyte of memory per process.
 */
const [command, service, ...rest] = process.argv.slice(2);
const plainRun = command === "run" && service !== undefined && !service.startsWith("-") && rest.length === 0;
const plainStart = command === "start" && service === undefined;
if (plainRun) await (await import("./serve.js")).serveDistributed(service);
else if (plainStart) await (await import("./serve.js")).serveEmbedded();
else await import("./cli.js");
