import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { computeDeltas, NO_VOTE } from "../../../src/consensus/forkChoice/computeDeltas.js";

/** The deltas by definition: per node, the new balances now on it minus the old balances that were. */
function naive(
  nodeCount: number,
  base: number,
  current: readonly number[],
  next: readonly number[],
  oldBalances: readonly number[],
  newBalances: readonly number[],
): number[] {
  const deltas = new Array<number>(nodeCount).fill(0);
  current.forEach((c, v) => {
    const p = c - base;
    if (c !== NO_VOTE && p >= 0 && p < nodeCount) deltas[p] = (deltas[p] as number) - (oldBalances[v] as number);
  });
  next.forEach((n, v) => {
    const p = n - base;
    if (n !== NO_VOTE && p >= 0 && p < nodeCount) deltas[p] = (deltas[p] as number) + (newBalances[v] as number);
  });
  return deltas;
}

const votesArb = fc
  .record({
    nodes: fc.integer({ min: 1, max: 12 }),
    base: fc.integer({ min: 1, max: 5 }),
    validators: fc.integer({ min: 1, max: 40 }),
  })
  .chain(({ nodes, base, validators }) => {
    const id = fc.integer({ min: 0, max: base + nodes + 2 });
    const balance = fc.integer({ min: 0, max: 64 });
    return fc.record({
      nodes: fc.constant(nodes),
      base: fc.constant(base),
      current: fc.array(id, { minLength: validators, maxLength: validators }),
      next: fc.array(id, { minLength: validators, maxLength: validators }),
      oldBalances: fc.array(balance, { minLength: validators, maxLength: validators }),
      newBalances: fc.array(balance, { minLength: validators, maxLength: validators }),
    });
  });

describe("computeDeltas", () => {
  test("matches the definition, ignores pruned and unknown ids, and moves current to next", () => {
    fc.assert(
      fc.property(votesArb, (x) => {
        const current = Uint32Array.from(x.current);
        const next = Uint32Array.from(x.next);
        const deltas = new Float64Array(x.nodes);
        computeDeltas(
          {
            deltas,
            nodeCount: x.nodes,
            base: x.base,
            current,
            next,
            oldBalances: Float64Array.from(x.oldBalances),
            newBalances: Float64Array.from(x.newBalances),
          },
          x.current.length,
        );
        expect(Array.from(deltas)).toEqual(naive(x.nodes, x.base, x.current, x.next, x.oldBalances, x.newBalances));
        expect(Array.from(current)).toEqual(x.next);
      }),
    );
  });

  test("adds to the accumulator rather than clearing it", () => {
    const deltas = Float64Array.from([5, 5]);
    computeDeltas(
      {
        deltas,
        nodeCount: 2,
        base: 1,
        current: Uint32Array.from([1]),
        next: Uint32Array.from([2]),
        oldBalances: Float64Array.from([3]),
        newBalances: Float64Array.from([3]),
      },
      1,
    );
    expect(Array.from(deltas)).toEqual([2, 8]);
  });
});
