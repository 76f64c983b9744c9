/**
 * The building loop of one slot, from the order pool to the best bid (rbuilder's building pipeline, in one
 * object):
 *
 *   startSlot(slot, ctx): the previous slot's token is cancelled (its simulations and builds stop at their next
 *     check); the simulation pool is given the new context (a new parent: everything is re-simulated on it);
 *     the parent's state-root tries are prepared once per parent
 *   build(): the pool's orders → simulation (only orders not simulated yet on this context) → simulated values
 *     back into the pool (eviction ranks by them) → every algorithm fills a block → the most valuable is sealed
 *     → offered to the best bids of the slot; returns the sealed block and what each algorithm reached.
 *
 * Call `build()` again whenever orders arrive: resolved conflict groups and simulations are reused.
 *
 * A build is a chain of promises that rarely waits on anything, so between its phases (after simulation, after
 * each algorithm, before sealing) it gives the event loop a turn, as `PartialBlock.commit` does every few
 * milliseconds (`yieldToEventLoop.ts`): a process that also serves getHeader and JSON-RPC answers them during a
 * build rather than after it.
 */

import { ParentRoots } from "../execution/state/stateRoot.js";
import type { BestBids, BiddingStrategy } from "./bidding/bidding.js";
import type { BlockBuildingAlgorithm, BuiltBlock } from "./builders/algorithm.js";
import type { BuildContext } from "./context.js";
import { BuildingError } from "./errors.js";
import type { OrderPool } from "./orders/orderPool.js";
import type { BuilderKey } from "./sealing/payout.js";
import { type SealedBlock, sealBlock } from "./sealing/sealBlock.js";
import { CancellationToken } from "./simulation/cancellation.js";
import type { SimulationPool } from "./simulation/simulationPool.js";
import { yieldToEventLoop } from "./yieldToEventLoop.js";

export interface SlotBuilderOptions {
  orders: OrderPool;
  simulation: SimulationPool;
  algorithms: readonly BlockBuildingAlgorithm[];
  /** The coinbase's key, for the payout. */
  builder?: BuilderKey;
  bidding?: BiddingStrategy;
  bids: BestBids;
}

export interface SlotBuild {
  sealed: SealedBlock;
  /** The algorithm whose block was sealed. */
  algorithm: string;
  /** Whether it became the slot's best bid. */
  best: boolean;
  algorithms: Array<{ name: string; value: bigint; ms: number }>;
  simulations: number;
}

export class SlotBuilder {
  readonly #options: SlotBuilderOptions;
  #slot: bigint | undefined;
  #ctx: BuildContext | undefined;
  #token: CancellationToken | undefined;
  #roots: ParentRoots | undefined;

  constructor(options: SlotBuilderOptions) {
    this.#options = options;
  }

  get token(): CancellationToken | undefined {
    return this.#token;
  }

  async startSlot(slot: bigint, ctx: BuildContext): Promise<void> {
    this.#token?.cancel();
    this.#token = new CancellationToken(`slot ${slot}`);
    this.#slot = slot;
    this.#ctx = ctx;
    if (this.#roots?.parent !== ctx.parent) this.#roots = new ParentRoots(ctx.parent);
    await this.#options.simulation.prepare(ctx);
  }

  /** Stops the slot's work (the next `build` throws `CANCELLED` until `startSlot`). */
  cancel(): void {
    this.#token?.cancel();
  }

  async build(): Promise<SlotBuild> {
    const ctx = this.#ctx;
    const token = this.#token;
    const roots = this.#roots;
    const slot = this.#slot;
    if (ctx === undefined || token === undefined || roots === undefined || slot === undefined) {
      throw new BuildingError("INVALID_CONTEXT", "SlotBuilder.startSlot was not called");
    }
    const { orders, simulation, algorithms, bids } = this.#options;
    const report = await simulation.simulate(orders.orders(), token);
    for (const s of report.simulated) orders.setValue(s.order.id, s.profit);
    let best: BuiltBlock | undefined;
    const reached: SlotBuild["algorithms"] = [];
    for (const algorithm of algorithms) {
      await yieldToEventLoop();
      token.throwIfCancelled();
      const built = await algorithm.buildBlock({
        ctx,
        orders: report.simulated,
        unsimulated: report.failed.map((f) => f.order),
        env: simulation.env,
        resolver: simulation,
        token,
      });
      reached.push({ name: algorithm.name, value: built.block.value, ms: built.ms });
      if (best === undefined || built.block.value > best.block.value) best = built;
    }
    if (best === undefined) throw new BuildingError("INVALID_CONTEXT", "no building algorithm was given");
    await yieldToEventLoop();
    token.throwIfCancelled();
    const sealOptions: Parameters<typeof sealBlock>[2] = { roots };
    if (this.#options.builder !== undefined) sealOptions.builder = this.#options.builder;
    if (this.#options.bidding !== undefined) sealOptions.bidding = this.#options.bidding;
    const sealed = await sealBlock(ctx, best.block, sealOptions);
    token.throwIfCancelled();
    return {
      sealed,
      algorithm: best.algorithm,
      best: bids.offer(slot, sealed),
      algorithms: reached,
      simulations: report.simulations,
    };
  }
}
