import fc from "fast-check";
import { beforeAll, describe, expect, test } from "vitest";
import { evaluateSelection } from "../../../src/consensus/attestations/evaluateSelection.js";
import { loadHighsSolver, packIlp } from "../../../src/consensus/attestations/packIlp.js";
import { bruteForce, electraOverlapTrap, greedyTrap, instanceArb } from "./instances.js";

beforeAll(async () => {
  await loadHighsSolver();
});

describe.each(["phase0", "electra"] as const)("%s packing with HiGHS", (mode) => {
  test("equals brute force, proves it, and its selection is valid", async () => {
    await fc.assert(
      fc.asyncProperty(instanceArb({ mode }), async (instance) => {
        const r = await packIlp(instance);
        const value = evaluateSelection(instance, { mode, selection: r.selection } as never);
        expect(value).toBe(r.value);
        expect(r.value).toBe(bruteForce(instance));
        expect(r.optimal).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  test("escapes the greedy trap", async () => {
    const trap = greedyTrap(6, mode);
    const r = await packIlp(trap.instance);
    expect(r.value).toBe(trap.optimum);
    expect(r.optimal).toBe(true);
  });
});

test("electra overlap trap", async () => {
  const trap = electraOverlapTrap();
  const r = await packIlp(trap.instance);
  expect(r.value).toBe(trap.optimum);
});
