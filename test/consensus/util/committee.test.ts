import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { PRESETS } from "../../../src/consensus/params.js";
import { unshuffleList } from "../../../src/consensus/shuffle/shuffleList.js";
import {
  committeeBounds,
  computeCommittee,
  getCommitteeCountPerSlot,
  sliceCommittee,
} from "../../../src/consensus/util/committee.js";
import { getActiveValidatorIndices } from "../../../src/consensus/util/validator.js";
import { firstDifference, listOf } from "../lists.js";

describe("committees", () => {
  test("get_committee_count_per_slot on both presets", () => {
    const { mainnet, minimal } = PRESETS;
    expect(getCommitteeCountPerSlot(0, mainnet)).toBe(1);
    expect(getCommitteeCountPerSlot(32 * 128 * 2 - 1, mainnet)).toBe(1);
    expect(getCommitteeCountPerSlot(32 * 128 * 2, mainnet)).toBe(2);
    expect(getCommitteeCountPerSlot(1_000_000, mainnet)).toBe(64);
    expect(getCommitteeCountPerSlot(8 * 4 * 3, minimal)).toBe(3);
    expect(getCommitteeCountPerSlot(1_000_000, minimal)).toBe(4);
  });

  test("a slice of the unshuffled list is the spec's compute_committee", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4000 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.integer({ min: 1, max: 256 }),
        fc.nat(),
        (n, seed, count, pick) => {
          const indices = listOf(n, 2);
          const index = pick % count;
          const shuffled = unshuffleList(indices, seed, 10);
          expect(
            firstDifference(sliceCommittee(shuffled, index, count), computeCommittee(indices, seed, index, count, 10)),
          ).toBe(-1);
        },
      ),
      { numRuns: 40 },
    );
  });

  test("committee bounds partition the list", () => {
    for (const [length, count] of [
      [100, 7],
      [5, 8],
      [1_000_000, 2048],
    ] as const) {
      let end = 0;
      for (let k = 0; k < count; k++) {
        const [s, e] = committeeBounds(length, k, count);
        expect(s).toBe(end);
        end = e;
      }
      expect(end).toBe(length);
    }
    expect(() => committeeBounds(10, 3, 3)).toThrow(expect.objectContaining({ code: "INVALID_COMMITTEE_INDEX" }));
  });

  test("active validator indices: activation <= epoch < exit", () => {
    const validators = {
      activationEpoch: Float64Array.from([0, 5, 3, 0]),
      exitEpoch: Float64Array.from([Number.POSITIVE_INFINITY, 9, 5, 5]),
      effectiveBalanceIncrements: new Uint16Array(4),
    };
    expect([...getActiveValidatorIndices(validators, 4)]).toEqual([0, 2, 3]);
    expect([...getActiveValidatorIndices(validators, 5)]).toEqual([0, 1]);
  });
});
