/**
 * A model of two-thread schedules for one block, over a trace of its transactions (each one's time alone and its
 * read and write sets): what the parallel executor's scheme gives, what other schemes would give, and what an
 * oracle that knows every dependency gives, under stated costs. The schedule benchmark (`schedule.bench.ts`)
 * feeds it the mainnet set; the figures bound what changing the scheduler, or cutting its overheads, can buy.
 *
 * Dependencies are read-after-write only: a transaction depends on the last transaction before it that wrote
 * something it read (a multi-version state makes the other orders harmless). Times are in milliseconds.
 * Written here because no library models these schemes; it is a design tool, not part of weft.
 */
import type { AccessSet } from "../src/execution/state/access.js";

export interface TraceTx {
  /** Execution time alone, in order. */
  ms: number;
  /** A plain value transfer: the executor keeps it on the committing thread. */
  plain: boolean;
  /** It did not execute (invalid): a speculation of it is never usable. */
  failed: boolean;
  /** Keys read and written: `address#field-bit` for account fields, `address|slot` for storage. */
  reads: Set<string>;
  writes: Set<string>;
}

export interface Costs {
  /** How much slower a thread executes while the other one runs too (1: cores that scale perfectly). */
  contention: number;
  /** A speculation costs `ms × specFactor × contention + specBase` on its thread. */
  specBase: number;
  specFactor: number;
  /** Applying a speculative result on the committing thread: `applyBase + applyFactor × ms`. */
  applyBase: number;
  applyFactor: number;
  /** Recording one in-order transaction's writes while a worker runs. */
  track: number;
  /** Commits reach the worker in batches of this many. */
  publishEvery: number;
}

/**
 * The parallel executor's costs as measured on the 2,000-transfer ERC20 block (session 8): execution 15 % slower
 * beside the other thread (this machine's ceiling of about 1.74 for two threads), about 0.2 ms of coordination per
 * speculated transaction across both threads, commits published every 16.
 */
export const MEASURED: Costs = {
  contention: 1.15,
  specBase: 0.1,
  specFactor: 1.1,
  applyBase: 0.06,
  applyFactor: 0.05,
  track: 0.02,
  publishEvery: 16,
};

/** The same costs with every coordination overhead scaled by `factor` (0: none), the contention kept. */
export function scaleOverheads(costs: Costs, factor: number): Costs {
  return {
    ...costs,
    specBase: costs.specBase * factor,
    specFactor: 1 + (costs.specFactor - 1) * factor,
    applyBase: costs.applyBase * factor,
    applyFactor: costs.applyFactor * factor,
    track: costs.track * factor,
    publishEvery: factor === 0 ? 1 : costs.publishEvery,
  };
}

const FIELD_BITS = [1, 2, 4, 8, 16];

/** An access set as the model's keys. */
export function accessKeys(set: AccessSet): Set<string> {
  const keys = new Set<string>();
  for (const [address, mask] of set.accounts) {
    for (const bit of FIELD_BITS) if (mask & bit) keys.add(`${address}#${bit}`);
  }
  for (const [address, slots] of set.storage) for (const slot of slots) keys.add(`${address}|${slot}`);
  return keys;
}

/** For each transaction, the transactions before it that last wrote something it reads. */
export function writersBefore(txs: readonly TraceTx[]): number[][] {
  const lastWriter = new Map<string, number>();
  return txs.map((tx, j) => {
    const preds = new Set<number>();
    for (const key of tx.reads) {
      const k = lastWriter.get(key);
      if (k !== undefined) preds.add(k);
    }
    for (const key of tx.writes) lastWriter.set(key, j);
    return [...preds];
  });
}

export interface Schedule {
  /** When the block is done. */
  ms: number;
  /** Work (time alone) of the speculations applied, and of those thrown away. */
  usefulMs: number;
  wastedMs: number;
}

function writesAny(txs: readonly TraceTx[], from: number, to: number, keys: Set<string>): boolean {
  for (let k = from; k < to; k++) for (const key of (txs[k] as TraceTx).writes) if (keys.has(key)) return true;
  return false;
}

/**
 * The executor's scheme: the committing thread goes through the block in order, applying a worker's result where
 * it is valid and executing everything else itself; the worker speculates from the back on the state as committed
 * when it starts (commits arrive in batches), skipping plain transfers, until it meets the committing thread. A
 * result is valid if nothing committed after what it saw wrote what it read. (Hold-backs are not modelled.)
 *
 * With `preds` (dependencies known ahead, `ExecuteParallelOptions.known`), the worker passes over, at no cost, a
 * transaction one of whose writers-before it has not seen, and leaves it to the committing thread.
 */
export function backToFront(txs: readonly TraceTx[], costs: Costs, preds?: readonly number[][]): Schedule {
  const n = txs.length;
  const owner = new Uint8Array(n); // 0: nobody yet, 1: the committing thread, 2: the worker
  const done = new Float64Array(n);
  const valid = new Uint8Array(n);
  const commitAt = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  let committing = 0;
  let worker = 0;
  let next = 0;
  let back = n - 1;
  let workerOn = true;
  let usefulMs = 0;
  let wastedMs = 0;
  const committedBy = (t: number) => {
    let c = 0;
    while (c < next && (commitAt[c] as number) <= t) c++;
    return c;
  };
  while (next < n) {
    if (workerOn && worker <= committing) {
      const seen = committedBy(worker);
      const version = seen - (seen % costs.publishEvery);
      const stale = (j: number) => preds !== undefined && (preds[j] as number[]).some((p) => p >= version);
      while (back > next && (owner[back] !== 0 || (txs[back] as TraceTx).plain || stale(back))) back--;
      if (back <= next) {
        workerOn = false;
        continue;
      }
      const j = back--;
      const tx = txs[j] as TraceTx;
      owner[j] = 2;
      worker += tx.ms * costs.specFactor * costs.contention + costs.specBase;
      done[j] = worker;
      valid[j] = !tx.failed && !writesAny(txs, version, j, tx.reads) ? 1 : 0;
      if (valid[j]) usefulMs += tx.ms;
      else wastedMs += tx.ms;
      continue;
    }
    const tx = txs[next] as TraceTx;
    const executeHere = () => (committing += workerOn ? tx.ms * costs.contention + costs.track : tx.ms);
    if (owner[next] === 2) {
      committing = Math.max(committing, done[next] as number);
      if (valid[next]) committing += costs.applyBase + costs.applyFactor * tx.ms;
      else executeHere();
    } else {
      owner[next] = 1;
      executeHere();
    }
    commitAt[next] = committing;
    next++;
  }
  return { ms: committing, usefulMs, wastedMs };
}

/**
 * Both threads execute transactions whose writers-before have all committed (dependencies known up front, as a
 * builder knows them from simulating its orders), the first such in block order; the committing thread applies
 * results in order whenever the next one is done, and executes the next one itself, in order, when nobody has.
 * Speculations are always valid; only the worker skips plain transfers.
 */
export function symmetric(txs: readonly TraceTx[], preds: readonly number[][], costs: Costs): Schedule {
  const n = txs.length;
  const owner = new Uint8Array(n);
  const done = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  const commitAt = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  const clock = [0, 0];
  let next = 0;
  let usefulMs = 0;
  const ready = (k: number, now: number) => (preds[k] as number[]).every((p) => (commitAt[p] as number) <= now);
  while (next < n) {
    const who = (clock[0] as number) <= (clock[1] as number) ? 0 : 1;
    const now = clock[who] as number;
    if (who === 0) {
      const tx = txs[next] as TraceTx;
      if (owner[next] !== 0 && (done[next] as number) <= now) {
        clock[0] = now + costs.applyBase + costs.applyFactor * tx.ms;
        commitAt[next++] = clock[0] as number;
        continue;
      }
      if (owner[next] === 0) {
        owner[next] = 1;
        clock[0] = now + tx.ms * costs.contention + costs.track;
        commitAt[next++] = clock[0] as number;
        continue;
      }
    }
    let pick = -1;
    for (let k = next + 1; k < n; k++) {
      if (owner[k] !== 0 || (who === 1 && (txs[k] as TraceTx).plain)) continue;
      if (ready(k, now)) {
        pick = k;
        break;
      }
    }
    if (pick < 0) {
      // Nothing ready: the committing thread waits for the next result, the worker for the next commit.
      clock[who] = who === 0 ? (done[next] as number) : Math.max(now, clock[0] as number);
      continue;
    }
    const tx = txs[pick] as TraceTx;
    owner[pick] = 2;
    clock[who] = now + tx.ms * costs.specFactor * costs.contention + costs.specBase;
    done[pick] = clock[who] as number;
    usefulMs += tx.ms;
  }
  return { ms: clock[0] as number, usefulMs, wastedMs: 0 };
}

/**
 * The oracle: two threads, every transaction executed once as soon as its writers-before have finished, the first
 * such in block order on whichever thread is free first, no overhead of any kind. Execution is `contention` times
 * slower throughout.
 */
export function oracle(txs: readonly TraceTx[], preds: readonly number[][], contention: number): number {
  const n = txs.length;
  const finish = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  const scheduled = new Uint8Array(n);
  const free = [0, 0];
  let first = 0;
  for (let left = n; left > 0; ) {
    const m = (free[0] as number) <= (free[1] as number) ? 0 : 1;
    const t = free[m] as number;
    while (scheduled[first] === 1) first++;
    let pick = -1;
    let nextReady = Number.POSITIVE_INFINITY;
    for (let j = first; j < n; j++) {
      if (scheduled[j] === 1) continue;
      let readyAt = 0;
      for (const p of preds[j] as number[]) readyAt = Math.max(readyAt, finish[p] as number);
      if (readyAt <= t) {
        pick = j;
        break;
      }
      nextReady = Math.min(nextReady, readyAt);
    }
    if (pick < 0) {
      free[m] = nextReady;
      continue;
    }
    scheduled[pick] = 1;
    left--;
    finish[pick] = t + (txs[pick] as TraceTx).ms * contention;
    free[m] = finish[pick] as number;
  }
  return Math.max(free[0] as number, free[1] as number);
}
