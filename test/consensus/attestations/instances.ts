/** Small random packing instances, a brute-force optimum, and instances built to trap greedy. */
import fc from "fast-check";
import type {
  PackingGroup,
  PackingInstance,
  PackingMode,
} from "../../../src/consensus/attestations/packingInstance.js";

export interface RandomInstanceOptions {
  mode: PackingMode;
  maxItems?: number;
  maxGroups?: number;
  maxCommittees?: number;
  maxAggregates?: number;
  /** Each item in at most one committee of one group (as on a real chain: one vote per validator and epoch). */
  disjointGroups?: boolean;
}

export function instanceArb(o: RandomInstanceOptions): fc.Arbitrary<PackingInstance> {
  const maxItems = o.maxItems ?? 12;
  return fc
    .record({
      n: fc.integer({ min: 1, max: maxItems }),
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      limit: fc.integer({ min: 0, max: o.mode === "electra" ? 3 : 5 }),
      groups: fc.integer({ min: 1, max: o.maxGroups ?? 4 }),
      density: fc.double({ min: 0.1, max: 0.7, noNaN: true }),
    })
    .map(({ n, seed, limit, groups, density }) => {
      let s = seed;
      const rand = () => {
        s = (Math.imul(s, 1103515245) + 12345) >>> 0;
        return s / 2 ** 32;
      };
      const weights = Array.from({ length: n }, () => Math.floor(rand() * 20));
      const covered = Array.from({ length: n }, (_, i) => i).filter(() => rand() < 0.15);
      // With disjointGroups, item i belongs to group i mod groups and, in it, committee floor(i / groups) mod count.
      const out: PackingGroup[] = [];
      for (let g = 0; g < groups; g++) {
        const committees = [];
        const cCount = 1 + Math.floor(rand() * (o.maxCommittees ?? 2));
        for (let c = 0; c < cCount; c++) {
          const aggregates: number[][] = [];
          const aCount = 1 + Math.floor(rand() * (o.maxAggregates ?? 4));
          for (let a = 0; a < aCount; a++) {
            const agg: number[] = [];
            for (let i = 0; i < n; i++) {
              if (o.disjointGroups === true && (i % groups !== g || Math.floor(i / groups) % cCount !== c)) continue;
              if (rand() < density) agg.push(i);
            }
            aggregates.push(agg);
          }
          committees.push({ index: c * 3 + 1, aggregates });
        }
        out.push({ key: `0x${g.toString(16).padStart(2, "0")}`, committees });
      }
      return { mode: o.mode, limit, weights, covered, groups: out };
    });
}

function unionValue(instance: PackingInstance, aggs: readonly ArrayLike<number>[]): number {
  const seen = new Set<number>(Array.from(instance.covered));
  let v = 0;
  for (const a of aggs) {
    for (let k = 0; k < a.length; k++) {
      const i = a[k] as number;
      if (!seen.has(i)) {
        seen.add(i);
        v += instance.weights[i] as number;
      }
    }
  }
  return v;
}

function disjoint(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  const s = new Set(Array.from(a));
  for (let k = 0; k < b.length; k++) if (s.has(b[k] as number)) return false;
  return true;
}

/** The optimum by enumeration, straight from the instance's definition (tiny instances only). */
export function bruteForce(instance: PackingInstance): number {
  if (instance.mode === "phase0") {
    const all = instance.groups.flatMap((g) => g.committees.flatMap((c) => c.aggregates));
    let best = 0;
    const rec = (i: number, picked: ArrayLike<number>[]) => {
      best = Math.max(best, unionValue(instance, picked));
      if (picked.length === instance.limit) return;
      for (let j = i; j < all.length; j++) rec(j + 1, [...picked, all[j] as ArrayLike<number>]);
    };
    rec(0, []);
    return best;
  }
  // Electra: every group's possible on-chain aggregates (per committee, every pairwise-disjoint subset).
  const options = instance.groups.map((g) => {
    let combos: ArrayLike<number>[][] = [[]];
    for (const c of g.committees) {
      const subsets: ArrayLike<number>[][] = [];
      const n = c.aggregates.length;
      for (let mask = 0; mask < 1 << n; mask++) {
        const chosen = c.aggregates.filter((_, i) => (mask >> i) & 1);
        let ok = true;
        for (let x = 0; x < chosen.length && ok; x++)
          for (let y = x + 1; y < chosen.length && ok; y++)
            ok = disjoint(chosen[x] as ArrayLike<number>, chosen[y] as ArrayLike<number>);
        if (ok) subsets.push(chosen);
      }
      combos = combos.flatMap((prefix) => subsets.map((s) => [...prefix, ...s]));
    }
    return combos;
  });
  let best = 0;
  const rec = (g: number, picked: ArrayLike<number>[], count: number) => {
    best = Math.max(best, unionValue(instance, picked));
    if (count === instance.limit) return;
    for (let h = g; h < options.length; h++) {
      for (const option of options[h] as ArrayLike<number>[][]) rec(h + 1, [...picked, ...option], count + 1);
    }
  };
  rec(0, [], 0);
  return best;
}

/**
 * The classic instance on which greedy maximum coverage reaches 1 - (1 - 1/k)^k of the optimum (→ 1 - 1/e): k
 * disjoint optimal sets O_j of weight 1000·k^k, and greedy sets G_i that take, from every O_j, a cell worth 1/k of
 * what greedy left of it, plus a private item of weight 1 so that greedy prefers them whatever its tie-breaking.
 * Greedy takes G_1..G_k; the optimum is O_1..O_k.
 */
export function greedyTrap(
  k: number,
  mode: PackingMode,
): { instance: PackingInstance; optimum: number; greedy: number } {
  const scale = 1000;
  const weights: number[] = [];
  const cells: number[][] = Array.from({ length: k }, () => []); // cells[i]: items of G_i
  const optimal: number[][] = [];
  for (let j = 0; j < k; j++) {
    const items: number[] = [];
    for (let i = 1; i <= k; i++) {
      const id = weights.length;
      weights.push(scale * k ** (k - i) * (k - 1) ** (i - 1));
      items.push(id);
      (cells[i - 1] as number[]).push(id);
    }
    const rest = weights.length;
    weights.push(scale * (k - 1) ** k);
    items.push(rest);
    optimal.push(items);
  }
  for (const cell of cells) {
    cell.push(weights.length);
    weights.push(1);
  }
  const sets = [...cells, ...optimal];
  const groups: PackingGroup[] =
    mode === "phase0"
      ? [{ key: "0xaa", committees: [{ index: 0, aggregates: sets }] }]
      : sets.map((s, i) => ({
          key: `0x${i.toString(16).padStart(2, "0")}`,
          committees: [{ index: 0, aggregates: [s] }],
        }));
  const M = scale * k ** k;
  return {
    instance: { mode, limit: k, weights, covered: [], groups },
    optimum: k * M,
    greedy: k * (M - scale * (k - 1) ** k) + k,
  };
}

/**
 * Electra with groups that share validators (equivocating votes, which a real chain does not carry): group A's
 * aggregates X = {0,1,2} and Y = {2,3} overlap on item 2 (already covered: worth nothing, but they still cannot
 * merge); group B holds X' = {0,1}. Greedy takes A with X (10, tied with B and first), after which B adds nothing:
 * 10. The optimum takes A with Y and B: 19, so greedy gets 10/19 < 1 - 1/e here.
 */
export function electraOverlapTrap(): { instance: PackingInstance; optimum: number; greedy: number } {
  return {
    instance: {
      mode: "electra",
      limit: 2,
      weights: [5, 5, 7, 9],
      covered: [2],
      groups: [
        {
          key: "0x0a",
          committees: [
            {
              index: 0,
              aggregates: [
                [0, 1, 2],
                [2, 3],
              ],
            },
          ],
        },
        { key: "0x0b", committees: [{ index: 0, aggregates: [[0, 1]] }] },
      ],
    },
    optimum: 19,
    greedy: 10,
  };
}
