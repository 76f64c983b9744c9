/**
 * The best set of pairwise disjoint aggregates of one committee: a maximum-weight independent set in the conflict
 * graph (aggregates that overlap conflict), equivalently a maximum-weight clique in the compatibility graph that
 * Bron–Kerbosch enumerates maximal cliques of. Disjoint aggregates cover disjoint items, so a set's value is the
 * sum of its members' values and no coverage needs tracking.
 *
 * Branch and bound over bitsets: vertices are relabelled by decreasing value so the lowest set bit of a candidate
 * set is its most valuable member; a node branches on it (take it and drop its conflicts, or drop it). The bound is
 * a greedy clique cover of the candidates in the conflict graph: at most one member of each clique can be taken, so
 * the sum of each clique's best value bounds what the candidates can add. When every aggregate overlaps every
 * other (the common case: aggregators' views of one committee share most votes) the cover is one clique and the
 * search ends after one branch.
 */

export interface DisjointSetResult {
  value: number;
  /** Chosen vertices (indices into `values`), in decreasing value. */
  members: number[];
  /** False when the deadline stopped the search: `value` is the best found, `bound` an upper bound. */
  proved: boolean;
  bound: number;
}

const NODE_CHECK = 1024;

/**
 * `conflicts` row r (words 32-bit words at `offset + r * words`) marks the vertices that vertex r conflicts with.
 * `values[r]` ≥ 0. `deadline` is a `performance.now()` time after which the search stops with what it has.
 */
export function maxWeightDisjointSet(
  values: ArrayLike<number>,
  conflicts: Uint32Array,
  offset: number,
  words: number,
  deadline = Number.POSITIVE_INFINITY,
): DisjointSetResult {
  const n = values.length;
  if (n === 0) return { value: 0, members: [], proved: true, bound: 0 };
  if (n === 1) {
    const v = values[0] as number;
    return { value: v, members: v > 0 ? [0] : [], proved: true, bound: v };
  }
  // Relabel by decreasing value (ties by index, for determinism).
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (values[b] as number) - (values[a] as number) || a - b,
  );
  const w = new Float64Array(n);
  const adj = new Uint32Array(n * words);
  const rank = new Int32Array(n);
  for (let r = 0; r < n; r++) rank[order[r] as number] = r;
  for (let r = 0; r < n; r++) {
    const v = order[r] as number;
    w[r] = values[v] as number;
    for (let s = 0; s < n; s++) {
      const o = offset + v * words + (s >>> 5);
      if (((conflicts[o] as number) >>> (s & 31)) & 1) {
        const t = rank[s] as number;
        const i = r * words + (t >>> 5);
        adj[i] = (adj[i] as number) | (1 << (t & 31));
      }
    }
  }

  // Candidate sets per depth, and the clique cover's scratch, allocated once.
  const stack = new Uint32Array((n + 2) * words);
  const cliques = new Uint32Array(n * words);
  const chosen = new Int32Array(n);
  let depth = 0;
  let best = -1;
  let bestMembers: number[] = [];
  let nodes = 0;
  let stopped = false;

  for (let r = 0; r < n; r++) {
    if ((w[r] as number) > 0) stack[r >>> 5] = (stack[r >>> 5] as number) | (1 << (r & 31));
  }

  const coverBound = (base: number): number => {
    let count = 0;
    let sum = 0;
    for (let wi = 0; wi < words; wi++) {
      let m = stack[base + wi] as number;
      while (m !== 0) {
        const low = m & -m;
        const x = wi * 32 + (31 - Math.clz32(low));
        m ^= low;
        let placed = false;
        for (let c = 0; c < count && !placed; c++) {
          // x joins clique c when it conflicts with every member.
          let ok = true;
          for (let k = 0; k < words; k++) {
            if (((cliques[c * words + k] as number) & ~(adj[x * words + k] as number)) !== 0) {
              ok = false;
              break;
            }
          }
          if (ok) {
            const i = c * words + wi;
            cliques[i] = (cliques[i] as number) | low;
            placed = true;
          }
        }
        if (!placed) {
          for (let k = 0; k < words; k++) cliques[count * words + k] = 0;
          cliques[count * words + wi] = low;
          count++;
          sum += w[x] as number;
        }
      }
    }
    return sum;
  };

  const search = (level: number, value: number): void => {
    if (stopped) return;
    if (++nodes % NODE_CHECK === 0 && performance.now() > deadline) {
      stopped = true;
      return;
    }
    const base = level * words;
    let first = -1;
    for (let wi = 0; wi < words; wi++) {
      const m = stack[base + wi] as number;
      if (m !== 0) {
        first = wi * 32 + (31 - Math.clz32(m & -m));
        break;
      }
    }
    if (first < 0) {
      if (value > best) {
        best = value;
        bestMembers = Array.from(chosen.subarray(0, depth), (r) => order[r] as number);
      }
      return;
    }
    if (value + coverBound(base) <= best) return;
    const next = base + words;
    // Take `first`: drop it and its conflicts.
    for (let k = 0; k < words; k++) stack[next + k] = (stack[base + k] as number) & ~(adj[first * words + k] as number);
    stack[next + (first >>> 5)] = (stack[next + (first >>> 5)] as number) & ~(1 << (first & 31));
    chosen[depth++] = first;
    search(level + 1, value + (w[first] as number));
    depth--;
    // Leave `first` out.
    for (let k = 0; k < words; k++) stack[next + k] = stack[base + k] as number;
    stack[next + (first >>> 5)] = (stack[next + (first >>> 5)] as number) & ~(1 << (first & 31));
    search(level + 1, value);
  };
  const rootBound = coverBound(0);
  search(0, 0);
  if (best < 0) best = 0;
  return { value: best, members: bestMembers, proved: !stopped, bound: stopped ? rootBound : best };
}
