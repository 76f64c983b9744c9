/**
 * Proposer selection with the Electra rules and Fulu's proposer lookahead (EIP-7917).
 *
 *   def compute_proposer_index(state, indices, seed):                       # Electra
 *       MAX_RANDOM_VALUE = 2**16 - 1
 *       i = 0; total = len(indices)
 *       while True:
 *           candidate_index = indices[compute_shuffled_index(i % total, total, seed)]
 *           random_bytes = hash(seed + uint_to_bytes(i // 16))
 *           offset = i % 16 * 2
 *           random_value = bytes_to_uint64(random_bytes[offset:offset + 2])
 *           effective_balance = state.validators[candidate_index].effective_balance
 *           if effective_balance * MAX_RANDOM_VALUE >= MAX_EFFECTIVE_BALANCE_ELECTRA * random_value:
 *               return candidate_index
 *           i += 1
 *
 * Effective balances are whole increments (process_effective_balance_updates rounds them down), so the test
 * compares increments: both sides divided by EFFECTIVE_BALANCE_INCREMENT, exact and within 2^53.
 * A 32 ETH validator passes with probability 32/2048, so a proposer takes about 64 candidates: each is
 * compute_shuffled_index with the pivots hashed once per seed (ShuffledIndexComputer).
 */
import { digest } from "@chainsafe/as-sha256";
import { ConsensusError } from "../errors.js";
import {
  type ConsensusPreset,
  computeEpochAtSlot,
  computeStartSlotAtEpoch,
  DOMAIN_BEACON_PROPOSER,
} from "../params.js";
import { ShuffledIndexComputer } from "../shuffle/computeShuffledIndex.js";
import { getSeed } from "./seed.js";
import type { ShufflingState } from "./state.js";
import { getActiveValidatorIndices } from "./validator.js";

export type ProposerPreset = Pick<
  ConsensusPreset,
  "SHUFFLE_ROUND_COUNT" | "MAX_EFFECTIVE_BALANCE_ELECTRA" | "EFFECTIVE_BALANCE_INCREMENT"
>;

const MAX_RANDOM_VALUE = 2 ** 16 - 1;
/** Far beyond any real selection (a 16 ETH validator passes 1 in 128); stops a registry of zero balances. */
const MAX_CANDIDATES = 2 ** 24;

/** compute_proposer_index (Electra). `effectiveBalanceIncrements` is indexed by validator index. */
export function computeProposerIndex(
  seed: Uint8Array,
  activeIndices: Uint32Array,
  effectiveBalanceIncrements: Uint16Array,
  preset: ProposerPreset,
): number {
  const total = activeIndices.length;
  if (total === 0) throw new ConsensusError("NO_ACTIVE_VALIDATORS", "compute_proposer_index needs active validators");
  const maxIncrements = Math.floor(preset.MAX_EFFECTIVE_BALANCE_ELECTRA / preset.EFFECTIVE_BALANCE_INCREMENT);
  const shuffled = new ShuffledIndexComputer(seed, total, preset.SHUFFLE_ROUND_COUNT);
  const randomInput = new Uint8Array(40);
  randomInput.set(seed);
  const randomView = new DataView(randomInput.buffer);
  let randomBytes: Uint8Array = randomInput;
  for (let i = 0; i < MAX_CANDIDATES; i++) {
    const candidate = activeIndices[shuffled.get(i % total)] as number;
    if (i % 16 === 0) {
      randomView.setBigUint64(32, BigInt(i / 16), true);
      randomBytes = digest(randomInput);
    }
    const offset = (i % 16) * 2;
    const randomValue = (randomBytes[offset] as number) | ((randomBytes[offset + 1] as number) << 8);
    const increments = effectiveBalanceIncrements[candidate] ?? 0;
    if (increments * MAX_RANDOM_VALUE >= maxIncrements * randomValue) return candidate;
  }
  throw new ConsensusError("NO_ACTIVE_VALIDATORS", "no active validator has an effective balance to propose with", {
    details: `${MAX_CANDIDATES} candidates rejected`,
  });
}

/** The per-slot seeds of compute_proposer_indices: hash(seed + uint_to_bytes(slot)) for each slot of the epoch. */
export function proposerSeeds(
  epochSeed: Uint8Array,
  epoch: number,
  preset: Pick<ConsensusPreset, "SLOTS_PER_EPOCH">,
): Uint8Array[] {
  const start = computeStartSlotAtEpoch(epoch, preset);
  const input = new Uint8Array(40);
  input.set(epochSeed);
  const view = new DataView(input.buffer);
  const seeds: Uint8Array[] = [];
  for (let i = 0; i < preset.SLOTS_PER_EPOCH; i++) {
    view.setBigUint64(32, BigInt(start + i), true);
    seeds.push(digest(input));
  }
  return seeds;
}

/** compute_proposer_indices (Fulu): one proposer per slot of `epoch`. */
export function computeProposerIndices(
  epoch: number,
  epochSeed: Uint8Array,
  activeIndices: Uint32Array,
  effectiveBalanceIncrements: Uint16Array,
  preset: ProposerPreset & Pick<ConsensusPreset, "SLOTS_PER_EPOCH">,
): Uint32Array {
  const seeds = proposerSeeds(epochSeed, epoch, preset);
  return Uint32Array.from(seeds, (seed) =>
    computeProposerIndex(seed, activeIndices, effectiveBalanceIncrements, preset),
  );
}

type StatePreset = ProposerPreset &
  Pick<ConsensusPreset, "SLOTS_PER_EPOCH" | "EPOCHS_PER_HISTORICAL_VECTOR" | "MIN_SEED_LOOKAHEAD">;

/** get_beacon_proposer_indices (Fulu): proposers of `epoch` from the state's validators and RANDAO mix. */
export function getBeaconProposerIndices(state: ShufflingState, epoch: number, preset: StatePreset): Uint32Array {
  const indices = getActiveValidatorIndices(state.validators, epoch);
  const seed = getSeed(state, epoch, DOMAIN_BEACON_PROPOSER, preset);
  return computeProposerIndices(epoch, seed, indices, state.validators.effectiveBalanceIncrements, preset);
}

/** initialize_proposer_lookahead (Fulu upgrade): proposers of the current epoch and MIN_SEED_LOOKAHEAD more. */
export function initializeProposerLookahead(state: ShufflingState, preset: StatePreset): Uint32Array {
  const current = computeEpochAtSlot(state.slot, preset);
  const out = new Uint32Array((preset.MIN_SEED_LOOKAHEAD + 1) * preset.SLOTS_PER_EPOCH);
  for (let i = 0; i <= preset.MIN_SEED_LOOKAHEAD; i++) {
    out.set(getBeaconProposerIndices(state, current + i, preset), i * preset.SLOTS_PER_EPOCH);
  }
  return out;
}

/**
 * process_proposer_lookahead (Fulu, end of process_epoch, `state.slot` still the epoch's last slot): shift out
 * the first epoch and append the proposers of current + MIN_SEED_LOOKAHEAD + 1. Returns the new lookahead.
 */
export function processProposerLookahead(state: ShufflingState, preset: StatePreset): Uint32Array {
  const lookahead = state.proposerLookahead;
  if (lookahead === undefined) {
    throw new ConsensusError("EPOCH_OUT_OF_RANGE", "process_proposer_lookahead needs a Fulu state's lookahead");
  }
  const lastEpochStart = lookahead.length - preset.SLOTS_PER_EPOCH;
  const out = new Uint32Array(lookahead.length);
  out.set(lookahead.subarray(preset.SLOTS_PER_EPOCH), 0);
  const epoch = computeEpochAtSlot(state.slot, preset) + preset.MIN_SEED_LOOKAHEAD + 1;
  out.set(getBeaconProposerIndices(state, epoch, preset), lastEpochStart);
  return out;
}

/** get_beacon_proposer_index (Fulu): proposer_lookahead[state.slot % SLOTS_PER_EPOCH]. */
export function getBeaconProposerIndex(
  state: ShufflingState,
  preset: Pick<ConsensusPreset, "SLOTS_PER_EPOCH">,
): number {
  const index = state.proposerLookahead?.[state.slot % preset.SLOTS_PER_EPOCH];
  if (index === undefined) {
    throw new ConsensusError("EPOCH_OUT_OF_RANGE", "get_beacon_proposer_index needs a Fulu state's lookahead");
  }
  return index;
}
