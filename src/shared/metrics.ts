/**
 * The process's one Prometheus registry. Every part of weft registers its metrics here, under the `weft_`
 * prefix, and the API serves it on `/metrics`.
 */
import { collectDefaultMetrics, Registry } from "prom-client";

export const registry = new Registry();

let defaultsCollected = false;

/** Node's process metrics (CPU, heap, event-loop lag); called once by long-running services. */
export function collectProcessMetrics(): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  collectDefaultMetrics({ register: registry, prefix: "weft_" });
}
