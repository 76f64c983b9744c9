import { BitArray } from "@chainsafe/ssz";
import fc from "fast-check";
import type { RewardsState } from "../../../src/consensus/rewards/rewardsState.js";
import type { PendingAttestation } from "../../../src/consensus/rewards/spec.js";

const GWEI = 1_000_000_000;
const epochOrFar = (max: number) =>
  fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max }) }, fc.constant(Infinity));

const validator = fc.record({
  effectiveIncrements: fc.oneof(
    { weight: 6, arbitrary: fc.constant(32) },
    { weight: 2, arbitrary: fc.integer({ min: 0, max: 32 }) },
    { weight: 1, arbitrary: fc.integer({ min: 32, max: 2048 }) },
  ),
  // Small balances too, so that penalties reach zero and the spec's saturating decreases matter.
  balance: fc.oneof(fc.integer({ min: 0, max: 2100 * GWEI }), fc.integer({ min: 0, max: 3_000_000 })),
  slashed: fc.boolean(),
  activation: epochOrFar(25),
  exitAfter: epochOrFar(20),
  withdrawableAfter: epochOrFar(10),
  participation: fc.integer({ min: 0, max: 7 }),
  inactivityScore: fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 300 }) },
    fc.integer({ min: 0, max: 50_000_000 }),
  ),
});

/** Random post-Altair states: leaks (finality far behind), slashed and exited validators, odd balances. */
export const rewardsStateArb: fc.Arbitrary<RewardsState> = fc
  .record({
    validators: fc.array(validator, { minLength: 1, maxLength: 40 }),
    currentEpoch: fc.integer({ min: 0, max: 30 }),
    finalityLag: fc.integer({ min: 0, max: 12 }),
  })
  .map(({ validators, currentEpoch, finalityLag }) => {
    const exit = (v: (typeof validators)[number]) => v.activation + v.exitAfter;
    return {
      currentEpoch,
      finalizedEpoch: Math.max(0, currentEpoch - finalityLag),
      effectiveBalance: Float64Array.from(validators, (v) => v.effectiveIncrements * GWEI),
      balances: Float64Array.from(validators, (v) => v.balance),
      slashed: Uint8Array.from(validators, (v) => (v.slashed ? 1 : 0)),
      activationEpoch: Float64Array.from(validators, (v) => v.activation),
      exitEpoch: Float64Array.from(validators, exit),
      withdrawableEpoch: Float64Array.from(validators, (v) => exit(v) + v.withdrawableAfter),
      previousEpochParticipation: Uint8Array.from(validators, (v) => v.participation),
      inactivityScores: Float64Array.from(validators, (v) => v.inactivityScore),
    };
  });

/** A state and previous-epoch pending attestations over committees of its validators. */
export const phase0CaseArb = rewardsStateArb.chain((state) => {
  const n = state.effectiveBalance.length;
  const attestation = fc
    .record({
      committee: fc.uniqueArray(fc.integer({ min: 0, max: n - 1 }), { minLength: 1, maxLength: Math.min(n, 12) }),
      seed: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
      inclusionDelay: fc.integer({ min: 1, max: 32 }),
      proposerIndex: fc.integer({ min: 0, max: n - 1 }),
    })
    .map(
      ({ committee, seed, inclusionDelay, proposerIndex }): PendingAttestation => ({
        committee,
        aggregationBits: BitArray.fromBoolArray(committee.map((_, i) => seed[i] === true)),
        inclusionDelay,
        proposerIndex,
      }),
    );
  return fc.tuple(fc.constant(state), fc.array(attestation, { maxLength: 16 }));
});
