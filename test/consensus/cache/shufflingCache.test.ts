/**
 * The shuffling cache over simulated epochs (minimal preset): duties at each epoch's slot 0 come from entries
 * computed an epoch earlier, with a skipped last slot and a late block on the way, and the request-path counter
 * stays 0; it counts when a request does find the cache cold.
 */
import { describe, expect, test } from "vitest";
import { computeEpochShuffling, getBeaconCommittee } from "../../../src/consensus/cache/epochShuffling.js";
import { ShufflingCache } from "../../../src/consensus/cache/shufflingCache.js";
import { ConsensusError } from "../../../src/consensus/errors.js";
import { shufflingRequestPathComputations } from "../../../src/consensus/metrics.js";
import { DOMAIN_BEACON_ATTESTER, PRESETS } from "../../../src/consensus/params.js";
import { ShufflePool } from "../../../src/consensus/shuffle/pool.js";
import { computeCommittee } from "../../../src/consensus/util/committee.js";
import { getBeaconProposerIndices } from "../../../src/consensus/util/proposer.js";
import { getSeed } from "../../../src/consensus/util/seed.js";
import type { ShufflingState } from "../../../src/consensus/util/state.js";
import { isActiveValidator } from "../../../src/consensus/util/validator.js";
import { advanceSlot, applyBlock, genesisState, type SimState, view } from "../chainSim.js";
import { firstDifference } from "../lists.js";

const preset = PRESETS.minimal;
const SPE = preset.SLOTS_PER_EPOCH;

async function requestPathCount(): Promise<number> {
  return (await shufflingRequestPathComputations.get()).values[0]?.value ?? 0;
}

/** Checks a cache's answers for the head's current epoch against the spec functions on the head state. */
async function expectDutiesMatch(cache: ShufflingCache, head: SimState, epoch: number, fork: "fulu" | "electra") {
  const truth = computeEpochShuffling(head, epoch, preset);
  const shuffling = await cache.getShuffling(epoch);
  expect(firstDifference(shuffling.shuffling, truth.shuffling)).toBe(-1);
  expect(shuffling.committeesPerSlot).toBe(truth.committeesPerSlot);

  const proposers = (await cache.getProposerDuties(epoch)).map((d) => d.validatorIndex);
  const expected =
    fork === "fulu" ? [...head.lookahead.subarray(0, SPE)] : [...getBeaconProposerIndices(head, epoch, preset)];
  expect(proposers).toEqual(expected);

  const all = Array.from({ length: head.validators.activationEpoch.length }, (_, i) => i);
  const duties = await cache.getAttesterDuties(epoch, all);
  expect(duties.length).toBe(all.filter((i) => isActiveValidator(head.validators, i, epoch)).length);
  const wrong = duties.filter((duty) => {
    const committee = getBeaconCommittee(shuffling, duty.slot, duty.committeeIndex, preset);
    return (
      committee[duty.validatorCommitteeIndex] !== duty.validatorIndex ||
      committee.length !== duty.committeeLength ||
      duty.committeesAtSlot !== shuffling.committeesPerSlot
    );
  });
  expect(wrong).toEqual([]);
}

describe("ShufflingCache over simulated epochs", () => {
  for (const fork of ["fulu", "electra"] as const) {
    test(`${fork}: slot 0 duties never compute on the request path (skipped last slot, late block)`, async () => {
      const cache = new ShufflingCache({ preset, fork });
      const metricBefore = await requestPathCount();
      let state = genesisState(preset, 700, 2);
      cache.processState(view(state, false));
      await cache.settled();

      const skipLastSlotOf = 4;
      const lateBlockAt = 5;
      for (let epoch = 2; epoch < 9; epoch++) {
        for (let i = 0; i < SPE; i++) {
          const last = i === SPE - 1;
          if (last && epoch === lateBlockAt) {
            // prepare-next-slot: the transition runs before the last slot's block has arrived...
            const assumedSkip = advanceSlot(state, preset);
            cache.processState(view(assumedSkip, false));
            // ...then the late block comes and the transition runs again on it.
            const withLate = advanceSlot(applyBlock(state, preset, "late"), preset);
            expect(getSeed(withLate, epoch + 2, DOMAIN_BEACON_ATTESTER, preset)).not.toEqual(
              getSeed(assumedSkip, epoch + 2, DOMAIN_BEACON_ATTESTER, preset),
            );
            state = withLate;
          } else {
            if (!(last && epoch === skipLastSlotOf)) state = applyBlock(state, preset);
            state = advanceSlot(state, preset);
          }
          cache.processState(view(state, false));
          if (i === 2) await cache.settled(); // the background work has the rest of the epoch
        }
        // Slot 0 of epoch + 1: its shuffling was computed an epoch ago; Fulu's proposers too. Electra's depend on
        // the balances this very transition set, so they started with it (and are awaited, not recomputed).
        const next = epoch + 1;
        expect(cache.readiness(next).shuffling).toBe("ready");
        expect(cache.readiness(next).proposers).toBe(fork === "fulu" ? "ready" : "computing");
        await expectDutiesMatch(cache, state, next, fork);
        if (fork === "fulu") {
          // Fulu's lookahead: the epoch after is in flight or done, never computed for the request.
          expect(cache.readiness(next + 1).proposers).not.toBe("absent");
          const ahead = (await cache.getProposerDuties(next + 1)).map((d) => d.validatorIndex);
          expect(ahead).toEqual([...state.lookahead.subarray(SPE)]);
        }
        // The next epoch's shuffling follows the head (after the late block, its seed).
        const nextShuffling = await cache.getShuffling(next + 1);
        expect(nextShuffling.seed).toEqual(getSeed(state, next + 1, DOMAIN_BEACON_ATTESTER, preset));
        expect(cache.stats.requestPathComputations).toBe(0);
      }
      expect(cache.stats.backgroundComputations).toBeGreaterThan(0);
      expect(await requestPathCount()).toBe(metricBefore);
    });
  }

  test("a request the cache cannot serve is computed on the request path and counted", async () => {
    const cache = new ShufflingCache({ preset });
    let state = genesisState(preset, 300, 2);
    for (let i = 0; i < 3 * SPE; i++) state = advanceSlot(applyBlock(state, preset), preset);
    cache.processState(view(state, false));
    const before = await requestPathCount();
    // Epoch 3 is two behind the head (epoch 5): no longer cached, still computable.
    const old = await cache.getShuffling(3);
    expect(firstDifference(old.shuffling, computeEpochShuffling(state, 3, preset).shuffling)).toBe(-1);
    expect(cache.stats.requestPathComputations).toBe(1);
    expect(await requestPathCount()).toBe(before + 1);
    // Asking again is served from the entry that request made.
    await cache.getAttesterDuties(3, [0, 1, 2]);
    expect(cache.stats.requestPathComputations).toBe(1);
  });

  test("Fulu states' proposer_lookahead is used as is; Electra has no next-epoch proposers", async () => {
    const state = genesisState(preset, 400, 4);
    const fulu = new ShufflingCache({ preset, fork: "fulu" });
    fulu.processState(view(state, true));
    expect(fulu.readiness(5).proposers).toBe("ready");
    expect((await fulu.getProposers(5)).join()).toBe([...state.lookahead.subarray(SPE)].join());

    const electra = new ShufflingCache({ preset, fork: "electra" });
    electra.processState(view(state, true));
    await expect(electra.getProposers(5)).rejects.toThrow(ConsensusError);
    await expect(electra.getProposers(5)).rejects.toMatchObject({ code: "EPOCH_OUT_OF_RANGE" });
  });

  test("epochs the head does not determine are refused, not guessed", async () => {
    const cache = new ShufflingCache({ preset });
    await expect(cache.getShuffling(1)).rejects.toMatchObject({ code: "EPOCH_NOT_CACHED" });
    const state = genesisState(preset, 100, 3);
    cache.processState(view(state, false));
    await expect(cache.getShuffling(5)).rejects.toMatchObject({ code: "EPOCH_OUT_OF_RANGE" });
    await expect(cache.getProposers(2)).rejects.toMatchObject({ code: "EPOCH_OUT_OF_RANGE" });
    await cache.settled();
  });

  test("with a worker pool as computer, and committees equal to the spec's compute_committee", async () => {
    const pool = new ShufflePool({ threads: 2 });
    try {
      const cache = new ShufflingCache({ preset, computer: pool });
      let state: SimState = genesisState(preset, 20_000, 2);
      cache.processState(view(state, false));
      for (let i = 0; i < SPE; i++) {
        state = advanceSlot(applyBlock(state, preset), preset);
        cache.processState(view(state, false));
      }
      await cache.settled();
      expect(cache.stats.requestPathComputations).toBe(0);
      await expectDutiesMatch(cache, state, 3, "fulu");
      const shuffling = await cache.getShuffling(3);
      const count = shuffling.committeesPerSlot * SPE;
      for (const index of [0, 5, count - 1]) {
        const slot = 3 * SPE + Math.floor(index / shuffling.committeesPerSlot);
        const fromCache = getBeaconCommittee(shuffling, slot, index % shuffling.committeesPerSlot, preset);
        const spec = computeCommittee(
          shuffling.activeIndices,
          shuffling.seed,
          index,
          count,
          preset.SHUFFLE_ROUND_COUNT,
        );
        expect(firstDifference(fromCache, spec)).toBe(-1);
      }
    } finally {
      await pool.close();
    }
  });
});

// A compile-time check that the simulator's views are what the cache takes.
const _viewType: (s: SimState) => ShufflingState = (s) => view(s, false);
void _viewType;
