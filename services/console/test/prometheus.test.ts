/** The metrics text reader of the health page. */
import { strict as assert } from "node:assert";
import { parsePrometheus, sumOf } from "../src/prometheus.js";
import { brinkMetricsOf, keyMetricsOf } from "../src/health.js";

const TEXT = `# HELP process_resident_memory_bytes Resident memory size in bytes.
# TYPE process_resident_memory_bytes gauge
process_resident_memory_bytes 104636416
process_start_time_seconds 1700000000
brink_http_requests_total{method="GET",route="/api/v3/ping",status="200"} 3
brink_http_requests_total{method="GET",route="/api/v3/x",status="404"} 2
brink_http_request_duration_seconds_bucket{le="0.005",method="GET"} 5
brink_outbox_depth{pipeline="to \\"cloud\\"",target="mqtt"} 12
brink_outbox_dropped_total{pipeline="a"} 0 1700000000000
nodejs_eventloop_lag_p99_seconds 0.012
garbage line
weird_value NaN
`;

describe("parsePrometheus", () => {
  it("reads names, labels (escapes included) and values, skipping comments and garbage", () => {
    const samples = parsePrometheus(TEXT);
    assert.equal(samples.length, 8);
    const outbox = samples.find((s) => s.name === "brink_outbox_depth");
    assert.deepEqual(outbox, { name: "brink_outbox_depth", labels: { pipeline: 'to "cloud"', target: "mqtt" }, value: 12 });
    assert.equal(sumOf(samples, "brink_http_requests_total"), 5);
    assert.equal(sumOf(samples, "absent_metric"), undefined);
  });

  it("picks the health page's key figures and Brink's own metrics", () => {
    const samples = parsePrometheus(TEXT);
    assert.deepEqual(keyMetricsOf(samples, 1700000060), {
      residentMemoryBytes: 104636416,
      uptimeSeconds: 60,
      eventLoopLagP99Seconds: 0.012,
      httpRequests: 5,
    });
    assert.deepEqual(brinkMetricsOf(samples).map((m) => m.name), ["brink_outbox_depth", "brink_outbox_dropped_total"]);
  });
});
