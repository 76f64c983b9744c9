/**
 * Bidding (rbuilder's `block_output/bidding`): how much of a block's value the builder pays the proposer, and
 * which sealed block is the one to offer for a slot and parent.
 *
 *   value of a block: the coinbase's balance gain from its orders;
 *   payout: value − the payout transaction's gas − the builder's margin (true-value bidding with a margin);
 *   best bid: per (slot, parent hash), the sealed block paying the proposer most; a new block replaces it only
 *   when it pays more, so `getHeader` always finds the best one ready.
 */
import { bytesToHex } from "@ethereumjs/util";
import type { SealedBlock } from "../sealing/sealBlock.js";

export interface BiddingStrategy {
  readonly name: string;
  /** What the proposer gets for a block worth `value`, the payout transaction costing `payoutCost`. */
  payout(value: bigint, payoutCost: bigint): bigint;
}

/** Pays everything but the payout's own gas and a margin of `marginBps` hundredths of a percent of the value. */
export function trueValueBidding(marginBps = 0): BiddingStrategy {
  if (!Number.isInteger(marginBps) || marginBps < 0 || marginBps > 10_000) {
    throw new RangeError(`marginBps must be an integer from 0 to 10000, got ${marginBps}`);
  }
  return {
    name: marginBps === 0 ? "true-value" : `true-value-${marginBps}bps`,
    payout(value, payoutCost) {
      const payout = value - payoutCost - (value * BigInt(marginBps)) / 10_000n;
      return payout > 0n ? payout : 0n;
    },
  };
}

/** The best sealed block per slot and parent. */
export class BestBids {
  readonly #best = new Map<string, SealedBlock>();

  static key(slot: bigint | number, parentHash: Uint8Array): string {
    return `${slot}:${bytesToHex(parentHash)}`;
  }

  /** Keeps the block if it pays the proposer more than the best so far; returns whether it did. */
  offer(slot: bigint | number, block: SealedBlock): boolean {
    const key = BestBids.key(slot, block.block.header.parentHash);
    const current = this.#best.get(key);
    if (current !== undefined && current.payout >= block.payout) return false;
    this.#best.set(key, block);
    return true;
  }

  best(slot: bigint | number, parentHash: Uint8Array): SealedBlock | undefined {
    return this.#best.get(BestBids.key(slot, parentHash));
  }

  /** Forgets the bids of slots before `slot`. */
  prune(slot: bigint | number): void {
    for (const key of this.#best.keys()) if (BigInt(key.split(":")[0] as string) < BigInt(slot)) this.#best.delete(key);
  }
}
