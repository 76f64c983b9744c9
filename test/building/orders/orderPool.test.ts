import { Address } from "@ethereumjs/util";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { BuildingError, type BuildingErrorCode } from "../../../src/building/errors.js";
import { bundleOrder, type Order, transactionOrder } from "../../../src/building/orders/order.js";
import { OrderPool } from "../../../src/building/orders/orderPool.js";
import { signedTx, testSigner } from "../setup.js";

const to = new Address(new Uint8Array(20).fill(9));
const GWEI = 1_000_000_000n;

function tx(sender: number, nonce: bigint, tip = GWEI, maxFee = 3n * GWEI) {
  return signedTx(testSigner(sender), { nonce, to, tip, maxFee });
}

function refusal(fn: () => unknown): BuildingErrorCode {
  try {
    fn();
  } catch (error) {
    if (error instanceof BuildingError) return error.code;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("order pool", () => {
  test("replacement needs 10 % more on every fee field; the refused one changes nothing", () => {
    const pool = new OrderPool();
    const first = transactionOrder(tx(0, 0n, GWEI, 3n * GWEI), pool.nextSeq());
    pool.add(first);
    const cheap = transactionOrder(tx(0, 0n, (GWEI * 109n) / 100n, 4n * GWEI), pool.nextSeq());
    expect(refusal(() => pool.add(cheap))).toBe("REPLACEMENT_UNDERPRICED");
    expect(pool.has(first.id)).toBe(true);
    expect(pool.rejected.get("REPLACEMENT_UNDERPRICED")).toBe(1);
    const better = transactionOrder(tx(0, 0n, (GWEI * 110n) / 100n, (3n * GWEI * 110n) / 100n), pool.nextSeq());
    expect(pool.add(better)).toEqual({ id: better.id, replaced: first.id });
    expect(pool.has(first.id)).toBe(false);
    expect(pool.size).toBe(1);
    expect(refusal(() => pool.add(better))).toBe("ALREADY_KNOWN");
  });

  test("bundles: replaced and cancelled by replacement uuid", () => {
    const pool = new OrderPool();
    const uuid = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
    const one = bundleOrder({ txs: [tx(1, 0n)], replacementUuid: uuid }, 0);
    const two = bundleOrder({ txs: [tx(1, 0n), tx(2, 0n)], replacementUuid: uuid }, 1);
    pool.add(one);
    expect(pool.add(two).replaced).toBe(one.id);
    expect(pool.orders().map((o) => o.id)).toEqual([two.id]);
    expect(pool.cancelBundle(uuid.toUpperCase())).toBe(two.id);
    expect(pool.size).toBe(0);
    expect(refusal(() => pool.cancelBundle(uuid))).toBe("UNKNOWN_BUNDLE");
  });

  test("a sender may hold only so many orders", () => {
    const pool = new OrderPool({ maxOrdersPerSender: 3 });
    for (let n = 0n; n < 3n; n++) pool.add(transactionOrder(tx(3, n), pool.nextSeq()));
    expect(refusal(() => pool.add(transactionOrder(tx(3, 3n), pool.nextSeq())))).toBe("SENDER_LIMIT");
    pool.add(transactionOrder(tx(4, 0n), pool.nextSeq()));
    expect(pool.size).toBe(4);
    expect(pool.pendingNonce(Buffer.from(testSigner(3).address.bytes).toString("hex"), 0n)).toBe(3n);
  });

  test("a full pool evicts its least valuable order for a more valuable one, and refuses a cheaper one", () => {
    const pool = new OrderPool({ maxOrders: 3, baseFee: GWEI });
    const orders = [1n, 3n, 2n].map((tip, i) => transactionOrder(tx(10 + i, 0n, tip * GWEI, 10n * GWEI), i));
    for (const o of orders) pool.add(o);
    expect(refusal(() => pool.add(transactionOrder(tx(20, 0n, GWEI / 2n, 10n * GWEI), 5)))).toBe("POOL_FULL");
    const rich = transactionOrder(tx(21, 0n, 5n * GWEI, 10n * GWEI), 6);
    expect(pool.add(rich).evicted).toBe(orders[0]?.id);
    // Simulated values take over from estimates.
    pool.setValue(orders[1]?.id as string, 1n);
    const next = transactionOrder(tx(22, 0n, 2n * GWEI, 10n * GWEI), 7);
    expect(pool.add(next).evicted).toBe(orders[1]?.id);
    expect(pool.size).toBe(3);
  });

  test("a new parent prunes spent nonces and past bundles", () => {
    const pool = new OrderPool();
    const spent = transactionOrder(tx(30, 0n), 0);
    const live = transactionOrder(tx(30, 1n), 1);
    const past = bundleOrder({ txs: [tx(31, 0n)], blockNumber: 5n }, 2);
    const droppable = bundleOrder({ txs: [tx(30, 0n), tx(32, 0n)], droppingTxHashes: [spent.id], blockNumber: 6n }, 3);
    for (const o of [spent, live, past, droppable]) pool.add(o);
    const sender30 = Buffer.from(testSigner(30).address.bytes).toString("hex");
    const pruned = pool.onNewParent({ blockNumber: 6n, baseFee: GWEI, nonceOf: (s) => (s === sender30 ? 1n : 0n) });
    expect(pruned.sort()).toEqual([spent.id, past.id].sort());
    expect(pool.orders().map((o) => o.id)).toEqual([live.id, droppable.id]);
  });

  test("property: the pool never exceeds its bounds, and a refused order leaves it unchanged", () => {
    const txs = Array.from({ length: 12 }, (_, i) =>
      tx(40 + (i % 4), BigInt(Math.floor(i / 4)), BigInt(1 + (i % 5)) * GWEI, 20n * GWEI),
    );
    fc.assert(
      fc.property(fc.array(fc.nat({ max: txs.length - 1 }), { maxLength: 30 }), (picks) => {
        const pool = new OrderPool({ maxOrders: 5, maxOrdersPerSender: 2, baseFee: GWEI });
        for (const pick of picks) {
          const before = pool.orders().map((o: Order) => o.id);
          try {
            pool.add(transactionOrder(txs[pick] as (typeof txs)[number], pool.nextSeq()));
          } catch (error) {
            expect(error).toBeInstanceOf(BuildingError);
            expect(pool.orders().map((o: Order) => o.id)).toEqual(before);
          }
          expect(pool.size).toBeLessThanOrEqual(5);
          const perSender = new Map<string, number>();
          for (const o of pool.orders())
            perSender.set(o.txs[0]?.sender ?? "", (perSender.get(o.txs[0]?.sender ?? "") ?? 0) + 1);
          for (const count of perSender.values()) expect(count).toBeLessThanOrEqual(2);
        }
      }),
      { numRuns: 60 },
    );
  });
});
