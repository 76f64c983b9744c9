/**
 * Bron–Kerbosch with Tomita's pivot: the maximal cliques of a small undirected graph (the pool's compatibility
 * graph, where two aggregates of a committee are adjacent when they are disjoint and so can merge). Sets are
 * bitsets over at most 32 × words vertices; a pivot u of most neighbours in P ∪ X leaves only P \ N(u) to branch
 * on. `maxCliques` caps the output on adversarial graphs (3^(n/3) cliques at worst).
 */
export function bronKerbosch(adjacent: (a: number, b: number) => boolean, n: number, maxCliques = 256): number[][] {
  if (n === 0) return [];
  const words = Math.max(1, Math.ceil(n / 32));
  const nbr = new Uint32Array(n * words);
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      if (a !== b && adjacent(a, b))
        nbr[a * words + (b >>> 5)] = (nbr[a * words + (b >>> 5)] as number) | (1 << (b & 31));
    }
  }
  const cliques: number[][] = [];
  const members = (set: Uint32Array): number[] => {
    const out: number[] = [];
    for (let w = 0; w < words; w++) {
      let m = set[w] as number;
      while (m !== 0) {
        const low = m & -m;
        out.push(w * 32 + (31 - Math.clz32(low)));
        m ^= low;
      }
    }
    return out;
  };
  const popcountAnd = (set: Uint32Array, v: number): number => {
    let c = 0;
    for (let w = 0; w < words; w++) {
      let x = ((set[w] as number) & (nbr[v * words + w] as number)) >>> 0;
      while (x !== 0) {
        x &= x - 1;
        c++;
      }
    }
    return c;
  };
  const recurse = (R: number[], P: Uint32Array, X: Uint32Array): void => {
    if (cliques.length >= maxCliques) return;
    const pv = members(P);
    const xv = members(X);
    if (pv.length === 0) {
      if (xv.length === 0) cliques.push([...R]);
      return;
    }
    let pivot = pv[0] as number;
    let most = -1;
    for (const u of [...pv, ...xv]) {
      const c = popcountAnd(P, u);
      if (c > most) {
        most = c;
        pivot = u;
      }
    }
    for (const v of pv) {
      if ((((nbr[pivot * words + (v >>> 5)] as number) >>> (v & 31)) & 1) === 1) continue;
      const P2 = new Uint32Array(words);
      const X2 = new Uint32Array(words);
      for (let w = 0; w < words; w++) {
        P2[w] = (P[w] as number) & (nbr[v * words + w] as number);
        X2[w] = (X[w] as number) & (nbr[v * words + w] as number);
      }
      R.push(v);
      recurse(R, P2, X2);
      R.pop();
      P[v >>> 5] = (P[v >>> 5] as number) & ~(1 << (v & 31));
      X[v >>> 5] = (X[v >>> 5] as number) | (1 << (v & 31));
    }
  };
  const P = new Uint32Array(words);
  for (let v = 0; v < n; v++) P[v >>> 5] = (P[v >>> 5] as number) | (1 << (v & 31));
  recurse([], P, new Uint32Array(words));
  return cliques;
}
