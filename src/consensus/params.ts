/**
 * The preset values and constants the shuffling, committee and proposer functions read, taken from
 * `@lodestar/params` (mainnet and minimal). Functions take a preset argument rather than reading the process-wide
 * `LODESTAR_PRESET`, so one process can compute for both (the spec vectors cover both).
 */

import type { BeaconPreset } from "@lodestar/params";
import { DOMAIN_BEACON_ATTESTER, DOMAIN_BEACON_PROPOSER, FAR_FUTURE_EPOCH } from "@lodestar/params";
import { mainnetPreset } from "@lodestar/params/presets/mainnet";
import { minimalPreset } from "@lodestar/params/presets/minimal";

export type ConsensusPreset = Pick<
  BeaconPreset,
  | "SLOTS_PER_EPOCH"
  | "SHUFFLE_ROUND_COUNT"
  | "TARGET_COMMITTEE_SIZE"
  | "MAX_COMMITTEES_PER_SLOT"
  | "EPOCHS_PER_HISTORICAL_VECTOR"
  | "MIN_SEED_LOOKAHEAD"
  | "MAX_EFFECTIVE_BALANCE_ELECTRA"
  | "EFFECTIVE_BALANCE_INCREMENT"
  | "SLOTS_PER_HISTORICAL_ROOT"
>;

export type PresetName = "mainnet" | "minimal";

function pick(p: BeaconPreset): ConsensusPreset {
  return {
    SLOTS_PER_EPOCH: p.SLOTS_PER_EPOCH,
    SHUFFLE_ROUND_COUNT: p.SHUFFLE_ROUND_COUNT,
    TARGET_COMMITTEE_SIZE: p.TARGET_COMMITTEE_SIZE,
    MAX_COMMITTEES_PER_SLOT: p.MAX_COMMITTEES_PER_SLOT,
    EPOCHS_PER_HISTORICAL_VECTOR: p.EPOCHS_PER_HISTORICAL_VECTOR,
    MIN_SEED_LOOKAHEAD: p.MIN_SEED_LOOKAHEAD,
    MAX_EFFECTIVE_BALANCE_ELECTRA: p.MAX_EFFECTIVE_BALANCE_ELECTRA,
    EFFECTIVE_BALANCE_INCREMENT: p.EFFECTIVE_BALANCE_INCREMENT,
    SLOTS_PER_HISTORICAL_ROOT: p.SLOTS_PER_HISTORICAL_ROOT,
  };
}

export const PRESETS: Readonly<Record<PresetName, Readonly<ConsensusPreset>>> = {
  mainnet: Object.freeze(pick(mainnetPreset)),
  minimal: Object.freeze(pick(minimalPreset)),
};

// FAR_FUTURE_EPOCH (2**64 - 1) is `Infinity`, as Lodestar's SSZ value types read it.
export { DOMAIN_BEACON_ATTESTER, DOMAIN_BEACON_PROPOSER, FAR_FUTURE_EPOCH };

export function computeEpochAtSlot(slot: number, preset: Pick<ConsensusPreset, "SLOTS_PER_EPOCH">): number {
  return Math.floor(slot / preset.SLOTS_PER_EPOCH);
}

export function computeStartSlotAtEpoch(epoch: number, preset: Pick<ConsensusPreset, "SLOTS_PER_EPOCH">): number {
  return epoch * preset.SLOTS_PER_EPOCH;
}
