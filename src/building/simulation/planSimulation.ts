/**
 * Which orders can be simulated on the top-of-block state, and on top of what (rbuilder's sim tree, flattened).
 *
 * An order is simulated alone when every nonce it uses is the sender's next one at the parent. Otherwise it
 * depends on earlier transactions of the same sender: plain transactions of one sender with consecutive nonces
 * from the parent's form a chain, simulated in one sequence (each on top of the ones before it); a bundle that
 * needs nonce n + k is simulated after the first k links of that sender's chain. An order whose nonces no chain
 * reaches is pending (not simulated now); one that uses a spent nonce is stale. Droppable transactions impose
 * nothing: they are left out if their nonce does not fit.
 */
import type { Order } from "../orders/order.js";

export interface SimulationSequence {
  /** Orders executed in this order on one state. */
  sequence: Order[];
  /** The first position whose result is new: the ones before are prefixes already simulated elsewhere. */
  reportFrom: number;
}

export interface SimulationPlan {
  requests: SimulationSequence[];
  /** Orders waiting for a nonce no pooled transaction provides yet. */
  pending: Order[];
  /** Orders using a nonce the parent has already spent. */
  stale: Order[];
}

export function planSimulation(orders: readonly Order[], nonceOf: (sender: string) => bigint): SimulationPlan {
  const requests: SimulationSequence[] = [];
  const pending: Order[] = [];
  const stale: Order[] = [];

  // Chains of plain transactions per sender, from the parent's nonce.
  const bySender = new Map<string, Order[]>();
  for (const order of orders) {
    if (order.kind !== "tx") continue;
    const t = order.txs[0];
    if (t === undefined) continue;
    let list = bySender.get(t.sender);
    if (list === undefined) {
      list = [];
      bySender.set(t.sender, list);
    }
    list.push(order);
  }
  const chains = new Map<string, Order[]>();
  for (const [sender, list] of bySender) {
    list.sort((a, b) => ((a.txs[0]?.nonce ?? 0n) < (b.txs[0]?.nonce ?? 0n) ? -1 : 1));
    let next = nonceOf(sender);
    const chain: Order[] = [];
    for (const order of list) {
      const nonce = order.txs[0]?.nonce ?? 0n;
      if (nonce < next) stale.push(order);
      else if (nonce === next) {
        chain.push(order);
        next++;
      } else pending.push(order);
    }
    if (chain.length > 0) {
      chains.set(sender, chain);
      requests.push({ sequence: chain, reportFrom: 0 });
    }
  }

  for (const order of orders) {
    if (order.kind !== "bundle") continue;
    const prefix: Order[] = [];
    const seen = new Set<string>();
    let verdict: "ok" | "pending" | "stale" = "ok";
    for (const t of order.txs) {
      if (t.canDrop || seen.has(t.sender)) continue;
      seen.add(t.sender);
      const need = t.nonce - nonceOf(t.sender);
      if (need < 0n) {
        verdict = "stale";
        break;
      }
      if (need === 0n) continue;
      const chain = chains.get(t.sender);
      if (chain === undefined || BigInt(chain.length) < need) {
        verdict = "pending";
        break;
      }
      prefix.push(...chain.slice(0, Number(need)));
    }
    if (verdict === "stale") stale.push(order);
    else if (verdict === "pending") pending.push(order);
    else requests.push({ sequence: [...prefix, order], reportFrom: prefix.length });
  }
  return { requests, pending, stale };
}
