/**
 * Properties of the whole-list shuffle on random seeds, sizes and round counts: a permutation, shuffle and
 * unshuffle inverse to each other, agreement with the per-index spec function, the SIMD kernel and the plain
 * JavaScript path identical, and the argument checks.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { ConsensusError } from "../../../src/consensus/errors.js";
import { computeShuffledIndex, ShuffledIndexComputer } from "../../../src/consensus/shuffle/computeShuffledIndex.js";
import { shuffleList, unshuffleList } from "../../../src/consensus/shuffle/shuffleList.js";
import { shuffleListJs, unshuffleListJs } from "../../../src/consensus/shuffle/shuffleListJs.js";
import { firstDifference, identity, listOf } from "../lists.js";

/** 0, 1, 2 and sizes around multiples of 256 (block edges), else anything up to 3000. */
const size = fc.oneof(
  fc.constantFrom(0, 1, 2, 3, 7, 8, 9, 255, 256, 257, 511, 512, 513, 767, 768, 769, 1023, 1024, 1025, 2047, 2048, 2049),
  fc.integer({ min: 0, max: 3000 }),
);
const seed = fc.uint8Array({ minLength: 32, maxLength: 32 });
const rounds = fc.oneof(fc.constantFrom(10, 90), fc.integer({ min: 0, max: 255 }));

describe("whole-list shuffle", () => {
  test("unshuffleList and shuffleList give a permutation of their input", () => {
    fc.assert(
      fc.property(size, seed, rounds, (n, s, r) => {
        const input = listOf(n, 7);
        for (const out of [unshuffleList(input, s, r), shuffleList(input, s, r)]) {
          expect(out.length).toBe(n);
          expect(firstDifference(out.slice().sort(), input.slice().sort())).toBe(-1);
        }
      }),
      { numRuns: 60 },
    );
  });

  test("shuffle after unshuffle (and the reverse) is the identity", () => {
    fc.assert(
      fc.property(size, seed, rounds, (n, s, r) => {
        const input = listOf(n, 3);
        expect(firstDifference(shuffleList(unshuffleList(input, s, r), s, r), input)).toBe(-1);
        expect(firstDifference(unshuffleList(shuffleList(input, s, r), s, r), input)).toBe(-1);
      }),
      { numRuns: 60 },
    );
  });

  test("agrees with compute_shuffled_index on random seeds and sizes", () => {
    const small = fc.oneof(fc.constantFrom(1, 2, 3, 255, 256, 257, 511, 512, 513), fc.integer({ min: 1, max: 400 }));
    fc.assert(
      fc.property(small, seed, fc.integer({ min: 0, max: 24 }), (n, s, r) => {
        const input = listOf(n, 11);
        const out = unshuffleList(input, s, r);
        const forward = shuffleList(input, s, r);
        for (let i = 0; i < n; i++) {
          const j = computeShuffledIndex(i, n, s, r);
          expect(out[i]).toBe(input[j]);
          expect(forward[j]).toBe(input[i]);
        }
      }),
      { numRuns: 25 },
    );
  });

  test("agrees with compute_shuffled_index at 90 rounds on sampled indices", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70_000 }), seed, (n, s) => {
        const out = unshuffleList(identity(n), s, 90);
        for (const i of [0, n - 1, Math.floor(n / 2), Math.floor(n / 3)]) {
          expect(out[i]).toBe(computeShuffledIndex(i, n, s, 90));
        }
      }),
      { numRuns: 12 },
    );
  });

  test("the SIMD kernel and the plain JavaScript path give the same lists", () => {
    fc.assert(
      fc.property(size, seed, rounds, (n, s, r) => {
        const input = listOf(n, 5);
        expect(firstDifference(unshuffleList(input, s, r), unshuffleListJs(input, s, r))).toBe(-1);
        expect(firstDifference(shuffleList(input, s, r), shuffleListJs(input, s, r))).toBe(-1);
      }),
      { numRuns: 60 },
    );
  });

  test("leaves its input alone and returns a new array", () => {
    const input = listOf(1000, 1);
    const copy = input.slice();
    const out = unshuffleList(input, new Uint8Array(32), 90);
    expect(input).toEqual(copy);
    expect(out.buffer).not.toBe(input.buffer);
    expect(out).not.toEqual(input);
  });

  test("rejects a seed that is not 32 bytes and a round count outside 0..255", () => {
    const list = identity(10);
    expect(() => unshuffleList(list, new Uint8Array(31), 90)).toThrow(ConsensusError);
    expect(() => unshuffleList(list, new Uint8Array(32), 256)).toThrow(/0\.\.255/);
    expect(() => shuffleList(list, new Uint8Array(32), 1.5)).toThrow(ConsensusError);
    try {
      computeShuffledIndex(0, 10, new Uint8Array(33), 90);
      expect.unreachable();
    } catch (e) {
      expect((e as ConsensusError).code).toBe("INVALID_SEED");
    }
  });
});

describe("computeShuffledIndex", () => {
  test("rejects an index outside 0..count-1", () => {
    const s = new Uint8Array(32);
    expect(() => computeShuffledIndex(10, 10, s, 90)).toThrow(/index < index_count/);
    expect(() => computeShuffledIndex(-1, 10, s, 90)).toThrow(ConsensusError);
    expect(() => computeShuffledIndex(0, 0, s, 90)).toThrow(ConsensusError);
  });

  test("ShuffledIndexComputer (pivots and sources cached) matches it", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), seed, fc.integer({ min: 0, max: 90 }), (n, s, r) => {
        const computer = new ShuffledIndexComputer(s, n, r);
        for (const i of [0, n - 1, Math.floor(n / 2), Math.floor(n / 7)]) {
          expect(computer.get(i)).toBe(computeShuffledIndex(i, n, s, r));
        }
      }),
      { numRuns: 30 },
    );
  });
});
