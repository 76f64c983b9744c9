import { BitArray } from "@chainsafe/ssz";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { RewardsError } from "../../../src/consensus/rewards/errors.js";
import { getInclusionDelayDeltas } from "../../../src/consensus/rewards/getInclusionDelayDeltas.js";
import { getInclusionDelayDeltasSpec } from "../../../src/consensus/rewards/spec.js";
import { phase0CaseArb, rewardsStateArb } from "./arbitraries.js";

describe("getInclusionDelayDeltas (linear) against the spec's O(V×A) loop", () => {
  test("equal on random states and attestations", () => {
    fc.assert(
      fc.property(phase0CaseArb, ([state, attestations]) => {
        expect(getInclusionDelayDeltas(state, attestations)).toEqual(getInclusionDelayDeltasSpec(state, attestations));
      }),
      { numRuns: 300 },
    );
  });

  test("the earliest of equal delays pays its proposer", () => {
    const [state] = fc.sample(
      rewardsStateArb.filter((s) => s.effectiveBalance.length >= 3 && s.slashed[0] === 0),
      1,
    );
    if (state === undefined) throw new Error("no sample");
    state.effectiveBalance[0] = 32e9;
    const bits = BitArray.fromBoolArray([true]);
    const atts = [
      { committee: [0], aggregationBits: bits, inclusionDelay: 2, proposerIndex: 1 },
      { committee: [0], aggregationBits: bits, inclusionDelay: 2, proposerIndex: 2 },
    ];
    const r = getInclusionDelayDeltas(state, atts);
    expect(r).toEqual(getInclusionDelayDeltasSpec(state, atts));
    expect(r[1]).toBeGreaterThan(0);
  });

  test("an inclusion delay of zero is a typed error", () => {
    const [state] = fc.sample(rewardsStateArb, 1);
    if (state === undefined) throw new Error("no sample");
    const att = {
      committee: [0],
      aggregationBits: BitArray.fromBoolArray([true]),
      inclusionDelay: 0,
      proposerIndex: 0,
    };
    expect(() => getInclusionDelayDeltas(state, [att])).toThrow(RewardsError);
  });
});
