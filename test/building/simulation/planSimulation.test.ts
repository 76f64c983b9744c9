import { Address } from "@ethereumjs/util";
import { describe, expect, test } from "vitest";
import { bundleOrder, transactionOrder } from "../../../src/building/orders/order.js";
import { planSimulation } from "../../../src/building/simulation/planSimulation.js";
import { signedTx, testSigner } from "../setup.js";

const to = new Address(new Uint8Array(20).fill(3));
const tx = (sender: number, nonce: bigint) => signedTx(testSigner(sender), { nonce, to });
const key = (sender: number) => Buffer.from(testSigner(sender).address.bytes).toString("hex");

describe("simulation plan", () => {
  test("a sender's consecutive transactions form one chain from the parent's nonce; gaps wait, spent nonces are stale", () => {
    const orders = [tx(0, 6n), tx(0, 5n), tx(0, 4n), tx(0, 8n), tx(0, 3n), tx(1, 0n)].map((t, i) =>
      transactionOrder(t, i),
    );
    const plan = planSimulation(orders, (s) => (s === key(0) ? 4n : 0n));
    const chain0 = plan.requests.find((r) => r.sequence[0]?.txs[0]?.sender === key(0));
    expect(chain0?.sequence.map((o) => o.txs[0]?.nonce)).toEqual([4n, 5n, 6n]);
    expect(chain0?.reportFrom).toBe(0);
    expect(plan.pending.map((o) => o.txs[0]?.nonce)).toEqual([8n]);
    expect(plan.stale.map((o) => o.txs[0]?.nonce)).toEqual([3n]);
    expect(plan.requests).toHaveLength(2);
  });

  test("a bundle needing a later nonce is simulated after that much of the sender's chain", () => {
    const chain = [tx(2, 0n), tx(2, 1n)].map((t, i) => transactionOrder(t, i));
    const needsOne = bundleOrder({ txs: [tx(2, 1n), tx(3, 0n)] }, 5);
    const needsThree = bundleOrder({ txs: [tx(2, 3n)] }, 6);
    const ready = bundleOrder({ txs: [tx(4, 0n)] }, 7);
    const plan = planSimulation([...chain, needsOne, needsThree, ready], () => 0n);
    const forOne = plan.requests.find((r) => r.sequence.includes(needsOne));
    expect(forOne?.sequence.map((o) => o.id)).toEqual([chain[0]?.id, needsOne.id]);
    expect(forOne?.reportFrom).toBe(1);
    expect(plan.pending).toEqual([needsThree]);
    expect(plan.requests.find((r) => r.sequence.includes(ready))?.sequence).toEqual([ready]);
  });

  test("droppable transactions impose no nonce", () => {
    const spent = tx(5, 0n);
    const bundle = bundleOrder({ txs: [spent, tx(6, 0n)], droppingTxHashes: [transactionOrder(spent, 0).id] }, 0);
    const plan = planSimulation([bundle], (s) => (s === key(5) ? 1n : 0n));
    expect(plan.stale).toEqual([]);
    expect(plan.requests[0]?.sequence).toEqual([bundle]);
  });
});
