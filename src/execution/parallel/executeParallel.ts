/**
 * The parallel executor: a block's result, byte for byte the one sequential execution gives, computed on
 * several threads.
 *
 *   1. The committing thread (this one) applies the block's system calls and hands the block to the workers.
 *   2. Workers claim transactions from the back of the block and execute each speculatively on the block's
 *      pre-state, recording what it read and keeping its effect as a diff (see `speculate.ts`).
 *   3. Meanwhile this thread walks the block from the front, in order. For each transaction: if a worker has
 *      a result, its read set is checked against everything committed transactions wrote; untouched reads mean
 *      the speculative execution saw exactly the state sequential execution would, so its diff and receipt are
 *      applied. Otherwise (no result yet and not claimed, or a read was invalidated) the transaction is
 *      executed here, in order, on the true state. This thread never waits for speculation it does not need.
 *   4. Fee credits to the coinbase are lazy: a transaction that touches the coinbase only to pay it fees gives
 *      a delta, added at commit, so fees do not make every transaction depend on the one before.
 *
 * What the parallel path cannot do is decided up front and sent down the sequential path, counted: blocks
 * before Byzantium (receipts embed the state root after every transaction) and blocks whose coinbase is an
 * existing empty account (EIP-161 would delete it on a zero fee, which a delta cannot express).
 */

import { type MessagePort, receiveMessageOnPort } from "node:worker_threads";
import type { Block } from "@ethereumjs/block";
import { Hardfork } from "@ethereumjs/common";
import type { TypedTransaction } from "@ethereumjs/tx";
import { equalsBytes, KECCAK256_NULL } from "@ethereumjs/util";
import type { VM } from "@ethereumjs/vm";
import { describeCause } from "../../shared/errors.js";
import { knownSenders, type RecoveryJob, type SenderRecovery } from "../crypto/senderRecovery.js";
import {
  applySystemCalls,
  BlockAccumulator,
  type BlockExecution,
  executeBlock,
  executeInOrder,
  finalizeBlock,
  signatureProblem,
} from "../executeBlock.js";
import {
  ACCOUNT_BALANCE,
  ACCOUNT_CODE,
  ACCOUNT_EXISTS,
  ACCOUNT_NONCE,
  type AccessSet,
  type TxAccess,
} from "../state/access.js";
import { bytesKey } from "../state/keys.js";
import { type AccountRecord, emptyAccount, type StateLayer } from "../state/layer.js";
import type { WeftStateManager } from "../state/stateManager.js";
import { type DeclaredAccess, strays } from "./accessList.js";
import { lastWritersBefore } from "./conflictGraph.js";
import type { WorkerPool } from "./pool.js";
import { type PortableTx, toPortable } from "./portableTx.js";
import { type CommitMessage, type ResultMessage, shippedFromSlot, type TxChunk } from "./protocol.js";
import { decodeResult } from "./resultCodec.js";
import type { ResultRing } from "./resultRing.js";
import type { SpeculativeResult } from "./speculate.js";
import { applyDiff, diffOf, type StateDiff, snapshotOf } from "./stateDiff.js";
import { HotTargets, LastWriters } from "./validation.js";

export interface ParallelStats {
  /** Transactions whose speculative result was applied. */
  speculative: number;
  /** Transactions executed in order on the committing thread because nothing had speculated them. */
  inOrder: number;
  /** Speculative results thrown away (a read was invalidated, or speculation failed) and executed again. */
  reexecuted: number;
  /** Why the whole block went down the sequential path, when it did. */
  sequentialReason?: string;
  /** Re-executions by the address whose state invalidated them (or "speculation failed"). */
  conflicts: Record<string, number>;
  /** Transactions that touched state outside their declared access sets (with `enforceDeclared`). */
  strayed: number[];
  /** Transactions kept from the workers because speculation on their contract kept failing (`HotTargets`). */
  heldBack?: number;
  /**
   * Transactions a worker left to in-order execution because a write they read, known ahead (`known`), had not
   * reached it yet.
   */
  deferred?: number;
  /** Where the block's time went, on this thread and on the workers (absent on the sequential path). */
  time?: ParallelTime;
}

/**
 * Milliseconds, by activity, of one block's parallel execution: what the benchmark reads to tell how efficiently each
 * thread's time turned into block progress (a speculation is worth the in-order execution it saves this thread; the
 * rest of a worker's busy time, and everything this thread does besides executing, is the scheme's cost).
 */
export interface ParallelTime {
  /** This thread executing transactions in order (first executions and re-executions alike). */
  inOrder: number;
  /** This thread reading, validating and applying the workers' results. */
  applying: number;
  /** This thread recording the writes of what it executed and sending them to the workers (while they run). */
  sharing: number;
  /** This thread waiting for the result of a transaction a worker had claimed. */
  waiting: number;
  /** Workers executing the transactions whose results were applied. */
  speculated: number;
  /** Workers executing transactions whose results were thrown away (a read invalidated, or the execution failed). */
  wasted: number;
  /**
   * Workers' whole time on the block less their waits for transactions to be shipped: speculation, and what carries
   * it (decoding transactions, encoding results, applying commits), as reported by the workers that had stopped by
   * the block's end (a worker stops at its next claim once every transaction is claimed; one that had not is left out).
   */
  workerBusy: number;
}

export interface ParallelExecution extends BlockExecution {
  stats: ParallelStats;
  /** Transactions executed sequentially for want of a valid speculative result (`reexecuted`, or all). */
  fallbacks: number;
}

export interface ExecuteParallelOptions {
  vm: VM;
  /** The committing thread's state: its layer is the block's (over the pre-state in its parent). */
  state: WeftStateManager;
  block: Block;
  /** The workers; without a pool the parallel path runs on this thread alone (to measure its overhead). */
  pool?: WorkerPool | undefined;
  blockHashes?: Record<string, string>;
  /** The pool's replicas already hold the block's pre-state (the state manager's parent layer). */
  replicasCurrent?: boolean;
  /**
   * Declared access sets (the access-list tier), one per transaction or undefined where none is declared.
   * Transactions whose declared sets overlap an earlier one's are left to in-order execution instead of being
   * speculated; with `enforceDeclared`, a transaction that strays outside its declared set is flagged and its
   * speculative result thrown away (it is executed again in order).
   */
  declared?: ReadonlyArray<DeclaredAccess | undefined>;
  enforceDeclared?: boolean;
  /**
   * Read and write sets known ahead, one per transaction or undefined where unknown: a builder has them from
   * simulating its orders (with the coinbase's fee lazy, as `WeftStateManager` records it). They only steer the
   * workers: one does not speculate a transaction before the last earlier write it reads has reached it
   * (`lastWritersBefore`), work that would be thrown away. Results are validated all the same, so sets that are
   * wrong (simulated on another state) cost time, never correctness.
   */
  known?: ReadonlyArray<TxAccess | undefined> | undefined;
  /**
   * Plain value transfers execute on this thread, in order, instead of being speculated, and a block with fewer
   * than two other transactions goes down the sequential path (default true; see `plainTransfers`).
   */
  plainTransfersInOrder?: boolean;
  /** Recovers senders on its own thread for the transactions this thread executes (see `executeBlock`). */
  senderRecovery?: SenderRecovery | undefined;
}

/** Nothing spent yet. */
export function emptyParallelTime(): ParallelTime {
  return { inOrder: 0, applying: 0, sharing: 0, waiting: 0, speculated: 0, wasted: 0, workerBusy: 0 };
}

let nextBlockId = 1;
const PUBLISH_EVERY = 16;
/**
 * Transactions are shipped to the workers from the back: the last SHIP_FIRST they may claim with the block,
 * then SHIP_CHUNK more whenever they have no more than SHIP_LOW_WATER left. Copying a transaction to a worker
 * costs the committing thread ~5 µs (its fields by structured clone), and the workers meet this thread around
 * the middle of a block, or stop after a few results where calls conflict: shipping all 2,000 transactions of a
 * block cost ~10 ms before the first one executed. The low-water mark is a few tens of milliseconds of a
 * worker's work, more than the longest transaction this thread runs between two looks at it.
 */
const SHIP_FIRST = 128;
const SHIP_CHUNK = 96;
const SHIP_LOW_WATER = 48;

/** The current values, in `layer`, of the keys a set of writes names: a diff a replica can apply. */
function diffForWrites(layer: StateLayer, writes: AccessSet): StateDiff {
  const diff: StateDiff = { accounts: new Map(), storage: new Map(), cleared: new Set(), code: new Map() };
  for (const [address, mask] of writes.accounts) {
    const key = address.slice(2);
    diff.accounts.set(key, layer.account(key));
    if (mask & ACCOUNT_CODE) diff.code.set(key, layer.codeOf(key));
  }
  for (const [address, slots] of writes.storage) {
    const key = address.slice(2);
    const values = new Map<string, Uint8Array>();
    for (const slot of slots) values.set(slot.slice(2), layer.slot(key, slot.slice(2)));
    diff.storage.set(key, values);
  }
  return diff;
}

export async function executeBlockParallel(options: ExecuteParallelOptions): Promise<ParallelExecution> {
  const { vm, state, block, pool } = options;
  const common = vm.common;
  const txs = block.transactions;
  const base = state.layer.parent;
  if (base === undefined) throw new Error("executeBlockParallel: the state's layer must sit over the pre-state");

  const sequential = async (reason: string): Promise<ParallelExecution> => {
    const result = await executeBlock({ vm, state, block, senderRecovery: options.senderRecovery });
    return {
      ...result,
      stats: {
        speculative: 0,
        inOrder: txs.length,
        reexecuted: 0,
        sequentialReason: reason,
        conflicts: {},
        strayed: [],
      },
      fallbacks: txs.length,
    };
  };
  if (!common.gteHardfork(Hardfork.Byzantium)) {
    return sequential("before Byzantium, receipts embed the state root after every transaction");
  }
  const coinbaseKey = bytesKey(block.header.coinbase.bytes);
  const coinbaseBefore = base.account(coinbaseKey);
  if (
    coinbaseBefore !== null &&
    coinbaseBefore.nonce === 0n &&
    coinbaseBefore.balance === 0n &&
    coinbaseBefore.codeHash.length === 32 &&
    isEmptyCodeHash(coinbaseBefore.codeHash)
  ) {
    return sequential("the coinbase is an existing empty account, which a zero fee would delete (EIP-161)");
  }
  const plain = options.plainTransfersInOrder === false ? new Set<number>() : plainTransfers(txs, base);
  if (txs.length - plain.size < Math.max(MIN_SPECULATED, MIN_SPECULATED_SHARE * txs.length)) {
    return sequential(
      "fewer contract calls than two and a tenth of the block: plain transfers execute faster in order than through workers",
    );
  }

  const recordAccess = state.recordAccess;
  let recovery: RecoveryJob | undefined;
  state.recordAccess = true;
  try {
    if (pool !== undefined && options.replicasCurrent !== true) pool.setState(snapshotOf(base));
    await applySystemCalls(vm, state, block);

    const n = txs.length;
    const blockId = nextBlockId++;
    const shared = new SharedArrayBuffer(4 * (2 + 2 * n));
    const flags = new Int32Array(shared);
    flags[0] = n;
    for (const i of plain) flags[1 + i] = 3;
    if (options.declared !== undefined) reserveConflicting(options.declared, flags);
    // claimable[k]: the transactions in [0, k) a worker may claim. Shipping counts those, not indices: the back of
    // a mainnet block is mostly plain transfers, which a worker skips in no time.
    const claimable = new Int32Array(n + 1);
    for (let k = 0; k < n; k++) claimable[k + 1] = (claimable[k] as number) + (flags[1 + k] === 3 ? 0 : 1);
    const backFrom = (to: number, count: number) => {
      let from = to;
      while (from > 0 && (claimable[to] as number) - (claimable[from] as number) < count) from--;
      return from;
    };
    const shippedSlot = shippedFromSlot(n);
    let shippedFrom = backFrom(n, SHIP_FIRST);
    flags[shippedSlot] = shippedFrom;
    recovery = options.senderRecovery?.start(txs);
    const hot = new HotTargets(txs, flags);
    /** Transactions the workers held back themselves (`SelfConflicts`), from their "stopped" messages. */
    let heldByWorkers = 0;
    let deferredByWorkers = 0;
    // Only what a worker may claim: transactions reserved for in-order execution (plain transfers, declared
    // conflicts) are not copied to it (most of a block of ether transfers).
    const portableRange = (from: number, to: number) => {
      const out = new Array<PortableTx | null>(to - from);
      for (let i = from; i < to; i++)
        out[i - from] = flags[1 + i] === 3 ? null : toPortable(txs[i] as TypedTransaction);
      return out;
    };
    // The block as the workers need it (built only when there are workers).
    const commitPorts =
      pool?.startBlock({
        blockId,
        hardfork: common.hardfork(),
        chainId: common.chainId(),
        needsKzg: txs.some((tx) => tx.type === 3),
        header: block.header.serialize(),
        txCount: n,
        firstTx: shippedFrom,
        txs: portableRange(shippedFrom, n),
        blockHashes: options.blockHashes ?? {},
        preDiff: diffOf(state.layer),
        coinbaseKey,
        shared,
        // Senders already known on the transactions (a builder's orders) travel too: no worker recovers them again.
        senders: recovery?.table ?? knownSenders(txs),
        targets: hot.targetIds,
        after: options.known === undefined ? undefined : lastWritersBefore(options.known),
      }) ?? [];

    const results: Array<SpeculativeResult | undefined> = new Array(n);
    /**
     * Results that arrived, can still be applied (nothing has invalidated them) and have not been read yet: while
     * there are any, or a worker runs, this thread records what it writes. A doomed result needs no validation.
     */
    let unread = 0;
    const awaiting = new Uint8Array(n);
    const settle = (index: number) => {
      if (awaiting[index] === 0) return;
      awaiting[index] = 0;
      unread--;
    };
    let workerFailed = false;
    const time = emptyParallelTime();
    const written = new LastWriters(n, (index) => {
      hot.record(index, false);
      settle(index);
    });
    // Workers that have stopped claiming (nothing left for them) are sent no more commits.
    const stopped = commitPorts.map(() => false);
    let running = commitPorts.length;
    const arrived = (result: SpeculativeResult) => {
      results[result.index] = result;
      if (result.failed) written.doom(result.index);
      else {
        hot.arrived(result.index);
        written.watch(result.index, result.reads, result.version);
        if (!written.isDoomed(result.index) && awaiting[result.index] === 0) {
          awaiting[result.index] = 1;
          unread++;
        }
      }
    };
    // A ring may still hold results of a block before this one (a worker finishing a speculation late): skipped.
    const fromRing = (id: number, bytes: Uint8Array) => {
      if (id !== blockId) return;
      const start = performance.now();
      arrived(decodeResult(bytes));
      time.applying += performance.now() - start;
    };
    const drain = () => {
      const ports = pool?.ports ?? [];
      const rings = pool?.rings ?? [];
      for (let w = 0; w < ports.length; w++) {
        const port = ports[w] as MessagePort;
        const ring = rings[w] as ResultRing;
        ring.drain(fromRing);
        for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
          const message = m.message as ResultMessage;
          if (message.blockId !== blockId) continue;
          if (message.kind === "result" || message.kind === "packed") {
            const start = performance.now();
            arrived(message.kind === "packed" ? decodeResult(message.bytes) : message.result);
            time.applying += performance.now() - start;
          } else if (message.kind === "stopped") {
            // Every result the worker wrote before stopping is in its ring by now: read before this thread stops
            // recording its writes for them.
            ring.drain(fromRing);
            if (!stopped[w]) running--;
            stopped[w] = true;
            heldByWorkers += message.heldBack;
            deferredByWorkers += message.deferred;
            time.workerBusy += message.busyMs;
          } else workerFailed = true;
        }
      }
    };

    const coinbaseBalanceBefore = state.layer.account(coinbaseKey)?.balance ?? 0n;
    const blockLayer = state.layer;
    // Commits reach the workers in batches: the keys written since the last message, with their values as the
    // block's layer holds them when it is sent (one message per PUBLISH_EVERY commits, not one per transaction).
    let pending: AccessSet = { accounts: new Map(), storage: new Map() };
    let pendingCount = 0;
    const publish = (index: number, writes: AccessSet) => {
      if (running === 0) return;
      for (const [address, mask] of writes.accounts)
        pending.accounts.set(address, (pending.accounts.get(address) ?? 0) | mask);
      for (const [address, slots] of writes.storage) {
        let own = pending.storage.get(address);
        if (own === undefined) {
          own = new Set();
          pending.storage.set(address, own);
        }
        for (const slot of slots) own.add(slot);
      }
      if (++pendingCount < PUBLISH_EVERY && index < n - 1) return;
      const message: CommitMessage = { kind: "commit", blockId, index, diff: diffForWrites(blockLayer, pending) };
      commitPorts.forEach((port, w) => {
        if (!stopped[w]) port.postMessage(message);
      });
      pending = { accounts: new Map(), storage: new Map() };
      pendingCount = 0;
    };
    const acc = new BlockAccumulator(block.header.gasLimit);
    const stats: ParallelStats = { speculative: 0, inOrder: 0, reexecuted: 0, conflicts: {}, strayed: [] };
    const coinbaseAddress = `0x${coinbaseKey}`;
    const strayed = (i: number, access: TxAccess): boolean => {
      const declared = options.declared?.[i];
      if (options.enforceDeclared !== true || declared === undefined) return false;
      if (strays(declared, access, coinbaseAddress).length === 0) return false;
      if (!stats.strayed.includes(i)) stats.strayed.push(i);
      return true;
    };
    for (let i = 0; i < n; i++) {
      const tx = txs[i] as TypedTransaction;
      let result: SpeculativeResult | undefined;
      let conflict: string | undefined;
      // Results that have arrived are watched from now on: a commit that invalidates one tells HotTargets early.
      if (running > 0) {
        drain();
        // The workers are getting close to the first transaction they have: the next chunk, before they need it.
        const next = Math.max(shippedFrom, Atomics.load(flags, 0));
        if (shippedFrom > i + 1 && (claimable[next] as number) - (claimable[shippedFrom] as number) <= SHIP_LOW_WATER) {
          const from = Math.max(i + 1, backFrom(shippedFrom, SHIP_CHUNK));
          const chunk: TxChunk = { kind: "txs", blockId, from, txs: portableRange(from, shippedFrom) };
          commitPorts.forEach((port, w) => {
            if (!stopped[w]) port.postMessage(chunk);
          });
          shippedFrom = from;
          Atomics.store(flags, shippedSlot, from);
          Atomics.notify(flags, shippedSlot);
        }
      }
      const claim = Atomics.compareExchange(flags, 1 + i, 0, 1);
      if (claim !== 0 && claim !== 3) {
        // A worker claimed it: its result is on the way (wait for the done flag, then read the port).
        const start = performance.now();
        while (Atomics.load(flags, 1 + n + i) === 0 && !workerFailed) {
          Atomics.wait(flags, 1 + n + i, 0, 50);
          drain();
        }
        time.waiting += performance.now() - start;
        drain();
        result = results[i];
        // Read once: dropped here so that a block's results do not live (and get promoted) until its end.
        results[i] = undefined;
        settle(i);
      }
      const applyStart = performance.now();
      const usable = result !== undefined && !result.failed ? result : undefined;
      if (usable !== undefined) conflict = written.conflict(usable.reads, usable.version);
      if (
        usable?.receipt !== undefined &&
        usable.diff !== undefined &&
        conflict === undefined &&
        !strayed(i, { reads: usable.reads, writes: usable.writes })
      ) {
        const gasProblem = acc.gasCheck(tx);
        if (gasProblem !== undefined) {
          acc.reject(i, gasProblem);
          continue;
        }
        const diff = usable.diff;
        applyDiff(blockLayer, diff);
        if (usable.coinbaseDelta !== undefined && usable.coinbaseDelta !== 0n) {
          const record = creditCoinbase(blockLayer, coinbaseKey, usable.coinbaseDelta, written, i);
          diff.accounts.set(coinbaseKey, record);
        }
        state.clearCaches();
        written.add(usable.writes, i);
        publish(i, accessOf(usable, coinbaseKey).writes);
        acc.commit(i, tx, usable.gasUsed, usable.receipt, recordAccess ? accessOf(usable, coinbaseKey) : undefined);
        stats.speculative++;
        hot.record(i, true);
        time.speculated += usable.ms;
        time.applying += performance.now() - applyStart;
        continue;
      }
      const inOrderStart = performance.now();
      if (result !== undefined) {
        // Validated and thrown away: reading it was part of handling results.
        time.applying += inOrderStart - applyStart;
        time.wasted += result.ms;
        if (!written.isDoomed(i)) hot.record(i, false);
        stats.reexecuted++;
        const address = (conflict ?? (result.failed ? "speculation failed" : "")).split("|")[0] as string;
        stats.conflicts[address] = (stats.conflicts[address] ?? 0) + 1;
      } else stats.inOrder++;
      // A speculation that ran had a valid signature; here it is checked (and the sender recovered) first.
      recovery?.pin(i);
      const problem = signatureProblem(tx);
      if (problem !== undefined) {
        acc.reject(i, problem);
        time.inOrder += performance.now() - inOrderStart;
        continue;
      }
      // Executed here, in order: its reads need no validation, so only its writes are recorded (unless the
      // caller wants the access sets, or declared sets are enforced), and only while they matter: while a worker
      // still runs or a result waits for its turn. Once every worker has stopped and every result is read (a
      // block of plain transfers, calls held back), the rest of the block runs as sequential execution does.
      const tracking = running > 0 || unread > 0;
      state.recordAccess = recordAccess || tracking || options.enforceDeclared === true;
      state.recordReads = recordAccess || options.enforceDeclared === true;
      const access = await executeInOrder(vm, state, block, tx, i, acc);
      state.recordReads = true;
      state.recordAccess = true;
      const sharingStart = performance.now();
      time.inOrder += sharingStart - inOrderStart;
      if (access !== undefined) {
        strayed(i, access);
        if (tracking) {
          written.add(access.writes, i);
          publish(i, access.writes);
        }
      }
      time.sharing += performance.now() - sharingStart;
      if (!recordAccess) {
        const last = acc.executed[acc.executed.length - 1];
        if (last !== undefined && last.index === i) last.access = undefined;
      }
    }
    // The workers' "stopped" messages that are here already (their counts and time): a worker stops at its next
    // claim once every transaction is claimed, usually before this thread has applied the last results.
    if (running > 0) drain();
    for (const port of commitPorts) port.close();
    const coinbaseDelta = (state.layer.account(coinbaseKey)?.balance ?? 0n) - coinbaseBalanceBefore;
    stats.heldBack = hot.heldBack + heldByWorkers;
    if (options.known !== undefined) stats.deferred = deferredByWorkers;
    stats.time = time;
    const result: ParallelExecution = { ...acc.result(coinbaseDelta), stats, fallbacks: stats.reexecuted };
    const requests = await finalizeBlock(vm, state, block, acc.receipts);
    if (requests !== undefined) result.requests = requests;
    return result;
  } catch (cause) {
    throw new Error(`parallel execution of block ${block.header.number} failed: ${describeCause(cause)}`, { cause });
  } finally {
    // The block is done (or abandoned): its remaining senders are not needed.
    recovery?.stop();
    state.recordAccess = recordAccess;
  }
}

/**
 * Plain value transfers (no calldata, to an account without code in the block's pre-state) are left to the
 * committing thread: one costs about as much to execute (~0.2 ms here) as a worker's result costs to carry
 * and apply, and the worker's time is better spent on contract calls. A block with fewer other transactions
 * than MIN_SPECULATED, or than MIN_SPECULATED_SHARE of its transactions, goes down the sequential path whole:
 * the little a worker could take does not pay for starting it and for tracking the block's writes (mainnet
 * blocks of 2017–2018, nearly all ether transfers, ran 15–30 % slower on the parallel path).
 */
const MIN_SPECULATED = 2;
const MIN_SPECULATED_SHARE = 0.1;

export function plainTransfers(txs: readonly TypedTransaction[], base: StateLayer): Set<number> {
  const plain = new Set<number>();
  txs.forEach((tx, i) => {
    if (tx.to === undefined || tx.data.length > 0 || tx.type === 4) return;
    const code = base.account(bytesKey(tx.to.bytes))?.codeHash;
    if (code === undefined || isEmptyCodeHash(code)) plain.add(i);
  });
  return plain;
}

/** Marks for in-order execution (3) every transaction whose declared set overlaps an earlier transaction's. */
function reserveConflicting(declared: ReadonlyArray<DeclaredAccess | undefined>, flags: Int32Array): void {
  const lastDeclarer = new Map<string, number>();
  declared.forEach((set, i) => {
    if (set === undefined) return;
    let conflicting = false;
    for (const address of set.accounts) {
      if (lastDeclarer.has(address)) conflicting = true;
      lastDeclarer.set(address, i);
    }
    if (conflicting) flags[1 + i] = 3;
  });
}

function isEmptyCodeHash(hash: Uint8Array): boolean {
  return equalsBytes(hash, KECCAK256_NULL);
}

/** Adds a lazy fee credit to the coinbase, creating the account if it does not exist (as runTx would). */
function creditCoinbase(
  layer: StateLayer,
  key: string,
  delta: bigint,
  written: LastWriters,
  index: number,
): AccountRecord {
  const current = layer.account(key);
  const before = current ?? emptyAccount();
  const record = { nonce: before.nonce, balance: before.balance + delta, codeHash: before.codeHash };
  layer.accounts.set(key, record);
  const fields = current === null ? ACCOUNT_EXISTS | ACCOUNT_NONCE | ACCOUNT_BALANCE | ACCOUNT_CODE : ACCOUNT_BALANCE;
  written.addAccount(`0x${key}`, fields, index);
  return record;
}

/** The access sets of a speculative result, with the lazy coinbase credit shown as the write it is. */
function accessOf(result: SpeculativeResult, coinbaseKey: string): TxAccess {
  const access: TxAccess = { reads: result.reads, writes: result.writes };
  if (result.coinbaseDelta !== undefined) {
    access.coinbaseDelta = result.coinbaseDelta;
    if (result.coinbaseDelta !== 0n) {
      const address = `0x${coinbaseKey}`;
      access.writes.accounts.set(address, (access.writes.accounts.get(address) ?? 0) | ACCOUNT_BALANCE);
    }
  }
  return access;
}
