/**
 * phase0 `get_inclusion_delay_deltas` in O(V + Σ committee sizes). The spec, for each attester, searches every
 * previous-epoch attestation for the one with the smallest inclusion delay that contains it: O(V × A) attestation
 * scans, each rebuilding a committee's attesting set. Here one pass over the attestations' bits keeps, per
 * validator, the first attestation of least delay (the spec's `min` returns the first of equal keys), then one pass
 * over validators pays the attester and that attestation's proposer.
 */
import {
  BASE_REWARD_FACTOR,
  BASE_REWARDS_PER_EPOCH,
  EFFECTIVE_BALANCE_INCREMENT,
  MIN_ATTESTATION_INCLUSION_DELAY,
  PROPOSER_REWARD_QUOTIENT,
} from "./constants.js";
import { RewardsError } from "./errors.js";
import { integerSquareRoot } from "./processEpochRewards.js";
import { assertRewardsState, type RewardsState } from "./rewardsState.js";
import type { PendingAttestation } from "./spec.js";

/**
 * The inclusion-delay rewards (attester and proposer) of every validator for the previous epoch's matching-source
 * attestations. Penalties of this component are zero, as in the spec.
 */
export function getInclusionDelayDeltas(
  state: RewardsState,
  attestations: readonly PendingAttestation[],
): Float64Array {
  const n = assertRewardsState(state);
  const rewards = new Float64Array(n);
  // Per validator: the position of its earliest least-delay attestation (-1: none). The only per-validator array
  // the bit loop touches (in committee order, which is shuffled: random access), so it is kept to 4 bytes a
  // validator; delays are read from a per-attestation array that stays in cache.
  const best = new Int32Array(n).fill(-1);
  const delays = new Float64Array(attestations.length);
  for (let a = 0; a < attestations.length; a++) {
    const att = attestations[a] as PendingAttestation;
    if (!(att.inclusionDelay >= MIN_ATTESTATION_INCLUSION_DELAY)) {
      throw new RewardsError("INCLUSION_DELAY_INVALID", `attestation ${a} has inclusion delay ${att.inclusionDelay}`, {
        index: a,
      });
    }
    if (att.proposerIndex < 0 || att.proposerIndex >= n) {
      throw new RewardsError("ATTESTATION_OUT_OF_RANGE", `attestation ${a} names proposer ${att.proposerIndex}`, {
        index: a,
      });
    }
    delays[a] = att.inclusionDelay;
    const delay = att.inclusionDelay;
    const committee = att.committee;
    const bits = att.aggregationBits.uint8Array;
    for (let i = 0; i < committee.length; i++) {
      // Reading the bytes directly: BitArray.get allocates nothing either, but a byte test is cheaper per bit.
      if ((((bits[i >> 3] as number) >> (i & 7)) & 1) === 0) continue;
      const v = committee[i] as number;
      if (v < 0 || v >= n) {
        throw new RewardsError("ATTESTATION_OUT_OF_RANGE", `attestation ${a} names validator ${v}`, { index: a });
      }
      const b = best[v] as number;
      if (b === -1 || delay < (delays[b] as number)) best[v] = a;
    }
  }

  let increments = 0;
  let remainder = 0;
  for (let i = 0; i < n; i++) {
    if (
      (state.activationEpoch[i] as number) <= state.currentEpoch &&
      state.currentEpoch < (state.exitEpoch[i] as number)
    ) {
      const eb = state.effectiveBalance[i] as number;
      const inc = Math.floor(eb / EFFECTIVE_BALANCE_INCREMENT);
      increments += inc;
      remainder += eb - inc * EFFECTIVE_BALANCE_INCREMENT;
    }
  }
  const totalActive = BigInt(increments) * BigInt(EFFECTIVE_BALANCE_INCREMENT) + BigInt(remainder);
  const sqrtTotal = integerSquareRoot(
    totalActive > BigInt(EFFECTIVE_BALANCE_INCREMENT) ? totalActive : BigInt(EFFECTIVE_BALANCE_INCREMENT),
  );
  // Base rewards depend only on the effective balance, which takes few distinct values: computed once each
  // (and the last one reused without a lookup: most validators have 32 ETH).
  const baseRewards = new Map<number, number>();
  let lastBalance = -1;
  let lastReward = 0;

  for (let v = 0; v < n; v++) {
    const a = best[v] as number;
    if (a === -1 || state.slashed[v] === 1) continue;
    const att = attestations[a] as PendingAttestation;
    const eb = state.effectiveBalance[v] as number;
    let baseReward = lastReward;
    if (eb !== lastBalance) {
      let known = baseRewards.get(eb);
      if (known === undefined) {
        // get_base_reward (phase0): effective_balance * BASE_REWARD_FACTOR // integer_squareroot(total) // 4.
        known = Number((BigInt(eb) * BigInt(BASE_REWARD_FACTOR)) / sqrtTotal / BigInt(BASE_REWARDS_PER_EPOCH));
        baseRewards.set(eb, known);
      }
      baseReward = known;
      lastBalance = eb;
      lastReward = known;
    }
    const proposerReward = Math.floor(baseReward / PROPOSER_REWARD_QUOTIENT);
    rewards[att.proposerIndex] = (rewards[att.proposerIndex] as number) + proposerReward;
    rewards[v] = (rewards[v] as number) + Math.floor((baseReward - proposerReward) / att.inclusionDelay);
  }
  return rewards;
}
