/**
 * One block executed sequentially and in parallel on fresh copies of the same pre-state: timings, whether the
 * results are identical (receipts with their logs, invalid transactions, state diff), and the block's available
 * parallelism from the sequential run's read/write sets (work = gas per transaction). What `weft bench-exec`
 * prints.
 */
import { Block } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import { createTxFromRLP, type TypedTransaction } from "@ethereumjs/tx";
import { transactionCommon } from "../chain.js";
import { pinSender, type SenderRecovery } from "../crypto/senderRecovery.js";
import { type BlockExecution, executeBlock } from "../executeBlock.js";
import type { TxAccess } from "../state/access.js";
import { bytesKey } from "../state/keys.js";
import { StateLayer } from "../state/layer.js";
import { WeftStateManager } from "../state/stateManager.js";
import { fixtureBlockchain } from "../stock.js";
import { createWeftVM } from "../vm.js";
import { availableParallelism } from "./conflictGraph.js";
import { executeBlockParallel } from "./executeParallel.js";
import type { WorkerPool } from "./pool.js";
import { markPostExecution } from "./speculate.js";
import { normalizedDiff, snapshotOf } from "./stateDiff.js";

export interface CompareOptions {
  common: Common;
  base: StateLayer;
  /** A block over `common` (decoded once; executing it does not change it). */
  block: Block;
  pool: WorkerPool;
  /** Sender recovery off the executing threads, for both runs alike (with `senders: "thread"`). */
  senderRecovery?: SenderRecovery;
  /**
   * Who recovers the block's senders, and when:
   * - "recovered" (the default): every timed run recovers them on its own threads. The sequential run has one
   *   thread and recovers them all there; the parallel run's threads recover the transactions each executes.
   * - "thread": every timed run recovers them on `senderRecovery`'s thread, beside the run (as `weft replay`
   *   does): the sequential run then has a second thread too.
   * - "known": they are recovered once before the clock starts and pinned on every run's transactions, as a
   *   builder's orders carry them (recovered on arrival) and as pevm and Block-STM measure execution.
   */
  senders?: SenderMode;
  /**
   * What the parallel runs know ahead of the block's access sets: "none" (the default: a block replayed as it
   * comes), or "known": every transaction's read and write sets from the untimed reference run, as a builder
   * knows them from simulating its orders (`ExecuteParallelOptions.known`).
   */
  access?: AccessMode;
  blockHashes?: Record<string, string>;
  /** Timed runs of each; the best is reported (default 3). */
  rounds?: number;
}

export type SenderMode = "recovered" | "thread" | "known";
export type AccessMode = "none" | "known";

export interface CompareResult {
  txs: number;
  gas: bigint;
  /** Best of the rounds, each side. */
  seqMs: number;
  parMs: number;
  /** seqMs / parMs. */
  speedup: number;
  /**
   * The median over rounds of that round's sequential time over its parallel time. Each round runs both, one
   * after the other, so a machine whose speed drifts over minutes moves both sides of a ratio alike.
   */
  speedupMedian: number;
  availableParallelism: number;
  identical: boolean;
  /** Transactions the parallel executor executed again in order (from its last run). */
  fallbacks: number;
}

async function fresh(options: CompareOptions, recordAccess: boolean) {
  if (recordAccess) return recordingVM(options.common, options.base, options.block, options.blockHashes);
  const state = new WeftStateManager({ layer: new StateLayer(options.base), recordAccess: false });
  const vm = await createWeftVM({
    common: options.common,
    stateManager: state,
    blockchain: fixtureBlockchain(options.blockHashes ?? {}),
  });
  return { state, vm };
}

/**
 * A VM on a fresh state over `base` that records every transaction's read and write sets with the block's
 * coinbase fee lazy, as the parallel executor sees them: for reference runs, available parallelism, and the access
 * sets a builder would know ahead (`ExecuteParallelOptions.known`).
 */
export async function recordingVM(common: Common, base: StateLayer, block: Block, blockHashes = {}) {
  const state = new WeftStateManager({
    layer: new StateLayer(base),
    recordAccess: true,
    lazyCoinbase: bytesKey(block.header.coinbase.bytes),
  });
  const vm = await createWeftVM({ common, stateManager: state, blockchain: fixtureBlockchain(blockHashes) });
  markPostExecution(vm, state);
  return { state, vm };
}

/** A recorded execution's access sets by transaction index (undefined for a transaction that did not execute). */
export function accessesByIndex(result: BlockExecution, txCount: number): Array<TxAccess | undefined> {
  const out = new Array<TxAccess | undefined>(txCount);
  for (const t of result.transactions) out[t.index] = t.access;
  return out;
}

/**
 * A fresh copy of a block, transactions unfrozen and senders not yet recovered, so every timed run pays for
 * recovery as a block arriving from outside would.
 */
export function freshBlock(block: Block, common: Common): Block {
  const txCommon = transactionCommon(common);
  const transactions = block.transactions.map(
    (tx) => createTxFromRLP(tx.serialize(), { common: txCommon, freeze: false }) as TypedTransaction,
  );
  return new Block(block.header, transactions, [], block.withdrawals, {
    common,
    skipConsensusFormatValidation: true,
  });
}

/** A block's senders, recovered once: public key and address per transaction, undefined where recovery fails. */
export function senderKeysOf(block: Block): Array<[Uint8Array, Uint8Array] | undefined> {
  return block.transactions.map((tx) => {
    try {
      return [tx.getSenderPublicKey(), tx.getSenderAddress().bytes];
    } catch {
      return undefined;
    }
  });
}

/** Pins the senders given on a block's unfrozen transactions (those without one are left to recover). */
export function pinSenders(block: Block, senders: ReadonlyArray<[Uint8Array, Uint8Array] | undefined>): Block {
  block.transactions.forEach((tx, i) => {
    const sender = senders[i];
    if (sender !== undefined) pinSender(tx, sender[0], sender[1]);
  });
  return block;
}

/** What sequential and parallel execution must agree on, as one comparable string. */
export function fingerprint(result: BlockExecution, layer: StateLayer): string {
  return JSON.stringify(
    {
      gasUsed: result.gasUsed,
      receiptsRoot: result.receiptsRoot,
      logsBloom: result.logsBloom,
      receipts: result.receipts,
      invalid: result.invalid,
      coinbaseDelta: result.coinbaseDelta,
      diff: normalizedDiff(layer),
    },
    (_key, v) => {
      if (typeof v === "bigint") return `0x${v.toString(16)}`;
      if (v instanceof Uint8Array) return Buffer.from(v).toString("hex");
      if (v instanceof Map) return [...v];
      if (v instanceof Set) return [...v];
      return v;
    },
  );
}

export async function compareExecution(options: CompareOptions): Promise<CompareResult> {
  const { block, pool } = options;
  const rounds = Math.max(1, options.rounds ?? 3);
  await pool.ready();

  // Untimed: the sequential run whose read/write sets give the conflict graph.
  const reference = await fresh(options, true);
  const seqResult = await executeBlock({ vm: reference.vm, state: reference.state, block });
  const expected = fingerprint(seqResult, reference.state.layer);
  const accesses = seqResult.transactions.map((t) => t.access ?? { reads: emptySet(), writes: emptySet() });
  const { availableParallelism: ap } = availableParallelism(
    accesses,
    seqResult.transactions.map((t) => Number(t.gasUsed)),
  );

  const knownAccess = options.access === "known" ? accessesByIndex(seqResult, block.transactions.length) : undefined;

  let seqMs = Number.POSITIVE_INFINITY;
  let parMs = Number.POSITIVE_INFINITY;
  const ratios: number[] = [];
  const known = options.senders === "known" ? senderKeysOf(block) : undefined;
  const recovery = options.senders === "thread" ? options.senderRecovery : undefined;
  const timedBlock = () =>
    known === undefined ? freshBlock(block, options.common) : pinSenders(freshBlock(block, options.common), known);
  let identical = true;
  let fallbacks = 0;
  // The replicas hold the pre-state before the clock starts, as they do in steady state (kept current by each
  // block's diff, never loaded whole while a block executes). Speculation writes only to layers over a replica,
  // so one load serves every round, and the workers run on a state as warm as this thread's.
  pool.setState(snapshotOf(options.base));
  await pool.sync();
  for (let r = 0; r < rounds; r++) {
    const s = await fresh(options, false);
    let start: number;
    const seqBlock = timedBlock();
    start = performance.now();
    const sr = await executeBlock({ vm: s.vm, state: s.state, block: seqBlock, senderRecovery: recovery });
    const seqRound = performance.now() - start;
    seqMs = Math.min(seqMs, seqRound);
    identical &&= fingerprint(sr, s.state.layer) === expected;

    const p = await fresh(options, false);
    const parBlock = timedBlock();
    start = performance.now();
    const pr = await executeBlockParallel({
      vm: p.vm,
      state: p.state,
      block: parBlock,
      pool,
      replicasCurrent: true,
      senderRecovery: recovery,
      known: knownAccess,
      ...(options.blockHashes === undefined ? {} : { blockHashes: options.blockHashes }),
    });
    const parRound = performance.now() - start;
    parMs = Math.min(parMs, parRound);
    ratios.push(seqRound / parRound);
    identical &&= fingerprint(pr, p.state.layer) === expected;
    fallbacks = pr.fallbacks;
  }
  return {
    txs: block.transactions.length,
    gas: seqResult.gasUsed,
    seqMs,
    parMs,
    speedup: seqMs / parMs,
    speedupMedian: median(ratios),
    availableParallelism: ap,
    identical,
    fallbacks,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function emptySet() {
  return { accounts: new Map<string, number>(), storage: new Map<string, Set<string>>() };
}
