/**
 * A parallel-execution worker: one VM on a replica of the state, kept current by diffs. For each block it is
 * given, it claims transactions from the back of the block (the committing thread works from the front) and
 * executes them speculatively, posting each result as soon as it is known.
 */
import { type MessagePort, parentPort, receiveMessageOnPort } from "node:worker_threads";
import { createBlock, createBlockHeaderFromRLP } from "@ethereumjs/block";
import { Common, Mainnet } from "@ethereumjs/common";
import type { VM } from "@ethereumjs/vm";
import { osThreadId } from "../../shared/threadCpu.js";
import { loadKzg, transactionCommon } from "../chain.js";
import { weftCustomCrypto } from "../crypto/native.js";
import { RecoveredSenders } from "../crypto/senderRecovery.js";
import { StateLayer } from "../state/layer.js";
import { WeftStateManager } from "../state/stateManager.js";
import { fixtureBlockchain } from "../stock.js";
import { createWeftVM } from "../vm.js";
import { fromPortable, type PortableTx } from "./portableTx.js";
import { type BlockTask, type CommitMessage, shippedFromSlot, type TxChunk, type WorkerMessage } from "./protocol.js";
import { encodeResultView } from "./resultCodec.js";
import { ResultRing } from "./resultRing.js";
import { markPostExecution, speculate } from "./speculate.js";
import { applyDiff, layerFromSnapshot } from "./stateDiff.js";
import { SelfConflicts } from "./validation.js";

if (parentPort === null) throw new Error("parallel/worker.ts must run as a worker thread");

let replica = new StateLayer();
let results: MessagePort | undefined;
let ring: ResultRing | undefined;

/**
 * The worker's VM, kept from block to block while the hardfork, chain and KZG setting stay the same: creating
 * one (Common, opcode and precompile tables, the tuned EVM) takes 1.5–4 ms, as much as a small block's
 * speculation gains. Only between blocks is it given another layer, coinbase and block hashes.
 */
interface BlockVM {
  key: string;
  common: Common;
  vm: VM;
  state: WeftStateManager;
}
let cached: BlockVM | undefined;
/** What this worker has been sent, handled one message after the other. */
let work: Promise<void> = Promise.resolve();

async function vmFor(task: BlockTask, blockLayer: StateLayer): Promise<BlockVM> {
  const key = `${task.hardfork}|${task.chainId}|${task.needsKzg}`;
  const blockchain = fixtureBlockchain(task.blockHashes);
  if (cached?.key === key) {
    cached.state.layer = blockLayer;
    cached.state.setLazyCoinbase(task.coinbaseKey);
    cached.state.clearCaches();
    const vm = cached.vm as VM & { blockchain: unknown; evm: { blockchain: unknown } };
    vm.blockchain = blockchain;
    vm.evm.blockchain = blockchain;
    return cached;
  }
  const common = new Common({ chain: Mainnet, hardfork: task.hardfork, customCrypto: weftCustomCrypto() });
  const state = new WeftStateManager({
    layer: blockLayer,
    ...(task.coinbaseKey === undefined ? {} : { lazyCoinbase: task.coinbaseKey }),
  });
  const vm = await createWeftVM({ common, stateManager: state, blockchain });
  markPostExecution(vm, state);
  cached = { key, common, vm, state };
  return cached;
}

async function runBlock(task: BlockTask, commits: MessagePort): Promise<void> {
  const port = results as MessagePort;
  const started = performance.now();
  /** Time spent waiting for transactions to be shipped: not part of the block's cost on this worker. */
  let waited = 0;
  if (task.needsKzg) await loadKzg();
  const blockLayer = new StateLayer(replica);
  applyDiff(blockLayer, task.preDiff);
  const { common, vm, state } = await vmFor(task, blockLayer);
  // Transactions arrive as decoded fields, not re-checked here against this Common (a legacy transaction's
  // signing hash takes the chain id from it): a block of another chain is left to the committing thread.
  if (common.chainId() !== task.chainId) {
    throw new Error(`worker runs chain ${common.chainId()}, the block is on chain ${task.chainId}`);
  }
  const header = createBlockHeaderFromRLP(task.header, { common, skipConsensusFormatValidation: true });
  // Decoded only when claimed, and shipped only as the workers come near (`BlockTask.txs`).
  const txCommon = transactionCommon(common);
  // Unfrozen, so that a sender the recovery thread has already recovered can be pinned on it.
  const senders = task.senders === undefined ? undefined : new RecoveredSenders(task.senders);
  const n = task.txCount;
  const portable = new Array<PortableTx | null | undefined>(n);
  const place = (from: number, txs: Array<PortableTx | null>) => {
    for (let k = 0; k < txs.length; k++) portable[from + k] = txs[k];
  };
  place(task.firstTx, task.txs);
  const decode = (i: number) => {
    const shipped = portable[i];
    if (shipped == null) throw new Error(`transaction ${i} of block ${task.blockId} was claimed before it arrived`);
    const tx = fromPortable(shipped, txCommon);
    portable[i] = undefined;
    if (senders?.pin(i, tx) !== true) Object.freeze(tx);
    return tx;
  };
  const block = createBlock({ header, transactions: [] }, { common, skipConsensusFormatValidation: true });
  const ctx = { vm, state, block, blockLayer, coinbaseKey: task.coinbaseKey };
  const shared = new Int32Array(task.shared);
  const shippedFrom = shippedFromSlot(n);
  const conflicts = new SelfConflicts(task.targets, shared);
  let version = 0;
  let deferred = 0;
  // What the committing thread has sent: its commits (so speculation sees the block so far) and transactions.
  const catchUp = () => {
    for (let m = receiveMessageOnPort(commits); m !== undefined; m = receiveMessageOnPort(commits)) {
      const message = m.message as CommitMessage | TxChunk;
      if (message.blockId !== task.blockId) continue;
      if (message.kind === "txs") place(message.from, message.txs);
      else {
        applyDiff(blockLayer, message.diff);
        version = message.index + 1;
      }
    }
  };
  for (;;) {
    const i = Atomics.sub(shared, 0, 1) - 1;
    if (i < 0) break;
    // A write it reads, known ahead, has not reached this replica: its speculation would be thrown away. Left to
    // in-order execution (3), unless the committing thread has claimed it already. Decided before waiting for the
    // transaction to be shipped (it is not needed): a block of one long chain is passed over at once, and the worker
    // stops, instead of following the committing thread through it chunk by chunk.
    const after = task.after?.[i] ?? -1;
    if (after >= version) catchUp();
    const stale = after >= version;
    if (!stale) {
      // Not shipped yet: wait until it is, unless the committing thread claims it first (then this worker stops).
      for (let from = Atomics.load(shared, shippedFrom); from > i; from = Atomics.load(shared, shippedFrom)) {
        if (Atomics.load(shared, 1 + i) !== 0) break;
        const waitStart = performance.now();
        Atomics.wait(shared, shippedFrom, from, 2);
        waited += performance.now() - waitStart;
      }
      // The chunk is posted before its shipping is published, so it is on the port by now.
      catchUp();
    }
    const claim = Atomics.compareExchange(shared, 1 + i, 0, stale ? 3 : 2);
    // Reserved for in-order execution (a plain transfer, declared accesses that overlap an earlier transaction's,
    // held back by HotTargets or SelfConflicts, or just deferred here): skip it.
    if (claim === 3) continue;
    // Claimed by the committing thread already: it has passed this point, and everything before it.
    if (claim !== 0) break;
    if (stale) {
      deferred++;
      continue;
    }
    state.clearCaches();
    const result = await speculate(ctx, decode(i), i, version);
    const bytes = encodeResultView(result);
    if (bytes === undefined) port.postMessage({ kind: "result", blockId: task.blockId, result });
    else if (ring?.write(task.blockId, bytes) !== true) {
      const own = new Uint8Array(bytes);
      port.postMessage({ kind: "packed", blockId: task.blockId, bytes: own }, [own.buffer as ArrayBuffer]);
    }
    Atomics.store(shared, 1 + n + i, 1);
    Atomics.notify(shared, 1 + n + i);
    // After the result is on its way: what this decides only concerns transactions not yet claimed.
    conflicts.add(i, result.reads, result.writes, result.failed);
  }
  const busyMs = performance.now() - started - waited;
  port.postMessage({ kind: "stopped", blockId: task.blockId, heldBack: conflicts.heldBack, deferred, busyMs });
  commits.close();
}

function handle(message: WorkerMessage): Promise<void> | undefined {
  switch (message.kind) {
    case "init":
      results = message.port;
      ring = new ResultRing(message.ring);
      parentPort?.postMessage({ kind: "ready", tid: osThreadId() });
      return undefined;
    case "state":
      replica = layerFromSnapshot(message.snapshot);
      return undefined;
    case "diff":
      applyDiff(replica, message.diff);
      return undefined;
    case "sync":
      parentPort?.postMessage({ kind: "synced" });
      return undefined;
    case "block":
      return runBlock(message.task, message.commits).catch((error: unknown) => {
        results?.postMessage({ kind: "error", blockId: message.task.blockId, message: String(error) });
      });
  }
}

// Messages are handled in order, one block at a time: blocks share the VM, and a block can arrive (or a state
// that replaces the replica under it) while the one before awaits a module.
parentPort.on("message", (message: WorkerMessage) => {
  work = work
    .then(() => handle(message))
    .catch((error: unknown) => {
      // Not swallowed: thrown again outside the chain, it ends the worker as an uncaught error would.
      queueMicrotask(() => {
        throw error;
      });
    });
});
