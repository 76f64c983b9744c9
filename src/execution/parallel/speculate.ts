/**
 * One transaction executed speculatively: on a fresh layer over the block's state as a replica knows it, with
 * its read set recorded and its effect kept as a diff, so the committing thread can check the reads against
 * what earlier transactions wrote and either apply the diff or execute the transaction again in order.
 */
import type { Block } from "@ethereumjs/block";
import type { TypedTransaction } from "@ethereumjs/tx";
import { runTx, type TxReceipt, type VM } from "@ethereumjs/vm";
import type { AccessSet } from "../state/access.js";
import { StateLayer } from "../state/layer.js";
import type { WeftStateManager } from "../state/stateManager.js";
import { diffOf, type StateDiff } from "./stateDiff.js";

export interface SpeculativeResult {
  index: number;
  /** The transaction did not execute (invalid here): the committing thread executes it in order. */
  failed: boolean;
  gasUsed: bigint;
  receipt: TxReceipt | undefined;
  reads: AccessSet;
  writes: AccessSet;
  coinbaseDelta: bigint | undefined;
  diff: StateDiff | undefined;
  /** Execution time in milliseconds (for the conflict graph's work weights). */
  ms: number;
  /** The speculation saw the block's transactions [0, version): only later writes can invalidate it. */
  version: number;
}

export interface SpeculationContext {
  vm: VM;
  state: WeftStateManager;
  block: Block;
  /** The block's state as this replica knows it: transaction layers are created over it. */
  blockLayer: StateLayer;
  /** The coinbase's address key when its fee credit is lazy. */
  coinbaseKey: string | undefined;
}

/**
 * Tracks call depth on an EVM instance so the state knows when the top-level call has returned and runTx's
 * post-execution (refund, fee credit, cleanup) begins.
 */
export function markPostExecution(vm: VM, state: WeftStateManager): void {
  const evm = vm.evm as unknown as { runCall(opts: unknown): Promise<unknown> };
  const original = evm.runCall.bind(evm);
  let depth = 0;
  evm.runCall = async (opts: unknown) => {
    depth++;
    try {
      return await original(opts);
    } finally {
      depth--;
      if (depth === 0) state.enterPostExecution();
    }
  };
}

export async function speculate(
  ctx: SpeculationContext,
  tx: TypedTransaction,
  index: number,
  version = 0,
): Promise<SpeculativeResult> {
  const { vm, state, block } = ctx;
  const layer = new StateLayer(ctx.blockLayer);
  state.layer = layer;
  state.beginTx();
  const start = performance.now();
  try {
    const result = await runTx(vm, { tx, block, skipHardForkValidation: true, blockGasUsed: 0n });
    const access = state.endTx();
    const diff = diffOf(layer);
    if (access.coinbaseDelta !== undefined && ctx.coinbaseKey !== undefined) diff.accounts.delete(ctx.coinbaseKey);
    return {
      index,
      failed: false,
      gasUsed: result.totalGasSpent,
      receipt: result.receipt,
      reads: access.reads,
      writes: access.writes,
      coinbaseDelta: access.coinbaseDelta,
      diff,
      ms: performance.now() - start,
      version,
    };
  } catch {
    const access = state.endTx();
    return {
      index,
      failed: true,
      gasUsed: 0n,
      receipt: undefined,
      reads: access.reads,
      writes: access.writes,
      coinbaseDelta: undefined,
      diff: undefined,
      ms: performance.now() - start,
      version,
    };
  }
}
