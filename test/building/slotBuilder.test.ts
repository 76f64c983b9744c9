import { Address } from "@ethereumjs/util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { algorithmsByName } from "../../src/building/backtest.js";
import { BestBids } from "../../src/building/bidding/bidding.js";
import { createBuildContext } from "../../src/building/context.js";
import { transactionOrder } from "../../src/building/orders/order.js";
import { OrderPool } from "../../src/building/orders/orderPool.js";
import { SimulationPool } from "../../src/building/simulation/simulationPool.js";
import { SlotBuilder } from "../../src/building/slotBuilder.js";
import { generateOrderFlow, type OrderFlow } from "../../src/devnet/orderFlow/index.js";
import { signedTx } from "./setup.js";

let flow: OrderFlow;
let simulation: SimulationPool;

beforeAll(() => {
  flow = generateOrderFlow({ orders: 24, seed: 8 });
  simulation = new SimulationPool({ workers: 0 });
});

afterAll(async () => {
  await simulation.close();
});

describe("slot builder", () => {
  test("builds, seals and bids; rebuilds with new orders; a new slot cancels the old one's work", async () => {
    const orders = new OrderPool();
    for (const order of flow.orders) orders.add(order);
    const bids = new BestBids();
    const slots = new SlotBuilder({
      orders,
      simulation,
      algorithms: algorithmsByName(["mev-gas-price", "conflict-groups"]),
      builder: flow.builder,
      bids,
    });
    const ctx = await createBuildContext(flow.common, flow.attributes, flow.base);
    await slots.startSlot(7n, ctx);
    const first = await slots.build();
    expect(first.best).toBe(true);
    expect(first.simulations).toBe(flow.orders.length);
    expect(bids.best(7n, ctx.attributes.parentHash)).toBe(first.sealed);
    const values = first.algorithms.map((a) => a.value).sort((a, b) => (a < b ? 1 : -1));
    expect(first.sealed.value).toBe(values[0]);
    expect(first.algorithms.find((a) => a.name === first.algorithm)?.value).toBe(first.sealed.value);
    // Simulated values now rank the pool.
    const sim = orders.orders()[0];
    expect(orders.valueOf(sim?.id as string)).not.toBeUndefined();

    // A richer order arrives: only it is simulated, and the new block pays more.
    const [alice] = flow.funded;
    const rich = signedTx(alice as never, {
      nonce: 0n,
      to: new Address(new Uint8Array(20).fill(1)),
      tip: 100_000_000_000n,
      maxFee: 200_000_000_000n,
    });
    orders.add(transactionOrder(rich, orders.nextSeq()));
    const second = await slots.build();
    expect(second.simulations).toBe(1);
    expect(second.best).toBe(true);
    expect(second.sealed.payout).toBeGreaterThan(first.sealed.payout);

    const old = slots.token;
    await slots.startSlot(8n, ctx);
    expect(old?.cancelled).toBe(true);
    slots.cancel();
    await expect(slots.build()).rejects.toMatchObject({ code: "CANCELLED" });
  });
});
