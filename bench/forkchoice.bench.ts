/**
 * Fork-choice benchmark, weft beside Lodestar 1.5.1 (`@lodestar/fork-choice`) in one process:
 *   1. computeDeltas at 1,000,000 and 2,000,000 validators when every vote moves;
 *   2. applyScoreChanges (weights, best child and descendant) with 64 and 7,200 blocks;
 *   3. findHead;
 *   4. streaming: attestation votes ingested per second with the head recomputed every 100 ms, and how long
 *      after the last vote the head is available, at 1,000,000 validators;
 *   5. calibration of the tip probabilities on simulated slots (Brier score against naive baselines).
 * Targets (issue 5): deltas ≤ 0.5× Lodestar's time at 1M; ≥ 1,000,000 votes/s on one core; head within 5 ms of
 * the last vote at 1M validators.
 *
 * `npm run bench -- forkchoice [--quick]` (--quick: smaller streaming run and calibration).
 */

import { formatTable } from "../src/cli/render.js";
import { computeDeltas as weftComputeDeltas } from "../src/consensus/forkChoice/computeDeltas.js";
import { ForkChoice } from "../src/consensus/forkChoice/forkChoice.js";
import { ProtoArray as WeftProtoArray } from "../src/consensus/forkChoice/protoArray.js";
import type { Checkpoint } from "../src/consensus/forkChoice/types.js";
import {
  HEX_ZERO_HASH,
  LodestarDriver,
  ProtoArray as LodestarProtoArray,
  type LodestarVote,
  loadLodestarComputeDeltas,
  lodestarBlock,
} from "../test/consensus/forkChoice/lodestar.js";
import { brier, type SimulatedQuery, simulate, summarize } from "../test/consensus/forkChoice/simulator.js";
import { median, suite, target, writeResults } from "./harness.js";

const quick = process.argv.includes("--quick");
const lodestarComputeDeltas = await loadLodestarComputeDeltas();
const results: Record<string, unknown> = { quick };
const targets: Array<ReturnType<typeof target>> = [];

const rootOf = (i: number) => `0x${(i + 1).toString(16).padStart(64, "0")}`;
const GENESIS = rootOf(0);
const CP: Checkpoint = { epoch: 0, root: GENESIS };

// ---------------------------------------------------------------- 1. computeDeltas

async function deltasSuite(validators: number, blocks: number) {
  // Lodestar: vote objects holding the blocks' own root strings (as its ForkChoice does, so each string's hash is
  // computed once), a Map from root to index, balances as effective-balance increments (its production shape).
  const roots = Array.from({ length: blocks }, (_, i) => rootOf(i));
  const indices = new Map<string, number>();
  for (const [i, root] of roots.entries()) indices.set(root, i);
  const votes: LodestarVote[] = [];
  for (let v = 0; v < validators; v++) {
    votes.push({ currentRoot: roots[v % blocks] as string, nextRoot: roots[(v + 1) % blocks] as string, nextEpoch: 1 });
  }
  const increments = new Uint8Array(validators).fill(32);
  const equivocating = new Set<number>();
  // weft: node ids in Uint32Arrays, balances as exact units in a Float64Array.
  const base = 1;
  const current0 = new Uint32Array(validators);
  const next = new Uint32Array(validators);
  for (let v = 0; v < validators; v++) {
    current0[v] = base + (v % blocks);
    next[v] = base + ((v + 1) % blocks);
  }
  const current = new Uint32Array(validators);
  const balances = new Float64Array(validators).fill(32);
  const deltas = new Float64Array(blocks);
  const r = await suite(
    `computeDeltas ${validators} validators ${blocks} blocks, every vote moves`,
    [
      {
        name: "lodestar 1.5.1",
        setup: () => {
          for (let v = 0; v < validators; v++) (votes[v] as LodestarVote).currentRoot = roots[v % blocks] as string;
        },
        run: () => lodestarComputeDeltas(indices, votes, increments, increments, equivocating),
      },
      {
        name: "weft (typed arrays)",
        setup: () => {
          current.set(current0);
          deltas.fill(0);
        },
        run: () =>
          weftComputeDeltas(
            { deltas, nodeCount: blocks, base, current, next, oldBalances: balances, newBalances: balances },
            validators,
          ),
      },
    ],
    { rounds: quick ? 5 : 9, warmup: 2 },
  );
  // Both must agree on the result.
  const lodestarDeltas = lodestarComputeDeltas(
    indices,
    votes.map((v, i) => ({ ...v, currentRoot: roots[i % blocks] as string })),
    increments,
    increments,
    equivocating,
  );
  current.set(current0);
  deltas.fill(0);
  weftComputeDeltas(
    { deltas, nodeCount: blocks, base, current, next, oldBalances: balances, newBalances: balances },
    validators,
  );
  const same = lodestarDeltas.every((d, i) => d === deltas[i]);
  if (!same) throw new Error("computeDeltas results differ from Lodestar's");
  return r;
}

const deltas1M = await deltasSuite(1_000_000, 64);
const deltas2M = await deltasSuite(2_000_000, 64);
results.computeDeltas = [deltas1M, deltas2M];
const ratio1M = (deltas1M.rows[1]?.medianMs ?? Number.NaN) / (deltas1M.rows[0]?.medianMs ?? Number.NaN);
targets.push(
  target(
    "computeDeltas at 1M validators ≤ 0.5× Lodestar",
    ratio1M <= 0.5,
    `weft ${deltas1M.rows[1]?.medianMs.toFixed(2)} ms vs Lodestar ${deltas1M.rows[0]?.medianMs.toFixed(2)} ms (${ratio1M.toFixed(3)}×)`,
  ),
);

// ---------------------------------------------------------------- 2-3. applyScoreChanges and findHead

/** A chain of `blocks` with a one-block fork off every 8th block. Parents always precede children. */
function tree(blocks: number): Array<{ root: string; parent: number; slot: number }> {
  const out = [{ root: GENESIS, parent: -1, slot: 0 }];
  let tip = 0;
  while (out.length < blocks) {
    const i = out.length;
    if (i % 8 === 0 && tip > 0) out.push({ root: rootOf(i), parent: tip - 1 >= 0 ? out.length - 2 : 0, slot: i });
    else {
      out.push({ root: rootOf(i), parent: tip, slot: i });
      tip = i;
    }
  }
  return out;
}

async function scoreSuite(blocks: number) {
  const t = tree(blocks);
  const currentSlot = blocks + 1;
  const lodestar = LodestarProtoArray.initialize(lodestarBlock(GENESIS, HEX_ZERO_HASH, 0, CP), currentSlot);
  const weft = new WeftProtoArray();
  const ids: number[] = [];
  for (const [i, b] of t.entries()) {
    if (i > 0) lodestar.onBlock(lodestarBlock(b.root, (t[b.parent] as { root: string }).root, b.slot, CP), currentSlot);
    ids.push(
      weft.onBlock(
        {
          root: b.root,
          parentRoot: i === 0 ? undefined : (t[b.parent] as { root: string }).root,
          slot: b.slot,
          justified: CP,
          finalized: CP,
          unrealizedJustified: CP,
          unrealizedFinalized: CP,
          timely: false,
          arrivedAt: 0,
        },
        i === 0 ? 0 : (ids[b.parent] as number),
      ),
    );
  }
  const pattern = Array.from({ length: blocks }, (_, i) => ((i * 7919) % 13) - 6);
  const viability = {
    slotsPerEpoch: 32,
    currentEpoch: Math.floor(currentSlot / 32),
    justifiedEpoch: 0,
    finalizedEpoch: 0,
    finalizedId: ids[0] as number,
  };
  const args = {
    proposerBoost: null,
    justifiedEpoch: 0,
    justifiedRoot: GENESIS,
    finalizedEpoch: 0,
    finalizedRoot: GENESIS,
    currentSlot,
  };
  let lodestarDeltas: number[] = [];
  const apply = await suite(
    `applyScoreChanges ${blocks} blocks`,
    [
      {
        name: "lodestar 1.5.1",
        setup: () => {
          lodestarDeltas = pattern.slice();
        },
        run: () => lodestar.applyScoreChanges({ ...args, deltas: lodestarDeltas }),
      },
      {
        name: "weft (one backward pass)",
        setup: () => {
          weft.deltas.set(pattern);
        },
        run: () => weft.applyScoreChanges({ id: 0, amount: 0 }, viability),
      },
    ],
    { rounds: quick ? 15 : 41, warmup: 5 },
  );
  const lodestarHead = lodestar.findHead(GENESIS, currentSlot);
  const weftHead = weft.block(weft.findHead(ids[0] as number))?.root;
  if (lodestarHead !== weftHead) throw new Error(`heads differ: ${lodestarHead} vs ${weftHead}`);
  const find = await suite(
    `findHead ${blocks} blocks`,
    [
      {
        name: "lodestar 1.5.1",
        run: () => {
          for (let i = 0; i < 1000; i++) lodestar.findHead(GENESIS, currentSlot);
          return 1000;
        },
      },
      {
        name: "weft",
        run: () => {
          for (let i = 0; i < 1000; i++) weft.findHead(ids[0] as number);
          return 1000;
        },
      },
    ],
    { rounds: quick ? 5 : 15, warmup: 2, unit: "calls" },
  );
  return { apply, find };
}

results.scores = [await scoreSuite(64), await scoreSuite(7200)];

// ---------------------------------------------------------------- 4. streaming

interface StreamResult {
  name: string;
  votes: number;
  attestations: number;
  seconds: number;
  cpuSeconds: number;
  votesPerSecond: number;
  votesPerCpuSecond: number;
  headUpdates: number;
  headUpdateMedianMs: number;
  headUpdateMaxMs: number;
  lastVoteToHeadMs: number;
  allMovedToHeadMs: number;
  newBalancesToHeadMs: number;
}

/** The part of a store the stream drives: weft's `ForkChoice`, or Lodestar's ProtoArray behind `LodestarDriver`. */
interface StreamTarget {
  block(root: string, parent: string, slot: number): void;
  vote(validators: Uint32Array, root: string, targetEpoch: number): void;
  head(): void;
}

/**
 * One epoch of attestations for `validators`: each slot's block arrives at the slot's start, then that slot's
 * committee (every 32nd validator) votes for it in attestations of `aggregate` votes, fed as fast as they come.
 * Attestations are made as the stream goes (each with its own root string, as a decoder would produce them), so
 * the figure is the fork choice's cost, not the cost of reading a prepared list from cold memory. The head is
 * recomputed whenever 100 ms have passed, and once more after the last vote. Wall time and the process's CPU
 * time are both measured: on a shared machine the second is what one core does.
 */
function stream(name: string, target: StreamTarget, validators: number, aggregate: number): StreamResult {
  const spe = 32;
  const updates: number[] = [];
  const buffer = new Uint32Array(aggregate);
  let votes = 0;
  let attestations = 0;
  target.head();
  globalThis.gc?.();
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  let lastUpdate = start;
  for (let slot = 1; slot <= spe; slot++) {
    target.block(rootOf(slot), rootOf(slot - 1), slot);
    const root = rootOf(slot);
    const targetEpoch = Math.floor(slot / spe);
    let n = 0;
    for (let v = slot % spe; v < validators; v += spe) {
      buffer[n++] = v;
      if (n < aggregate && v + spe < validators) continue;
      target.vote(n === aggregate ? buffer : buffer.subarray(0, n), root, targetEpoch);
      votes += n;
      attestations++;
      n = 0;
      const now = performance.now();
      if (now - lastUpdate >= 100) {
        target.head();
        const done = performance.now();
        updates.push(done - now);
        lastUpdate = done;
      }
    }
  }
  const lastVote = performance.now();
  target.head();
  const end = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const sorted = [...updates].sort((a, b) => a - b);
  return {
    name,
    votes,
    attestations,
    seconds: (end - start) / 1000,
    cpuSeconds,
    votesPerSecond: votes / ((end - start) / 1000),
    votesPerCpuSecond: votes / cpuSeconds,
    headUpdates: updates.length + 1,
    headUpdateMedianMs: sorted.length > 0 ? median(sorted) : end - lastVote,
    headUpdateMaxMs: Math.max(end - lastVote, ...sorted),
    lastVoteToHeadMs: end - lastVote,
    allMovedToHeadMs: Number.NaN,
    newBalancesToHeadMs: Number.NaN,
  };
}

function streamWeft(validators: number, aggregate: number): StreamResult {
  const spe = 32;
  const fc = new ForkChoice({
    anchor: { root: GENESIS, slot: 0 },
    balances: new Array(validators).fill(32_000_000_000),
  });
  const result = stream(
    `weft, attestations of ${aggregate}`,
    {
      block: (root, parent, slot) => {
        fc.onTick(slot * 12 + 1);
        fc.onBlock({ root, parent, slot });
      },
      vote: (v, root, targetEpoch) => fc.onAttestation({ validators: v, root, targetEpoch }),
      head: () => fc.getHead(),
    },
    validators,
    aggregate,
  );
  // Worst case for the head: all 1M latest messages move at once (one attestation naming every validator).
  const slot = spe + spe;
  fc.onTick(slot * 12 + 1);
  fc.onBlock({ root: rootOf(slot), parent: rootOf(spe), slot });
  fc.getHead();
  const all = Uint32Array.from({ length: validators }, (_, v) => v);
  fc.onAttestation({ validators: all, root: rootOf(slot), targetEpoch: fc.currentEpoch });
  const t0 = performance.now();
  fc.getHead();
  result.allMovedToHeadMs = performance.now() - t0;
  // New justified balances re-weigh every vote: one computeDeltas pass over all validators.
  fc.setBalances(new Array(validators).fill(31_000_000_000));
  const t1 = performance.now();
  fc.getHead();
  result.newBalancesToHeadMs = performance.now() - t1;
  return result;
}

/** The same stream through Lodestar's ProtoArray and computeDeltas (its ForkChoice's vote bookkeeping). */
function streamLodestar(validators: number, aggregate: number): StreamResult {
  const config = { slotsPerEpoch: 32, secondsPerSlot: 12, proposerScoreBoost: 40 };
  const driver = new LodestarDriver(
    lodestarComputeDeltas,
    config,
    { root: GENESIS, slot: 0 },
    new Array(validators).fill(32n),
  );
  return stream(
    `lodestar 1.5.1, attestations of ${aggregate}`,
    {
      block: (root, parent, slot) => {
        driver.onTick(slot * 12 + 1);
        driver.onBlock(root, parent, slot);
      },
      vote: (v, root, targetEpoch) => driver.onAttestation(v, root, targetEpoch),
      head: () => driver.getHead(),
    },
    validators,
    aggregate,
  );
}

const streamValidators = 1_000_000;
const streams: StreamResult[] = [];
for (const aggregate of [1, 128]) {
  streams.push(streamWeft(streamValidators, aggregate));
  streams.push(streamLodestar(streamValidators, aggregate));
}
results.streaming = streams;
const ms = (x: number) => (Number.isNaN(x) ? "-" : x.toFixed(2));
process.stdout.write(
  `\nstreaming: ${streamValidators} validators, one vote each per epoch, head recomputed every 100 ms\n${formatTable(
    [
      "implementation",
      "votes",
      "wall s",
      "cpu s",
      "votes/s (wall)",
      "votes/cpu-s",
      "head updates",
      "update median ms",
      "update max ms",
      "last vote → head ms",
      "all 1M moved → head ms",
      "new balances → head ms",
    ],
    streams.map((s) => [
      s.name,
      s.votes,
      s.seconds.toFixed(2),
      s.cpuSeconds.toFixed(2),
      Math.round(s.votesPerSecond),
      Math.round(s.votesPerCpuSecond),
      s.headUpdates,
      ms(s.headUpdateMedianMs),
      ms(s.headUpdateMaxMs),
      ms(s.lastVoteToHeadMs),
      ms(s.allMovedToHeadMs),
      ms(s.newBalancesToHeadMs),
    ]),
  )}\n`,
);
const weftStreams = streams.filter((s) => s.name.startsWith("weft"));
const slowestCpu = Math.min(...weftStreams.map((s) => s.votesPerCpuSecond));
const slowestWall = Math.min(...weftStreams.map((s) => s.votesPerSecond));
targets.push(
  target(
    "≥ 1,000,000 votes/s ingested on one core",
    slowestCpu >= 1_000_000,
    `${Math.round(slowestCpu)} votes per CPU-second (${Math.round(slowestWall)} per wall-second on this shared machine), slowest weft stream: one vote per attestation`,
  ),
);
const allMoved = Math.max(...weftStreams.map((s) => s.allMovedToHeadMs));
const worstLatency = Math.max(allMoved, ...weftStreams.map((s) => s.headUpdateMaxMs));
targets.push(
  target(
    "head within 5 ms of the last vote at 1M validators",
    worstLatency <= 5,
    `slowest head update while streaming or after all 1M votes moved at once: ${worstLatency.toFixed(2)} ms`,
  ),
);

// ---------------------------------------------------------------- 5. calibration

function weightProportional(q: SimulatedQuery) {
  const leaves = q.tips.filter((t) => t.leaf);
  const total = leaves.reduce((a, t) => a + Number(t.weight), 0);
  return q.tips.map((t) => ({
    root: t.root,
    probability: total === 0 ? (t.root === q.headRoot ? 1 : 0) : t.leaf ? Number(t.weight) / total : 0,
  }));
}

const calibration: Array<Record<string, number | string>> = [];
for (const reorgShare of [0.5, 0.2, 0.8]) {
  const queries: SimulatedQuery[] = [];
  for (const seed of quick ? [101] : [101, 102, 103]) {
    queries.push(...simulate({ seed, slots: quick ? 150 : 400, validators: 4096, reorgShare }));
  }
  const s = summarize(queries);
  const scored = queries.filter((q) => q.outcomeKnown);
  const prop = scored.reduce((a, q) => a + brier(weightProportional(q), q.outcome), 0) / scored.length;
  calibration.push({
    "simulated re-org share": reorgShare,
    queries: s.queries,
    scored: s.scored,
    "model Brier": s.modelBrier,
    "head-only Brier": s.headOnlyBrier,
    "weight-proportional Brier": prop,
    "model Brier, after deadline": mean(s.byTime.filter((b) => b.secondsIntoSlot >= 4).map((b) => b.model)),
    "head-only Brier, after deadline": mean(s.byTime.filter((b) => b.secondsIntoSlot >= 4).map((b) => b.headOnly)),
  });
  if (reorgShare === 0.5) {
    process.stdout.write(
      `\ncalibration by query time (simulated re-org share 0.5, model default 0.5)\n${formatTable(
        ["s into slot", "scored", "model Brier", "head-only Brier"],
        s.byTime.map((b) => [b.secondsIntoSlot, b.scored, b.model.toFixed(4), b.headOnly.toFixed(4)]),
      )}\n`,
    );
  }
}
function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
}
results.calibration = calibration;
process.stdout.write(
  `\ncalibration on simulated slots (4096 validators; model parameters at their defaults)\n${formatTable(
    Object.keys(calibration[0] ?? {}),
    calibration.map((row) =>
      Object.values(row).map((v) => (typeof v === "number" && !Number.isInteger(v) ? v.toFixed(4) : v)),
    ),
  )}\n`,
);

results.targets = targets;
writeResults("forkchoice", results);
