/**
 * The whole-list shuffle in plain JavaScript: the same rounds as shuffleList.ts with the pair swap written over an
 * Int32Array, branch-free (a mispredicted branch per pair costs more than the arithmetic). It runs where
 * WebAssembly SIMD does not, and the benchmark and tests use it as a second whole-list implementation.
 */
import { assertListSize, assertRounds, assertSeed } from "./checks.js";
import { maxRoundBlocks, roundAt, roundHasher, roundLayout } from "./roundHashes.js";

export function unshuffleListJs(indices: Uint32Array, seed: Uint8Array, rounds: number): Uint32Array {
  assertSeed(seed);
  assertRounds(rounds);
  assertListSize(indices.length);
  return innerShuffleListJs(indices, seed, rounds, false);
}

export function shuffleListJs(indices: Uint32Array, seed: Uint8Array, rounds: number): Uint32Array {
  assertSeed(seed);
  assertRounds(rounds);
  assertListSize(indices.length);
  return innerShuffleListJs(indices, seed, rounds, true);
}

/** Arguments already checked by the caller. */
export function innerShuffleListJs(
  indices: Uint32Array,
  seed: Uint8Array,
  rounds: number,
  forwards: boolean,
): Uint32Array {
  const n = indices.length;
  const out = indices.slice();
  if (n <= 1 || rounds === 0) return out;
  // The swap reads and writes i32: the same bits as the u32 values, without V8 boxing values >= 2^31.
  const x = new Int32Array(out.buffer, out.byteOffset, n);
  const bitsWords = new Int32Array(maxRoundBlocks(n) * 8);
  const bits = new Uint8Array(bitsWords.buffer);
  const hasher = roundHasher();
  hasher.setSeed(seed);
  for (let step = 0; step < rounds; step++) {
    const round = roundAt(step, rounds, forwards);
    const layout = roundLayout(hasher.pivot(round, n), n);
    hasher.roundSources(round, layout, bitsWords, 0);
    swapSegment(x, bits, -layout.firstBlock1 * 32, 0, layout.pivot, layout.count1);
    swapSegment(x, bits, (layout.blocks1 - layout.firstBlock2) * 32, layout.pivot + 1, n - 1, layout.count2);
  }
  return out;
}

/** Pairs (i + k, j - k), k < count, swapped when bit j - k of the stream at byte offset `base` is set. */
function swapSegment(x: Int32Array, bits: Uint8Array, base: number, i: number, j: number, count: number): void {
  for (const end = i + count; i < end; i++, j--) {
    const a = x[i] as number;
    const b = x[j] as number;
    const d = (a ^ b) & -(((bits[base + (j >>> 3)] as number) >>> (j & 7)) & 1);
    x[i] = a ^ d;
    x[j] = b ^ d;
  }
}
