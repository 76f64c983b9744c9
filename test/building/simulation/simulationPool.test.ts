/**
 * The simulation pool with a worker thread against the same pool in this thread: the same results, conflict
 * groups resolved on the worker to the same block, a cancelled token stopping the work, and a new parent
 * re-simulating everything.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { conflictGroupBuilder } from "../../../src/building/builders/conflictGroupBuilder.js";
import { orderingBuilder } from "../../../src/building/builders/orderingBuilder.js";
import { createBuildContext } from "../../../src/building/context.js";
import { BuildingError } from "../../../src/building/errors.js";
import { CancellationToken } from "../../../src/building/simulation/cancellation.js";
import { SimulationPool } from "../../../src/building/simulation/simulationPool.js";
import { StateLayer } from "../../../src/execution/state/layer.js";
import { type Simulated, simulatedFlow } from "../setup.js";

let local: Simulated;
let workers: SimulationPool;

beforeAll(async () => {
  local = await simulatedFlow({ orders: 30, seed: 11 });
  workers = new SimulationPool({ workers: 1 });
  await workers.ready();
  await workers.prepare(local.ctx);
});

afterAll(async () => {
  await workers?.close();
});

const summary = (report: Simulated["report"]) =>
  report.simulated.map((s) => ({
    id: s.order.id,
    profit: s.profit,
    gas: s.gasUsed,
    replayable: s.execution.replayable,
    base: s.base,
    reads: [...s.execution.reads.accounts.keys()].sort(),
  }));

describe("simulation pool", () => {
  test("a worker thread simulates every order as this thread does", async () => {
    const report = await workers.simulate(local.flow.orders);
    expect(report.simulations).toBe(local.flow.orders.length);
    expect(summary(report)).toEqual(summary(local.report));
    expect(report.failed).toEqual([]);
    // Cached until the context changes.
    expect((await workers.simulate(local.flow.orders)).simulations).toBe(0);
  });

  test("conflict groups resolved on the worker give the block resolved here", async () => {
    const report = await workers.simulate(local.flow.orders);
    const algorithm = conflictGroupBuilder();
    const remote = await algorithm.buildBlock({
      ctx: local.ctx,
      orders: report.simulated,
      env: workers.env,
      resolver: workers,
    });
    const here = await algorithm.buildBlock({ ctx: local.ctx, orders: local.report.simulated, env: local.pool.env });
    expect(remote.block.value).toBe(here.block.value);
    expect(remote.block.txs.map((t) => t.hash)).toEqual(here.block.txs.map((t) => t.hash));
  });

  test("a cancelled token stops simulation and building with CANCELLED", async () => {
    const token = new CancellationToken("slot 1");
    token.cancel();
    expect(token.signal.aborted).toBe(true);
    await workers.prepare(local.ctx);
    await expect(workers.simulate(local.flow.orders, token)).rejects.toMatchObject({ code: "CANCELLED" });
    await expect(
      local.pool.simulate(
        local.flow.orders.slice(0, 1).map((o) => ({ ...o, id: `${o.id}x` })),
        token,
      ),
    ).rejects.toBeInstanceOf(BuildingError);
    const build = orderingBuilder("mev-gas-price").buildBlock({
      ctx: local.ctx,
      orders: local.report.simulated,
      env: local.pool.env,
      token,
    });
    await expect(build).rejects.toMatchObject({ code: "CANCELLED" });
  });

  test("a new parent state re-simulates every order on it", async () => {
    const report = await workers.simulate(local.flow.orders);
    expect(report.simulations).toBe(local.flow.orders.length);
    // The same state as a new parent object: replicas are replaced, results recomputed, and they agree.
    const parent = new StateLayer(local.ctx.parent);
    const ctx = await createBuildContext(local.flow.common, local.flow.attributes, parent);
    await workers.prepare(ctx);
    const again = await workers.simulate(local.flow.orders);
    expect(again.simulations).toBe(local.flow.orders.length);
    expect(summary(again)).toEqual(summary(local.report));
  });
});
