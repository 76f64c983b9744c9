import { digest } from "@chainsafe/as-sha256";
import { ConsensusError } from "../errors.js";
import type { ConsensusPreset } from "../params.js";
import type { ShufflingState } from "./state.js";

type SeedPreset = Pick<ConsensusPreset, "EPOCHS_PER_HISTORICAL_VECTOR" | "MIN_SEED_LOOKAHEAD">;

/** get_randao_mix: randao_mixes[epoch % EPOCHS_PER_HISTORICAL_VECTOR]. */
export function getRandaoMix(state: ShufflingState, epoch: number, preset: SeedPreset): Uint8Array {
  const mix = state.randaoMixes[epoch % preset.EPOCHS_PER_HISTORICAL_VECTOR];
  if (mix === undefined || mix.length !== 32) {
    throw new ConsensusError("EPOCH_OUT_OF_RANGE", "the state has no RANDAO mix for this epoch", { epoch });
  }
  return mix;
}

/**
 * get_seed: hash(domain_type + uint_to_bytes(epoch) + mix), mix = get_randao_mix(state, epoch +
 * EPOCHS_PER_HISTORICAL_VECTOR - MIN_SEED_LOOKAHEAD - 1), i.e. the mix as it stood at the end of epoch
 * epoch - MIN_SEED_LOOKAHEAD - 1.
 */
export function getSeed(state: ShufflingState, epoch: number, domainType: Uint8Array, preset: SeedPreset): Uint8Array {
  const mix = getRandaoMix(state, epoch + preset.EPOCHS_PER_HISTORICAL_VECTOR - preset.MIN_SEED_LOOKAHEAD - 1, preset);
  const input = new Uint8Array(4 + 8 + 32);
  input.set(domainType.subarray(0, 4), 0);
  new DataView(input.buffer).setBigUint64(4, BigInt(epoch), true);
  input.set(mix, 12);
  return digest(input);
}
