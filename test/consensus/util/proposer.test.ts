/**
 * Proposers on an SSZ Fulu state (`@lodestar/types`): the lookahead at the fork, its shift at an epoch
 * transition, each slot checked against the native addon, and the same from the worker pool.
 */
import * as native from "@chainsafe/swap-or-not-shuffle";
import { ssz } from "@lodestar/types";
import { sha256 } from "@noble/hashes/sha2.js";
import { describe, expect, test } from "vitest";
import { DOMAIN_BEACON_PROPOSER, FAR_FUTURE_EPOCH, PRESETS } from "../../../src/consensus/params.js";
import { ShufflePool } from "../../../src/consensus/shuffle/pool.js";
import {
  computeProposerIndex,
  getBeaconProposerIndex,
  getBeaconProposerIndices,
  initializeProposerLookahead,
  processProposerLookahead,
  proposerSeeds,
} from "../../../src/consensus/util/proposer.js";
import { getSeed } from "../../../src/consensus/util/seed.js";
import { shufflingStateFromBeaconState } from "../../../src/consensus/util/state.js";
import { getActiveValidatorIndices } from "../../../src/consensus/util/validator.js";

// @lodestar/types builds its SSZ types for the process's preset: mainnet here.
const preset = PRESETS.mainnet;
const SPE = preset.SLOTS_PER_EPOCH;

function fuluState(validatorCount: number, epoch: number) {
  const state = ssz.fulu.BeaconState.defaultValue();
  state.slot = epoch * SPE;
  for (let i = 0; i < validatorCount; i++) {
    const v = ssz.phase0.Validator.defaultValue();
    v.activationEpoch = i % 9 === 4 ? epoch + 1 : 0;
    v.exitEpoch = i % 10 === 7 ? epoch : FAR_FUTURE_EPOCH;
    v.effectiveBalance = (i % 6 === 0 ? 2048 : i % 4 === 0 ? 64 : 32) * preset.EFFECTIVE_BALANCE_INCREMENT;
    state.validators.push(v);
  }
  for (let e = 0; e < 8; e++) state.randaoMixes[e] = sha256(Uint8Array.of(e, 42));
  // Through SSZ bytes and back, so the view is built from what a node would decode.
  return ssz.fulu.BeaconState.deserialize(ssz.fulu.BeaconState.serialize(state));
}

describe("proposers (Electra rules, Fulu lookahead)", () => {
  test("initialize_proposer_lookahead on an SSZ Fulu state, each slot as the native addon selects", () => {
    const state = fuluState(300, 5);
    const view = shufflingStateFromBeaconState(state, preset);
    expect(view.validators.effectiveBalanceIncrements[0]).toBe(2048);
    expect(view.validators.exitEpoch[0]).toBe(Number.POSITIVE_INFINITY);

    const lookahead = initializeProposerLookahead(view, preset);
    expect(lookahead.length).toBe((preset.MIN_SEED_LOOKAHEAD + 1) * SPE);
    for (const [k, epoch] of [5, 6].entries()) {
      const active = getActiveValidatorIndices(view.validators, epoch);
      const seeds = proposerSeeds(getSeed(view, epoch, DOMAIN_BEACON_PROPOSER, preset), epoch, preset);
      seeds.forEach((seed, i) => {
        expect(lookahead[k * SPE + i]).toBe(
          native.computeProposerIndexElectra(
            seed,
            active,
            view.validators.effectiveBalanceIncrements,
            preset.MAX_EFFECTIVE_BALANCE_ELECTRA,
            preset.EFFECTIVE_BALANCE_INCREMENT,
            preset.SHUFFLE_ROUND_COUNT,
          ),
        );
      });
    }

    // It fits the SSZ field, and get_beacon_proposer_index reads it back per slot.
    state.proposerLookahead = [...lookahead];
    const decoded = ssz.fulu.BeaconState.deserialize(ssz.fulu.BeaconState.serialize(state));
    const withLookahead = shufflingStateFromBeaconState(decoded, preset);
    expect([...(withLookahead.proposerLookahead ?? [])]).toEqual([...lookahead]);
    expect(getBeaconProposerIndex({ ...withLookahead, slot: 5 * SPE + 3 }, preset)).toBe(lookahead[3]);
  });

  test("process_proposer_lookahead shifts one epoch and appends current + MIN_SEED_LOOKAHEAD + 1", () => {
    const view = shufflingStateFromBeaconState(fuluState(200, 5), preset);
    const lookahead = initializeProposerLookahead(view, preset);
    const lastSlot = { ...view, slot: 6 * SPE - 1, proposerLookahead: lookahead };
    const next = processProposerLookahead(lastSlot, preset);
    expect([...next.subarray(0, SPE)]).toEqual([...lookahead.subarray(SPE)]);
    expect([...next.subarray(SPE)]).toEqual([...getBeaconProposerIndices(view, 7, preset)]);
    const { proposerLookahead: _lookahead, ...electraView } = view;
    expect(() => processProposerLookahead(electraView, preset)).toThrow(/lookahead/);
  });

  test("the worker pool selects the same proposers", async () => {
    const view = shufflingStateFromBeaconState(fuluState(500, 5), preset);
    const active = getActiveValidatorIndices(view.validators, 5);
    const seeds = proposerSeeds(getSeed(view, 5, DOMAIN_BEACON_PROPOSER, preset), 5, preset);
    const pool = new ShufflePool({ threads: 2 });
    try {
      const fromPool = await pool.computeProposerIndices(
        seeds,
        active,
        view.validators.effectiveBalanceIncrements,
        preset,
      );
      expect([...fromPool]).toEqual([...getBeaconProposerIndices(view, 5, preset)]);
    } finally {
      await pool.close();
    }
  });

  test("needs active validators, and a balance to propose with", () => {
    const seed = new Uint8Array(32);
    expect(() => computeProposerIndex(seed, new Uint32Array(0), new Uint16Array(0), preset)).toThrow(
      expect.objectContaining({ code: "NO_ACTIVE_VALIDATORS" }),
    );
  });

  test("get_seed hashes domain, epoch (8 bytes LE) and the mix of epoch - MIN_SEED_LOOKAHEAD - 1", () => {
    const view = shufflingStateFromBeaconState(fuluState(10, 5), preset);
    const mix = view.randaoMixes[3] as Uint8Array;
    const expected = sha256(Uint8Array.from([...DOMAIN_BEACON_PROPOSER, 5, 0, 0, 0, 0, 0, 0, 0, ...mix]));
    expect(getSeed(view, 5, DOMAIN_BEACON_PROPOSER, preset)).toEqual(expected);
  });
});
