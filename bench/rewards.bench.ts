/**
 * Epoch rewards: the linear Altair+ pass (`processEpochRewards`) for 1,000,000 validators against the issue's
 * 200 ms target, with and without an inactivity leak; the spec transcription beside it at sizes it can finish
 * (it is quadratic: every base reward re-sums the active balance), to show the scaling; and phase0's
 * inclusion-delay deltas, the spec's O(V × A) loop against the linear pass.
 *
 *   npm run bench -- rewards [--validators 1000000]
 */
import { BitArray } from "@chainsafe/ssz";
import { getInclusionDelayDeltas } from "../src/consensus/rewards/getInclusionDelayDeltas.js";
import { processEpochRewards } from "../src/consensus/rewards/processEpochRewards.js";
import type { RewardsState } from "../src/consensus/rewards/rewardsState.js";
import {
  getInclusionDelayDeltasSpec,
  type PendingAttestation,
  processEpochRewardsSpec,
} from "../src/consensus/rewards/spec.js";
import { median, suite, target, writeResults } from "./harness.js";
import { prng } from "./packInstances.js";

const args = process.argv.slice(2);
const i = args.indexOf("--validators");
const VALIDATORS = i >= 0 ? Number(args[i + 1]) : 1_000_000;
const GWEI = 1e9;

/** A mainnet-like state: 97% full participation, a few partial or absent, 0.5% slashed, 1% exited, some leak scores. */
function mainnetLikeState(n: number, leak: boolean, seed = 1): RewardsState {
  const rand = prng(seed);
  const s: RewardsState = {
    currentEpoch: 300_000,
    finalizedEpoch: leak ? 299_980 : 299_998,
    effectiveBalance: new Float64Array(n),
    balances: new Float64Array(n),
    slashed: new Uint8Array(n),
    activationEpoch: new Float64Array(n),
    exitEpoch: new Float64Array(n).fill(Infinity),
    withdrawableEpoch: new Float64Array(n).fill(Infinity),
    previousEpochParticipation: new Uint8Array(n),
    inactivityScores: new Float64Array(n),
  };
  for (let v = 0; v < n; v++) {
    const r = rand();
    const inc = r < 0.96 ? 32 : r < 0.99 ? 16 + Math.floor(rand() * 16) : 33 + Math.floor(rand() ** 3 * 2015);
    s.effectiveBalance[v] = inc * GWEI;
    s.balances[v] = inc * GWEI + Math.floor(rand() * 0.5 * GWEI);
    s.activationEpoch[v] = Math.floor(rand() * 290_000);
    if (rand() < 0.01) {
      s.exitEpoch[v] = 299_990 + Math.floor(rand() * 20);
      s.withdrawableEpoch[v] = (s.exitEpoch[v] as number) + 256;
    }
    if (rand() < 0.005) {
      s.slashed[v] = 1;
      s.withdrawableEpoch[v] = 300_000 + Math.floor(rand() * 8192);
    }
    const p = rand();
    s.previousEpochParticipation[v] = p < 0.95 ? 7 : p < 0.97 ? 3 : p < 0.98 ? 1 : 0;
    s.inactivityScores[v] = leak ? Math.floor(rand() * 200) : rand() < 0.03 ? Math.floor(rand() * 50) : 0;
  }
  return s;
}

/** Previous-epoch pending attestations: 64 committees × 32 slots, 2 attestations each at delays 1..3. */
function pendingAttestations(n: number, seed = 2): PendingAttestation[] {
  const rand = prng(seed);
  const perm = new Uint32Array(n);
  for (let v = 0; v < n; v++) perm[v] = v;
  for (let v = n - 1; v > 0; v--) {
    const j = Math.floor(rand() * (v + 1));
    const t = perm[v] as number;
    perm[v] = perm[j] as number;
    perm[j] = t;
  }
  const committees = Math.max(1, Math.min(64, Math.floor(n / 32 / 128))) * 32;
  const out: PendingAttestation[] = [];
  for (let c = 0; c < committees; c++) {
    const committee = perm.subarray(Math.floor((c * n) / committees), Math.floor(((c + 1) * n) / committees));
    for (let k = 0; k < 2; k++) {
      const bits = Array.from(committee, () => rand() < 0.9);
      out.push({
        committee,
        aggregationBits: BitArray.fromBoolArray(bits),
        inclusionDelay: 1 + Math.floor(rand() * 3),
        proposerIndex: Math.floor(rand() * n),
      });
    }
  }
  return out;
}

/** Wraps a run to also record its CPU time (user + system): on a shared machine wall time includes waiting. */
function cpuRecorded(samples: number[], run: () => unknown): () => unknown {
  return () => {
    const before = process.cpuUsage();
    const out = run();
    const d = process.cpuUsage(before);
    samples.push((d.user + d.system) / 1000);
    return out;
  };
}

async function main(): Promise<void> {
  const normal = mainnetLikeState(VALIDATORS, false);
  const leaking = mainnetLikeState(VALIDATORS, true);
  const cpuNormal: number[] = [];
  const cpuLeak: number[] = [];
  const linear = await suite(
    `processEpochRewards ${VALIDATORS} validators (linear, Altair+ flags and inactivity)`,
    [
      { name: "no leak", run: cpuRecorded(cpuNormal, () => processEpochRewards(normal)) },
      { name: "inactivity leak", run: cpuRecorded(cpuLeak, () => processEpochRewards(leaking)) },
    ],
    { rounds: 15, warmup: 3 },
  );
  // The harness reports wall time; the CPU time of the measured rounds (warm-up rounds dropped):
  const cpuMedian = (xs: number[]) => median(xs.slice(3));
  process.stdout.write(
    `CPU time median: no leak ${cpuMedian(cpuNormal).toFixed(1)} ms, inactivity leak ${cpuMedian(cpuLeak).toFixed(1)} ms\n`,
  );

  const scaling: Array<{ validators: number; specMs: number; linearMs: number }> = [];
  for (const n of [250, 500, 1000]) {
    const s = mainnetLikeState(n, false, n);
    const r = await suite(
      `epoch rewards ${n} validators: spec transcription vs linear`,
      [
        { name: "spec transcription", run: () => processEpochRewardsSpec(s) },
        { name: "linear", run: () => processEpochRewards(s) },
      ],
      { rounds: 3, warmup: 1 },
    );
    scaling.push({
      validators: n,
      specMs: r.rows[0]?.medianMs ?? Number.NaN,
      linearMs: r.rows[1]?.medianMs ?? Number.NaN,
    });
  }

  const phase0Small: Array<{ validators: number; attestations: number; specMs: number; linearMs: number }> = [];
  for (const n of [1024, 2048]) {
    const s = mainnetLikeState(n, false, n);
    const atts = pendingAttestations(n);
    const r = await suite(
      `phase0 inclusion-delay deltas ${n} validators ${atts.length} attestations: spec O(V×A) vs linear`,
      [
        { name: "spec transcription", run: () => getInclusionDelayDeltasSpec(s, atts) },
        { name: "linear", run: () => getInclusionDelayDeltas(s, atts) },
      ],
      { rounds: 3, warmup: 1 },
    );
    phase0Small.push({
      validators: n,
      attestations: atts.length,
      specMs: r.rows[0]?.medianMs ?? Number.NaN,
      linearMs: r.rows[1]?.medianMs ?? Number.NaN,
    });
  }
  const atts = pendingAttestations(VALIDATORS);
  const phase0 = await suite(
    `phase0 inclusion-delay deltas ${VALIDATORS} validators ${atts.length} attestations (linear)`,
    [{ name: "linear", run: () => getInclusionDelayDeltas(normal, atts) }],
    { rounds: 9, warmup: 2 },
  );

  const worst = Math.max(...linear.rows.map((r) => r.maxMs));
  const wallMedian = Math.max(...linear.rows.map((r) => r.medianMs));
  const cpu = Math.max(cpuMedian(cpuNormal), cpuMedian(cpuLeak));
  const { loadavg } = await import("node:os");
  const targets = [
    target(
      `rewards for ${VALIDATORS} validators in ≤ 200 ms (wall, median)`,
      wallMedian <= 200,
      `median ${wallMedian.toFixed(1)} ms, worst round ${worst.toFixed(1)} ms (anchors: Lodestar 351 ms, Nimbus 37 ms)`,
    ),
    target(`rewards for ${VALIDATORS} validators in ≤ 200 ms (CPU, median)`, cpu <= 200, `${cpu.toFixed(1)} ms of CPU`),
  ];
  process.stdout.write(
    `load average at the end: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}\n`,
  );
  writeResults("rewards", {
    validators: VALIDATORS,
    linear,
    cpuMs: { noLeak: cpuNormal.slice(3), leak: cpuLeak.slice(3) },
    scaling,
    phase0Small,
    phase0,
    targets,
  });
}

await main();
