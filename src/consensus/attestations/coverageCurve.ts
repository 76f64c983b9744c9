/**
 * Exact weighted coverage on one component, for every budget at once: `best[k]` is the most a component can cover
 * with at most k units (phase0: k aggregates; electra: k groups, merging disjoint aggregates per committee), and
 * `bound[k]` an upper bound (equal to `best[k]` once the search finished).
 *
 * 1. Items that appear in exactly the same aggregates are merged into one weighted atom (partition refinement,
 *    one pass per aggregate), which shrinks a committee's few hundred validators to the handful of classes the
 *    aggregators' views actually distinguish.
 * 2. A depth-first branch and bound decides the aggregates one by one (units in decreasing standalone value, the
 *    aggregates of a unit together, most valuable first): take it when it adds something and the rules allow
 *    (budget, no conflict), then leave it.
 * 3. The bound at a node, for r more units: the current value plus the smaller of (a) the gains of the units
 *    already paid for plus the r largest gains of the others and (b) the gain of the union of everything left.
 *    A unit's gain is at most the union of its remaining aggregates' marginal items and, per committee, at most
 *    the sum over a clique cover of the conflict graph of each clique's largest marginal gain (only one member
 *    of a clique of overlapping aggregates can be taken). Coverage is submodular, so the gains of several units
 *    add up to at least what they cover together. A node is cut when no budget can beat the best known.
 */
import { type AtomScratch, atomize } from "./atomize.js";
import type { PreparedPacking } from "./preparePacking.js";

export interface CoverageCurve {
  /** best[k]: best value found with at most k units (k = 0..K). */
  best: Float64Array;
  /** bound[k]: proven upper bound with at most k units. */
  bound: Float64Array;
  /** solutions[k]: the aggregates (prepared ids) achieving best[k]. */
  solutions: Int32Array[];
  proved: boolean;
  nodes: number;
}

const NODE_CHECK = 256;

/**
 * `aggs`: the component's aggregates (prepared ids); `unitOf(a)`: the unit an aggregate belongs to (any number;
 * phase0 passes the aggregate itself, electra its group or, to solve one group, its committee); `K`: the largest
 * budget of interest. `deadline`: a `performance.now()` time.
 */
export function coverageCurve(
  prepared: PreparedPacking,
  aggs: Int32Array,
  unitOf: (agg: number) => number,
  K: number,
  deadline: number,
  scratch: AtomScratch,
): CoverageCurve {
  const m = aggs.length;
  const electra = prepared.mode === "electra";
  const { aggCommittee, committeeAggStart, conflictBits, conflictOffset, conflictWords } = prepared;

  // 1. Atoms.
  const { atomWeight, atomStart, atoms } = atomize(prepared, aggs, scratch);
  const A = atomWeight.length;

  // 2. Units and the search order.
  const unitIds = new Map<number, number>();
  const unitLocal = new Int32Array(m);
  for (let j = 0; j < m; j++) {
    const u = unitOf(aggs[j] as number);
    let id = unitIds.get(u);
    if (id === undefined) {
      id = unitIds.size;
      unitIds.set(u, id);
    }
    unitLocal[j] = id;
  }
  const U = unitIds.size;
  const aggValue = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    let s = 0;
    for (let e = atomStart[j] as number; e < (atomStart[j + 1] as number); e++)
      s += atomWeight[atoms[e] as number] as number;
    aggValue[j] = s;
  }
  const unitUnion = new Float64Array(U);
  {
    const seen = new Int32Array(A).fill(-1);
    for (let j = 0; j < m; j++) {
      const u = unitLocal[j] as number;
      for (let e = atomStart[j] as number; e < (atomStart[j + 1] as number); e++) {
        const at = atoms[e] as number;
        if (seen[at] !== u) {
          seen[at] = u;
          unitUnion[u] = (unitUnion[u] as number) + (atomWeight[at] as number);
        }
      }
    }
  }
  const ord = Array.from({ length: m }, (_, j) => j).sort(
    (x, y) =>
      (unitUnion[unitLocal[y] as number] as number) - (unitUnion[unitLocal[x] as number] as number) ||
      (unitLocal[x] as number) - (unitLocal[y] as number) ||
      (aggValue[y] as number) - (aggValue[x] as number) ||
      x - y,
  );

  // Conflicts (electra): local lists, and a test through the prepared committee matrices.
  const committee = new Int32Array(m);
  const cpos = new Int32Array(m);
  for (let j = 0; j < m; j++) {
    const a = aggs[j] as number;
    const c = aggCommittee[a] as number;
    committee[j] = c;
    cpos[j] = a - (committeeAggStart[c] as number);
  }
  const conflicts = (x: number, y: number): boolean => {
    const c = committee[x] as number;
    if (!electra || c !== committee[y]) return false;
    const words = conflictWords[c] as number;
    if (words === 0) return false;
    const py = cpos[y] as number;
    const word = conflictBits[(conflictOffset[c] as number) + (cpos[x] as number) * words + (py >>> 5)] as number;
    return ((word >>> (py & 31)) & 1) === 1;
  };
  const conflictList: Int32Array[] = [];
  for (let j = 0; j < m; j++) {
    const list: number[] = [];
    if (electra) for (let k = 0; k < m; k++) if (k !== j && conflicts(j, k)) list.push(k);
    conflictList.push(Int32Array.from(list));
  }

  // 3. Search.
  const best = new Float64Array(K + 1);
  const solutions: Int32Array[] = Array.from({ length: K + 1 }, () => new Int32Array(0));
  const cover = new Int32Array(A);
  const blocked = new Int32Array(m);
  const unitUsed = new Int32Array(U);
  const chosen = new Int32Array(m);
  let depth = 0;
  let used = 0;
  let nodes = 0;
  let stopped = false;

  // Bound scratch.
  const marginal = new Float64Array(m);
  const unitGain = new Float64Array(U);
  const unitTouched = new Int32Array(U);
  const stampAll = new Int32Array(A);
  const stampUnit = new Int32Array(A);
  const stampCommittee = new Int32Array(A);
  let nodeGeneration = 0;
  let unitGeneration = 0;
  let committeeGeneration = 0;
  const byCommittee = new Map<number, number[]>();
  const paid: number[] = [];
  const prefix = new Float64Array(K + 2);
  const cliqueHeads: number[] = [];
  const cliqueMembers: number[][] = [];

  const record = (value: number): void => {
    for (let k = used; k <= K; k++) {
      if (value > (best[k] as number)) {
        best[k] = value;
        solutions[k] = Int32Array.from(chosen.subarray(0, depth), (j) => aggs[j] as number);
      }
    }
  };

  const allowed = (j: number): boolean =>
    blocked[j] === 0 && ((unitUsed[unitLocal[j] as number] as number) > 0 || used < K);

  /** The committee part of a unit's gain: sum of clique heads over a greedy clique cover (conflict graph). */
  const cliqueCoverGain = (js: number[]): number => {
    js.sort((x, y) => (marginal[y] as number) - (marginal[x] as number));
    cliqueHeads.length = 0;
    cliqueMembers.length = 0;
    let sum = 0;
    for (const x of js) {
      let placed = false;
      for (let c = 0; c < cliqueMembers.length && !placed; c++) {
        const members = cliqueMembers[c] as number[];
        if (members.every((y) => conflicts(x, y))) {
          members.push(x);
          placed = true;
        }
      }
      if (!placed) {
        cliqueMembers.push([x]);
        cliqueHeads.push(x);
        sum += marginal[x] as number;
      }
    }
    return sum;
  };

  /** Upper bounds for r = 0..K-used more units, into `prefix`; returns false when none can beat `best`. */
  const promising = (pos: number, value: number): boolean => {
    nodeGeneration++;
    let union = 0;
    unitGain.fill(0);
    unitTouched.fill(0);
    // Walk the remaining allowed aggregates unit by unit (they are contiguous in `ord`).
    let p = pos;
    while (p < m) {
      const u = unitLocal[ord[p] as number] as number;
      let unitUnionGain = 0;
      let committeeSum = 0;
      unitGeneration++;
      // Electra: this unit's remaining aggregates by committee, for the clique cover.
      byCommittee.clear();
      let q = p;
      for (; q < m && unitLocal[ord[q] as number] === u; q++) {
        const j = ord[q] as number;
        if (!allowed(j)) continue;
        let mg = 0;
        for (let e = atomStart[j] as number; e < (atomStart[j + 1] as number); e++) {
          const at = atoms[e] as number;
          if (cover[at] !== 0) continue;
          const w = atomWeight[at] as number;
          mg += w;
          if (stampUnit[at] !== unitGeneration) {
            stampUnit[at] = unitGeneration;
            unitUnionGain += w;
          }
          if (stampAll[at] !== nodeGeneration) {
            stampAll[at] = nodeGeneration;
            union += w;
          }
        }
        marginal[j] = mg;
        if (mg > 0) {
          if (electra) {
            const c = committee[j] as number;
            let list = byCommittee.get(c);
            if (list === undefined) {
              list = [];
              byCommittee.set(c, list);
            }
            list.push(j);
          } else {
            committeeSum += mg;
          }
        }
      }
      if (electra) {
        for (const list of byCommittee.values()) {
          // Per committee: at most the union of its members' marginal atoms, at most its clique cover.
          committeeGeneration++;
          let cu = 0;
          for (const j of list) {
            for (let e = atomStart[j] as number; e < (atomStart[j + 1] as number); e++) {
              const at = atoms[e] as number;
              if (cover[at] === 0 && stampCommittee[at] !== committeeGeneration) {
                stampCommittee[at] = committeeGeneration;
                cu += atomWeight[at] as number;
              }
            }
          }
          committeeSum += Math.min(cu, cliqueCoverGain(list));
        }
      }
      unitGain[u] = Math.min(unitUnionGain, committeeSum);
      unitTouched[u] = 1;
      p = q;
    }
    let free = 0;
    paid.length = 0;
    for (let u = 0; u < U; u++) {
      if (unitTouched[u] === 0) continue;
      if ((unitUsed[u] as number) > 0) free += unitGain[u] as number;
      else paid.push(unitGain[u] as number);
    }
    paid.sort((x, y) => y - x);
    const room = K - used;
    let acc = 0;
    let hope = false;
    for (let r = 0; r <= room; r++) {
      if (r > 0 && r - 1 < paid.length) acc += paid[r - 1] as number;
      const bound = value + Math.min(free + acc, union);
      prefix[r] = bound;
      if (bound > (best[used + r] as number)) hope = true;
    }
    return hope;
  };

  const rootBound = new Float64Array(K + 1);
  promising(0, 0);
  for (let k = 0; k <= K; k++) rootBound[k] = prefix[k] as number;

  const search = (pos: number, value: number): void => {
    if (stopped) return;
    if (++nodes % NODE_CHECK === 0 && performance.now() > deadline) {
      stopped = true;
      return;
    }
    record(value);
    if (pos === m) return;
    if (!promising(pos, value)) return;
    const j = ord[pos] as number;
    if (allowed(j)) {
      let gain = 0;
      for (let e = atomStart[j] as number; e < (atomStart[j + 1] as number); e++) {
        const at = atoms[e] as number;
        if (cover[at] === 0) gain += atomWeight[at] as number;
      }
      if (gain > 0) {
        for (let e = atomStart[j] as number; e < (atomStart[j + 1] as number); e++) {
          const at = atoms[e] as number;
          cover[at] = (cover[at] as number) + 1;
        }
        const cl = conflictList[j] as Int32Array;
        for (let i = 0; i < cl.length; i++) blocked[cl[i] as number] = (blocked[cl[i] as number] as number) + 1;
        const u = unitLocal[j] as number;
        if (unitUsed[u] === 0) used++;
        unitUsed[u] = (unitUsed[u] as number) + 1;
        chosen[depth++] = j;
        search(pos + 1, value + gain);
        depth--;
        unitUsed[u] = (unitUsed[u] as number) - 1;
        if (unitUsed[u] === 0) used--;
        for (let i = 0; i < cl.length; i++) blocked[cl[i] as number] = (blocked[cl[i] as number] as number) - 1;
        for (let e = atomStart[j] as number; e < (atomStart[j + 1] as number); e++) {
          const at = atoms[e] as number;
          cover[at] = (cover[at] as number) - 1;
        }
      }
    }
    search(pos + 1, value);
  };
  search(0, 0);

  const bound = new Float64Array(K + 1);
  for (let k = 0; k <= K; k++) {
    // Bounds are non-decreasing in k; a finished search proves best[k] itself.
    bound[k] = stopped ? Math.max(rootBound[k] as number, best[k] as number) : (best[k] as number);
  }
  return { best, bound, solutions, proved: !stopped, nodes };
}
