/**
 * A direct transcription of the consensus specs' epoch reward accounting, used as the reference that the linear
 * implementations are tested against. Each function keeps its spec name and body, in BigInt (the spec's uint64),
 * with no caching: where the spec's loops are quadratic (a base reward that re-sums the active balance for every
 * validator, a participation set rebuilt inside a per-validator loop, phase0's search of every attestation for every
 * attester) so is this. Sources:
 * - altair/beacon-chain.md: `get_unslashed_participating_indices`, `get_flag_index_deltas`,
 *   `get_inactivity_penalty_deltas`, `process_inactivity_updates`, `process_rewards_and_penalties`
 *   (bellatrix/beacon-chain.md replaces the inactivity quotient with `INACTIVITY_PENALTY_QUOTIENT_BELLATRIX`);
 * - phase0/beacon-chain.md: `get_inclusion_delay_deltas`, `get_base_reward`, `get_proposer_reward`.
 */
import type { BitArray } from "@chainsafe/ssz";
import {
  BASE_REWARD_FACTOR,
  BASE_REWARDS_PER_EPOCH,
  EFFECTIVE_BALANCE_INCREMENT,
  GENESIS_EPOCH,
  INACTIVITY_PENALTY_QUOTIENT_BELLATRIX,
  INACTIVITY_SCORE_BIAS,
  INACTIVITY_SCORE_RECOVERY_RATE,
  MIN_EPOCHS_TO_INACTIVITY_PENALTY,
  PARTICIPATION_FLAG_WEIGHTS,
  PROPOSER_REWARD_QUOTIENT,
  TIMELY_HEAD_FLAG_INDEX,
  TIMELY_TARGET_FLAG_INDEX,
  WEIGHT_DENOMINATOR,
} from "./constants.js";
import type { EpochRewardsResult, RewardsState } from "./rewardsState.js";

type Gwei = bigint;
type Epoch = bigint;
type ValidatorIndex = number;

const UINT64_MAX = 2n ** 64n - 1n;
const UINT64_MAX_SQRT = 4294967295n;

interface Validator {
  effective_balance: Gwei;
  slashed: boolean;
  activation_epoch: Epoch;
  exit_epoch: Epoch;
  withdrawable_epoch: Epoch;
}

interface BeaconState {
  current_epoch: Epoch;
  finalized_checkpoint_epoch: Epoch;
  validators: Validator[];
  balances: Gwei[];
  previous_epoch_participation: number[];
  inactivity_scores: bigint[];
}

/** A phase0 `PendingAttestation`, with its committee (`get_beacon_committee(state, data.slot, data.index)`). */
export interface PendingAttestation {
  /** The committee's validator indices in committee order. */
  committee: ArrayLike<number>;
  /** One bit per committee member. */
  aggregationBits: BitArray;
  inclusionDelay: number;
  proposerIndex: number;
}

const epochToBig = (e: number): Epoch => (Number.isFinite(e) ? BigInt(e) : UINT64_MAX);

function toSpecState(s: RewardsState): BeaconState {
  const validators: Validator[] = [];
  for (let i = 0; i < s.effectiveBalance.length; i++) {
    validators.push({
      effective_balance: BigInt(s.effectiveBalance[i] as number),
      slashed: s.slashed[i] === 1,
      activation_epoch: epochToBig(s.activationEpoch[i] as number),
      exit_epoch: epochToBig(s.exitEpoch[i] as number),
      withdrawable_epoch: epochToBig(s.withdrawableEpoch[i] as number),
    });
  }
  return {
    current_epoch: BigInt(s.currentEpoch),
    finalized_checkpoint_epoch: BigInt(s.finalizedEpoch),
    validators,
    balances: Array.from(s.balances, (b) => BigInt(b)),
    previous_epoch_participation: Array.from(s.previousEpochParticipation),
    inactivity_scores: Array.from(s.inactivityScores, (x) => BigInt(x)),
  };
}

const bigMax = (a: bigint, b: bigint): bigint => (a > b ? a : b);
const bigMin = (a: bigint, b: bigint): bigint => (a < b ? a : b);

function integer_squareroot(n: bigint): bigint {
  if (n === UINT64_MAX) return UINT64_MAX_SQRT;
  let x = n;
  let y = (x + 1n) / 2n;
  while (y < x) {
    x = y;
    y = (x + n / x) / 2n;
  }
  return x;
}

function get_current_epoch(state: BeaconState): Epoch {
  return state.current_epoch;
}

function get_previous_epoch(state: BeaconState): Epoch {
  const current_epoch = get_current_epoch(state);
  return current_epoch === BigInt(GENESIS_EPOCH) ? BigInt(GENESIS_EPOCH) : current_epoch - 1n;
}

function is_active_validator(validator: Validator, epoch: Epoch): boolean {
  return validator.activation_epoch <= epoch && epoch < validator.exit_epoch;
}

function get_active_validator_indices(state: BeaconState, epoch: Epoch): ValidatorIndex[] {
  const out: ValidatorIndex[] = [];
  state.validators.forEach((v, i) => {
    if (is_active_validator(v, epoch)) out.push(i);
  });
  return out;
}

function get_total_balance(state: BeaconState, indices: Iterable<ValidatorIndex>): Gwei {
  let sum = 0n;
  for (const index of indices) sum += (state.validators[index] as Validator).effective_balance;
  return bigMax(BigInt(EFFECTIVE_BALANCE_INCREMENT), sum);
}

function get_total_active_balance(state: BeaconState): Gwei {
  return get_total_balance(state, new Set(get_active_validator_indices(state, get_current_epoch(state))));
}

function get_base_reward_per_increment(state: BeaconState): Gwei {
  return (
    (BigInt(EFFECTIVE_BALANCE_INCREMENT) * BigInt(BASE_REWARD_FACTOR)) /
    integer_squareroot(get_total_active_balance(state))
  );
}

/** altair `get_base_reward`. */
function get_base_reward(state: BeaconState, index: ValidatorIndex): Gwei {
  const increments = (state.validators[index] as Validator).effective_balance / BigInt(EFFECTIVE_BALANCE_INCREMENT);
  return increments * get_base_reward_per_increment(state);
}

function has_flag(flags: number, flag_index: number): boolean {
  const flag = 1 << flag_index;
  return (flags & flag) === flag;
}

function get_unslashed_participating_indices(
  state: BeaconState,
  flag_index: number,
  epoch: Epoch,
): Set<ValidatorIndex> {
  // assert epoch in (get_previous_epoch(state), get_current_epoch(state)); only the previous epoch is modelled here.
  if (epoch !== get_previous_epoch(state)) throw new Error("spec reference models only the previous epoch");
  const epoch_participation = state.previous_epoch_participation;
  const active_validator_indices = get_active_validator_indices(state, epoch);
  const participating_indices = active_validator_indices.filter((i) =>
    has_flag(epoch_participation[i] as number, flag_index),
  );
  return new Set(participating_indices.filter((index) => !(state.validators[index] as Validator).slashed));
}

function get_eligible_validator_indices(state: BeaconState): ValidatorIndex[] {
  const previous_epoch = get_previous_epoch(state);
  const out: ValidatorIndex[] = [];
  state.validators.forEach((v, index) => {
    if (is_active_validator(v, previous_epoch) || (v.slashed && previous_epoch + 1n < v.withdrawable_epoch)) {
      out.push(index);
    }
  });
  return out;
}

function get_finality_delay(state: BeaconState): bigint {
  return get_previous_epoch(state) - state.finalized_checkpoint_epoch;
}

function is_in_inactivity_leak(state: BeaconState): boolean {
  return get_finality_delay(state) > BigInt(MIN_EPOCHS_TO_INACTIVITY_PENALTY);
}

type Deltas = [rewards: Gwei[], penalties: Gwei[]];

function get_flag_index_deltas(state: BeaconState, flag_index: number): Deltas {
  const rewards: Gwei[] = state.validators.map(() => 0n);
  const penalties: Gwei[] = state.validators.map(() => 0n);
  const previous_epoch = get_previous_epoch(state);
  const unslashed_participating_indices = get_unslashed_participating_indices(state, flag_index, previous_epoch);
  const weight = BigInt(PARTICIPATION_FLAG_WEIGHTS[flag_index] as number);
  const unslashed_participating_balance = get_total_balance(state, unslashed_participating_indices);
  const unslashed_participating_increments = unslashed_participating_balance / BigInt(EFFECTIVE_BALANCE_INCREMENT);
  const active_increments = get_total_active_balance(state) / BigInt(EFFECTIVE_BALANCE_INCREMENT);
  for (const index of get_eligible_validator_indices(state)) {
    const base_reward = get_base_reward(state, index);
    if (unslashed_participating_indices.has(index)) {
      if (!is_in_inactivity_leak(state)) {
        const reward_numerator = base_reward * weight * unslashed_participating_increments;
        rewards[index] =
          (rewards[index] as bigint) + reward_numerator / (active_increments * BigInt(WEIGHT_DENOMINATOR));
      }
    } else if (flag_index !== TIMELY_HEAD_FLAG_INDEX) {
      penalties[index] = (penalties[index] as bigint) + (base_reward * weight) / BigInt(WEIGHT_DENOMINATOR);
    }
  }
  return [rewards, penalties];
}

/** bellatrix `get_inactivity_penalty_deltas`. */
function get_inactivity_penalty_deltas(state: BeaconState): Deltas {
  const rewards: Gwei[] = state.validators.map(() => 0n);
  const penalties: Gwei[] = state.validators.map(() => 0n);
  const previous_epoch = get_previous_epoch(state);
  const matching_target_indices = get_unslashed_participating_indices(state, TIMELY_TARGET_FLAG_INDEX, previous_epoch);
  for (const index of get_eligible_validator_indices(state)) {
    if (!matching_target_indices.has(index)) {
      const penalty_numerator =
        (state.validators[index] as Validator).effective_balance * (state.inactivity_scores[index] as bigint);
      const penalty_denominator = BigInt(INACTIVITY_SCORE_BIAS) * BigInt(INACTIVITY_PENALTY_QUOTIENT_BELLATRIX);
      penalties[index] = (penalties[index] as bigint) + penalty_numerator / penalty_denominator;
    }
  }
  return [rewards, penalties];
}

function process_inactivity_updates(state: BeaconState): void {
  // Skip the genesis epoch as score updates are based on the previous epoch participation
  if (get_current_epoch(state) === BigInt(GENESIS_EPOCH)) return;
  for (const index of get_eligible_validator_indices(state)) {
    // Increase the inactivity score of inactive validators
    if (get_unslashed_participating_indices(state, TIMELY_TARGET_FLAG_INDEX, get_previous_epoch(state)).has(index)) {
      state.inactivity_scores[index] =
        (state.inactivity_scores[index] as bigint) - bigMin(1n, state.inactivity_scores[index] as bigint);
    } else {
      state.inactivity_scores[index] = (state.inactivity_scores[index] as bigint) + BigInt(INACTIVITY_SCORE_BIAS);
    }
    // Decrease the inactivity score of all eligible validators during a leak-free epoch
    if (!is_in_inactivity_leak(state)) {
      state.inactivity_scores[index] =
        (state.inactivity_scores[index] as bigint) -
        bigMin(BigInt(INACTIVITY_SCORE_RECOVERY_RATE), state.inactivity_scores[index] as bigint);
    }
  }
}

function increase_balance(state: BeaconState, index: ValidatorIndex, delta: Gwei): void {
  state.balances[index] = (state.balances[index] as bigint) + delta;
}

function decrease_balance(state: BeaconState, index: ValidatorIndex, delta: Gwei): void {
  const balance = state.balances[index] as bigint;
  state.balances[index] = delta > balance ? 0n : balance - delta;
}

function process_rewards_and_penalties(state: BeaconState, totals: Deltas): void {
  // No rewards are applied at the end of `GENESIS_EPOCH` because rewards are for work done in the previous epoch
  if (get_current_epoch(state) === BigInt(GENESIS_EPOCH)) return;
  const flag_deltas = PARTICIPATION_FLAG_WEIGHTS.map((_, flag_index) => get_flag_index_deltas(state, flag_index));
  const deltas = [...flag_deltas, get_inactivity_penalty_deltas(state)];
  for (const [rewards, penalties] of deltas) {
    for (let index = 0; index < state.validators.length; index++) {
      increase_balance(state, index, rewards[index] as bigint);
      decrease_balance(state, index, penalties[index] as bigint);
      totals[0][index] = (totals[0][index] as bigint) + (rewards[index] as bigint);
      totals[1][index] = (totals[1][index] as bigint) + (penalties[index] as bigint);
    }
  }
}

/**
 * The reference: `process_inactivity_updates` then `process_rewards_and_penalties`, as `process_epoch` runs them,
 * on a copy of `state`.
 */
export function processEpochRewardsSpec(rewardsState: RewardsState): EpochRewardsResult {
  const state = toSpecState(rewardsState);
  const totals: Deltas = [state.validators.map(() => 0n), state.validators.map(() => 0n)];
  process_inactivity_updates(state);
  process_rewards_and_penalties(state, totals);
  return {
    balances: Float64Array.from(state.balances, Number),
    inactivityScores: Float64Array.from(state.inactivity_scores, Number),
    rewards: Float64Array.from(totals[0], Number),
    penalties: Float64Array.from(totals[1], Number),
  };
}

/** phase0 `get_base_reward`. */
function get_base_reward_phase0(state: BeaconState, index: ValidatorIndex): Gwei {
  const total_balance = get_total_active_balance(state);
  const effective_balance = (state.validators[index] as Validator).effective_balance;
  return (
    (effective_balance * BigInt(BASE_REWARD_FACTOR)) /
    integer_squareroot(total_balance) /
    BigInt(BASE_REWARDS_PER_EPOCH)
  );
}

function get_proposer_reward(state: BeaconState, attesting_index: ValidatorIndex): Gwei {
  return get_base_reward_phase0(state, attesting_index) / BigInt(PROPOSER_REWARD_QUOTIENT);
}

function get_attesting_indices(attestation: PendingAttestation): Set<ValidatorIndex> {
  const out = new Set<ValidatorIndex>();
  for (let i = 0; i < attestation.committee.length; i++) {
    if (attestation.aggregationBits.get(i)) out.add(attestation.committee[i] as number);
  }
  return out;
}

function get_unslashed_attesting_indices(state: BeaconState, attestations: readonly PendingAttestation[]): number[] {
  const output = new Set<ValidatorIndex>();
  for (const a of attestations) for (const index of get_attesting_indices(a)) output.add(index);
  return [...output].filter((index) => !(state.validators[index] as Validator).slashed).sort((a, b) => a - b);
}

/**
 * phase0 `get_inclusion_delay_deltas` on `get_matching_source_attestations(state, previous_epoch)` (every
 * previous-epoch pending attestation has a matching source). O(V × A): for every attester, every attestation is
 * searched for the one with the smallest inclusion delay. Returns the rewards (penalties are all zero).
 */
export function getInclusionDelayDeltasSpec(
  rewardsState: RewardsState,
  matching_source_attestations: readonly PendingAttestation[],
): Float64Array {
  const state = toSpecState(rewardsState);
  const rewards: Gwei[] = state.validators.map(() => 0n);
  for (const index of get_unslashed_attesting_indices(state, matching_source_attestations)) {
    // Python's min returns the first of equal keys.
    let attestation: PendingAttestation | undefined;
    for (const a of matching_source_attestations) {
      if (
        get_attesting_indices(a).has(index) &&
        (attestation === undefined || a.inclusionDelay < attestation.inclusionDelay)
      ) {
        attestation = a;
      }
    }
    if (attestation === undefined) continue;
    rewards[attestation.proposerIndex] =
      (rewards[attestation.proposerIndex] as bigint) + get_proposer_reward(state, index);
    const max_attester_reward = get_base_reward_phase0(state, index) - get_proposer_reward(state, index);
    rewards[index] = (rewards[index] as bigint) + max_attester_reward / BigInt(attestation.inclusionDelay);
  }
  return Float64Array.from(rewards, Number);
}
