/**
 * The one interface every building algorithm implements (rbuilder's `BlockBuildingAlgorithm`): given the
 * simulated orders of a block, fill a `PartialBlock` as valuably as it can. Orders that cannot go in are
 * skipped and counted; an algorithm throws only when no block can be built at all (or its token is cancelled).
 */
import type { ExecutionContext } from "../context.js";
import type { ExecutionEnv } from "../executionEnv.js";
import type { Order } from "../orders/order.js";
import type { CancellationToken } from "../simulation/cancellation.js";
import type { SimulatedOrder } from "../simulation/simulatedOrder.js";
import type { PartialBlock } from "./partialBlock.js";
import type { GroupResolver } from "./resolveGroups.js";

export interface BuildBlockInput {
  readonly ctx: ExecutionContext;
  /** Orders that simulated successfully on the top-of-block state. */
  readonly orders: readonly SimulatedOrder[];
  /**
   * Orders that failed their top-of-block simulation (or could not be simulated there): an algorithm may try them
   * on its block once it is filled (`leftovers.ts`).
   */
  readonly unsimulated?: readonly Order[];
  /** The EVM candidate blocks execute on (its state's layer is switched per block). */
  readonly env: ExecutionEnv;
  /** Resolves conflict groups; one with workers resolves them in parallel. Default: in this thread. */
  readonly resolver?: GroupResolver;
  readonly token?: CancellationToken;
}

export interface BuiltBlock {
  readonly algorithm: string;
  readonly block: PartialBlock;
  /** Orders tried and left out. */
  readonly failed: number;
  /** Time to fill, milliseconds. */
  readonly ms: number;
}

export interface BlockBuildingAlgorithm {
  readonly name: string;
  buildBlock(input: BuildBlockInput): Promise<BuiltBlock>;
}
