/**
 * Greedy maximum coverage with lazy re-evaluation, the method consensus clients use, on the prepared problem.
 *
 * Candidates (phase0: aggregates; electra: groups, each worth its best on-chain aggregate given what is already
 * covered) sit in a max-heap keyed by their last known gain. The top is re-evaluated; if it still beats the next
 * key it is taken (gains only shrink as coverage grows, so no other candidate can beat it), else it goes back with
 * its new key. In electra a group's best on-chain aggregate is, per committee, the best set of pairwise disjoint
 * aggregates (exactly, as `maxWeightDisjointSet`), and a group's gain can only have changed if a group of its
 * component was taken, which a stamp per component tells without recomputing.
 *
 * It also returns an upper bound (the `limit` largest standalone values, and the total weight on offer), which
 * proves the greedy selection optimal when they meet, as they do when groups share no validator.
 */
import { buildSelection } from "./buildSelection.js";
import { MaxHeap } from "./maxHeap.js";
import { maxWeightDisjointSet } from "./maxWeightDisjointSet.js";
import type { PackingInstance, PackingResult } from "./packingInstance.js";
import { type PreparedPacking, preparePacking } from "./preparePacking.js";

export interface PreparedOutcome {
  /** Chosen aggregates (prepared ids). */
  chosen: number[];
  value: number;
  upperBound: number;
}

/** Marginal value of aggregate a given the covered mask. */
function marginalValue(p: PreparedPacking, covered: Uint8Array, a: number): number {
  let gain = 0;
  for (let e = p.itemStart[a] as number; e < (p.itemStart[a + 1] as number); e++) {
    const it = p.items[e] as number;
    if (covered[it] === 0) gain += p.itemWeight[it] as number;
  }
  return gain;
}

function cover(p: PreparedPacking, covered: Uint8Array, a: number): void {
  for (let e = p.itemStart[a] as number; e < (p.itemStart[a + 1] as number); e++) covered[p.items[e] as number] = 1;
}

/**
 * The best on-chain aggregate of group g given `covered`: per committee, the best set of disjoint aggregates by
 * marginal value. Committees that share items with another (a cluster; abstract instances only) are taken one
 * after the other, each seeing what the previous ones covered, so the gain is exact; the bound then comes from
 * each committee alone (coverage is submodular), which is what proves selections optimal. Pushes the chosen
 * aggregates onto `out`; `covered` is left as it was.
 */
export function bestGroupAggregate(
  p: PreparedPacking,
  covered: Uint8Array,
  g: number,
  out: number[] | undefined,
  deadline: number,
): { gain: number; bound: number } {
  let gain = 0;
  let bound = 0;
  const marked: number[] = [];
  for (let c = p.groupFirstCommittee[g] as number; c < (p.groupFirstCommittee[g + 1] as number); c++) {
    const first = p.committeeAggStart[c] as number;
    const kept = (p.committeeAggStart[c + 1] as number) - first;
    if (kept === 0) continue;
    const shared = (p.clusterSize[p.committeeCluster[c] as number] as number) > 1;
    const values = new Float64Array(kept);
    for (let r = 0; r < kept; r++) values[r] = marginalValue(p, covered, first + r);
    const r = maxWeightDisjointSet(
      values,
      p.conflictBits,
      p.conflictOffset[c] as number,
      p.conflictWords[c] as number,
      deadline,
    );
    if (shared) {
      // Bound from this committee alone, gain after what the group's earlier committees took.
      for (const a of marked) covered[a] = 0;
      for (let x = 0; x < kept; x++) values[x] = marginalValue(p, covered, first + x);
      for (const a of marked) covered[a] = 1;
      bound += maxWeightDisjointSet(
        values,
        p.conflictBits,
        p.conflictOffset[c] as number,
        p.conflictWords[c] as number,
        deadline,
      ).bound;
    } else {
      bound += r.bound;
    }
    gain += r.value;
    for (const x of r.members) {
      out?.push(first + x);
      if (shared) {
        for (let e = p.itemStart[first + x] as number; e < (p.itemStart[first + x + 1] as number); e++) {
          const it = p.items[e] as number;
          if (covered[it] === 0) {
            covered[it] = 1;
            marked.push(it);
          }
        }
      }
    }
  }
  for (const it of marked) covered[it] = 0;
  return { gain, bound };
}

function totalOnOffer(p: PreparedPacking): number {
  let total = 0;
  for (let i = 0; i < p.itemCount; i++) total += p.itemWeight[i] as number;
  return total;
}

function sumOfLargest(values: number[], k: number): number {
  values.sort((a, b) => b - a);
  let s = 0;
  for (let i = 0; i < Math.min(k, values.length); i++) s += values[i] as number;
  return s;
}

export function greedyPrepared(p: PreparedPacking, deadline = Number.POSITIVE_INFINITY): PreparedOutcome {
  const covered = new Uint8Array(p.itemCount);
  const chosen: number[] = [];
  let value = 0;
  if (p.mode === "phase0") {
    const heap = new MaxHeap(p.aggCount);
    const standalone: number[] = [];
    for (let a = 0; a < p.aggCount; a++) {
      heap.push(p.aggValue[a] as number, a);
      standalone.push(p.aggValue[a] as number);
    }
    while (chosen.length < p.limit && heap.size > 0) {
      const a = heap.topId();
      heap.pop();
      const gain = marginalValue(p, covered, a);
      if (gain <= 0) continue;
      if (heap.size === 0 || gain >= heap.topKey()) {
        chosen.push(a);
        value += gain;
        cover(p, covered, a);
      } else {
        heap.push(gain, a);
      }
    }
    const upperBound = Math.min(sumOfLargest(standalone, p.limit), totalOnOffer(p));
    return { chosen, value, upperBound };
  }

  // Electra: candidates are groups; a group's cached gain is valid while its component is untouched.
  const groupCount = p.instance.groups.length;
  const componentOf = new Int32Array(groupCount).fill(-1);
  p.components.forEach((comp, i) => {
    for (const g of comp.units) componentOf[g] = i;
  });
  const componentStamp = new Int32Array(p.components.length);
  const evaluatedAt = new Int32Array(groupCount);
  const heap = new MaxHeap(groupCount);
  const standaloneBounds: number[] = [];
  for (let g = 0; g < groupCount; g++) {
    if (componentOf[g] === -1) continue;
    const { gain, bound } = bestGroupAggregate(p, covered, g, undefined, deadline);
    standaloneBounds.push(bound);
    heap.push(gain, g);
  }
  let groups = 0;
  while (groups < p.limit && heap.size > 0) {
    const g = heap.topId();
    const key = heap.topKey();
    heap.pop();
    const comp = componentOf[g] as number;
    const fresh = evaluatedAt[g] === componentStamp[comp];
    const picked: number[] = [];
    const gain = fresh && key <= 0 ? 0 : bestGroupAggregate(p, covered, g, picked, deadline).gain;
    if (gain <= 0) continue;
    if (fresh || heap.size === 0 || gain >= heap.topKey()) {
      groups++;
      value += gain;
      for (const a of picked) {
        chosen.push(a);
        cover(p, covered, a);
      }
      componentStamp[comp] = (componentStamp[comp] as number) + 1;
    } else {
      evaluatedAt[g] = componentStamp[comp] as number;
      heap.push(gain, g);
    }
  }
  const upperBound = Math.min(sumOfLargest(standaloneBounds, p.limit), totalOnOffer(p));
  return { chosen, value, upperBound };
}

/** `weft pack --algorithm greedy`. */
export function packGreedy(instance: PackingInstance): PackingResult {
  const start = performance.now();
  const prepared = preparePacking(instance);
  const out = greedyPrepared(prepared);
  const { selection } = buildSelection(prepared, out.chosen);
  return {
    value: out.value,
    optimal: out.upperBound <= out.value,
    ms: performance.now() - start,
    algorithm: "greedy",
    selection,
    upperBound: Math.max(out.upperBound, out.value),
  };
}
