/**
 * Exact attestation packing under a deadline, anytime: it never returns less than greedy, and says `optimal` only
 * when an upper bound meets the value it returns.
 *
 * 1. Prepare (drop what is covered, number items densely, electra conflicts, components) and run lazy greedy: the
 *    incumbent, and a first bound that already proves it when groups share no validator.
 * 2. Solve each component for every budget k ≤ limit (`coverageCurve`): its best value and an upper bound. Two
 *    structures short-cut this. Electra: a group alone in its component is worth the sum, over its committee
 *    clusters, of the best disjoint set of each (`maxWeightDisjointSet`; after EIP-7549 each validator votes once
 *    per epoch, so on real pools every group is alone). Phase0: a lone aggregate is worth its value.
 * 3. Components are independent, so the optimum splits the budget between them: a multiple-choice knapsack over
 *    the components' curves (O(components × limit × k)), once on the values found and once on the bounds.
 * 4. The better of that and greedy is returned; it is optimal when the knapsack over bounds meets it.
 * The deadline bounds steps 2-3 (checked between components and every few hundred search nodes); step 1 is linear
 * in the instance and always runs, so a deadline shorter than it returns greedy.
 */

import { createAtomScratch } from "./atomize.js";
import { buildSelection } from "./buildSelection.js";
import { type CoverageCurve, coverageCurve } from "./coverageCurve.js";
import { maxWeightDisjointSet } from "./maxWeightDisjointSet.js";
import { greedyPrepared } from "./packGreedy.js";
import type { PackingInstance, PackingResult } from "./packingInstance.js";
import { type PackingComponent, type PreparedPacking, preparePacking } from "./preparePacking.js";

export interface PackExactOptions {
  /** Milliseconds from the call until the search stops and returns its best (default: no deadline). */
  deadlineMs?: number;
}

export interface ExactOutcome {
  chosen: number[];
  value: number;
  upperBound: number;
  /** Components whose search the deadline cut short. */
  unfinished: number;
}

type Curve = Pick<CoverageCurve, "best" | "bound" | "solutions" | "proved">;

function singleValueCurve(value: number, bound: number, solution: number[], proved: boolean): Curve {
  return {
    best: Float64Array.of(0, value),
    bound: Float64Array.of(0, bound),
    solutions: [new Int32Array(0), Int32Array.from(solution)],
    proved,
  };
}

/** Electra, a group alone in its component: the sum over its committee clusters of each cluster's optimum. */
function loneGroupCurve(
  p: PreparedPacking,
  component: PackingComponent,
  deadline: number,
  scratch: ReturnType<typeof createAtomScratch>,
): Curve {
  const clusters = new Map<number, number[]>();
  for (const a of component.aggs) {
    const cluster = p.committeeCluster[p.aggCommittee[a] as number] as number;
    let list = clusters.get(cluster);
    if (list === undefined) {
      list = [];
      clusters.set(cluster, list);
    }
    list.push(a);
  }
  let value = 0;
  let bound = 0;
  let proved = true;
  const solution: number[] = [];
  for (const aggs of clusters.values()) {
    const c = p.aggCommittee[aggs[0] as number] as number;
    if (aggs.every((a) => p.aggCommittee[a] === c)) {
      // One committee: the best set of disjoint aggregates; disjoint sets' values add up.
      const first = p.committeeAggStart[c] as number;
      const values = Float64Array.from(aggs, (a) => p.aggValue[a] as number);
      const r = maxWeightDisjointSet(
        values,
        p.conflictBits,
        p.conflictOffset[c] as number,
        p.conflictWords[c] as number,
        deadline,
      );
      value += r.value;
      bound += r.bound;
      proved &&= r.proved;
      // Kept aggregates of a committee are consecutive ids, so local r is id first + r.
      for (const x of r.members) solution.push(first + x);
    } else {
      // Committees sharing validators (only in abstract instances): every committee is free, K covers them all.
      const committees = new Set(aggs.map((a) => p.aggCommittee[a] as number));
      const K = committees.size;
      const curve = coverageCurve(p, Int32Array.from(aggs), (a) => p.aggCommittee[a] as number, K, deadline, scratch);
      value += curve.best[K] as number;
      bound += curve.bound[K] as number;
      proved &&= curve.proved;
      for (const a of curve.solutions[K] as Int32Array) solution.push(a);
    }
  }
  return singleValueCurve(value, bound, solution, proved);
}

/**
 * The best split of `limit` between independent components over `pick(curve)`: a multiple-choice knapsack.
 * Curves are cut where they stop growing. Components with a single choice (one unit, the common case) are 0/1
 * items of size one, best taken largest first, so only the others go through the dynamic program; the answer then
 * combines the program's best for b units with the largest single choices for the rest.
 */
function splitBudget(
  curves: readonly Curve[],
  limit: number,
  pick: (c: Curve) => Float64Array,
): { value: number; counts: Int32Array } {
  const counts = new Int32Array(curves.length);
  const singles: number[] = [];
  const multi: number[] = [];
  const useful = new Int32Array(curves.length);
  curves.forEach((curve, i) => {
    const values = pick(curve);
    let K = Math.min(limit, values.length - 1);
    while (K > 0 && (values[K - 1] as number) >= (values[K] as number)) K--;
    useful[i] = K;
    if (K === 1) singles.push(i);
    else if (K > 1) multi.push(i);
  });
  singles.sort((a, b) => (pick(curves[b] as Curve)[1] as number) - (pick(curves[a] as Curve)[1] as number) || a - b);
  const singlePrefix = new Float64Array(Math.min(limit, singles.length) + 1);
  for (let j = 1; j < singlePrefix.length; j++) {
    singlePrefix[j] = (singlePrefix[j - 1] as number) + (pick(curves[singles[j - 1] as number] as Curve)[1] as number);
  }
  let dp = new Float64Array(limit + 1);
  const choice: Uint16Array[] = [];
  for (const i of multi) {
    const values = pick(curves[i] as Curve);
    const K = useful[i] as number;
    const next = dp.slice();
    const ch = new Uint16Array(limit + 1);
    for (let b = 1; b <= limit; b++) {
      let bestValue = next[b] as number;
      let bestK = 0;
      const top = Math.min(K, b);
      for (let k = 1; k <= top; k++) {
        const v = (dp[b - k] as number) + (values[k] as number);
        if (v > bestValue) {
          bestValue = v;
          bestK = k;
        }
      }
      next[b] = bestValue;
      ch[b] = bestK;
    }
    choice.push(ch);
    dp = next;
  }
  let bestB = 0;
  let bestValue = -1;
  for (let b = 0; b <= limit; b++) {
    const rest = Math.min(limit - b, singlePrefix.length - 1);
    const v = (dp[b] as number) + (singlePrefix[rest] as number);
    if (v > bestValue) {
      bestValue = v;
      bestB = b;
    }
  }
  for (let j = 0; j < Math.min(limit - bestB, singles.length); j++) counts[singles[j] as number] = 1;
  let b = bestB;
  for (let m = multi.length - 1; m >= 0; m--) {
    const k = (choice[m] as Uint16Array)[b] as number;
    counts[multi[m] as number] = k;
    b -= k;
  }
  return { value: bestValue, counts };
}

export function exactPrepared(p: PreparedPacking, deadline: number): ExactOutcome {
  const greedy = greedyPrepared(p, deadline);
  if (greedy.upperBound <= greedy.value) {
    return { chosen: greedy.chosen, value: greedy.value, upperBound: greedy.value, unfinished: 0 };
  }
  const scratch = createAtomScratch(p);
  const curves: Curve[] = [];
  let unfinished = 0;
  for (const component of p.components) {
    // Past the deadline no component is solved any more: greedy, with its own bound, is the answer.
    if (performance.now() > deadline) {
      return {
        chosen: greedy.chosen,
        value: greedy.value,
        upperBound: greedy.upperBound,
        unfinished: p.components.length,
      };
    }
    let curve: Curve;
    if (p.mode === "electra" && component.units.length === 1) {
      curve = loneGroupCurve(p, component, deadline, scratch);
    } else if (p.mode === "phase0" && component.aggs.length === 1) {
      const a = component.aggs[0] as number;
      curve = singleValueCurve(p.aggValue[a] as number, p.aggValue[a] as number, [a], true);
    } else {
      const K = Math.min(p.limit, component.units.length);
      const unitOf =
        p.mode === "electra"
          ? (a: number) => p.committeeGroup[p.aggCommittee[a] as number] as number
          : (a: number) => a;
      curve = coverageCurve(p, component.aggs, unitOf, K, deadline, scratch);
    }
    if (!curve.proved) unfinished++;
    curves.push(curve);
  }
  const found = splitBudget(curves, p.limit, (c) => c.best);
  const bounds = splitBudget(curves, p.limit, (c) => c.bound);
  const upperBound = Math.min(bounds.value, greedy.upperBound);
  if (found.value <= greedy.value) return { chosen: greedy.chosen, value: greedy.value, upperBound, unfinished };
  const chosen: number[] = [];
  curves.forEach((curve, i) => {
    const k = found.counts[i] as number;
    if (k > 0) for (const a of curve.solutions[k] as Int32Array) chosen.push(a);
  });
  return { chosen, value: found.value, upperBound, unfinished };
}

/** `weft pack --algorithm exact`. */
export function packExact(instance: PackingInstance, options: PackExactOptions = {}): PackingResult {
  const start = performance.now();
  const deadline = options.deadlineMs === undefined ? Number.POSITIVE_INFINITY : start + options.deadlineMs;
  const prepared = preparePacking(instance);
  const out = exactPrepared(prepared, deadline);
  const { selection } = buildSelection(prepared, out.chosen);
  return {
    value: out.value,
    optimal: out.upperBound <= out.value,
    ms: performance.now() - start,
    algorithm: "exact",
    selection,
    upperBound: Math.max(out.upperBound, out.value),
  };
}
