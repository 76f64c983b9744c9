/** The fork choice's Prometheus metrics, on weft's one registry. */
import { Counter, Gauge, Histogram } from "prom-client";
import { registry } from "../../shared/metrics.js";

/** Anything that has attestations waiting for their block (a `ForkChoice`). */
interface PendingSource {
  readonly pendingAttestations: number;
}

const liveStores = new Set<WeakRef<PendingSource>>();

/** Counts a store's waiting attestations in the pending gauge for as long as the store lives. */
export function trackPendingAttestations(store: PendingSource): void {
  liveStores.add(new WeakRef(store));
}

function pendingInLiveStores(): number {
  let total = 0;
  for (const ref of liveStores) {
    const store = ref.deref();
    if (store === undefined) liveStores.delete(ref);
    else total += store.pendingAttestations;
  }
  return total;
}

export const forkChoiceMetrics = {
  pendingAttestations: new Gauge({
    name: "weft_forkchoice_pending_attestations",
    help: "Attestations waiting for a block the fork choice has not seen yet",
    registers: [registry],
    collect() {
      this.set(pendingInLiveStores());
    },
  }),
  pendingDropped: new Counter({
    name: "weft_forkchoice_pending_attestations_dropped_total",
    help: "Attestations dropped from the full queue of attestations waiting for their block",
    registers: [registry],
  }),
  attestationsRejected: new Counter({
    name: "weft_forkchoice_attestations_rejected_total",
    help: "Attestations refused by the fork choice, by error code",
    labelNames: ["code"] as const,
    registers: [registry],
  }),
  updateHeadSeconds: new Histogram({
    name: "weft_forkchoice_update_head_seconds",
    help: "Time to batch moved votes into deltas, apply them and find the head",
    buckets: [0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1],
    registers: [registry],
  }),
};
