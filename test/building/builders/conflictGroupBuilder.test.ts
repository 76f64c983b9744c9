/**
 * The conflict-group builder's arrival-order candidate: replaying each group's own arrival-order executions
 * (`GroupResult.arrival`) gives the block that executing those orders gives, order for order, with fewer
 * executions.
 */
import { bytesToHex } from "@ethereumjs/util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { groupArrivals } from "../../../src/building/builders/conflictGroupBuilder.js";
import { conflictGroups } from "../../../src/building/builders/conflictGroups.js";
import { retryLeftovers } from "../../../src/building/builders/leftovers.js";
import { PartialBlock } from "../../../src/building/builders/partialBlock.js";
import { candidateOrderings, type GroupResult, type GroupTask } from "../../../src/building/builders/resolveGroups.js";
import { renumberKeysIfFull } from "../../../src/building/builders/stateKeys.js";
import { type Simulated, simulatedFlow } from "../setup.js";

let s: Simulated;
let results: GroupResult[];

beforeAll(async () => {
  // Many conflicts: hot senders and shared pools make groups whose orders interact.
  s = await simulatedFlow({ orders: 90, seed: 11, conflictRate: 0.5 });
  results = await resolveAll();
});
afterAll(async () => {
  await s.pool.close();
});

/** Every group of two or more resolved in this thread. */
async function resolveAll(): Promise<GroupResult[]> {
  const tasks: GroupTask[] = [];
  conflictGroups(s.report.simulated).forEach((group, groupId) => {
    if (group.length < 2) return;
    tasks.push({
      groupId,
      orderIds: group.map((o) => o.order.id),
      orderings: candidateOrderings(group, groupId + 1),
    });
  });
  return s.pool.resolve(tasks);
}

/** What a block holds, as comparable values: its transactions with their receipts, its value, its state. */
function contents(block: PartialBlock) {
  const layer = block.layer;
  return {
    value: block.value,
    gasUsed: block.gasUsed,
    txs: block.txs.map((t) => ({
      orderId: t.orderId,
      hash: t.hash,
      gasUsed: t.gasUsed,
      status: (t.receipt as { status?: number }).status,
      cumulative: t.receipt.cumulativeBlockGasUsed,
      logs: t.receipt.logs.length,
      coinbaseBalance: t.coinbaseBalance,
    })),
    accounts: [...layer.accounts].map(([k, a]) => [k, a?.nonce, a?.balance, a ? bytesToHex(a.codeHash) : null]),
    storage: [...layer.storage].map(([k, slots]) => [k, [...slots].map(([slot, v]) => [slot, bytesToHex(v)])]),
  };
}

describe("conflict-group builder, arrival-order candidate", () => {
  for (const gasLimit of [30_000_000n, 1_200_000n]) {
    test(`replaying the groups' arrival executions gives the block executing gives (gas limit ${gasLimit})`, async () => {
      expect(results.length).toBeGreaterThan(0);
      const ctx = { ...s.ctx, gasLimit };
      const all = [...s.report.simulated.map((o) => o.order), ...s.report.failed.map((f) => f.order)];
      const simulations = new Map(s.report.simulated.map((o) => [o.order.id, o]));
      const executed = new PartialBlock(ctx, s.pool.env);
      await retryLeftovers(executed, all, undefined, simulations);
      const replayed = new PartialBlock(ctx, s.pool.env);
      await retryLeftovers(replayed, all, undefined, simulations, groupArrivals(results));
      // The flow has orders that interact in arrival order (else this compares nothing new).
      expect(executed.executed).toBeGreaterThan(0);
      expect(replayed.executed).toBeLessThan(executed.executed);
      expect(contents(replayed)).toEqual(contents(executed));
    });
  }

  test("a block being filled while the state keys are renumbered replays and executes as it would have", async () => {
    const sims = s.report.simulated;
    const fill = async (renumberAt: number) => {
      const block = new PartialBlock(s.ctx, s.pool.env);
      for (const [i, sim] of sims.entries()) {
        // Every key number known so far is dropped; the block's last writers must be numbered again.
        if (i === renumberAt) renumberKeysIfFull(0);
        await block.commit(sim.order, sim);
      }
      return block;
    };
    const plain = await fill(-1);
    const renumbered = await fill(Math.floor(sims.length / 2));
    expect(plain.executed).toBeGreaterThan(0);
    expect([renumbered.replayed, renumbered.executed]).toEqual([plain.replayed, plain.executed]);
    expect(contents(renumbered)).toEqual(contents(plain));
  });
});
