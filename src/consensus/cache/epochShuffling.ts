/**
 * An epoch's shuffling: its active validators in committee order (one whole-list unshuffle), the committee
 * count, and each validator's position in that order, so an attester duty is a lookup and a committee a slice.
 */
import { ConsensusError } from "../errors.js";
import {
  type ConsensusPreset,
  computeEpochAtSlot,
  computeStartSlotAtEpoch,
  DOMAIN_BEACON_ATTESTER,
} from "../params.js";
import { unshuffleList } from "../shuffle/shuffleList.js";
import { getCommitteeCountPerSlot, sliceCommittee } from "../util/committee.js";
import { getSeed } from "../util/seed.js";
import type { ShufflingState } from "../util/state.js";
import { getActiveValidatorIndices } from "../util/validator.js";

export interface EpochShuffling {
  readonly epoch: number;
  /** get_seed(state, epoch, DOMAIN_BEACON_ATTESTER) */
  readonly seed: Uint8Array;
  /** get_active_validator_indices(state, epoch) */
  readonly activeIndices: Uint32Array;
  /** unshuffleList(activeIndices, seed): committee k of the epoch is a consecutive slice. */
  readonly shuffling: Uint32Array;
  readonly committeesPerSlot: number;
  /** Validator index → position in `shuffling`; -1 when not active in this epoch. */
  readonly positions: Int32Array;
}

/** What an epoch's shuffling is computed from, read off the state in one pass (cheap, O(validators)). */
export interface EpochShufflingInput {
  epoch: number;
  seed: Uint8Array;
  activeIndices: Uint32Array;
  validatorCount: number;
}

type ShufflingPreset = Pick<
  ConsensusPreset,
  | "SLOTS_PER_EPOCH"
  | "SHUFFLE_ROUND_COUNT"
  | "TARGET_COMMITTEE_SIZE"
  | "MAX_COMMITTEES_PER_SLOT"
  | "EPOCHS_PER_HISTORICAL_VECTOR"
  | "MIN_SEED_LOOKAHEAD"
>;

export function epochShufflingInput(
  state: ShufflingState,
  epoch: number,
  preset: ShufflingPreset,
  activeIndices: Uint32Array = getActiveValidatorIndices(state.validators, epoch),
): EpochShufflingInput {
  return {
    epoch,
    seed: getSeed(state, epoch, DOMAIN_BEACON_ATTESTER, preset),
    activeIndices,
    validatorCount: state.validators.activationEpoch.length,
  };
}

/** Assembles the shuffling once the whole-list unshuffle of `input.activeIndices` is done. */
export function buildEpochShuffling(
  input: EpochShufflingInput,
  shuffling: Uint32Array,
  preset: ShufflingPreset,
): EpochShuffling {
  const positions = new Int32Array(input.validatorCount).fill(-1);
  for (let p = 0; p < shuffling.length; p++) positions[shuffling[p] as number] = p;
  return {
    epoch: input.epoch,
    seed: input.seed,
    activeIndices: input.activeIndices,
    shuffling,
    committeesPerSlot: getCommitteeCountPerSlot(input.activeIndices.length, preset),
    positions,
  };
}

/** The epoch's shuffling, computed on this thread. */
export function computeEpochShuffling(state: ShufflingState, epoch: number, preset: ShufflingPreset): EpochShuffling {
  const input = epochShufflingInput(state, epoch, preset);
  return buildEpochShuffling(input, unshuffleList(input.activeIndices, input.seed, preset.SHUFFLE_ROUND_COUNT), preset);
}

/** get_beacon_committee, from the epoch's shuffling: a view into it. */
export function getBeaconCommittee(
  shuffling: EpochShuffling,
  slot: number,
  index: number,
  preset: Pick<ConsensusPreset, "SLOTS_PER_EPOCH">,
): Uint32Array {
  if (computeEpochAtSlot(slot, preset) !== shuffling.epoch) {
    throw new ConsensusError("EPOCH_OUT_OF_RANGE", "the slot is not in this shuffling's epoch", {
      epoch: shuffling.epoch,
      details: `slot ${slot}`,
    });
  }
  if (!Number.isInteger(index) || index < 0 || index >= shuffling.committeesPerSlot) {
    throw new ConsensusError("INVALID_COMMITTEE_INDEX", "the committee index must be below the committees per slot", {
      details: `index ${index}, committees per slot ${shuffling.committeesPerSlot}`,
    });
  }
  const slotInEpoch = slot - computeStartSlotAtEpoch(shuffling.epoch, preset);
  const count = shuffling.committeesPerSlot * preset.SLOTS_PER_EPOCH;
  return sliceCommittee(shuffling.shuffling, slotInEpoch * shuffling.committeesPerSlot + index, count);
}
