/**
 * Realistic attestation-packing instances, mainnet-like, for the packing benchmark and for trying `weft pack`.
 *
 * A world: V validators (default 1,000,000) with mainnet-like effective balances (most 32 ETH, some lower, 1%
 * compounding up to 2048 ETH), 64 committees a slot from a seeded shuffle per epoch. An instance: a block proposed
 * at slot N, with 32 slots of history N-32..N-1, simulated as follows.
 * - Blocks: 1% of slots missed (votes for the parent are then correct), 8% late: a share of each committee (20-70%)
 *   votes for the parent (wrong head; on an epoch's first slot, wrong target too). Otherwise 0.5-2% wrong head.
 * - Votes: 97% of validators vote. A vote reaches the network at a time: most by 6 s, a share late (6-12 s):
 *   3% on mainnet's good day (`NETWORK.mainnet`), 10% with a wider per-aggregator spread on a stressed network.
 * - Aggregators: 12-20 per committee; each aggregates the votes for its own data that reached it by its cutoff
 *   (7.5-9 s, plus per-vote jitter), so views are mostly nested but overlap imperfectly. The proposer also gets
 *   the singles of its two subscribed subnets.
 * - The pool's candidates come from `mergeDisjointAggregates` (the product's own: maximal disjoint combinations
 *   topped up with singles, contained ones dropped).
 * - The chain: each slot's votes were included by a later block (85% at delay 1, 10% at delay 2, 5% not yet), its
 *   proposer taking each committee's largest candidate; that sets the state's participation flags, so what the
 *   chain counted is worth nothing now. Weights are the proposer reward numerators of what is still new.
 * Items are (validator, target epoch) pairs numbered densely. Deterministic in the seed.
 */
import { pathToFileURL } from "node:url";
import { BitArray } from "@chainsafe/ssz";
import { mergeDisjointAggregates } from "../src/consensus/attestations/attestationPool.js";
import {
  flagWeightSum,
  getAttestationParticipationFlagIndices,
} from "../src/consensus/attestations/getAttestationParticipationFlagIndices.js";
import type { PackingGroup, PackingInstance } from "../src/consensus/attestations/packingInstance.js";
import { getBaseRewardPerIncrement } from "../src/consensus/rewards/processEpochRewards.js";

const SLOTS_PER_EPOCH = 32;
const COMMITTEES_PER_SLOT = 64;

/** mulberry32: a small seeded PRNG, good enough for simulation. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface World {
  validators: number;
  /** Effective balance in increments of 1 ETH. */
  increments: Uint16Array;
  baseRewardPerIncrement: number;
  /** A shuffle per epoch parity (epochs alternate between two permutations: enough for two-epoch windows). */
  shuffles: [Uint32Array, Uint32Array];
}

export function createWorld(validators = 1_000_000, seed = 1): World {
  const rand = prng(seed);
  const increments = new Uint16Array(validators);
  let total = 0;
  for (let v = 0; v < validators; v++) {
    const r = rand();
    const inc = r < 0.96 ? 32 : r < 0.99 ? 16 + Math.floor(rand() * 16) : 33 + Math.floor(rand() ** 3 * 2015);
    increments[v] = inc;
    total += inc;
  }
  const shuffle = (): Uint32Array => {
    const p = new Uint32Array(validators);
    for (let i = 0; i < validators; i++) p[i] = i;
    for (let i = validators - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      const t = p[i] as number;
      p[i] = p[j] as number;
      p[j] = t;
    }
    return p;
  };
  return {
    validators,
    increments,
    baseRewardPerIncrement: getBaseRewardPerIncrement(BigInt(total) * 1_000_000_000n),
    shuffles: [shuffle(), shuffle()],
  };
}

function committee(world: World, slot: number, index: number): Uint32Array {
  const epoch = Math.floor(slot / SLOTS_PER_EPOCH);
  const perSlot = world.validators / SLOTS_PER_EPOCH;
  const size = perSlot / COMMITTEES_PER_SLOT;
  const start = Math.floor((slot % SLOTS_PER_EPOCH) * perSlot + index * size);
  const end = Math.floor((slot % SLOTS_PER_EPOCH) * perSlot + (index + 1) * size);
  return world.shuffles[epoch % 2]?.subarray(start, end) as Uint32Array;
}

export interface GeneratedInstances {
  /** The same pool and chain, in Electra form (groups per data, limit 8) and phase0 form (per data and committee, 128). */
  electra: PackingInstance;
  phase0: PackingInstance;
  /** Aggregate entries (items listed over all aggregates). */
  entries: number;
}

export interface NetworkConditions {
  /** Share of votes that arrive late (after 6 s), racing the aggregators' cutoffs (default 0.03). */
  lateShare: number;
  /** Spread of a late vote's arrival as seen by different aggregators, seconds (default 0.6). */
  jitter: number;
}

/** Mainnet on a good day; and a stressed network, where many votes race the aggregators and views diverge. */
export const NETWORK: Record<"mainnet" | "stressed", NetworkConditions> = {
  mainnet: { lateShare: 0.03, jitter: 0.6 },
  stressed: { lateShare: 0.1, jitter: 1.5 },
};

export function generateInstances(
  world: World,
  seed: number,
  network: NetworkConditions = NETWORK.mainnet,
): GeneratedInstances {
  const rand = prng(seed * 7919 + 17);
  const N = 64 + Math.floor(rand() * 10_000); // the slot being proposed
  const currentEpoch = Math.floor(N / SLOTS_PER_EPOCH);
  const V = world.validators;
  // Participation of the state at N: bit flags per validator, for the current and previous epochs.
  const participation = [new Uint8Array(V), new Uint8Array(V)]; // [previous, current]
  const itemOf = new Int32Array(2 * V).fill(-1);
  const weights: number[] = [];
  const covered: number[] = [];
  const electraGroups: PackingGroup[] = [];
  const phase0Groups: PackingGroup[] = [];
  let entries = 0;

  interface CommitteeCandidates {
    index: number;
    candidates: BitArray[];
    members: Uint32Array;
  }
  interface SlotVotes {
    slot: number;
    variantCommittees: CommitteeCandidates[][];
    flagsByVariant: number[];
  }
  const history: SlotVotes[] = [];

  for (let s = N - 32; s < N; s++) {
    const boundary = s % SLOTS_PER_EPOCH === 0;
    const late = rand() < 0.08;
    const wrongShare = late ? 0.2 + rand() * 0.5 : 0.005 + rand() * 0.015;
    const delay = N - s;
    const flagsByVariant = [
      getAttestationParticipationFlagIndices({ matchingSource: true, matchingTarget: true, matchingHead: true }, delay),
      getAttestationParticipationFlagIndices(
        { matchingSource: true, matchingTarget: true, matchingHead: false },
        delay,
      ),
      getAttestationParticipationFlagIndices(
        { matchingSource: true, matchingTarget: false, matchingHead: false },
        delay,
      ),
    ];
    const variantCommittees: SlotVotes["variantCommittees"] = [[], [], []];
    for (let c = 0; c < COMMITTEES_PER_SLOT; c++) {
      const members = committee(world, s, c);
      const n = members.length;
      // The data each member voted for: -1 none, 0 correct, 1 wrong head, 2 wrong head and target.
      const variant = new Int8Array(n).fill(-1);
      const arrival = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        if (rand() >= 0.97) continue;
        variant[i] = rand() < wrongShare ? (boundary && late ? 2 : 1) : 0;
        arrival[i] = rand() >= network.lateShare ? 4 + rand() * 2 : 6 + rand() * 6;
      }
      // Prompt votes (by 6 s) reach every aggregator before its cutoff; late ones race it, with jitter.
      const prompt = [BitArray.fromBitLen(n), BitArray.fromBitLen(n), BitArray.fromBitLen(n)];
      const lateVotes: number[][] = [[], [], []];
      for (let i = 0; i < n; i++) {
        const v = variant[i] as number;
        if (v < 0) continue;
        if ((arrival[i] as number) < 6) (prompt[v] as BitArray).set(i, true);
        else (lateVotes[v] as number[]).push(i);
      }
      const aggregators = 12 + Math.floor(rand() * 9);
      const byVariant: BitArray[][] = [[], [], []];
      for (let a = 0; a < aggregators; a++) {
        const self = Math.floor(rand() * n);
        const v = variant[self] as number;
        if (v < 0) continue;
        const cutoff = 7.5 + rand() * 1.5;
        const bits = (prompt[v] as BitArray).clone();
        for (const i of lateVotes[v] as number[]) {
          if ((arrival[i] as number) + (rand() - 0.5) * network.jitter < cutoff) bits.set(i, true);
        }
        (byVariant[v] as BitArray[]).push(bits);
      }
      const subscribed = c === seed % COMMITTEES_PER_SLOT || c === (seed * 31 + 7) % COMMITTEES_PER_SLOT;
      for (let v = 0; v < 3; v++) {
        const singles: number[] = [];
        if (subscribed)
          for (let i = 0; i < n; i++) if (variant[i] === v && (arrival[i] as number) < 11) singles.push(i);
        const aggs = byVariant[v] as BitArray[];
        if (aggs.length === 0 && singles.length === 0) continue;
        const candidates = mergeDisjointAggregates(aggs, singles, n).map((m) => m.bits);
        (variantCommittees[v] as CommitteeCandidates[]).push({ index: c, candidates, members });
      }
    }
    history.push({ slot: s, variantCommittees, flagsByVariant });

    // What the chain already included: a later block took each committee's largest candidate.
    const r = rand();
    const includedAt = r < 0.85 ? s + 1 : r < 0.95 ? s + 2 : Number.POSITIVE_INFINITY;
    if (includedAt >= N) continue;
    const inclusionDelay = includedAt - s;
    const epochOffset = Math.floor(s / SLOTS_PER_EPOCH) - (currentEpoch - 1);
    const part = participation[epochOffset] as Uint8Array;
    for (let v = 0; v < 3; v++) {
      const flags = getAttestationParticipationFlagIndices(
        { matchingSource: true, matchingTarget: v < 2, matchingHead: v === 0 },
        inclusionDelay,
      );
      for (const com of variantCommittees[v] as CommitteeCandidates[]) {
        let best: BitArray | undefined;
        let bestCount = -1;
        for (const cand of com.candidates) {
          const count = cand.getTrueBitIndexes().length;
          if (count > bestCount) {
            best = cand;
            bestCount = count;
          }
        }
        if (best === undefined) continue;
        for (const i of best.getTrueBitIndexes()) {
          const val = com.members[i] as number;
          part[val] = (part[val] as number) | flags;
        }
      }
    }
  }

  // The instance: groups (electra: one per data; phase0: one per data and committee), newest first.
  for (const h of [...history].reverse()) {
    const epochOffset = Math.floor(h.slot / SLOTS_PER_EPOCH) - (currentEpoch - 1);
    if (epochOffset < 0) continue;
    const part = participation[epochOffset] as Uint8Array;
    for (let v = 0; v < 3; v++) {
      const flags = h.flagsByVariant[v] as number;
      if (flags === 0) continue;
      const committees: PackingGroup["committees"][number][] = [];
      for (const com of h.variantCommittees[v] as CommitteeCandidates[]) {
        const aggregates: Uint32Array[] = [];
        for (const cand of com.candidates) {
          const positions = cand.getTrueBitIndexes();
          const weightOf = (val: number): number =>
            (world.increments[val] as number) *
            world.baseRewardPerIncrement *
            flagWeightSum(flags & ~(part[val] as number));
          let worth = 0;
          for (const p of positions) worth += weightOf(com.members[p] as number);
          if (worth === 0) continue;
          const items = new Uint32Array(positions.length);
          positions.forEach((p, k) => {
            const val = com.members[p] as number;
            const key = val * 2 + epochOffset;
            let item = itemOf[key] as number;
            if (item < 0) {
              item = weights.length;
              itemOf[key] = item;
              const w = weightOf(val);
              weights.push(w);
              if (w === 0) covered.push(item);
            }
            items[k] = item;
          });
          aggregates.push(items);
          entries += items.length;
        }
        if (aggregates.length > 0) committees.push({ index: com.index, aggregates });
      }
      const key = `0x${h.slot.toString(16).padStart(8, "0")}${v.toString(16).padStart(2, "0")}`;
      if (committees.length > 0) electraGroups.push({ key, committees });
      for (const c of committees) {
        phase0Groups.push({ key: `${key}${c.index.toString(16).padStart(2, "0")}`, committees: [c] });
      }
    }
  }
  return {
    electra: { mode: "electra", limit: 8, weights, covered, groups: electraGroups },
    phase0: { mode: "phase0", limit: 128, weights, covered, groups: phase0Groups },
    entries,
  };
}

/**
 * `npx tsx bench/packInstances.ts --mode electra|phase0 [--seed N] [--validators N] [--network mainnet|stressed]`:
 * one instance as JSON on stdout.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string, fallback: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
  };
  const mode = opt("mode", "electra");
  if (mode !== "electra" && mode !== "phase0") throw new Error(`--mode electra|phase0, not ${mode}`);
  const world = createWorld(Number(opt("validators", "1000000")), 1);
  const network = opt("network", "mainnet");
  if (network !== "mainnet" && network !== "stressed") throw new Error(`--network mainnet|stressed, not ${network}`);
  const instance = generateInstances(world, Number(opt("seed", "1")), NETWORK[network])[mode];
  const json = JSON.stringify(instance, (_k, v) => (v instanceof Uint32Array ? Array.from(v) : v));
  process.stdout.write(`${json}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
