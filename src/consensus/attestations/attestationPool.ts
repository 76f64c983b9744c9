/**
 * The attestation pool a block proposer packs from.
 *
 * In: single attestations (`SingleAttestation`, Electra's subnet form) and aggregates (network form: one committee).
 * They are grouped by attestation data (its hash tree root) and, within a data, by committee. Per committee the
 * pool keeps the aggregates no other one contains (a subset of a known aggregate adds nothing) and the singles.
 *
 * Out: a packing instance (`packingInstance`). Per committee, its candidates are every maximal combination of
 * pairwise disjoint aggregates (the maximal cliques of the compatibility graph, by Bron–Kerbosch: disjoint
 * aggregates merge into one without double-counting a signature), each topped up with the singles it lacks;
 * candidates contained in another are dropped. Weights are the proposer's reward numerators for the flags each
 * validator's vote would newly set on chain (the state's epoch participation: what the chain already includes),
 * so a validator already counted is worth nothing and a candidate worth nothing is left out. Items are
 * (validator, target epoch) pairs, numbered densely. `attestationsForBlock` turns a packing selection back into
 * the block's attestations: merged per committee, then `compute_on_chain_aggregate` (Electra) or one attestation
 * per candidate (phase0). Signatures are aggregated only then, for what the block carries.
 *
 * Bounded: data that can no longer be included (older than the previous epoch, EIP-7045) is pruned, and past
 * `maxVotes` stored aggregates and singles the oldest slots are evicted; both show in Prometheus metrics.
 */
import type { BitArray } from "@chainsafe/ssz";
import { BitArray as Bits } from "@chainsafe/ssz";
import { type electra, type phase0, ssz } from "@lodestar/types";
import { Counter, Gauge } from "prom-client";
import { registry } from "../../shared/metrics.js";
import { EFFECTIVE_BALANCE_INCREMENT, SLOTS_PER_EPOCH } from "../rewards/constants.js";
import { bronKerbosch } from "./bronKerbosch.js";
import {
  aggregateSignaturesNoble,
  computeOnChainAggregate,
  getCommitteeIndices,
  type SignatureAggregator,
} from "./computeOnChainAggregate.js";
import { AttestationError } from "./errors.js";
import {
  type AttestationCorrectness,
  flagWeightSum,
  getAttestationParticipationFlagIndices,
} from "./getAttestationParticipationFlagIndices.js";
import type {
  ElectraSelection,
  PackingGroup,
  PackingInstance,
  PackingMode,
  Phase0Selection,
} from "./packingInstance.js";

const poolVotes = new Gauge({
  name: "weft_attestation_pool_votes",
  help: "Aggregates and single attestations held by the attestation pool",
  registers: [registry],
});
const poolEvicted = new Counter({
  name: "weft_attestation_pool_evicted_total",
  help: "Aggregates and singles evicted from the attestation pool to stay within its memory bound",
  registers: [registry],
});
const poolPruned = new Counter({
  name: "weft_attestation_pool_pruned_total",
  help: "Aggregates and singles pruned from the attestation pool because they can no longer be included",
  registers: [registry],
});

/** The validators of committee `index` at `slot`, in committee order (`get_beacon_committee`). */
export type CommitteeLookup = (slot: number, index: number) => ArrayLike<number> | undefined;

export interface AttestationPoolOptions {
  committees: CommitteeLookup;
  /** Aggregates plus singles held at most (default 200,000). */
  maxVotes?: number;
  aggregateSignatures?: SignatureAggregator;
  /** Candidates per committee at most (Bron–Kerbosch output cap, default 64). */
  maxCandidates?: number;
}

/** What the pool needs from the head state to price votes: a view of `process_attestation`'s inputs. */
export interface PackingContext {
  mode: PackingMode;
  /** The slot of the block being built. */
  slot: number;
  /** Which of a data's roots match the chain (`get_attestation_participation_flag_indices`' checks). */
  correctness: (data: phase0.AttestationData) => AttestationCorrectness;
  /** `state.current_epoch_participation` and `state.previous_epoch_participation`. */
  currentEpochParticipation: Uint8Array;
  previousEpochParticipation: Uint8Array;
  /** `validators[i].effective_balance` (Gwei). */
  effectiveBalance: ArrayLike<number>;
  /** `get_base_reward_per_increment(state)`. */
  baseRewardPerIncrement: number;
}

interface Vote {
  bits: BitArray;
  signature: Uint8Array;
}

interface CommitteeVotes {
  index: number;
  members: ArrayLike<number>;
  aggregates: Vote[];
  /** Position in the committee → signature. */
  singles: Map<number, Uint8Array>;
}

interface DataEntry {
  root: string;
  data: phase0.AttestationData;
  committees: Map<number, CommitteeVotes>;
}

interface Candidate {
  bits: BitArray;
  signatures: Uint8Array[];
}

/** A packing instance built from the pool, and how to turn its selection into block attestations. */
export interface PoolPackingInstance {
  instance: PackingInstance;
  /** Item i is validator `itemValidator[i]`'s vote for target epoch `itemEpoch[i]`. */
  itemValidator: Uint32Array;
  itemEpoch: Float64Array;
}

const toHex = (b: Uint8Array): string => `0x${Buffer.from(b).toString("hex")}`;
const isSubset = (a: BitArray, b: BitArray): boolean => {
  const x = a.uint8Array;
  const y = b.uint8Array;
  for (let i = 0; i < x.length; i++) if (((x[i] as number) & ~(y[i] ?? 0)) !== 0) return false;
  return true;
};
const disjoint = (a: BitArray, b: BitArray): boolean => {
  const x = a.uint8Array;
  const y = b.uint8Array;
  for (let i = 0; i < x.length; i++) if (((x[i] as number) & (y[i] ?? 0)) !== 0) return false;
  return true;
};

/** One candidate of a committee: which aggregates (by position) and singles (committee positions) it merges. */
export interface MergedAggregate {
  bits: BitArray;
  aggregates: number[];
  singles: number[];
}

/**
 * The pool's candidates for one committee and data: every maximal combination of pairwise disjoint aggregates
 * (Bron–Kerbosch on the compatibility graph), each topped up with the singles it lacks, then those contained in
 * another dropped (a contained candidate never covers more). With no aggregate, the singles alone.
 */
export function mergeDisjointAggregates(
  aggregates: readonly BitArray[],
  singles: readonly number[],
  committeeSize: number,
  maxCandidates = 64,
): MergedAggregate[] {
  const n = aggregates.length;
  const cliques =
    n === 0
      ? [[]]
      : bronKerbosch((a, b) => disjoint(aggregates[a] as BitArray, aggregates[b] as BitArray), n, maxCandidates);
  const out: MergedAggregate[] = [];
  for (const clique of cliques) {
    const bits = Bits.fromBitLen(committeeSize);
    for (const i of clique) {
      const agg = (aggregates[i] as BitArray).uint8Array;
      for (let k = 0; k < bits.uint8Array.length; k++)
        bits.uint8Array[k] = (bits.uint8Array[k] as number) | (agg[k] as number);
    }
    const added: number[] = [];
    for (const position of singles) {
      if (!bits.get(position)) {
        bits.set(position, true);
        added.push(position);
      }
    }
    if (clique.length + added.length > 0) out.push({ bits, aggregates: clique, singles: added });
  }
  // Drop candidates inside another (of two equal ones, keep the first).
  return out.filter(
    (c, i) => !out.some((d, j) => j !== i && isSubset(c.bits, d.bits) && (!isSubset(d.bits, c.bits) || j < i)),
  );
}

export class AttestationPool {
  private readonly byRoot = new Map<string, DataEntry>();
  private readonly options: Required<AttestationPoolOptions>;
  private votes = 0;
  /** Candidates of the last instance built, by group key and committee index, for `attestationsForBlock`. */
  private lastCandidates = new Map<string, Map<number, Candidate[]>>();

  constructor(options: AttestationPoolOptions) {
    this.options = {
      maxVotes: 200_000,
      aggregateSignatures: aggregateSignaturesNoble,
      maxCandidates: 64,
      ...options,
    };
  }

  /** Aggregates and singles held. */
  get size(): number {
    return this.votes;
  }

  private committeeVotes(data: phase0.AttestationData, index: number): CommitteeVotes {
    const root = toHex(ssz.phase0.AttestationData.hashTreeRoot(data));
    let entry = this.byRoot.get(root);
    if (entry === undefined) {
      entry = { root, data, committees: new Map() };
      this.byRoot.set(root, entry);
    }
    let cv = entry.committees.get(index);
    if (cv === undefined) {
      const members = this.options.committees(data.slot, index);
      if (members === undefined) {
        throw new AttestationError("UNKNOWN_COMMITTEE", `no committee ${index} at slot ${data.slot}`);
      }
      cv = { index, members, aggregates: [], singles: new Map() };
      entry.committees.set(index, cv);
    }
    return cv;
  }

  /** Adds an Electra `SingleAttestation`. Returns false when the pool already had that vote. */
  addSingleAttestation(att: electra.SingleAttestation): boolean {
    const cv = this.committeeVotes(att.data, att.committeeIndex);
    let position = -1;
    for (let i = 0; i < cv.members.length; i++) {
      if (cv.members[i] === att.attesterIndex) {
        position = i;
        break;
      }
    }
    if (position < 0) {
      throw new AttestationError(
        "ATTESTATION_INVALID",
        `validator ${att.attesterIndex} is not in committee ${att.committeeIndex} at slot ${att.data.slot}`,
      );
    }
    if (cv.singles.has(position) || cv.aggregates.some((a) => a.bits.get(position))) return false;
    cv.singles.set(position, att.signature);
    this.changed(1);
    return true;
  }

  /**
   * Adds a network aggregate: Electra (`committeeBits` with one bit) or phase0 (`data.index` is the committee).
   * Returns false when a known aggregate already contains it.
   */
  addAggregate(att: electra.Attestation | phase0.Attestation): boolean {
    let index: number;
    if ("committeeBits" in att) {
      const indices = getCommitteeIndices(att.committeeBits);
      if (indices.length !== 1) {
        throw new AttestationError("ATTESTATION_INVALID", `a network aggregate with ${indices.length} committee bits`);
      }
      index = indices[0] as number;
    } else {
      index = att.data.index;
    }
    const cv = this.committeeVotes(att.data, index);
    if (att.aggregationBits.bitLen !== cv.members.length) {
      throw new AttestationError(
        "ATTESTATION_INVALID",
        `aggregation bits of length ${att.aggregationBits.bitLen} for a committee of ${cv.members.length}`,
      );
    }
    if (cv.aggregates.some((a) => isSubset(att.aggregationBits, a.bits))) return false;
    const before = cv.aggregates.length;
    cv.aggregates = cv.aggregates.filter((a) => !isSubset(a.bits, att.aggregationBits));
    cv.aggregates.push({ bits: att.aggregationBits, signature: att.signature });
    this.changed(cv.aggregates.length - before);
    return true;
  }

  private changed(delta: number): void {
    this.votes += delta;
    while (this.votes > this.options.maxVotes && this.byRoot.size > 0) {
      // Evict the oldest data: it has the fewest slots of inclusion left and earns the fewest flags.
      let oldest: DataEntry | undefined;
      for (const e of this.byRoot.values()) if (oldest === undefined || e.data.slot < oldest.data.slot) oldest = e;
      if (oldest === undefined) break;
      const n = this.remove(oldest);
      poolEvicted.inc(n);
    }
    poolVotes.set(this.votes);
  }

  private remove(entry: DataEntry): number {
    let n = 0;
    for (const cv of entry.committees.values()) n += cv.aggregates.length + cv.singles.size;
    this.byRoot.delete(entry.root);
    this.votes -= n;
    return n;
  }

  /** Drops data that can no longer be included at `slot` (target epoch before the previous epoch). */
  prune(slot: number): number {
    const previousEpoch = Math.floor(slot / SLOTS_PER_EPOCH) - 1;
    let n = 0;
    for (const entry of [...this.byRoot.values()]) if (entry.data.target.epoch < previousEpoch) n += this.remove(entry);
    poolPruned.inc(n);
    poolVotes.set(this.votes);
    return n;
  }

  /** Per committee: maximal disjoint combinations of aggregates, topped up with singles, none inside another. */
  private candidates(cv: CommitteeVotes): Candidate[] {
    const singles = [...cv.singles.keys()];
    return mergeDisjointAggregates(
      cv.aggregates.map((a) => a.bits),
      singles,
      cv.members.length,
      this.options.maxCandidates,
    ).map((m) => ({
      bits: m.bits,
      signatures: [
        ...m.aggregates.map((i) => (cv.aggregates[i] as Vote).signature),
        ...m.singles.map((p) => cv.singles.get(p) as Uint8Array),
      ],
    }));
  }

  /**
   * The packing instance for a block at `ctx.slot`: every includable data with something to earn, priced
   * against the head state's participation.
   */
  packingInstance(ctx: PackingContext): PoolPackingInstance {
    const currentEpoch = Math.floor(ctx.slot / SLOTS_PER_EPOCH);
    const itemOf = new Map<number, number>();
    const weights: number[] = [];
    const covered: number[] = [];
    const itemValidator: number[] = [];
    const itemEpoch: number[] = [];
    const groups: PackingGroup[] = [];
    this.lastCandidates = new Map();
    const entries = [...this.byRoot.values()].sort((a, b) => b.data.slot - a.data.slot || (a.root < b.root ? -1 : 1));
    for (const entry of entries) {
      const { data } = entry;
      const delay = ctx.slot - data.slot;
      const epochOffset = data.target.epoch - (currentEpoch - 1);
      if (delay < 1 || epochOffset < 0 || epochOffset > 1) continue;
      const flags = getAttestationParticipationFlagIndices(ctx.correctness(data), delay);
      if (flags === 0) continue;
      const participation = epochOffset === 1 ? ctx.currentEpochParticipation : ctx.previousEpochParticipation;
      const committees: PackingGroup["committees"][number][] = [];
      const byCommittee = new Map<number, Candidate[]>();
      for (const cv of [...entry.committees.values()].sort((a, b) => a.index - b.index)) {
        const aggregates: number[][] = [];
        const kept: Candidate[] = [];
        for (const cand of this.candidates(cv)) {
          const positions = cand.bits.getTrueBitIndexes();
          const weightOf = (v: number): number => {
            const increments = Math.floor((ctx.effectiveBalance[v] as number) / EFFECTIVE_BALANCE_INCREMENT);
            return increments * ctx.baseRewardPerIncrement * flagWeightSum(flags & ~(participation[v] ?? 0));
          };
          let worth = 0;
          for (const position of positions) worth += weightOf(cv.members[position] as number);
          if (worth === 0) continue;
          const items: number[] = [];
          for (const position of positions) {
            const v = cv.members[position] as number;
            const key = v * 2 + epochOffset;
            let item = itemOf.get(key);
            if (item === undefined) {
              item = weights.length;
              itemOf.set(key, item);
              const w = weightOf(v);
              weights.push(w);
              itemValidator.push(v);
              itemEpoch.push(data.target.epoch);
              if ((participation[v] ?? 0) !== 0 && w === 0) covered.push(item);
            }
            items.push(item);
          }
          aggregates.push(items);
          kept.push(cand);
        }
        if (aggregates.length === 0) continue;
        committees.push({ index: cv.index, aggregates });
        byCommittee.set(cv.index, kept);
      }
      if (committees.length === 0) continue;
      groups.push({ key: entry.root, committees });
      this.lastCandidates.set(entry.root, byCommittee);
    }
    const limit = ctx.mode === "electra" ? 8 : 128;
    return {
      instance: { mode: ctx.mode, limit, weights, covered, groups },
      itemValidator: Uint32Array.from(itemValidator),
      itemEpoch: Float64Array.from(itemEpoch),
    };
  }

  /**
   * The block's attestations for a selection on the last instance built: Electra, one on-chain aggregate per
   * chosen group (`compute_on_chain_aggregate` over each committee's merged candidates); phase0, one per candidate.
   */
  attestationsForBlock(selection: ElectraSelection[]): electra.Attestation[];
  attestationsForBlock(selection: Phase0Selection[]): phase0.Attestation[];
  attestationsForBlock(
    selection: ElectraSelection[] | Phase0Selection[],
  ): Array<electra.Attestation | phase0.Attestation> {
    const aggregate = this.options.aggregateSignatures;
    const lookup = (group: string, committee: number, position: number): { entry: DataEntry; cand: Candidate } => {
      const entry = this.byRoot.get(group);
      const cand = this.lastCandidates.get(group)?.get(committee)?.[position];
      if (entry === undefined || cand === undefined) {
        throw new AttestationError(
          "SELECTION_INVALID",
          `no candidate ${position} of committee ${committee} in ${group}`,
        );
      }
      return { entry, cand };
    };
    const out: Array<electra.Attestation | phase0.Attestation> = [];
    for (const s of selection) {
      if ("committees" in s) {
        const network: electra.Attestation[] = [];
        let data: phase0.AttestationData | undefined;
        for (const c of s.committees) {
          let bits: BitArray | undefined;
          const signatures: Uint8Array[] = [];
          for (const position of c.aggregates) {
            const { entry, cand } = lookup(s.group, c.index, position);
            data = entry.data;
            if (bits === undefined) bits = cand.bits.clone();
            else {
              if (!disjoint(bits, cand.bits)) {
                throw new AttestationError(
                  "SELECTION_INVALID",
                  `overlapping candidates merged in committee ${c.index}`,
                );
              }
              for (let k = 0; k < bits.uint8Array.length; k++) {
                bits.uint8Array[k] = (bits.uint8Array[k] as number) | (cand.bits.uint8Array[k] as number);
              }
            }
            signatures.push(...cand.signatures);
          }
          if (bits === undefined || data === undefined) continue;
          const committeeBits = Bits.fromBitLen(64);
          committeeBits.set(c.index, true);
          network.push({ aggregationBits: bits, data, committeeBits, signature: aggregate(signatures) });
        }
        if (network.length > 0) out.push(computeOnChainAggregate(network, aggregate));
      } else {
        const { entry, cand } = lookup(s.group, s.committee, s.aggregate);
        out.push({ aggregationBits: cand.bits, data: entry.data, signature: aggregate(cand.signatures) });
      }
    }
    return out;
  }
}
