/**
 * Validator duties as the Beacon API returns them (getProposerDuties, getAttesterDuties), read from an epoch's
 * shuffling and proposer set: a lookup and a little arithmetic per validator, nothing computed.
 */
import { type ConsensusPreset, computeStartSlotAtEpoch } from "../params.js";
import type { EpochShuffling } from "./epochShuffling.js";

export interface ProposerDuty {
  slot: number;
  validatorIndex: number;
}

export interface AttesterDuty {
  validatorIndex: number;
  slot: number;
  /** Index of the committee within its slot. */
  committeeIndex: number;
  committeeLength: number;
  committeesAtSlot: number;
  /** The validator's position within its committee. */
  validatorCommitteeIndex: number;
}

export function proposerDuties(
  epoch: number,
  proposers: Uint32Array,
  preset: Pick<ConsensusPreset, "SLOTS_PER_EPOCH">,
): ProposerDuty[] {
  const start = computeStartSlotAtEpoch(epoch, preset);
  return Array.from(proposers, (validatorIndex, i) => ({ slot: start + i, validatorIndex }));
}

/** Duties of the given validators in the shuffling's epoch; validators not active in it have none. */
export function attesterDuties(
  shuffling: EpochShuffling,
  validatorIndices: readonly number[],
  preset: Pick<ConsensusPreset, "SLOTS_PER_EPOCH">,
): AttesterDuty[] {
  const n = shuffling.shuffling.length;
  const perSlot = shuffling.committeesPerSlot;
  const count = perSlot * preset.SLOTS_PER_EPOCH;
  const start = computeStartSlotAtEpoch(shuffling.epoch, preset);
  const duties: AttesterDuty[] = [];
  for (const validatorIndex of validatorIndices) {
    const p = shuffling.positions[validatorIndex] ?? -1;
    if (p < 0) continue;
    // Committee k spans [floor(n k / count), floor(n (k + 1) / count)): the largest k whose start is <= p.
    const k = Math.floor(((p + 1) * count - 1) / n);
    const from = Math.floor((n * k) / count);
    const to = Math.floor((n * (k + 1)) / count);
    duties.push({
      validatorIndex,
      slot: start + Math.floor(k / perSlot),
      committeeIndex: k % perSlot,
      committeeLength: to - from,
      committeesAtSlot: perSlot,
      validatorCommitteeIndex: p - from,
    });
  }
  return duties;
}
