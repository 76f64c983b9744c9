/** Builds the same block twice (fresh state each time) and runs it sequentially and in parallel. */
import type { Block } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import type { Address } from "@ethereumjs/util";
import { createVM } from "@ethereumjs/vm";
import type { SenderRecovery } from "../../../src/execution/crypto/senderRecovery.js";
import { tuneEvm } from "../../../src/execution/evm/tuning.js";
import { type BlockExecution, executeBlock } from "../../../src/execution/executeBlock.js";
import type { DeclaredAccess } from "../../../src/execution/parallel/accessList.js";
import { accessesByIndex, freshBlock, recordingVM } from "../../../src/execution/parallel/compareExecution.js";
import { executeBlockParallel, type ParallelExecution } from "../../../src/execution/parallel/executeParallel.js";
import type { WorkerPool } from "../../../src/execution/parallel/pool.js";
import { normalizedDiff, snapshotOf } from "../../../src/execution/parallel/stateDiff.js";
import type { TxAccess } from "../../../src/execution/state/access.js";
import { StateLayer } from "../../../src/execution/state/layer.js";
import { WeftStateManager } from "../../../src/execution/state/stateManager.js";
import { fixtureBlockchain } from "../../../src/execution/stock.js";

export interface Outcome<T extends BlockExecution> {
  result: T;
  diff: ReturnType<typeof normalizedDiff>;
}

async function setup(common: Common, base: StateLayer, blockHashes: Record<string, string>) {
  const state = new WeftStateManager({ layer: new StateLayer(base), recordAccess: false });
  const vm = await createVM({ common, stateManager: state, blockchain: fixtureBlockchain(blockHashes) });
  await tuneEvm(vm.evm as never);
  return { state, vm };
}

export async function runSequential(common: Common, base: StateLayer, block: Block, blockHashes = {}) {
  const { state, vm } = await setup(common, base, blockHashes);
  const result = await executeBlock({ vm, state, block });
  return { result, diff: normalizedDiff(state.layer) } satisfies Outcome<BlockExecution>;
}

export async function runParallel(
  common: Common,
  base: StateLayer,
  block: Block,
  pool: WorkerPool,
  extra: {
    blockHashes?: Record<string, string>;
    declared?: Array<DeclaredAccess | undefined>;
    enforceDeclared?: boolean;
    known?: Array<TxAccess | undefined>;
    plainTransfersInOrder?: boolean;
    /** Senders recovered on their own thread (the block's transactions are copied unfrozen for it). */
    senderRecovery?: SenderRecovery;
  } = {},
) {
  const { state, vm } = await setup(common, base, extra.blockHashes ?? {});
  pool.setState(snapshotOf(base));
  const result = await executeBlockParallel({
    vm,
    state,
    block: extra.senderRecovery === undefined ? block : freshBlock(block, common),
    pool,
    replicasCurrent: true,
    senderRecovery: extra.senderRecovery,
    ...(extra.plainTransfersInOrder === undefined ? {} : { plainTransfersInOrder: extra.plainTransfersInOrder }),
    ...(extra.blockHashes === undefined ? {} : { blockHashes: extra.blockHashes }),
    ...(extra.declared === undefined ? {} : { declared: extra.declared }),
    ...(extra.enforceDeclared === undefined ? {} : { enforceDeclared: extra.enforceDeclared }),
    known: extra.known,
  });
  return { result, diff: normalizedDiff(state.layer) } satisfies Outcome<ParallelExecution>;
}

/**
 * Every transaction's read and write sets from a sequential run, with the coinbase's fee lazy as the parallel
 * executor treats it: what a builder's simulation of its orders knows ahead (undefined for an invalid one).
 */
export async function recordAccesses(common: Common, base: StateLayer, block: Block, blockHashes = {}) {
  const { vm, state } = await recordingVM(common, base, block, blockHashes);
  return accessesByIndex(await executeBlock({ vm, state, block }), block.transactions.length);
}

/** The parts of a block's result that sequential and parallel execution must agree on, comparable with toEqual. */
export function comparable(o: Outcome<BlockExecution>) {
  return {
    gasUsed: o.result.gasUsed,
    receiptsRoot: Buffer.from(o.result.receiptsRoot).toString("hex"),
    logsBloom: Buffer.from(o.result.logsBloom).toString("hex"),
    receipts: o.result.receipts.map((r) => ({ ...r })),
    invalid: o.result.invalid,
    coinbaseDelta: o.result.coinbaseDelta,
    diff: o.diff,
  };
}

/** A Cancun-era block header for generated test blocks, with the coinbase given. */
export function testHeader(coinbase: Address) {
  return {
    number: 20_000_000n,
    gasLimit: 30_000_000n,
    timestamp: 1_700_000_000n,
    baseFeePerGas: 7n,
    coinbase,
  };
}
