/**
 * Simulates a sequence of orders on the top-of-block state, each on top of the ones before it that succeeded
 * (a sender's chain of transactions, or the chain's prefix a bundle needs). Each reported result carries its
 * base: the orders its state included, which a block must have taken, unchanged, to replay it.
 */
import { StateLayer } from "../../execution/state/layer.js";
import type { ExecutionContext } from "../context.js";
import type { OrderFailure } from "../errors.js";
import { type ExecutableTx, executeOrder, type OrderExecution } from "../executeOrder.js";
import type { ExecutionEnv } from "../executionEnv.js";

export type SimulationOutcome =
  | { orderId: string; ok: true; execution: OrderExecution; base: string[] }
  | { orderId: string; ok: false; failure: OrderFailure; base: string[] };

export interface SequenceOrder {
  readonly id: string;
  readonly txs: readonly ExecutableTx[];
}

export async function simulateSequence(
  env: ExecutionEnv,
  ctx: ExecutionContext,
  sequence: readonly SequenceOrder[],
  reportFrom = 0,
  cancelled: () => boolean = () => false,
): Promise<SimulationOutcome[]> {
  const out: SimulationOutcome[] = [];
  let layer = ctx.topOfBlock;
  let gasUsed = 0n;
  const base: string[] = [];
  for (let i = 0; i < sequence.length; i++) {
    if (cancelled()) break;
    const order = sequence[i] as SequenceOrder;
    const orderLayer = new StateLayer(layer);
    const outcome = await executeOrder(env, ctx, order, orderLayer, { blockGasUsed: gasUsed });
    if (i >= reportFrom) {
      out.push(
        outcome.ok
          ? { orderId: order.id, ok: true, execution: outcome.execution, base: [...base] }
          : { orderId: order.id, ok: false, failure: outcome.failure, base: [...base] },
      );
    }
    if (outcome.ok) {
      layer = orderLayer;
      gasUsed += outcome.execution.gasUsed;
      base.push(order.id);
    }
  }
  return out;
}
