import { Address } from "@ethereumjs/util";
import { describe, expect, test } from "vitest";
import { BuildingError } from "../../../src/building/errors.js";
import {
  bundleHash,
  bundleOrder,
  effectiveTip,
  estimatedValue,
  inWindow,
  transactionOrder,
} from "../../../src/building/orders/order.js";
import { signedTx, testSigner } from "../setup.js";

const to = new Address(new Uint8Array(20).fill(7));
const a = signedTx(testSigner(0), { nonce: 0n, to, tip: 2_000_000_000n, maxFee: 3_000_000_000n });
const b = signedTx(testSigner(1), { nonce: 5n, to, tip: 1_000_000_000n });

describe("orders", () => {
  test("a transaction order carries its sender, nonce, hash and encoding; it may revert", () => {
    const order = transactionOrder(a, 3);
    const t = order.txs[0];
    expect(order.kind).toBe("tx");
    expect(order.id).toBe(t?.hash);
    expect(t?.sender).toBe(Buffer.from(testSigner(0).address.bytes).toString("hex"));
    expect(t?.raw).toEqual(a.serialize());
    expect(t?.canRevert).toBe(true);
    expect(t?.canDrop).toBe(false);
    expect(order.seq).toBe(3);
  });

  test("a bundle's hash is keccak256 of its transaction hashes; flags follow the hash lists", () => {
    const bundle = bundleOrder({ txs: [a, b], revertingTxHashes: [transactionOrder(b, 0).id], blockNumber: 9n }, 0);
    expect(bundle.id).toBe(bundleHash(bundle.txs.map((t) => t.hash)));
    expect(bundle.txs.map((t) => t.canRevert)).toEqual([false, true]);
    expect(bundle.searcher).toBe(bundle.txs[1]?.sender);
  });

  test("malformed bundles are refused with INVALID_BUNDLE", () => {
    const expectInvalid = (fn: () => unknown, message: RegExp) => {
      try {
        fn();
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(BuildingError);
        expect((error as BuildingError).code).toBe("INVALID_BUNDLE");
        expect((error as BuildingError).message).toMatch(message);
      }
    };
    expectInvalid(() => bundleOrder({ txs: [] }, 0), /at least one/);
    expectInvalid(() => bundleOrder({ txs: [a, a] }, 0), /same transaction twice/);
    expectInvalid(() => bundleOrder({ txs: [a], revertingTxHashes: [`0x${"11".repeat(32)}`] }, 0), /not in the bundle/);
    expectInvalid(() => bundleOrder({ txs: [a], minTimestamp: 20n, maxTimestamp: 10n }, 0), /after maxTimestamp/);
  });

  test("bundle windows: block number and timestamps", () => {
    const bundle = bundleOrder({ txs: [a], blockNumber: 10n, minTimestamp: 100n, maxTimestamp: 200n }, 0);
    expect(inWindow(bundle, 10n, 150n)).toBe(true);
    expect(inWindow(bundle, 11n, 150n)).toBe(false);
    expect(inWindow(bundle, 10n, 99n)).toBe(false);
    expect(inWindow(bundle, 10n, 201n)).toBe(false);
    expect(inWindow(transactionOrder(a, 0), 1n, 1n)).toBe(true);
  });

  test("effective tip is min(maxPriorityFee, maxFee − baseFee); the estimate is tips at the full gas limit", () => {
    expect(effectiveTip(a, 500_000_000n)).toBe(2_000_000_000n);
    expect(effectiveTip(a, 2_000_000_000n)).toBe(1_000_000_000n);
    expect(effectiveTip(a, 4_000_000_000n)).toBe(-1_000_000_000n);
    expect(estimatedValue(transactionOrder(a, 0), 2_000_000_000n)).toBe(1_000_000_000n * 21_000n);
    expect(estimatedValue(transactionOrder(a, 0), 4_000_000_000n)).toBe(0n);
  });
});
