import { describe, expect, test } from "vitest";
import { BestBids, trueValueBidding } from "../../../src/building/bidding/bidding.js";
import type { SealedBlock } from "../../../src/building/sealing/sealBlock.js";

const sealed = (parent: number, payout: bigint) =>
  ({ payout, block: { header: { parentHash: new Uint8Array(32).fill(parent) } } }) as unknown as SealedBlock;

describe("bidding", () => {
  test("true-value bidding pays the value less the payout's gas and the margin, never below zero", () => {
    expect(trueValueBidding().payout(1_000_000n, 21_000n)).toBe(979_000n);
    expect(trueValueBidding(100).payout(1_000_000n, 21_000n)).toBe(969_000n);
    expect(trueValueBidding().payout(10_000n, 21_000n)).toBe(0n);
    expect(() => trueValueBidding(10_001)).toThrow(RangeError);
  });

  test("the best bid per slot and parent only improves, and old slots are pruned", () => {
    const bids = new BestBids();
    const a = sealed(1, 100n);
    expect(bids.offer(5n, a)).toBe(true);
    expect(bids.offer(5n, sealed(1, 90n))).toBe(false);
    expect(bids.offer(5n, sealed(2, 50n))).toBe(true);
    const b = sealed(1, 101n);
    expect(bids.offer(5n, b)).toBe(true);
    expect(bids.best(5n, new Uint8Array(32).fill(1))).toBe(b);
    expect(bids.best(5n, new Uint8Array(32).fill(2))?.payout).toBe(50n);
    bids.offer(6n, sealed(1, 1n));
    bids.prune(6n);
    expect(bids.best(5n, new Uint8Array(32).fill(1))).toBeUndefined();
    expect(bids.best(6n, new Uint8Array(32).fill(1))?.payout).toBe(1n);
  });
});
