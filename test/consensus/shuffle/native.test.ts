/**
 * Differential tests against @chainsafe/swap-or-not-shuffle (Lodestar's Rust addon, a devDependency): whole
 * lists both ways, and Electra proposer selection, on random inputs.
 */
import * as native from "@chainsafe/swap-or-not-shuffle";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { PRESETS } from "../../../src/consensus/params.js";
import { ShufflePool } from "../../../src/consensus/shuffle/pool.js";
import { shuffleList, unshuffleList } from "../../../src/consensus/shuffle/shuffleList.js";
import { computeProposerIndex } from "../../../src/consensus/util/proposer.js";
import { firstDifference } from "../lists.js";

const seed = fc.uint8Array({ minLength: 32, maxLength: 32 });
const list = fc
  .oneof(fc.integer({ min: 0, max: 20_000 }), fc.constantFrom(0, 1, 2, 255, 256, 257, 16_383, 16_384, 16_385))
  .chain((n) => fc.uint32Array({ minLength: n, maxLength: n }));

describe("against @chainsafe/swap-or-not-shuffle", () => {
  test("unshuffleList and shuffleList on random lists, seeds and round counts", () => {
    fc.assert(
      fc.property(list, seed, fc.constantFrom(10, 90, 1, 255), (indices, s, rounds) => {
        expect(firstDifference(unshuffleList(indices, s, rounds), native.unshuffleList(indices, s, rounds))).toBe(-1);
        expect(firstDifference(shuffleList(indices, s, rounds), native.shuffleList(indices, s, rounds))).toBe(-1);
      }),
      { numRuns: 40 },
    );
  });

  test("the worker pool's lists too", async () => {
    const pool = new ShufflePool({ threads: 2 });
    try {
      await fc.assert(
        fc.asyncProperty(list, seed, async (indices, s) => {
          expect(firstDifference(await pool.unshuffleList(indices, s, 90), native.unshuffleList(indices, s, 90))).toBe(
            -1,
          );
          expect(firstDifference(await pool.shuffleList(indices, s, 90), native.shuffleList(indices, s, 90))).toBe(-1);
        }),
        { numRuns: 8 },
      );
    } finally {
      await pool.close();
    }
  });

  test("computeProposerIndex matches computeProposerIndexElectra", () => {
    const { MAX_EFFECTIVE_BALANCE_ELECTRA, EFFECTIVE_BALANCE_INCREMENT } = PRESETS.mainnet;
    // A registry with balances from 1 to 2048 ETH (mostly 32), some validators inactive.
    const registry = fc
      .integer({ min: 1, max: 3000 })
      .chain((n) =>
        fc.tuple(
          fc.array(fc.oneof(fc.constant(32), fc.integer({ min: 1, max: 2048 })), { minLength: n, maxLength: n }),
          fc.array(fc.boolean(), { minLength: n, maxLength: n }),
        ),
      );
    fc.assert(
      fc.property(registry, seed, fc.constantFrom(10, 90), ([balances, active], s, rounds) => {
        const increments = Uint16Array.from(balances);
        const activeIndices = Uint32Array.from(balances.keys()).filter((i) => active[i] || i === 0);
        const preset = { ...PRESETS.mainnet, SHUFFLE_ROUND_COUNT: rounds };
        expect(computeProposerIndex(s, activeIndices, increments, preset)).toBe(
          native.computeProposerIndexElectra(
            s,
            activeIndices,
            increments,
            MAX_EFFECTIVE_BALANCE_ELECTRA,
            EFFECTIVE_BALANCE_INCREMENT,
            rounds,
          ),
        );
      }),
      { numRuns: 60 },
    );
  });
});
