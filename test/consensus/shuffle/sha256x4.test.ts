/**
 * sha256x4.wat (the SIMD source hasher) against node:crypto and as-sha256, digest by digest: random seeds, every
 * round number, block numbers at byte edges and the largest uint32, and every tail length (1, 2, 3 blocks past a
 * multiple of 4), with the bytes around the output checked untouched.
 */
import { createHash } from "node:crypto";
import { digest } from "@chainsafe/as-sha256";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  createKernel,
  kernelModule,
  kernelRoundSources,
  LIST_OFFSET,
  setKernelSeed,
} from "../../../src/consensus/shuffle/kernel.js";
import { maxRoundBlocks, RoundHasher, roundLayout } from "../../../src/consensus/shuffle/roundHashes.js";

const module = kernelModule();
const MAX_BLOCKS = 16;
/** Output at DEST, guarded by GUARD bytes of 0xa5 on each side. */
const GUARD = 64;
const DEST = LIST_OFFSET + GUARD;

/** hash(seed + uint_to_bytes(uint8(round)) + uint_to_bytes(uint32(block))), the spec's source, by node:crypto. */
function sourceHash(seed: Uint8Array, round: number, block: number): Buffer {
  const message = Buffer.alloc(37);
  message.set(seed, 0);
  message[32] = round;
  message.writeUInt32LE(block, 33);
  return createHash("sha256").update(message).digest();
}

const edgeBlocks = [0, 1, 3, 4, 255, 256, 65535, 65536, 2 ** 24 - 1, 2 ** 24, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1];

describe("sha256x4.wat source hashes", () => {
  test("the SIMD modules are available here", () => {
    expect(module).not.toBeNull();
  });

  test("every lane equals node:crypto and as-sha256, tails of 1..3 included, nothing written past the output", () => {
    if (module === null) return;
    const kernel = createKernel(module, 2 * GUARD + MAX_BLOCKS * 32);
    const first = fc.oneof(fc.constantFrom(...edgeBlocks), fc.integer({ min: 0, max: 2 ** 32 - 1 }));
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.integer({ min: 0, max: 255 }),
        first,
        fc.integer({ min: 1, max: MAX_BLOCKS }),
        (seed, round, start, count) => {
          const block = Math.min(start, 2 ** 32 - count); // the last block is still a uint32
          const memory = new Uint8Array(kernel.memory.buffer, LIST_OFFSET, 2 * GUARD + MAX_BLOCKS * 32);
          memory.fill(0xa5);
          setKernelSeed(kernel, seed);
          kernel.sources(round, block, count, DEST);
          for (let k = 0; k < count; k++) {
            const got = Buffer.from(memory.subarray(GUARD + k * 32, GUARD + k * 32 + 32));
            const expected = sourceHash(seed, round, block + k);
            expect(got.toString("hex")).toBe(expected.toString("hex"));
            const message = new Uint8Array(37);
            message.set(seed, 0);
            message[32] = round;
            new DataView(message.buffer).setUint32(33, block + k, true);
            expect(got.equals(digest(message))).toBe(true);
          }
          expect(memory.subarray(0, GUARD).every((b) => b === 0xa5)).toBe(true);
          expect(memory.subarray(GUARD + count * 32).every((b) => b === 0xa5)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  test("each edge block with each round (0..255) and one seed", () => {
    if (module === null) return;
    const kernel = createKernel(module, 4 * 32);
    const seed = Uint8Array.from({ length: 32 }, (_, i) => 255 - i * 3);
    setKernelSeed(kernel, seed);
    const out = new Uint8Array(kernel.memory.buffer, LIST_OFFSET, 32);
    for (let round = 0; round < 256; round++) {
      for (const block of edgeBlocks) {
        kernel.sources(round, block, 1, LIST_OFFSET);
        expect(Buffer.from(out).equals(sourceHash(seed, round, block))).toBe(true);
      }
    }
  });

  test("a new seed replaces the previous one, and count 0 writes nothing", () => {
    if (module === null) return;
    const kernel = createKernel(module, 64);
    const out = new Uint8Array(kernel.memory.buffer, LIST_OFFSET, 64);
    for (const fill of [1, 2]) {
      const seed = new Uint8Array(32).fill(fill);
      setKernelSeed(kernel, seed);
      kernel.sources(9, 700, 2, LIST_OFFSET);
      expect(Buffer.from(out.subarray(32)).equals(sourceHash(seed, 9, 701))).toBe(true);
    }
    out.fill(7);
    kernel.sources(9, 700, 0, LIST_OFFSET);
    expect(out.every((b) => b === 7)).toBe(true);
  });

  test("a round's sources as the shuffle lays them out equal RoundHasher.roundSources (as-sha256)", () => {
    if (module === null) return;
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 2, max: 20_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (seed, round, n, where) => {
          const layout = roundLayout(Math.min(n - 1, Math.floor(where * n)), n);
          const words = maxRoundBlocks(n) * 8;
          const kernel = createKernel(module, words * 4);
          setKernelSeed(kernel, seed);
          kernelRoundSources(kernel, round, layout, LIST_OFFSET);
          const expected = new Int32Array(words);
          const hasher = new RoundHasher();
          hasher.setSeed(seed);
          hasher.roundSources(round, layout, expected, 0);
          const used = (layout.blocks1 + layout.blocks2) * 32;
          const got = new Uint8Array(kernel.memory.buffer, LIST_OFFSET, used);
          expect(Buffer.from(got).equals(Buffer.from(expected.buffer, 0, used))).toBe(true);
        },
      ),
      { numRuns: 50 },
    );
  });
});
