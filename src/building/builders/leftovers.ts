/**
 * The leftovers pass: after an algorithm has filled its block, orders it could not take (invalid or reverting
 * at the top of the block, or when their turn came) are tried once more on the block as it now stands, in
 * arrival order, for as long as a round adds one. An order whose funds or state come from an earlier order of
 * the block (common in real blocks) gets in here. rbuilder has no such pass; the baseline does not run it
 * (a plain node does not retry either).
 */
import { BuildingError } from "../errors.js";
import type { Order } from "../orders/order.js";
import type { CancellationToken } from "../simulation/cancellation.js";
import { type CommitSimulation, MIN_TX_GAS, type PartialBlock } from "./partialBlock.js";

/** At most this many rounds: each one re-executes every order still out. */
export const LEFTOVER_ROUNDS = 3;

export async function retryLeftovers(
  block: PartialBlock,
  candidates: readonly Order[],
  token?: Pick<CancellationToken, "cancelled">,
  simulations: ReadonlyMap<string, CommitSimulation> = new Map(),
  alternatives: ReadonlyMap<string, CommitSimulation> = new Map(),
): Promise<number> {
  let pending = [...new Map(candidates.map((o) => [o.id, o])).values()]
    .filter((o) => !block.has(o.id))
    .sort((a, b) => a.seq - b.seq);
  let added = 0;
  for (let round = 0; round < LEFTOVER_ROUNDS && pending.length > 0; round++) {
    const still: Order[] = [];
    let progress = false;
    for (const order of pending) {
      if (block.gasLeft < MIN_TX_GAS) return added;
      if (token?.cancelled) throw new BuildingError("CANCELLED", "build cancelled");
      // The top-of-block simulation still holds where nothing it read changed: replayed, or its gas checked; else
      // another execution of the order that holds here (a conflict group's, in arrival order) is replayed.
      const alternative = alternatives.get(order.id);
      const result = await block.commit(
        order,
        simulations.get(order.id),
        alternative === undefined ? {} : { alternatives: [alternative] },
      );
      if (result.ok) {
        added++;
        progress = true;
      } else if (result.failure.code !== "NONCE_SPENT" && result.failure.code !== "OUT_OF_WINDOW") {
        still.push(order);
      }
    }
    if (!progress) break;
    pending = still;
  }
  return added;
}
