/**
 * What shufflings, committees and proposers read from a beacon state, in columns: validators' activation and exit
 * epochs and effective balances (in increments, as Lodestar's epoch cache keeps them), the RANDAO mixes, the block
 * roots (for decision roots) and, from Fulu, the proposer lookahead. A million validators are three typed arrays,
 * not a million objects. `shufflingStateFromBeaconState` builds one from an SSZ `fulu.BeaconState` or
 * `electra.BeaconState` value (`@lodestar/types`).
 */
import type { electra, fulu, phase0 } from "@lodestar/types";
import type { ConsensusPreset } from "../params.js";

export interface ValidatorColumns {
  /** activation_epoch per validator; FAR_FUTURE_EPOCH is Infinity. */
  readonly activationEpoch: Float64Array;
  /** exit_epoch per validator; FAR_FUTURE_EPOCH is Infinity. */
  readonly exitEpoch: Float64Array;
  /** effective_balance / EFFECTIVE_BALANCE_INCREMENT per validator (whole increments by construction). */
  readonly effectiveBalanceIncrements: Uint16Array;
}

export interface ShufflingState {
  readonly slot: number;
  readonly validators: ValidatorColumns;
  /** randao_mixes: EPOCHS_PER_HISTORICAL_VECTOR mixes of 32 bytes. */
  readonly randaoMixes: readonly Uint8Array[];
  /** block_roots: SLOTS_PER_HISTORICAL_ROOT roots of 32 bytes. */
  readonly blockRoots: readonly Uint8Array[];
  /** Fulu's proposer_lookahead: (MIN_SEED_LOOKAHEAD + 1) * SLOTS_PER_EPOCH proposers from the current epoch. */
  readonly proposerLookahead?: Uint32Array;
}

export function validatorColumns(
  validators: readonly phase0.Validator[],
  preset: Pick<ConsensusPreset, "EFFECTIVE_BALANCE_INCREMENT">,
): ValidatorColumns {
  const n = validators.length;
  const activationEpoch = new Float64Array(n);
  const exitEpoch = new Float64Array(n);
  const effectiveBalanceIncrements = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    const v = validators[i] as phase0.Validator;
    activationEpoch[i] = v.activationEpoch;
    exitEpoch[i] = v.exitEpoch;
    effectiveBalanceIncrements[i] = Math.floor(v.effectiveBalance / preset.EFFECTIVE_BALANCE_INCREMENT);
  }
  return { activationEpoch, exitEpoch, effectiveBalanceIncrements };
}

export function shufflingStateFromBeaconState(
  state: fulu.BeaconState | electra.BeaconState,
  preset: Pick<ConsensusPreset, "EFFECTIVE_BALANCE_INCREMENT">,
): ShufflingState {
  const view: ShufflingState = {
    slot: state.slot,
    validators: validatorColumns(state.validators, preset),
    randaoMixes: state.randaoMixes,
    blockRoots: state.blockRoots,
  };
  if ("proposerLookahead" in state) return { ...view, proposerLookahead: Uint32Array.from(state.proposerLookahead) };
  return view;
}
