/**
 * Beacon committees. The spec's compute_committee places each member with compute_shuffled_index; weft shuffles
 * the epoch's whole active list once (unshuffleList) and a committee is a slice of it:
 * shuffled[start..end) = [indices[compute_shuffled_index(i)] for i in start..end), the same members in the same
 * order. `computeCommittee` is the spec's per-index form, kept for checks and single committees.
 */
import { ConsensusError } from "../errors.js";
import type { ConsensusPreset } from "../params.js";
import { ShuffledIndexComputer } from "../shuffle/computeShuffledIndex.js";

/** get_committee_count_per_slot, from the epoch's active validator count. */
export function getCommitteeCountPerSlot(
  activeValidatorCount: number,
  preset: Pick<ConsensusPreset, "SLOTS_PER_EPOCH" | "TARGET_COMMITTEE_SIZE" | "MAX_COMMITTEES_PER_SLOT">,
): number {
  return Math.max(
    1,
    Math.min(
      preset.MAX_COMMITTEES_PER_SLOT,
      Math.floor(Math.floor(activeValidatorCount / preset.SLOTS_PER_EPOCH) / preset.TARGET_COMMITTEE_SIZE),
    ),
  );
}

/** [start, end) of committee `index` of `count` over a list of `length`: the spec's slice bounds. */
export function committeeBounds(length: number, index: number, count: number): [number, number] {
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new ConsensusError("INVALID_COMMITTEE_INDEX", "the committee index must be below the committee count", {
      details: `index ${index}, count ${count}`,
    });
  }
  return [Math.floor((length * index) / count), Math.floor((length * (index + 1)) / count)];
}

/** compute_committee, per index as the spec writes it. */
export function computeCommittee(
  indices: Uint32Array,
  seed: Uint8Array,
  index: number,
  count: number,
  rounds: number,
): Uint32Array {
  const [start, end] = committeeBounds(indices.length, index, count);
  const out = new Uint32Array(end - start);
  if (out.length === 0) return out;
  const shuffled = new ShuffledIndexComputer(seed, indices.length, rounds);
  for (let i = start; i < end; i++) out[i - start] = indices[shuffled.get(i)] as number;
  return out;
}

/** Committee `index` of `count` from an epoch's shuffled active list (a view, no copy). */
export function sliceCommittee(shuffling: Uint32Array, index: number, count: number): Uint32Array {
  const [start, end] = committeeBounds(shuffling.length, index, count);
  return shuffling.subarray(start, end);
}
