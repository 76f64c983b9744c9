import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { bronKerbosch } from "../../../src/consensus/attestations/bronKerbosch.js";
import { maxWeightDisjointSet } from "../../../src/consensus/attestations/maxWeightDisjointSet.js";

/** A random graph on n ≤ 40 vertices as an edge predicate, with values. */
const graphArb = fc
  .record({ n: fc.integer({ min: 0, max: 40 }), density: fc.double({ min: 0, max: 1, noNaN: true }), seed: fc.nat() })
  .map(({ n, density, seed }) => {
    let s = seed;
    const rand = () => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s / 2 ** 32;
    };
    const edge = Array.from({ length: n }, () => new Array<boolean>(n).fill(false));
    for (let a = 0; a < n; a++)
      for (let b = a + 1; b < n; b++)
        if (rand() < density) (edge[a] as boolean[])[b] = (edge[b] as boolean[])[a] = true;
    const values = Array.from({ length: n }, () => Math.floor(rand() * 50));
    return { n, edge, values };
  });

describe("maxWeightDisjointSet", () => {
  test("is an independent set, proved, equal to enumeration's best (n ≤ 14)", () => {
    fc.assert(
      fc.property(graphArb, ({ n, edge, values }) => {
        const words = Math.max(1, Math.ceil(n / 32));
        const bits = new Uint32Array(Math.max(1, n) * words);
        for (let a = 0; a < n; a++)
          for (let b = 0; b < n; b++)
            if (edge[a]?.[b]) bits[a * words + (b >>> 5)] = (bits[a * words + (b >>> 5)] as number) | (1 << (b & 31));
        const r = maxWeightDisjointSet(values, bits, 0, words);
        expect(r.proved).toBe(true);
        // Independent, and its value adds up.
        for (const x of r.members) for (const y of r.members) expect(x !== y && edge[x]?.[y]).toBe(false);
        expect(r.members.reduce((s, x) => s + (values[x] as number), 0)).toBe(r.value);
        if (n <= 14) {
          let best = 0;
          for (let mask = 0; mask < 1 << n; mask++) {
            let ok = true;
            let v = 0;
            for (let a = 0; a < n && ok; a++) {
              if (!((mask >> a) & 1)) continue;
              v += values[a] as number;
              for (let b = a + 1; b < n && ok; b++) if ((mask >> b) & 1 && edge[a]?.[b]) ok = false;
            }
            if (ok) best = Math.max(best, v);
          }
          expect(r.value).toBe(best);
        }
      }),
      { numRuns: 80 },
    );
  });
});

describe("bronKerbosch", () => {
  test("lists exactly the maximal cliques (n ≤ 12)", () => {
    fc.assert(
      fc.property(
        graphArb.filter((g) => g.n <= 12),
        ({ n, edge }) => {
          const cliques = bronKerbosch((a, b) => edge[a]?.[b] === true, n).map((c) =>
            [...c].sort((x, y) => x - y).join(","),
          );
          const expected: string[] = [];
          const isClique = (m: number) => {
            for (let a = 0; a < n; a++)
              for (let b = a + 1; b < n; b++) if ((m >> a) & 1 && (m >> b) & 1 && !edge[a]?.[b]) return false;
            return true;
          };
          for (let mask = 1; mask < 1 << n; mask++) {
            if (!isClique(mask)) continue;
            let maximal = true;
            for (let v = 0; v < n && maximal; v++) if (!((mask >> v) & 1) && isClique(mask | (1 << v))) maximal = false;
            if (maximal)
              expected.push(
                Array.from({ length: n }, (_, i) => i)
                  .filter((i) => (mask >> i) & 1)
                  .join(","),
              );
          }
          expect(new Set(cliques)).toEqual(new Set(expected));
          expect(cliques.length).toBe(expected.length);
        },
      ),
      { numRuns: 150 },
    );
  });
});
