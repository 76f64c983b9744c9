import { Counter } from "prom-client";
import { registry } from "../shared/metrics.js";

/** Epoch shufflings (and proposer sets) computed, by where: "background" (epoch transition) or "request". */
export const shufflingComputations = new Counter({
  name: "weft_shuffling_computations_total",
  help: "Epoch shufflings and proposer sets computed, by path: background (at an epoch transition) or request (a caller waited for it)",
  labelNames: ["path", "kind"] as const,
  registers: [registry],
});

/** Shufflings computed on a request path: stays 0 while the caches are warmed at each epoch transition. */
export const shufflingRequestPathComputations = new Counter({
  name: "weft_shuffling_request_path_computations_total",
  help: "Epoch shufflings or proposer sets computed because a request found the cache cold (0 in normal operation)",
  registers: [registry],
});
