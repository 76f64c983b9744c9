/**
 * A small simulated beacon chain for the cache tests: just what shufflings, committees and proposers read
 * (validators' epochs and balances, RANDAO mixes, block roots, Fulu's proposer lookahead), advanced slot by slot
 * the way the spec's process_slots / process_block touch those fields. States are immutable snapshots.
 */
import { digest } from "@chainsafe/as-sha256";
import type { ConsensusPreset } from "../../src/consensus/params.js";
import { initializeProposerLookahead, processProposerLookahead } from "../../src/consensus/util/proposer.js";
import type { ShufflingState, ValidatorColumns } from "../../src/consensus/util/state.js";

export interface SimState extends ShufflingState {
  /** The root of the latest block applied (block_roots records it when the slot is processed). */
  readonly latestBlockRoot: Uint8Array;
  /** The spec's proposer_lookahead, tracked whether or not the state shows it to the cache. */
  readonly lookahead: Uint32Array;
}

function hashOf(...parts: (string | number)[]): Uint8Array {
  return digest(new TextEncoder().encode(parts.join("/")));
}

/** A chain at the first slot of `epoch` with `count` validators (some joining at epoch 3, some leaving at 6). */
export function genesisState(preset: ConsensusPreset, count: number, epoch: number): SimState {
  const activationEpoch = new Float64Array(count);
  const exitEpoch = new Float64Array(count).fill(Number.POSITIVE_INFINITY);
  const effectiveBalanceIncrements = new Uint16Array(count);
  for (let i = 0; i < count; i++) {
    activationEpoch[i] = i % 7 === 3 ? 3 : 0;
    if (i % 11 === 5) exitEpoch[i] = 6;
    effectiveBalanceIncrements[i] = i % 13 === 0 ? 2048 : i % 5 === 0 ? 256 : 32;
  }
  const validators: ValidatorColumns = { activationEpoch, exitEpoch, effectiveBalanceIncrements };
  const randaoMixes = Array.from({ length: preset.EPOCHS_PER_HISTORICAL_VECTOR }, (_, i) => hashOf("mix", i));
  const blockRoots = Array.from({ length: preset.SLOTS_PER_HISTORICAL_ROOT }, (_, i) => hashOf("root", i));
  const base = { slot: epoch * preset.SLOTS_PER_EPOCH, validators, randaoMixes, blockRoots };
  return {
    ...base,
    latestBlockRoot: hashOf("block", base.slot - 1),
    lookahead: initializeProposerLookahead(base, preset),
  };
}

/** process_block's RANDAO step and the block's root: `variant` tells apart two blocks for one slot. */
export function applyBlock(state: SimState, preset: ConsensusPreset, variant = "a"): SimState {
  const epoch = Math.floor(state.slot / preset.SLOTS_PER_EPOCH);
  const index = epoch % preset.EPOCHS_PER_HISTORICAL_VECTOR;
  const reveal = hashOf("reveal", state.slot, variant);
  const mix = (state.randaoMixes[index] as Uint8Array).map((b, i) => b ^ (reveal[i] as number));
  const randaoMixes = state.randaoMixes.slice();
  randaoMixes[index] = mix;
  return { ...state, randaoMixes, latestBlockRoot: hashOf("block", state.slot, variant) };
}

/**
 * process_slots by one slot: record the block root, and at an epoch's last slot run the parts of process_epoch
 * that matter here (effective balance updates, RANDAO mix reset, proposer lookahead), then slot + 1.
 */
export function advanceSlot(state: SimState, preset: ConsensusPreset): SimState {
  const blockRoots = state.blockRoots.slice();
  blockRoots[state.slot % preset.SLOTS_PER_HISTORICAL_ROOT] = state.latestBlockRoot;
  let next: SimState = { ...state, blockRoots };
  if ((state.slot + 1) % preset.SLOTS_PER_EPOCH === 0) {
    const epoch = Math.floor(state.slot / preset.SLOTS_PER_EPOCH);
    // Effective balances move a little at each transition, depending on this chain's latest block.
    const effectiveBalanceIncrements = state.validators.effectiveBalanceIncrements.slice();
    const nudge = state.latestBlockRoot[0] as number;
    for (let i = nudge % 17; i < effectiveBalanceIncrements.length; i += 17) {
      effectiveBalanceIncrements[i] = 16 + ((nudge + i) % 200);
    }
    const randaoMixes = state.randaoMixes.slice();
    randaoMixes[(epoch + 1) % preset.EPOCHS_PER_HISTORICAL_VECTOR] = randaoMixes[
      epoch % preset.EPOCHS_PER_HISTORICAL_VECTOR
    ] as Uint8Array;
    next = { ...next, validators: { ...state.validators, effectiveBalanceIncrements }, randaoMixes };
    next = { ...next, lookahead: processProposerLookahead({ ...next, proposerLookahead: state.lookahead }, preset) };
  }
  return { ...next, slot: state.slot + 1 };
}

/** The view a cache gets: with Fulu's proposer_lookahead, or without (then the cache computes proposers). */
export function view(state: SimState, withLookahead: boolean): ShufflingState {
  const { slot, validators, randaoMixes, blockRoots } = state;
  return withLookahead
    ? { slot, validators, randaoMixes, blockRoots, proposerLookahead: state.lookahead }
    : { slot, validators, randaoMixes, blockRoots };
}
