/**
 * The part of a post-Altair `BeaconState` that epoch reward accounting reads, stored column-wise: one typed array
 * per validator field, so that a pass over a million validators touches contiguous memory and allocates nothing.
 * Gwei amounts and epochs are whole numbers held in `Float64Array`s (exact below 2^53; `FAR_FUTURE_EPOCH` is
 * `Infinity`, as in `@lodestar/params`).
 */
import { RewardsError } from "./errors.js";

export interface RewardsState {
  /** `get_current_epoch(state)`. */
  currentEpoch: number;
  /** `state.finalized_checkpoint.epoch`. */
  finalizedEpoch: number;
  /** `validators[i].effective_balance` (Gwei). */
  effectiveBalance: Float64Array;
  /** `balances[i]` (Gwei). */
  balances: Float64Array;
  /** `validators[i].slashed` (0 or 1). */
  slashed: Uint8Array;
  /** `validators[i].activation_epoch`. */
  activationEpoch: Float64Array;
  /** `validators[i].exit_epoch`. */
  exitEpoch: Float64Array;
  /** `validators[i].withdrawable_epoch`. */
  withdrawableEpoch: Float64Array;
  /** `previous_epoch_participation[i]`: bit f set when flag f is set. */
  previousEpochParticipation: Uint8Array;
  /** `inactivity_scores[i]`. */
  inactivityScores: Float64Array;
}

/** What `process_inactivity_updates` then `process_rewards_and_penalties` leave behind, with the totals paid. */
export interface EpochRewardsResult {
  /** Balances after every delta was applied in the spec's order (decreases stop at zero). */
  balances: Float64Array;
  /** Inactivity scores after `process_inactivity_updates`. */
  inactivityScores: Float64Array;
  /** Sum of the four reward deltas per validator (three flags and inactivity, which rewards nothing). */
  rewards: Float64Array;
  /** Sum of the four penalty deltas per validator. */
  penalties: Float64Array;
}

/** Throws `STATE_COLUMNS_MISMATCH` unless every column has one entry per validator. */
export function assertRewardsState(state: RewardsState): number {
  const n = state.effectiveBalance.length;
  const columns = {
    balances: state.balances,
    slashed: state.slashed,
    activationEpoch: state.activationEpoch,
    exitEpoch: state.exitEpoch,
    withdrawableEpoch: state.withdrawableEpoch,
    previousEpochParticipation: state.previousEpochParticipation,
    inactivityScores: state.inactivityScores,
  };
  for (const [name, column] of Object.entries(columns)) {
    if (column.length !== n) {
      throw new RewardsError("STATE_COLUMNS_MISMATCH", `state column ${name} has ${column.length} entries`, {
        details: `effectiveBalance has ${n}; every column needs one entry per validator`,
      });
    }
  }
  return n;
}
