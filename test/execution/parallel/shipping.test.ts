/**
 * Transactions reach a worker in chunks from the back of the block (`BlockTask.txs`, `TxChunk`): the worker
 * waits for one it has not been sent instead of claiming it, speculates it once it arrives, and stops when the
 * committing thread claims it first. Driven here by hand, as the committing thread would, so that the timing of
 * each step is the test's, not the scheduler's.
 */
import { type MessagePort, receiveMessageOnPort } from "node:worker_threads";
import { afterAll, expect, test } from "vitest";
import { generateWorkload, type Workload } from "../../../src/devnet/workloads/index.js";
import { knownSenders } from "../../../src/execution/crypto/senderRecovery.js";
import { WorkerPool } from "../../../src/execution/parallel/pool.js";
import { type PortableTx, toPortable } from "../../../src/execution/parallel/portableTx.js";
import {
  type BlockTask,
  type ResultMessage,
  shippedFromSlot,
  type TxChunk,
} from "../../../src/execution/parallel/protocol.js";
import { decodeResult } from "../../../src/execution/parallel/resultCodec.js";
import type { ResultRing } from "../../../src/execution/parallel/resultRing.js";
import type { SpeculativeResult } from "../../../src/execution/parallel/speculate.js";
import { snapshotOf } from "../../../src/execution/parallel/stateDiff.js";
import { bytesKey } from "../../../src/execution/state/keys.js";
import { runSequential } from "./harness.js";

const pool = new WorkerPool({ size: 1 });
afterAll(() => pool.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 5) {
    if (waited > 20_000) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** A block task for a worker driven by hand: the workload's block, transactions [firstTx, n) shipped with it. */
function blockTask(
  w: Workload,
  blockId: number,
  shared: SharedArrayBuffer,
  firstTx: number,
  txs: PortableTx[],
  after: Int32Array | undefined,
): BlockTask {
  const n = w.block.transactions.length;
  return {
    blockId,
    hardfork: w.common.hardfork(),
    chainId: w.common.chainId(),
    needsKzg: false,
    header: w.block.header.serialize(),
    txCount: n,
    firstTx,
    txs,
    blockHashes: {},
    preDiff: { accounts: new Map(), storage: new Map(), cleared: new Set(), code: new Map() },
    coinbaseKey: bytesKey(w.block.header.coinbase.bytes),
    shared,
    senders: knownSenders(w.block.transactions),
    targets: Int32Array.from({ length: n }, (_, i) => i),
    after,
  };
}

test("a worker waits for transactions not yet shipped, speculates them when they come, stops when they are taken", async () => {
  const w = await generateWorkload({ kind: "erc20", txs: 120, seed: 3, conflictRate: 0 });
  const txs = w.block.transactions;
  const n = txs.length;
  const sequential = await runSequential(w.common, w.base, w.block);
  await pool.ready();
  pool.setState(snapshotOf(w.base));

  const shared = new SharedArrayBuffer(4 * (2 + 2 * n));
  const flags = new Int32Array(shared);
  const slot = shippedFromSlot(n);
  flags[0] = n;
  let shippedFrom = n - 40;
  flags[slot] = shippedFrom;
  const blockId = 900_001;
  const [commits] = pool.startBlock(
    blockTask(
      w,
      blockId,
      shared,
      shippedFrom,
      txs.slice(shippedFrom).map((tx) => toPortable(tx)),
      undefined,
    ),
  );
  const port = pool.ports[0] as MessagePort;
  const ring = pool.rings[0] as ResultRing;
  const results = new Map<number, SpeculativeResult>();
  let stopped = false;
  const drain = () => {
    // Results arrive in the worker's ring (the port carries only what does not fit, and "stopped").
    ring.drain((id, bytes) => {
      if (id !== blockId) return;
      const result = decodeResult(bytes);
      results.set(result.index, result);
    });
    for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
      const message = m.message as ResultMessage;
      if (message.blockId !== blockId) continue;
      if (message.kind === "packed") {
        const result = decodeResult(message.bytes);
        results.set(result.index, result);
      } else if (message.kind === "result") results.set(message.result.index, message.result);
      else if (message.kind === "stopped") stopped = true;
      else throw new Error(`worker failed: ${message.message}`);
    }
  };
  const ship = (from: number) => {
    const chunk: TxChunk = {
      kind: "txs",
      blockId,
      from,
      txs: txs.slice(from, shippedFrom).map((tx) => toPortable(tx)),
    };
    (commits as MessagePort).postMessage(chunk);
    shippedFrom = from;
    Atomics.store(flags, slot, from);
    Atomics.notify(flags, slot);
  };
  const waitingAt = (i: number) => Atomics.load(flags, 0) === i && Atomics.load(flags, 1 + i) === 0;

  // Everything shipped is speculated, and then the worker waits at the first transaction it does not have.
  await until(() => {
    drain();
    return results.size === 40 && waitingAt(n - 41);
  }, "the first chunk");
  await sleep(50);
  drain();
  expect(results.size).toBe(40);
  expect(Atomics.load(flags, 1 + (n - 41))).toBe(0);
  // A second chunk: speculated in turn.
  ship(n - 80);
  await until(() => {
    drain();
    return results.size === 80 && waitingAt(n - 81);
  }, "the second chunk");
  // The committing thread takes the transaction the worker waits for: the worker stops without it.
  expect(Atomics.compareExchange(flags, 1 + (n - 81), 0, 1)).toBe(0);
  await until(() => {
    drain();
    return stopped;
  }, "the worker to stop");
  expect(results.size).toBe(80);
  (commits as MessagePort).close();

  // Independent transfers: each speculation on the pre-state is the transaction's sequential result.
  for (const [i, result] of results) {
    expect(i).toBeGreaterThanOrEqual(n - 80);
    expect(result.failed).toBe(false);
    expect(result.receipt?.logs).toEqual(sequential.result.receipts[i]?.logs);
    expect(result.gasUsed).toBe(sequential.result.transactions[i]?.gasUsed);
  }
});

test("with dependencies known ahead, a worker leaves to in-order execution what it would speculate on a stale state", async () => {
  const w = await generateWorkload({ kind: "erc20", txs: 12, seed: 4, conflictRate: 0 });
  const txs = w.block.transactions;
  const n = txs.length;
  await pool.ready();
  pool.setState(snapshotOf(w.base));
  const shared = new SharedArrayBuffer(4 * (2 + 2 * n));
  const flags = new Int32Array(shared);
  flags[0] = n;
  // Nothing shipped yet: the worker claims 11 (it depends on nothing) and waits for it.
  flags[shippedFromSlot(n)] = n;
  // By the time the transactions arrive the replica holds [0, 8): 10 reads what 7 wrote (seen), 9 and 5 what 8
  // wrote (not seen).
  const after = new Int32Array(n).fill(-1);
  after[9] = 8;
  after[10] = 7;
  after[5] = 8;
  const blockId = 900_002;
  const [commits] = pool.startBlock(blockTask(w, blockId, shared, n, [], after));
  await until(() => Atomics.load(flags, 0) === n - 1, "the worker to claim the last transaction");
  const empty = { accounts: new Map(), storage: new Map(), cleared: new Set(), code: new Map() };
  (commits as MessagePort).postMessage({ kind: "commit", blockId, index: 7, diff: empty });
  const chunk: TxChunk = { kind: "txs", blockId, from: 0, txs: txs.map((tx) => toPortable(tx)) };
  (commits as MessagePort).postMessage(chunk);
  Atomics.store(flags, shippedFromSlot(n), 0);
  Atomics.notify(flags, shippedFromSlot(n));
  const port = pool.ports[0] as MessagePort;
  const speculated: number[] = [];
  let deferred: number | undefined;
  await until(() => {
    const ring = pool.rings[0] as ResultRing;
    ring.drain((id, bytes) => {
      if (id === blockId) speculated.push(decodeResult(bytes).index);
    });
    for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
      const message = m.message as ResultMessage;
      if (message.blockId !== blockId) continue;
      if (message.kind === "stopped")
        ring.drain((id, bytes) => id === blockId && speculated.push(decodeResult(bytes).index));
      if (message.kind === "packed") speculated.push(decodeResult(message.bytes).index);
      else if (message.kind === "result") speculated.push(message.result.index);
      else if (message.kind === "stopped") deferred = message.deferred;
      else throw new Error(`worker failed: ${message.message}`);
    }
    return deferred !== undefined;
  }, "the worker to stop");
  (commits as MessagePort).close();
  expect(deferred).toBe(2);
  expect(speculated.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 6, 7, 8, 10, 11]);
  expect(Atomics.load(flags, 1 + 9)).toBe(3);
  expect(Atomics.load(flags, 1 + 5)).toBe(3);
  expect(Atomics.load(flags, 1 + 10)).toBe(2);
});
