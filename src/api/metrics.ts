/** The API's Prometheus metrics, in the process's one registry. */
import { Counter, Histogram } from "prom-client";
import { registry } from "../shared/metrics.js";

export const getHeaderSeconds = new Histogram({
  name: "weft_builder_get_header_seconds",
  help: "Time from receiving a getHeader request to handing its answer to the socket",
  labelNames: ["status"] as const,
  buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1],
  registers: [registry],
});

export const blindedBlocksTotal = new Counter({
  name: "weft_builder_blinded_blocks_total",
  help: "Blinded blocks submitted, by outcome (revealed, published, or the refusal's code)",
  labelNames: ["outcome"] as const,
  registers: [registry],
});

export const relaySubmissionsTotal = new Counter({
  name: "weft_relay_submissions_total",
  help: "Block submissions to relays, by relay and outcome",
  labelNames: ["relay", "outcome"] as const,
  registers: [registry],
});

export const relaySubmissionSeconds = new Histogram({
  name: "weft_relay_submission_seconds",
  help: "Round trip of a block submission to a relay",
  labelNames: ["relay"] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2],
  registers: [registry],
});

export const chainEventsTotal = new Counter({
  name: "weft_beacon_events_total",
  help: "Beacon API events received, by topic",
  labelNames: ["topic"] as const,
  registers: [registry],
});

export const buildsTotal = new Counter({
  name: "weft_builder_builds_total",
  help: "Builds of the bid source, by outcome (held, sealed: not better than the held bid, cancelled, failed)",
  labelNames: ["outcome"] as const,
  registers: [registry],
});

export const buildSeconds = new Histogram({
  name: "weft_builder_build_seconds",
  help: "A sealed build of the bid source: simulation of new orders, every algorithm, the seal",
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});
