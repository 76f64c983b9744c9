/**
 * Ordering builders (rbuilder's `OrderingBuilder`): orders go into the block greedily, best first by one key.
 *
 *   "mev-gas-price": the coinbase's profit per gas, what an order pays for the space it takes (fills a
 *                    gas-limited block best);
 *   "max-profit":    the profit alone;
 *   "priority-fee":  the baseline, what a plain node does: public transactions only (no bundles), by the tip
 *                    per gas they offer, each sender's in nonce order (geth's price-and-nonce ordering).
 *
 *   pop the best → commit (replayed from its simulation when nothing it read has changed, else executed)
 *     worth less than simulated (by more than 10 %): not taken, re-inserted at its new value, once
 *     nonce not reached yet: parked under its sender until an order of that sender is committed
 *     anything else (out of gas, reverted bundle, spent nonce): skipped
 *   until no order is left or less gas than a transfer needs; then the orders that failed (and those that failed
 *   their simulation) get another try on the filled block (`leftovers.ts`), except in the baseline.
 */
import { BuildingError } from "../errors.js";
import { effectiveTip, type Order } from "../orders/order.js";
import type { SimulatedOrder } from "../simulation/simulatedOrder.js";
import { mevGasPrice } from "../simulation/simulatedOrder.js";
import type { BlockBuildingAlgorithm, BuildBlockInput, BuiltBlock } from "./algorithm.js";
import { Heap } from "./heap.js";
import { retryLeftovers } from "./leftovers.js";
import { MIN_TX_GAS, PartialBlock } from "./partialBlock.js";

export type OrderingKey = "mev-gas-price" | "max-profit" | "priority-fee";

export { MIN_TX_GAS } from "./partialBlock.js";

interface Entry {
  sim: SimulatedOrder;
  key: bigint;
  /** Already re-inserted once at a lower value: taken at whatever it earns next time. */
  reinserted: boolean;
}

export interface OrderingBuilderOptions {
  /** A re-executed order earning less than this fraction of its simulated profit is re-inserted (default 0.9). */
  acceptedProfitRatio?: number;
}

export function orderingBuilder(key: OrderingKey, options: OrderingBuilderOptions = {}): BlockBuildingAlgorithm {
  const ratioPpm = BigInt(Math.round((options.acceptedProfitRatio ?? 0.9) * 1_000_000));
  return {
    name: key,
    async buildBlock(input: BuildBlockInput): Promise<BuiltBlock> {
      const start = performance.now();
      const { ctx, env, token } = input;
      const block = new PartialBlock(ctx, env);
      const keyOf = keyFunction(key, ctx.baseFee);
      const eligible = key === "priority-fee" ? input.orders.filter((o) => o.order.kind === "tx") : input.orders;
      const heap = new Heap<Entry>(
        (a, b) => a.key > b.key || (a.key === b.key && a.sim.order.seq < b.sim.order.seq),
        eligible.map((sim) => ({ sim, key: keyOf(sim, sim.profit), reinserted: false })),
      );
      const parked = new Map<string, Entry[]>();
      const retry: Order[] = [];
      let failed = 0;
      while (heap.size > 0 && block.gasLeft >= MIN_TX_GAS) {
        if (token?.cancelled) throw new BuildingError("CANCELLED", `${key} build cancelled`);
        const entry = heap.pop() as Entry;
        const { sim } = entry;
        if (block.has(sim.order.id)) continue;
        // Re-executed below its simulation: re-inserted at its new value once, then taken at whatever it earns.
        const minProfit =
          key === "priority-fee" || entry.reinserted || sim.profit <= 0n
            ? undefined
            : (sim.profit * ratioPpm) / 1_000_000n;
        const result = await block.commit(sim.order, sim, minProfit === undefined ? {} : { minProfit });
        if (result.ok) {
          for (const sender of new Set(sim.order.txs.map((t) => t.sender))) {
            const waiting = parked.get(sender);
            if (waiting === undefined) continue;
            parked.delete(sender);
            for (const w of waiting) heap.push(w);
          }
          continue;
        }
        switch (result.failure.code) {
          case "PROFIT_TOO_LOW":
            heap.push({ sim, key: keyOf(sim, result.profit ?? 0n), reinserted: true });
            break;
          case "NONCE_PENDING": {
            const sender = pendingSender(block, sim);
            const waiting = parked.get(sender);
            if (waiting === undefined) parked.set(sender, [entry]);
            else waiting.push(entry);
            break;
          }
          case "INVALID_TX":
          case "REVERTED":
            retry.push(sim.order);
            failed++;
            break;
          default:
            failed++;
        }
      }
      for (const waiting of parked.values()) {
        failed += waiting.length;
        for (const w of waiting) retry.push(w.sim.order);
      }
      if (key !== "priority-fee") {
        const simulations = new Map(input.orders.map((s) => [s.order.id, s]));
        failed -= await retryLeftovers(block, [...retry, ...(input.unsimulated ?? [])], token, simulations);
        failed += input.unsimulated?.length ?? 0;
      }
      return { algorithm: key, block, failed, ms: performance.now() - start };
    },
  };
}

function keyFunction(key: OrderingKey, baseFee: bigint): (sim: SimulatedOrder, profit: bigint) => bigint {
  switch (key) {
    case "mev-gas-price":
      return (sim, profit) => mevGasPrice(profit, sim.gasUsed);
    case "max-profit":
      return (_sim, profit) => profit;
    case "priority-fee":
      return (sim) => {
        const t = sim.order.txs[0];
        return t === undefined ? 0n : effectiveTip(t.tx, baseFee);
      };
  }
}

/** The sender whose nonce the order waits for (its first transaction ahead of the block's nonce). */
function pendingSender(block: PartialBlock, sim: SimulatedOrder): string {
  for (const t of sim.order.txs) if (!t.canDrop && t.nonce > block.nonceOf(t.sender)) return t.sender;
  return sim.order.txs[0]?.sender ?? "";
}
