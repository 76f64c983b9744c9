/**
 * What two-thread schedules could give on the mainnet set: every block's transactions are executed in order
 * (time alone, the least of --passes warm passes, and read and write sets with the coinbase's fee lazy, as the
 * parallel executor sees them), then `scheduleModel.ts` plays the executor's scheme, a symmetric scheme with
 * dependencies known up front, and an oracle over those traces, at the measured coordination costs and at
 * fractions of them. Mean per-block speedup over sequential time; the executor's own figure for comparison comes
 * from `npm run bench -- parallel --set mainnet`.
 *
 *   npm run bench -- schedule [--passes 2] [--contention 1.15]
 *
 * --contention: how much slower each thread executes while both run; 1.15 matches a two-thread ceiling of about
 * 1.74 (`bench/ceiling.ts`).
 */
import { formatTable } from "../src/cli/render.js";
import { applySystemCalls, BlockAccumulator, executeInOrder } from "../src/execution/executeBlock.js";
import { pinSenders, senderKeysOf } from "../src/execution/parallel/compareExecution.js";
import { plainTransfers } from "../src/execution/parallel/executeParallel.js";
import { type BenchBlock, mainnetBlocks, recordingVM } from "./blocks.js";
import { writeResults } from "./harness.js";
import {
  accessKeys,
  backToFront,
  type Costs,
  MEASURED,
  oracle,
  scaleOverheads,
  symmetric,
  type TraceTx,
  writersBefore,
} from "./scheduleModel.js";

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
};
const passes = Number(opt("passes", "2"));
const contention = Number(opt("contention", String(MEASURED.contention)));
if (!(passes >= 1) || !(contention >= 1)) throw new Error("--passes must be at least 1 and --contention at least 1");

/** One in-order execution of a block, each transaction timed and its access sets recorded. */
async function trace(b: BenchBlock, senders: ReturnType<typeof senderKeysOf>): Promise<TraceTx[]> {
  const common = b.common();
  const block = pinSenders(b.block(common), senders);
  const { vm, state } = await recordingVM(b, common, block);
  await applySystemCalls(vm, state, block);
  const plain = plainTransfers(block.transactions, b.base);
  const acc = new BlockAccumulator(block.header.gasLimit);
  const out: TraceTx[] = [];
  for (const [i, tx] of block.transactions.entries()) {
    const start = performance.now();
    const access = await executeInOrder(vm, state, block, tx, i, acc);
    const ms = performance.now() - start;
    out.push({
      ms,
      plain: plain.has(i),
      failed: access === undefined,
      reads: access === undefined ? new Set() : accessKeys(access.reads),
      writes: access === undefined ? new Set() : accessKeys(access.writes),
    });
  }
  return out;
}

const blocks = await mainnetBlocks();
const traces: TraceTx[][] = [];
for (const b of blocks) {
  const senders = senderKeysOf(b.block(b.common()));
  await trace(b, senders); // warm
  let best: TraceTx[] | undefined;
  for (let p = 0; p < passes; p++) {
    const t = await trace(b, senders);
    best = best === undefined ? t : best.map((tx, i) => ({ ...tx, ms: Math.min(tx.ms, (t[i] as TraceTx).ms) }));
  }
  traces.push(best as TraceTx[]);
  process.stderr.write(`${b.name}: ${best?.length} transactions traced\n`);
}

const costsAt = (factor: number, c: number): Costs => scaleOverheads({ ...MEASURED, contention: c }, factor);
const columns: Array<{ label: string; factor: number; contention: number }> = [
  { label: "measured overheads", factor: 1, contention },
  { label: "half", factor: 0.5, contention },
  { label: "a quarter", factor: 0.25, contention },
  { label: "none", factor: 0, contention },
  { label: "none, no contention", factor: 0, contention: 1 },
];
const mean = (values: number[]) => values.reduce((a, v) => a + v, 0) / values.length;
const sequential = traces.map((t) => t.reduce((a, tx) => a + tx.ms, 0));
const preds = traces.map(writersBefore);
const schemes: Array<{ name: string; speedups: number[] }> = [
  {
    name: "executor's scheme (worker from the back)",
    speedups: columns.map(({ factor, contention: c }) =>
      mean(traces.map((t, k) => (sequential[k] as number) / backToFront(t, costsAt(factor, c)).ms)),
    ),
  },
  {
    name: "executor's scheme, dependencies known",
    speedups: columns.map(({ factor, contention: c }) =>
      mean(traces.map((t, k) => (sequential[k] as number) / backToFront(t, costsAt(factor, c), preds[k]).ms)),
    ),
  },
  {
    name: "symmetric, dependencies known",
    speedups: columns.map(({ factor, contention: c }) =>
      mean(
        traces.map((t, k) => (sequential[k] as number) / symmetric(t, preds[k] as number[][], costsAt(factor, c)).ms),
      ),
    ),
  },
  {
    name: "oracle (no overhead)",
    speedups: columns.map(({ factor, contention: c }) =>
      factor === 0
        ? mean(traces.map((t, k) => (sequential[k] as number) / oracle(t, preds[k] as number[][], c)))
        : Number.NaN,
    ),
  },
];
const all = traces.flat().map((tx) => tx.ms);
all.sort((a, b) => a - b);
const useful = traces.map((t) => backToFront(t, costsAt(1, contention)));
const share = (pick: (s: { usefulMs: number; wastedMs: number }) => number) =>
  (100 * useful.reduce((a, s) => a + pick(s), 0)) / sequential.reduce((a, v) => a + v, 0);
process.stdout.write(
  `\nmainnet set, ${traces.length} blocks, ${all.length} transactions: time alone median ${(all[all.length >> 1] as number).toFixed(3)} ms, ` +
    `75th percentile ${(all[Math.floor(all.length * 0.75)] as number).toFixed(3)} ms, mean ${mean(all).toFixed(3)} ms\n` +
    `executor's scheme at measured costs: the worker's applied speculations are ${share((s) => s.usefulMs).toFixed(0)} % of the work, ` +
    `its thrown-away ones ${share((s) => s.wastedMs).toFixed(0)} %\n\n` +
    `mean per-block speedup at 2 threads (model; contention ${contention}):\n${formatTable(
      ["schedule", ...columns.map((c) => c.label)],
      schemes.map((s) => [s.name, ...s.speedups.map((v) => (Number.isNaN(v) ? "-" : `${v.toFixed(3)}×`))]),
    )}\n`,
);
writeResults("schedule", {
  passes,
  contention,
  costs: MEASURED,
  columns,
  schemes: schemes.map((s) => ({ name: s.name, speedups: s.speedups.map((v) => (Number.isNaN(v) ? null : v)) })),
});
