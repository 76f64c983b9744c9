/**
 * Sequential against parallel execution, in one process: for each block, the sequential executor, the parallel
 * path on one thread (no workers: its overhead) and on N threads (N − 1 workers), each on a fresh copy of the
 * pre-state, best of --rounds. Reports per-block speedups, their mean, and whether results were identical.
 *
 *   npm run bench -- parallel [--set mainnet|workloads|all] [--threads 2] [--rounds 3] [--txs 2000]
 *                             [--senders recovered|thread|known] [--access none|known] [--warmup 1] [--no-ceiling]
 *
 * --warmup K: K untimed passes over the whole set (sequential and parallel) before any clock starts. A builder's
 * threads run for days; without this the workers' code is measured while V8 still compiles it (a worker that
 * has executed a few thousand transactions speculates about twice as fast as a fresh one), and the committing
 * thread, which runs the sequential and the parallel path both, warms up faster than the workers.
 *
 * --senders recovered (default): every run recovers the block's senders on its own threads (the sequential run
 * on its one thread, the parallel runs on theirs: each thread the transactions it executes). --senders thread:
 * a recovery thread beside every run, as `weft replay` has (the sequential run then has two threads too).
 * --senders known: recovered once, before any clock starts, and pinned on every run's transactions, as a
 * builder's orders carry them and as pevm and Block-STM measure execution.
 *
 * --access known: every transaction's read and write sets, recorded once by an untimed sequential run (the one
 * that gives the available parallelism), are handed to the parallel runs as a builder's simulation of its orders
 * hands them over (`ExecuteParallelOptions.known`): workers then do not speculate a transaction before the writes
 * it reads have reached them. --access none (default): nothing is known ahead, as when replaying a block.
 *
 * The ceiling (`ceiling.ts`, skipped with --no-ceiling): each round of a block also runs it on N threads that
 * execute it sequentially side by side, each on its own state, and reports their combined throughput against one
 * alone: the most any N-thread executor could get from this machine. A speedup is read beside it ("of ceiling").
 * With --senders thread, the ceiling's threads recover senders themselves, as with --senders recovered.
 */

import { formatTable } from "../src/cli/render.js";
import { SenderRecovery } from "../src/execution/crypto/senderRecovery.js";
import { executeBlock } from "../src/execution/executeBlock.js";
import { accessesByIndex, pinSenders, senderKeysOf } from "../src/execution/parallel/compareExecution.js";
import { availableParallelism } from "../src/execution/parallel/conflictGraph.js";
import {
  emptyParallelTime,
  executeBlockParallel,
  type ParallelStats,
  type ParallelTime,
} from "../src/execution/parallel/executeParallel.js";
import { WorkerPool } from "../src/execution/parallel/pool.js";
import { normalizedDiff, snapshotOf } from "../src/execution/parallel/stateDiff.js";
import { emptyAccessSet, type TxAccess } from "../src/execution/state/access.js";
import { StateLayer } from "../src/execution/state/layer.js";
import { WeftStateManager } from "../src/execution/state/stateManager.js";
import { fixtureBlockchain } from "../src/execution/stock.js";
import { createWeftVM } from "../src/execution/vm.js";
import { threadCpuTimes } from "../src/shared/threadCpu.js";
import { type BenchBlock, benchBlocks, isBenchSet, isMainnet, recordingVM } from "./blocks.js";
import { Ceiling, type CeilingSample, ceilingOf } from "./ceiling.js";
import { median, nodeFlags, target, writeResults } from "./harness.js";

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
};
const threads = Number(opt("threads", "2"));
const rounds = Number(opt("rounds", "3"));
const set = opt("set", "all");
const workloadTxs = Number(opt("txs", "2000"));
const senders = opt("senders", "recovered");
const warmup = Number(opt("warmup", "1"));
const withCeiling = !args.includes("--no-ceiling");
const access = opt("access", "none");
if (access !== "none" && access !== "known") throw new Error(`--access must be none or known, not ${access}`);
if (senders !== "recovered" && senders !== "thread" && senders !== "known")
  throw new Error(`--senders must be recovered, thread or known, not ${senders}`);
if (!isBenchSet(set)) throw new Error(`--set must be mainnet, workloads or all, not ${set}`);

process.stderr.write(`node ${process.version} ${nodeFlags().join(" ") || "(no flags)"}\n`);
const pool = new WorkerPool({ size: Math.max(1, threads - 1) });
const senderRecovery = new SenderRecovery();
await Promise.all([pool.ready(), senderRecovery.ready()]);

const knownSenders = new Map<BenchBlock, ReturnType<typeof senderKeysOf>>();
/** The block whose pre-state the pool's replicas hold. */
let replicasHold: BenchBlock | undefined;

/**
 * CPU time a run took, by thread: the committing thread (this one), the pool's workers, and every other thread
 * of the process (V8's background compiler and GC helpers, libuv's pool). On two cores the last competes with
 * the workers, where a sequential run has the second core to itself for it. Zero everywhere off Linux.
 */
interface CpuSplit {
  committing: number;
  workers: number;
  other: number;
}

function cpuSplit(before: Map<number, number>, after: Map<number, number>): CpuSplit {
  const split: CpuSplit = { committing: 0, workers: 0, other: 0 };
  for (const [tid, ms] of after) {
    const used = ms - (before.get(tid) ?? 0);
    if (tid === process.pid) split.committing += used;
    else if (pool.threadIds.includes(tid)) split.workers += used;
    else split.other += used;
  }
  return split;
}

function addCpu(into: CpuSplit, more: CpuSplit): void {
  into.committing += more.committing;
  into.workers += more.workers;
  into.other += more.other;
}

async function run(b: BenchBlock, mode: "seq" | "par1" | "parN") {
  const common = b.common();
  const block = b.block(common);
  if (senders === "known") {
    let known = knownSenders.get(b);
    if (known === undefined) {
      known = senderKeysOf(b.block(b.common()));
      knownSenders.set(b, known);
    }
    pinSenders(block, known);
  }
  const recovery = senders === "thread" ? senderRecovery : undefined;
  const state = new WeftStateManager({ layer: new StateLayer(b.base), recordAccess: false });
  const vm = await createWeftVM({ common, stateManager: state, blockchain: fixtureBlockchain(b.blockHashes) });
  if (mode === "parN" && replicasHold !== b) {
    // Replicas hold the pre-state before the clock starts, as in steady state (kept current by block diffs). A
    // block's speculation never writes to the replica (only to layers over it), so the next round of the same
    // block finds it as it was: loaded once per block, not per run. Loading it again before every run would
    // time the workers on a state they have never touched (cold caches, and every contract's jump analysis,
    // cached per code array, done again), while this thread's state has been warm since the first run.
    pool.setState(snapshotOf(b.base));
    await pool.sync();
    replicasHold = b;
  }
  // Recorded (once per block) before the clock starts.
  const known = access === "known" && mode !== "seq" ? (await recorded(b)).accesses : undefined;
  const cpuBefore = threadCpuTimes();
  const start = performance.now();
  const result =
    mode === "seq"
      ? { ...(await executeBlock({ vm, state, block, senderRecovery: recovery })), fallbacks: 0 }
      : await executeBlockParallel({
          vm,
          state,
          block,
          pool: mode === "parN" ? pool : undefined,
          blockHashes: b.blockHashes,
          replicasCurrent: true,
          senderRecovery: recovery,
          known,
        });
  const ms = performance.now() - start;
  const cpu = cpuSplit(cpuBefore, threadCpuTimes());
  const fingerprint = JSON.stringify(
    {
      root: Buffer.from(result.receiptsRoot).toString("hex"),
      bloom: Buffer.from(result.logsBloom).toString("hex"),
      gas: result.gasUsed.toString(),
      invalid: result.invalid,
      diff: normalizedDiff(state.layer),
    },
    (_k, v) =>
      typeof v === "bigint"
        ? v.toString()
        : v instanceof Uint8Array
          ? Buffer.from(v).toString("hex")
          : v instanceof Map
            ? [...v]
            : v instanceof Set
              ? [...v]
              : v,
  );
  const stats = "stats" in result ? result.stats : undefined;
  const transactions = block.transactions.length;
  return { ms, gas: Number(result.gasUsed), fingerprint, fallbacks: result.fallbacks, cpu, stats, transactions };
}

/** The N-thread runs' time by activity, summed over a block's rounds, with what it was spent on. */
interface TimeSpent extends ParallelTime {
  /** Sequential runs' time over the same rounds, and the block's transactions executed in them. */
  sequential: number;
  transactions: number;
  /** Results applied, transactions executed in order on this thread (re-executions included), speculations thrown away. */
  applied: number;
  inOrderCount: number;
  thrownAway: number;
}

function emptyTimeSpent(): TimeSpent {
  return {
    ...emptyParallelTime(),
    sequential: 0,
    transactions: 0,
    applied: 0,
    inOrderCount: 0,
    thrownAway: 0,
  };
}

function addTime(into: TimeSpent, seqMs: number, transactions: number, stats: ParallelStats | undefined): void {
  const time = stats?.time;
  if (stats === undefined || time === undefined) return;
  for (const key of Object.keys(time) as Array<keyof ParallelTime>) into[key] += time[key];
  into.sequential += seqMs;
  into.transactions += transactions;
  into.applied += stats.speculative;
  into.inOrderCount += stats.inOrder + stats.reexecuted;
  into.thrownAway += stats.reexecuted;
}

function mergeTime(into: TimeSpent, more: TimeSpent): void {
  for (const key of Object.keys(into) as Array<keyof TimeSpent>) into[key] += more[key];
}

/** One row of the time-by-activity table: per-transaction costs in microseconds, shares in percent. */
function timeRow(name: string, t: TimeSpent): string[] {
  const us = (ms: number, count: number) => (count === 0 ? "-" : ((1000 * ms) / count).toFixed(0));
  const pct = (part: number, whole: number) => (whole === 0 ? "-" : `${((100 * part) / whole).toFixed(0)} %`);
  const speculations = t.applied + t.thrownAway;
  const committing = t.inOrder + t.applying + t.sharing + t.waiting;
  return [
    name,
    us(t.sequential, t.transactions),
    us(t.inOrder, t.inOrderCount),
    us(t.applying, t.applied),
    pct(t.sharing, committing),
    pct(t.waiting, committing),
    us(t.speculated + t.wasted, speculations),
    pct(t.workerBusy - t.speculated - t.wasted, t.workerBusy),
    pct(t.wasted, t.speculated + t.wasted),
  ];
}

interface Recorded {
  /** Per transaction of the block, its read and write sets (undefined for one that did not execute). */
  accesses: Array<TxAccess | undefined>;
  /** The block's available parallelism. */
  parallelism: number;
}
const recordings = new Map<BenchBlock, Recorded>();

/**
 * The block's read and write sets, from an untimed sequential run that records them with the coinbase's fee
 * lazy, as the parallel executor treats it (once per block), and its available parallelism: total work over the
 * critical path of its conflict graph (work = gas per transaction), the speedup unlimited cores could reach.
 */
async function recorded(b: BenchBlock): Promise<Recorded> {
  const done = recordings.get(b);
  if (done !== undefined) return done;
  const common = b.common();
  const block = b.block(common);
  const { vm, state } = await recordingVM(b, common, block);
  const result = await executeBlock({ vm, state, block });
  const executed = result.transactions.map((t) => t.access ?? { reads: emptyAccessSet(), writes: emptyAccessSet() });
  const accesses = accessesByIndex(result, block.transactions.length);
  const parallelism = availableParallelism(
    executed,
    result.transactions.map((t) => Number(t.gasUsed)),
  ).availableParallelism;
  const out = { accesses, parallelism };
  recordings.set(b, out);
  return out;
}

const blocks = await benchBlocks(set, workloadTxs);
const ceiling = withCeiling
  ? new Ceiling(threads, { set, txs: workloadTxs, senders: senders === "known" ? "known" : "recovered" })
  : undefined;
await ceiling?.ready();
const rows: Array<{
  name: string;
  gas: number;
  seq: number;
  par1: number;
  parN: number;
  identical: boolean;
  fallbacks: number;
  parallelism: number;
  /** Median over rounds of each round's own seq/parN ratio (the three runs of a round are back to back). */
  medianRatio: number;
  /** CPU time over all rounds, by thread, of the sequential and the N-thread runs. */
  cpu: { seq: CpuSplit; parN: CpuSplit };
  /** The machine's N-thread ceiling on this block, from its rounds (`ceilingOf`); undefined without it. */
  ceiling: number | undefined;
  /** The N-thread runs' time by activity (rounds that took the parallel path). */
  spent: TimeSpent;
}> = [];
for (let pass = 0; pass < warmup; pass++) {
  process.stderr.write(`warm-up pass ${pass + 1}/${warmup} over ${blocks.length} blocks\n`);
  for (const b of blocks) {
    await run(b, "seq");
    await run(b, "parN");
  }
  await ceiling?.warm();
}
for (const b of blocks) {
  const best = { seq: Number.POSITIVE_INFINITY, par1: Number.POSITIVE_INFINITY, parN: Number.POSITIVE_INFINITY };
  let identical = true;
  let gas = 0;
  let fallbacks = 0;
  const ratios: number[] = [];
  const ceilingSamples: CeilingSample[] = [];
  const cpu = { seq: { committing: 0, workers: 0, other: 0 }, parN: { committing: 0, workers: 0, other: 0 } };
  const spent = emptyTimeSpent();
  for (let r = 0; r < rounds; r++) {
    const s = await run(b, "seq");
    const p1 = await run(b, "par1");
    const pn = await run(b, "parN");
    addCpu(cpu.seq, s.cpu);
    addCpu(cpu.parN, pn.cpu);
    addTime(spent, s.ms, s.transactions, pn.stats);
    ratios.push(s.ms / pn.ms);
    best.seq = Math.min(best.seq, s.ms);
    best.par1 = Math.min(best.par1, p1.ms);
    best.parN = Math.min(best.parN, pn.ms);
    identical &&= s.fingerprint === p1.fingerprint && s.fingerprint === pn.fingerprint;
    gas = s.gas;
    fallbacks = pn.fallbacks;
    if (ceiling !== undefined) ceilingSamples.push(await ceiling.round(b.name, r));
  }
  const medianRatio = median(ratios);
  rows.push({
    name: b.name,
    gas,
    ...best,
    identical,
    fallbacks,
    parallelism: (await recorded(b)).parallelism,
    medianRatio,
    cpu,
    ceiling: ceiling === undefined ? undefined : ceilingOf(ceilingSamples),
    spent,
  });
  process.stderr.write(
    `${b.name}: seq ${best.seq.toFixed(1)} par1 ${best.par1.toFixed(1)} par${threads} ${best.parN.toFixed(1)} ms\n`,
  );
}
await Promise.all([pool.close(), senderRecovery.close(), ceiling?.close()]);

process.stdout.write(
  `\n${formatTable(
    [
      "block",
      "Mgas",
      "seq ms",
      "par 1t ms",
      `par ${threads}t ms`,
      "speedup 1t",
      `speedup ${threads}t`,
      `median ratio ${threads}t`,
      `ceiling ${threads}t`,
      "of ceiling",
      "fallbacks",
      "avail. parallelism",
      "identical",
    ],
    rows.map((r) => [
      r.name,
      (r.gas / 1e6).toFixed(2),
      r.seq.toFixed(1),
      r.par1.toFixed(1),
      r.parN.toFixed(1),
      (r.seq / r.par1).toFixed(2),
      (r.seq / r.parN).toFixed(2),
      r.medianRatio.toFixed(2),
      r.ceiling?.toFixed(2) ?? "-",
      r.ceiling === undefined ? "-" : `${((100 * r.medianRatio) / r.ceiling).toFixed(0)} %`,
      r.fallbacks,
      r.parallelism.toFixed(1),
      r.identical ? "yes" : "NO",
    ]),
  )}\n`,
);
const mainnetRows = rows.filter((r) => isMainnet(r.name));
for (const [label, part] of [
  ["mainnet set", mainnetRows],
  ["workloads", rows.filter((r) => !isMainnet(r.name))],
] as const) {
  if (part.length === 0) continue;
  const seq = { committing: 0, workers: 0, other: 0 };
  const par = { committing: 0, workers: 0, other: 0 };
  for (const r of part) {
    addCpu(seq, r.cpu.seq);
    addCpu(par, r.cpu.parN);
  }
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  process.stdout.write(
    seq.committing + par.committing === 0
      ? `\nCPU time by thread (${label}): not available here (it is read from /proc)\n`
      : `\nCPU time by thread over the timed runs (${label}, ${rounds} rounds): ` +
          `sequential: this thread ${s(seq.committing)}, other threads ${s(seq.other)}; ` +
          `parallel ${threads}t: this thread ${s(par.committing)}, workers ${s(par.workers)}, ` +
          `other threads ${s(par.other)} (V8's compiler and GC helpers, libuv)\n`,
  );
}
{
  const timeRows: string[][] = [];
  const mainnetSpent = emptyTimeSpent();
  for (const r of rows) {
    if (r.spent.transactions === 0) continue;
    if (isMainnet(r.name)) mergeTime(mainnetSpent, r.spent);
    else timeRows.push(timeRow(r.name, r.spent));
  }
  if (mainnetSpent.transactions > 0) timeRows.push(timeRow("mainnet set", mainnetSpent));
  if (timeRows.length > 0) {
    process.stdout.write(
      `\nWhere the ${threads}-thread runs' time went (over their rounds; blocks that took the sequential path left out). ` +
        "This thread: sequential µs per transaction beside in-order µs per transaction executed here, µs per " +
        "result applied, and its share spent sharing its writes with the workers and waiting for them; workers: " +
        "µs per speculation, the share of their busy time spent around speculations (decoding, encoding, " +
        `commits), the share of speculation thrown away.\n${formatTable(
          [
            "block",
            "seq µs/tx",
            "in-order µs/tx",
            "apply µs/result",
            "sharing",
            "waiting",
            "speculation µs/tx",
            "worker carrying",
            "thrown away",
          ],
          timeRows,
        )}\n`,
    );
  }
}
/** A target's figure beside the machine's ceiling for it, when measured. */
function ceilingNote(value: number | undefined): string {
  return value === undefined ? "" : ` (ceiling ${value.toFixed(2)}×)`;
}
const targets = [];
if (mainnetRows.length > 0) {
  const mean = mainnetRows.reduce((a, r) => a + r.seq / r.parN, 0) / mainnetRows.length;
  const meanMedian = mainnetRows.reduce((a, r) => a + r.medianRatio, 0) / mainnetRows.length;
  const meanCeiling =
    ceiling === undefined ? undefined : mainnetRows.reduce((a, r) => a + (r.ceiling ?? 0), 0) / mainnetRows.length;
  process.stdout.write(
    `\nmainnet set (senders ${senders}, access sets ${access}): mean per-block speedup at ${threads} threads ${mean.toFixed(2)}× ` +
      `(best of rounds), ${meanMedian.toFixed(2)}× (median of rounds' ratios)` +
      (meanCeiling === undefined
        ? ""
        : `; this machine's ${threads}-thread ceiling ${meanCeiling.toFixed(2)}× on average`) +
      "\n",
  );
  targets.push(
    target(
      `mainnet set ≥ 1.3× on average at ${threads} threads`,
      mean >= 1.3,
      `${mean.toFixed(2)}×${ceilingNote(meanCeiling)}`,
    ),
  );
}
for (const r of rows.filter((x) => !isMainnet(x.name))) {
  if (r.name === "erc20" || r.name === "uniswap-many") {
    const speedup = r.seq / r.parN;
    targets.push(target(`${r.name} ≥ 1.8×`, speedup >= 1.8, `${speedup.toFixed(2)}×${ceilingNote(r.ceiling)}`));
  }
}
const worst = rows.reduce((a, r) => Math.max(a, r.parN / r.seq), 0);
targets.push(
  target("no block more than 5 % slower than sequential", worst <= 1.05, `worst ${worst.toFixed(2)}× sequential time`),
);
targets.push(
  target(
    "parallel results identical to sequential",
    rows.every((r) => r.identical),
    `${rows.filter((r) => r.identical).length}/${rows.length}`,
  ),
);
writeResults("parallel", { threads, rounds, warmup, senders, access, rows, targets });
