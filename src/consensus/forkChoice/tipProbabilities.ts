/**
 * Tip probabilities: how likely each viable tip is to be the parent of the next slot's block, so that build
 * workers can be split across tips before the proposer asks.
 *
 * The model, at time τ into slot s (D = SECONDS_PER_SLOT / 3 is the attestation deadline):
 *   1. The parent of block s+1 is what the proposer of s+1 sees at the start of s+1: LMD-GHOST over the filtered
 *      tree with the votes known now plus the votes still to come, and no proposer boost (it ends with slot s).
 *   2. Votes still to come: R = max(0, ρ·C − S) · g(τ), where C is one committee's weight (total / slots per
 *      epoch), S the weight of latest messages received since s began, ρ the expected participation, and
 *      g(τ) = 1 before the deadline, exp(−(τ − D)/λ) after it (late votes thin out).
 *   3. Where they go: before the deadline attesters will vote for their head, which is ours (boost included) for
 *      a share h of them, the rest splitting like the votes seen so far this slot (or, with none seen, going to
 *      the head's parent when the head is the slot's new block: those attesters have not seen it). After the
 *      deadline the votes in flight split like those already received. The split is uncertain as a whole (views
 *      are correlated, not independent per vote): the shares are drawn from a Dirichlet with concentration κ.
 *   4. A late head (not timely) that would come out weak (< 20% of a committee) over a strong parent (> 160%), one
 *      slot after it, is re-orged by a share r of proposers, as the spec's optional `get_proposer_head` does.
 *   5. A head of the current slot that reached us a seconds into it may not have reached the next proposer at all:
 *      it then builds on the head's parent, with probability 1 / (1 + exp(−(a − m)/w)).
 * The probabilities are Monte-Carlo frequencies over `samples` draws from a fixed seed, so the same store gives
 * the same answer. The defaults were fitted on simulated slots (test/consensus/forkChoice/simulator.ts); they
 * are parameters because mainnet conditions differ.
 * Blocks not seen yet are not tips: the probabilities are conditional on no further block before slot s+1.
 */
import type { TipModelView } from "./forkChoice.js";
import type { ProtoBlock } from "./protoArray.js";
import type { RootHex } from "./types.js";

export interface TipModelParameters {
  /** ρ: expected fraction of a committee's weight that votes in its slot. */
  participation: number;
  /** h: share of the votes due before the deadline that go to the current head. */
  headShare: number;
  /** κ: Dirichlet concentration of the split of the votes still to come (higher: more certain). */
  concentration: number;
  /** λ: seconds over which the votes still expected fade after the deadline. */
  lateDecaySeconds: number;
  /** r: share of proposers that re-org a late, weak head (`get_proposer_head`). */
  reorgShare: number;
  /** Seconds into its slot at which a block reaching us is missed by half of next-slot proposers. */
  missMidpointSeconds: number;
  /** Width (seconds) of that logistic curve. */
  missWidthSeconds: number;
  /** Monte-Carlo draws. */
  samples: number;
  seed: number;
}

export const DEFAULT_TIP_MODEL: TipModelParameters = {
  participation: 0.95,
  headShare: 0.9,
  concentration: 20,
  lateDecaySeconds: 2,
  reorgShare: 0.5,
  missMidpointSeconds: 11.5,
  missWidthSeconds: 0.5,
  samples: 256,
  seed: 0x5eed,
};

/** `REORG_HEAD_WEIGHT_THRESHOLD` and `REORG_PARENT_WEIGHT_THRESHOLD` (percent of a committee). */
const REORG_HEAD_WEIGHT_THRESHOLD = 20;
const REORG_PARENT_WEIGHT_THRESHOLD = 160;
/** `REORG_MAX_EPOCHS_SINCE_FINALIZATION`. */
const REORG_MAX_EPOCHS_SINCE_FINALIZATION = 2;

export interface Tip {
  root: RootHex;
  slot: number;
  /** `get_weight` now, in gwei (proposer boost included). */
  weight: bigint;
  /** Probability that this block is the parent of the next slot's block. */
  probability: number;
  /** A viable leaf; false for an inner block that a re-org (or an empty filtered tree) may build on. */
  leaf: boolean;
  /** The current head. */
  head: boolean;
}

/** mulberry32: a tiny seeded PRNG, so that the model's answer is reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Gamma(shape, 1) by Marsaglia and Tsang (shape < 1 through the shape + 1 identity). */
function gamma(shape: number, rand: () => number): number {
  if (shape < 1) return gamma(shape + 1, rand) * rand() ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      const u1 = rand() || Number.MIN_VALUE;
      x = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * rand());
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rand();
    if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/**
 * The probability of each viable tip (and of any inner block a re-org may pick) being the parent of the next
 * slot's block, from the store's current weights and votes. Sums to 1.
 */
export function getTipProbabilities(view: TipModelView, parameters: Partial<TipModelParameters> = {}): Tip[] {
  const params = { ...DEFAULT_TIP_MODEL, ...parameters };
  const { proto, config } = view;
  const n = proto.length;
  const jPos = proto.positionOf(view.justifiedId);
  // The filtered tree below the justified block, parents before children.
  const inTree = new Uint8Array(n);
  const tree: number[] = [jPos];
  inTree[jPos] = 1;
  const children = new Map<number, number[]>();
  for (let p = jPos + 1; p < n; p++) {
    const pp = proto.positionOf(proto.parent[p] as number);
    if (pp < 0 || inTree[pp] !== 1 || proto.leadsToViable[p] !== 1) continue;
    inTree[p] = 1;
    tree.push(p);
    const list = children.get(pp);
    if (list === undefined) children.set(pp, [p]);
    else list.push(p);
  }
  // Vote weight without the boost, which ends with the slot.
  const boost = new Float64Array(n);
  for (let p = proto.positionOf(view.boostId); p >= 0; p = proto.positionOf(proto.parent[p] as number)) {
    boost[p] = view.boostUnits;
  }
  const nearestInTree = (id: number): number => {
    for (let p = proto.positionOf(id); p >= 0; p = proto.positionOf(proto.parent[p] as number)) {
      if (inTree[p] === 1) return p;
    }
    return -1;
  };
  const headPos = proto.positionOf(view.headId);
  const block = (p: number) => proto.blocks[p] as ProtoBlock;

  // Votes still to come, and where they go.
  const deadline = config.secondsPerSlot / 3;
  const tau = view.secondsIntoSlot;
  let pending = Math.max(0, params.participation * view.committeeUnits - view.slotVoteWeight);
  if (tau >= deadline) pending *= Math.exp(-(tau - deadline) / params.lateDecaySeconds);
  const seen = new Map<number, number>();
  let seenTotal = 0;
  for (const [id, w] of view.slotVotesByNode) {
    const p = nearestInTree(id);
    if (p < 0 || w <= 0) continue;
    seen.set(p, (seen.get(p) ?? 0) + w);
    seenTotal += w;
  }
  const mean = new Map<number, number>();
  const addMean = (p: number, m: number) => {
    if (p >= 0 && m > 0) mean.set(p, (mean.get(p) ?? 0) + m);
  };
  if (tau < deadline || seenTotal === 0) {
    const headShare = tau < deadline ? params.headShare : 1;
    addMean(headPos, headShare);
    if (seenTotal > 0) {
      for (const [p, w] of seen) addMean(p, ((1 - headShare) * w) / seenTotal);
    } else {
      const parentPos = proto.positionOf(proto.parent[headPos] as number);
      const dissent = block(headPos).slot === view.currentSlot && parentPos >= 0 && inTree[parentPos] === 1;
      addMean(dissent ? parentPos : headPos, 1 - headShare);
    }
  } else {
    for (const [p, w] of seen) addMean(p, w / seenTotal);
  }
  const targets = [...mean.keys()];
  const alphas = targets.map((p) => Math.max(1e-3, params.concentration * (mean.get(p) as number)));
  // Only some weights matter to a draw: those of the children of a branching block (the walk compares them) and
  // of each leaf and its parent (the re-org test). They get compact slots; a target's path lists only them.
  const slotOf = new Int32Array(n).fill(-1);
  let relevantCount = 0;
  const relevant = (p: number) => {
    if (p >= 0 && slotOf[p] === -1) slotOf[p] = relevantCount++;
  };
  for (const p of tree) {
    const cs = children.get(p);
    if (cs === undefined) {
      relevant(p);
      relevant(proto.positionOf(proto.parent[p] as number));
    } else if (cs.length > 1) {
      for (const c of cs) relevant(c);
    }
  }
  const paths = targets.map((t) => {
    const path: number[] = [];
    for (let p = t; p >= 0 && inTree[p] === 1; p = proto.positionOf(proto.parent[p] as number)) {
      if (slotOf[p] !== -1) path.push(slotOf[p] as number);
    }
    return Int32Array.from(path);
  });
  // From each node, the next node where the walk has a choice (or the leaf it ends at): chains are skipped.
  const next = new Int32Array(n).fill(-1);
  for (let i = tree.length - 1; i >= 0; i--) {
    const p = tree[i] as number;
    const cs = children.get(p);
    next[p] = cs !== undefined && cs.length === 1 ? (next[cs[0] as number] as number) : p;
  }
  const baseWeight = new Float64Array(relevantCount);
  for (const p of tree) {
    const k = slotOf[p] as number;
    if (k >= 0) baseWeight[k] = (proto.weight[p] as number) - (boost[p] as number);
  }

  // The parent the next proposer picks, for one draw of the pending split.
  const finalWeight = new Float64Array(relevantCount);
  const weightAt = (p: number) => finalWeight[slotOf[p] as number] as number;
  const nextSlot = view.currentSlot + 1;
  const committee = view.committeeUnits;
  const reorgPossible =
    params.reorgShare > 0 &&
    nextSlot % config.slotsPerEpoch !== 0 &&
    Math.floor(nextSlot / config.slotsPerEpoch) - view.finalizedEpoch <= REORG_MAX_EPOCHS_SINCE_FINALIZATION;
  const counts = new Map<number, number>();
  const count = (p: number, c: number) => {
    if (c > 0) counts.set(p, (counts.get(p) ?? 0) + c);
  };
  const evaluate = (shares: ArrayLike<number>, weight: number) => {
    finalWeight.set(baseWeight);
    for (let i = 0; i < paths.length; i++) {
      const add = (shares[i] as number) * pending;
      if (add === 0) continue;
      const path = paths[i] as Int32Array;
      for (let j = 0; j < path.length; j++) {
        const k = path[j] as number;
        finalWeight[k] = (finalWeight[k] as number) + add;
      }
    }
    let p = next[jPos] as number;
    for (let cs = children.get(p); cs !== undefined; cs = children.get(p)) {
      let best = cs[0] as number;
      for (let i = 1; i < cs.length; i++) {
        const c = cs[i] as number;
        const wc = weightAt(c);
        const wb = weightAt(best);
        if (wc > wb || (wc === wb && block(c).root > block(best).root)) best = c;
      }
      p = next[best] as number;
    }
    const parentPos = proto.positionOf(proto.parent[p] as number);
    if (parentPos < 0 || inTree[parentPos] !== 1) {
      count(p, weight);
      return;
    }
    const head = block(p);
    // The next proposer may not have received a block that reached us late in its slot.
    let missed = 0;
    if (head.slot === view.currentSlot) {
      const arrivedInto = head.arrivedAt - head.slot * config.secondsPerSlot;
      missed = 1 / (1 + Math.exp(-(arrivedInto - params.missMidpointSeconds) / params.missWidthSeconds));
    }
    let reorg = 0;
    if (reorgPossible) {
      const parent = block(parentPos);
      const late =
        !head.timely &&
        parent.slot + 1 === head.slot &&
        head.slot + 1 === nextSlot &&
        head.unrealizedJustified.epoch === parent.unrealizedJustified.epoch &&
        head.unrealizedJustified.root === parent.unrealizedJustified.root &&
        weightAt(p) < (committee * REORG_HEAD_WEIGHT_THRESHOLD) / 100 &&
        weightAt(parentPos) > (committee * REORG_PARENT_WEIGHT_THRESHOLD) / 100;
      if (late) reorg = params.reorgShare;
    }
    const toParent = missed + (1 - missed) * reorg;
    count(parentPos, weight * toParent);
    count(p, weight * (1 - toParent));
  };
  if (pending <= 0 || targets.length <= 1) {
    // Nothing uncertain: no votes to come, or all of them to one place.
    evaluate(
      targets.map(() => (pending > 0 ? 1 : 0)),
      1,
    );
  } else {
    const rand = prng(params.seed);
    const shares = new Float64Array(targets.length);
    const k = Math.max(1, Math.floor(params.samples));
    for (let s = 0; s < k; s++) {
      let sum = 0;
      for (let i = 0; i < targets.length; i++) {
        const g = gamma(alphas[i] as number, rand);
        shares[i] = g;
        sum += g;
      }
      for (let i = 0; i < targets.length; i++) shares[i] = sum > 0 ? (shares[i] as number) / sum : 1 / targets.length;
      evaluate(shares, 1 / k);
    }
  }

  const tips: Tip[] = [];
  for (const p of tree) {
    // A leaf of the tree itself (the justified block, left with no viable branch, may still have children).
    const leaf = !children.has(p) && proto.childCount[p] === 0;
    const probability = counts.get(p) ?? 0;
    if (!leaf && probability === 0) continue;
    const b = block(p);
    tips.push({
      root: b.root,
      slot: b.slot,
      weight: BigInt(proto.weight[p] as number) * view.unitGwei,
      probability,
      leaf,
      head: p === headPos,
    });
  }
  tips.sort((a, b) => b.probability - a.probability || (a.root < b.root ? 1 : -1));
  return tips;
}
