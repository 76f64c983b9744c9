/**
 * The weft engine: `@ethereumjs/vm` on weft's flat, journaled state layer, with native signature recovery and
 * keccak, executing a block through `executeBlock`.
 */
import type { Block } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import { decodeBlock, fixtureCommon, hasBlobTransactions, loadKzg } from "./chain.js";
import { weftCustomCrypto } from "./crypto/native.js";
import { SenderRecovery } from "./crypto/senderRecovery.js";
import type { PreparedBlock, ReplayEngine } from "./engine.js";
import { ExecutionError } from "./errors.js";
import { executeBlock } from "./executeBlock.js";
import type { BlockFixture } from "./fixture.js";
import { executeBlockParallel } from "./parallel/executeParallel.js";
import { WorkerPool } from "./parallel/pool.js";
import { snapshotOf } from "./parallel/stateDiff.js";
import { stateFromFixture } from "./state/fromFixture.js";
import { StateLayer } from "./state/layer.js";
import { WeftStateManager } from "./state/stateManager.js";
import { fixtureBlockchain } from "./stock.js";
import { createWeftVM } from "./vm.js";

export interface WeftEngineOptions {
  /** Record per-transaction read and write sets (default false for replay: nothing reads them there). */
  recordAccess?: boolean;
  /** 1 executes sequentially; N > 1 uses the parallel executor with N − 1 workers beside this thread. */
  threads?: number;
  /**
   * Recover senders on a worker thread as the block executes (default true). With one executing thread this
   * is weft's only use of a second core; false keeps everything on one thread.
   */
  recoverOffThread?: boolean;
}

/** A fixture opened on weft's side: the block decoded unfrozen under native crypto, and its pre-state. */
export interface OpenedFixture {
  common: Common;
  block: Block;
  base: StateLayer;
}

/**
 * Decodes a fixture's block for weft (transactions unfrozen: senders are pinned as they are recovered in batch)
 * and builds its pre-state; loads KZG first when the block carries blobs.
 */
export async function openFixture(fixture: BlockFixture, file?: string): Promise<OpenedFixture> {
  if (hasBlobTransactions(fixture)) await loadKzg();
  const common = fixtureCommon(fixture, weftCustomCrypto());
  const block = decodeBlock(fixture, common, file, { freeze: false });
  return { common, block, base: stateFromFixture(fixture.preState, file) };
}

export function createWeftEngine(options: WeftEngineOptions = {}): ReplayEngine {
  const threads = options.threads ?? 1;
  let pool: WorkerPool | undefined;
  let recovery: SenderRecovery | undefined;
  return {
    name: "weft",
    async prepare(fixture: BlockFixture, file?: string): Promise<PreparedBlock> {
      const { common, block, base } = await openFixture(fixture, file);
      const state = new WeftStateManager({ layer: new StateLayer(base), recordAccess: options.recordAccess ?? false });

      const vm = await createWeftVM({
        common,
        stateManager: state,
        blockchain: fixtureBlockchain(fixture.blockHashes),
      });
      if (options.recoverOffThread ?? true) recovery ??= new SenderRecovery();
      if (threads > 1) {
        pool ??= new WorkerPool({ size: threads - 1 });
        // Keeping the replicas current is the pool's standing work, done before the block arrives.
        pool.setState(snapshotOf(base));
      }
      return {
        number: fixture.number,
        txCount: block.transactions.length,
        async run() {
          const result =
            pool === undefined
              ? { ...(await executeBlock({ vm, state, block, senderRecovery: recovery })), fallbacks: 0 }
              : await executeBlockParallel({
                  vm,
                  state,
                  block,
                  pool,
                  blockHashes: fixture.blockHashes,
                  replicasCurrent: true,
                  senderRecovery: recovery,
                });
          if (result.invalid.length > 0) {
            const first = result.invalid[0] as { index: number; reason: string };
            throw new ExecutionError(
              "BLOCK_EXECUTION_FAILED",
              `transaction ${first.index} is invalid: ${first.reason}`,
              {
                ...(file === undefined ? {} : { file }),
                txIndex: first.index,
              },
            );
          }
          return {
            gasUsed: result.gasUsed,
            receiptsRoot: result.receiptsRoot,
            logsBloom: result.logsBloom,
            fallbacks: 0,
          };
        },
      };
    },
  };
}

export const weftEngine: ReplayEngine = createWeftEngine();
