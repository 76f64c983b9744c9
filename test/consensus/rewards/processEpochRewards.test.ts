import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { RewardsError } from "../../../src/consensus/rewards/errors.js";
import { integerSquareRoot, processEpochRewards } from "../../../src/consensus/rewards/processEpochRewards.js";
import { processEpochRewardsSpec } from "../../../src/consensus/rewards/spec.js";
import { rewardsStateArb } from "./arbitraries.js";

const GWEI = 1_000_000_000;

function uniformState(
  n: number,
  overrides: { currentEpoch?: number; finalizedEpoch?: number; participation?: number },
) {
  return {
    currentEpoch: overrides.currentEpoch ?? 10,
    finalizedEpoch: overrides.finalizedEpoch ?? 8,
    effectiveBalance: new Float64Array(n).fill(32 * GWEI),
    balances: new Float64Array(n).fill(32 * GWEI),
    slashed: new Uint8Array(n),
    activationEpoch: new Float64Array(n),
    exitEpoch: new Float64Array(n).fill(Infinity),
    withdrawableEpoch: new Float64Array(n).fill(Infinity),
    previousEpochParticipation: new Uint8Array(n).fill(overrides.participation ?? 7),
    inactivityScores: new Float64Array(n),
  };
}

describe("processEpochRewards (linear) against the spec transcription", () => {
  test("equal on random states, leaks and slashed validators included", () => {
    fc.assert(
      fc.property(rewardsStateArb, (state) => {
        const fast = processEpochRewards(state);
        const spec = processEpochRewardsSpec(state);
        expect(fast.balances).toEqual(spec.balances);
        expect(fast.inactivityScores).toEqual(spec.inactivityScores);
        expect(fast.rewards).toEqual(spec.rewards);
        expect(fast.penalties).toEqual(spec.penalties);
      }),
      { numRuns: 300 },
    );
  });

  test("the random states reach leaks, slashings, rewards, penalties and balances drained to zero", () => {
    const seen = { leak: 0, slashed: 0, penalised: 0, rewarded: 0, drained: 0 };
    fc.assert(
      fc.property(rewardsStateArb, (s) => {
        if (s.currentEpoch - 1 - s.finalizedEpoch > 4) seen.leak++;
        if (s.slashed.some((x) => x === 1)) seen.slashed++;
        const r = processEpochRewards(s);
        if (r.penalties.some((x) => x > 0)) seen.penalised++;
        if (r.rewards.some((x) => x > 0)) seen.rewarded++;
        if (r.balances.some((b, i) => b === 0 && (s.balances[i] as number) > 0)) seen.drained++;
      }),
      { numRuns: 200 },
    );
    expect(Math.min(seen.leak, seen.slashed, seen.penalised, seen.rewarded, seen.drained)).toBeGreaterThan(10);
  });

  test("full participation outside a leak: everyone rewarded, nobody penalised", () => {
    const r = processEpochRewards(uniformState(100, {}));
    expect(r.penalties.every((p) => p === 0)).toBe(true);
    expect(r.rewards.every((x) => x > 0)).toBe(true);
    // Every flag paid in full: base_reward * (14 + 26 + 14) / 64 with a participating share of 1.
    const brpi = Math.floor((GWEI * 64) / Number(integerSquareRoot(BigInt(100 * 32 * GWEI))));
    expect(r.rewards[0]).toBe(
      Math.floor((32 * brpi * 14) / 64) + Math.floor((32 * brpi * 26) / 64) + Math.floor((32 * brpi * 14) / 64),
    );
  });

  test("in a leak nobody is rewarded and non-voters pay the inactivity penalty", () => {
    const s = uniformState(10, { currentEpoch: 20, finalizedEpoch: 5, participation: 0 });
    s.inactivityScores.fill(1000);
    const r = processEpochRewards(s);
    expect(r.rewards.every((x) => x === 0)).toBe(true);
    expect(r.inactivityScores[0]).toBe(1004);
    const inactivity = Math.floor((32 * GWEI * 1004) / (4 * 2 ** 24));
    expect(r.penalties[0]).toBeGreaterThan(inactivity);
    expect(r.balances[0]).toBe(32 * GWEI - (r.penalties[0] as number));
  });

  test("the genesis epoch changes nothing", () => {
    const s = uniformState(5, { currentEpoch: 0, finalizedEpoch: 0, participation: 0 });
    const r = processEpochRewards(s);
    expect(r.balances).toEqual(s.balances);
    expect(r.penalties.every((p) => p === 0)).toBe(true);
  });

  test("columns of different lengths are a typed error", () => {
    const s = uniformState(5, {});
    s.balances = new Float64Array(4);
    expect(() => processEpochRewards(s)).toThrow(RewardsError);
    try {
      processEpochRewards(s);
    } catch (e) {
      expect((e as RewardsError).code).toBe("STATE_COLUMNS_MISMATCH");
    }
  });

  test("integerSquareRoot is the floor of the square root", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 2n }), (n) => {
        const r = integerSquareRoot(n);
        expect(r * r <= n && (r + 1n) * (r + 1n) > n).toBe(true);
      }),
    );
  });
});
