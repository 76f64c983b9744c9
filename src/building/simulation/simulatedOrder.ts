/** An order with its top-of-block simulation: what every building algorithm ranks and commits. */
import type { OrderExecution } from "../executeOrder.js";
import type { Order } from "../orders/order.js";

export interface SimulatedOrder {
  readonly order: Order;
  readonly execution: OrderExecution;
  /** Orders (ids) simulated before this one on the same state: a sender's earlier transactions. */
  readonly base: readonly string[];
  /** The coinbase's profit (wei). */
  readonly profit: bigint;
  readonly gasUsed: bigint;
  /** Profit per gas (wei): what an order pays for the block space it takes. */
  readonly mevGasPrice: bigint;
}

export function simulatedOrder(order: Order, execution: OrderExecution, base: readonly string[]): SimulatedOrder {
  return {
    order,
    execution,
    base,
    profit: execution.profit,
    gasUsed: execution.gasUsed,
    mevGasPrice: mevGasPrice(execution.profit, execution.gasUsed),
  };
}

export function mevGasPrice(profit: bigint, gasUsed: bigint): bigint {
  return gasUsed > 0n ? profit / gasUsed : 0n;
}
