import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { AttestationError } from "../../../src/consensus/attestations/errors.js";
import { evaluateSelection } from "../../../src/consensus/attestations/evaluateSelection.js";
import { packExact } from "../../../src/consensus/attestations/packExact.js";
import { packGreedy } from "../../../src/consensus/attestations/packGreedy.js";
import type { PackingInstance, PackingResult } from "../../../src/consensus/attestations/packingInstance.js";
import { bruteForce, electraOverlapTrap, greedyTrap, instanceArb } from "./instances.js";

const GREEDY_RATIO = 1 - 1 / Math.E;

/** The value a result's selection really has; throws if it breaks a rule (limit, overlap, unknown ids). */
function check(instance: PackingInstance, r: PackingResult): number {
  const value =
    instance.mode === "electra"
      ? evaluateSelection(instance, { mode: "electra", selection: r.selection as never })
      : evaluateSelection(instance, { mode: "phase0", selection: r.selection as never });
  expect(value).toBe(r.value);
  expect(r.upperBound).toBeGreaterThanOrEqual(r.value);
  return value;
}

describe.each(["phase0", "electra"] as const)("%s packing", (mode) => {
  test("exact equals brute force at every limit, proves it, and its selection is valid", () => {
    fc.assert(
      fc.property(instanceArb({ mode }), (base) => {
        for (const limit of [1, 2, 3]) {
          const instance = { ...base, limit };
          const r = packExact(instance);
          check(instance, r);
          expect(r.value).toBe(bruteForce(instance));
          expect(r.optimal).toBe(true);
          expect(r.upperBound).toBe(r.value);
        }
      }),
      { numRuns: 150 },
    );
  });

  test("greedy is valid and never beats exact", () => {
    fc.assert(
      fc.property(instanceArb({ mode, maxItems: 20, maxGroups: 6 }), (instance) => {
        const g = packGreedy(instance);
        const e = packExact(instance);
        check(instance, g);
        check(instance, e);
        expect(e.value).toBeGreaterThanOrEqual(g.value);
        // A greedy claim of optimality must be true.
        if (g.optimal) expect(g.value).toBe(e.value);
      }),
      { numRuns: 250 },
    );
  });

  test("the greedy trap: greedy near 1 - 1/e, exact finds the optimum", () => {
    for (const k of [2, 3, 5, 7]) {
      const trap = greedyTrap(k, mode);
      const g = packGreedy(trap.instance);
      const e = packExact(trap.instance);
      check(trap.instance, g);
      check(trap.instance, e);
      expect(g.value).toBe(trap.greedy);
      expect(e.value).toBe(trap.optimum);
      expect(e.optimal).toBe(true);
      expect(g.optimal).toBe(false);
      expect(g.value / e.value).toBeGreaterThanOrEqual(GREEDY_RATIO);
      expect(g.value / e.value).toBeCloseTo(1 - (1 - 1 / k) ** k, 3);
    }
  });

  test("a deadline of zero still returns at least greedy, without a false claim", () => {
    const trap = greedyTrap(6, mode);
    const r = packExact(trap.instance, { deadlineMs: 0 });
    check(trap.instance, r);
    expect(r.value).toBeGreaterThanOrEqual(trap.greedy);
    if (r.optimal) expect(r.value).toBe(trap.optimum);
  });
});

describe("greedy's guarantee", () => {
  test("phase0: greedy ≥ (1 - 1/e) × optimum", () => {
    fc.assert(
      fc.property(instanceArb({ mode: "phase0", maxItems: 16, maxGroups: 5 }), (instance) => {
        expect(packGreedy(instance).value).toBeGreaterThanOrEqual(GREEDY_RATIO * packExact(instance).value - 1e-9);
      }),
      { numRuns: 300 },
    );
  });

  test("electra with one vote per validator (groups share no item): greedy is optimal and proves it", () => {
    fc.assert(
      fc.property(instanceArb({ mode: "electra", maxItems: 20, maxGroups: 6, disjointGroups: true }), (instance) => {
        const g = packGreedy(instance);
        expect(g.value).toBe(packExact(instance).value);
        expect(g.optimal).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  test("electra with groups sharing validators can trap greedy below 1 - 1/e; exact is not fooled", () => {
    const trap = electraOverlapTrap();
    expect(packGreedy(trap.instance).value).toBe(trap.greedy);
    const e = packExact(trap.instance);
    check(trap.instance, e);
    expect(e.value).toBe(trap.optimum);
    expect(bruteForce(trap.instance)).toBe(trap.optimum);
  });
});

describe("selection rules", () => {
  test("merged aggregates must be disjoint, even on covered validators", () => {
    const trap = electraOverlapTrap();
    expect(() =>
      evaluateSelection(trap.instance, {
        mode: "electra",
        selection: [{ group: "0x0a", committees: [{ index: 0, aggregates: [0, 1] }] }],
      }),
    ).toThrow(AttestationError);
  });

  test("more than limit is rejected", () => {
    const { instance } = greedyTrap(2, "phase0");
    const selection = [0, 1, 2].map((aggregate) => ({ group: "0xaa", committee: 0, aggregate }));
    expect(() => evaluateSelection(instance, { mode: "phase0", selection })).toThrow(/limit 2/);
  });
});
