/**
 * What including an attestation pays the proposer, per validator, under the Altair+ participation flags.
 *
 * `get_attestation_participation_flag_indices` (altair/beacon-chain.md, Deneb's EIP-7045 drops the target's
 * delay limit; Electra keeps it): timely source needs the justified checkpoint and a delay of at most
 * √SLOTS_PER_EPOCH = 5 slots, timely target the epoch boundary root too, timely head the head root too and a delay
 * of exactly one slot. `process_attestation` then pays the proposer, for every attester and every flag newly set,
 * `base_reward × flag weight`, summed and divided by `(WEIGHT_DENOMINATOR - PROPOSER_WEIGHT) × WEIGHT_DENOMINATOR /
 * PROPOSER_WEIGHT` = 448 once per on-chain attestation. Packing weights are these numerators: integers, exact, and
 * proportional to the reward (a block's reward is within one Gwei per attestation of value / 448).
 */
import {
  MIN_ATTESTATION_INCLUSION_DELAY,
  PARTICIPATION_FLAG_WEIGHTS,
  SLOTS_PER_EPOCH,
  TIMELY_HEAD_FLAG_INDEX,
  TIMELY_SOURCE_FLAG_INDEX,
  TIMELY_TARGET_FLAG_INDEX,
} from "../rewards/constants.js";

/** `integer_squareroot(SLOTS_PER_EPOCH)`: 5 on mainnet. */
const MAX_SOURCE_DELAY = Math.floor(Math.sqrt(SLOTS_PER_EPOCH));

export interface AttestationCorrectness {
  /** `data.source == justified_checkpoint` (current or previous, by the target epoch). */
  matchingSource: boolean;
  /** `data.target.root == get_block_root(state, data.target.epoch)`. */
  matchingTarget: boolean;
  /** `data.beacon_block_root == get_block_root_at_slot(state, data.slot)`. */
  matchingHead: boolean;
}

/**
 * The participation flags (bit f = flag f) an attestation earns at `inclusionDelay`, Deneb and later. 0 when the
 * source does not match: the spec rejects such an attestation, so it can never be included.
 */
export function getAttestationParticipationFlagIndices(c: AttestationCorrectness, inclusionDelay: number): number {
  if (!c.matchingSource) return 0;
  const target = c.matchingTarget;
  const head = target && c.matchingHead;
  let flags = 0;
  if (inclusionDelay <= MAX_SOURCE_DELAY) flags |= 1 << TIMELY_SOURCE_FLAG_INDEX;
  if (target) flags |= 1 << TIMELY_TARGET_FLAG_INDEX;
  if (head && inclusionDelay === MIN_ATTESTATION_INCLUSION_DELAY) flags |= 1 << TIMELY_HEAD_FLAG_INDEX;
  return flags;
}

/** Σ PARTICIPATION_FLAG_WEIGHTS[f] over the flags set in `flags`. */
export function flagWeightSum(flags: number): number {
  let sum = 0;
  for (let f = 0; f < PARTICIPATION_FLAG_WEIGHTS.length; f++) {
    if ((flags >> f) & 1) sum += PARTICIPATION_FLAG_WEIGHTS[f] as number;
  }
  return sum;
}

/**
 * The proposer reward numerator for one attester: `base_reward × Σ weight` over the flags the attestation sets
 * that `participation` (the validator's epoch participation on chain) does not have yet. 0 when nothing is new.
 */
export function proposerRewardNumerator(baseReward: number, earnedFlags: number, participation: number): number {
  return baseReward * flagWeightSum(earnedFlags & ~participation);
}
