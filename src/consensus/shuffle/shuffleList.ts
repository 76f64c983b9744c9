/**
 * The whole-list swap-or-not shuffle (protolambda's algorithm, as Lighthouse and Lodestar run it): all indices move
 * through each round together, instead of each index through all rounds (computeShuffledIndex.ts). Per round, in
 * the order data flows:
 *
 *   1. pivot = one hash of (seed, round); the layout gives the two mirrored segments and the source blocks they use;
 *   2. those ~n/512 source hashes are written end to end into the kernel's memory, four per SIMD step
 *      (sha256x4.wat; the pivot hash is as-sha256's, roundHashes.ts);
 *   3. the SIMD kernel (kernel.wat) swaps every pair whose bit is set, branch-free, 8 pairs per step.
 *
 * `unshuffleList(indices)[i] === indices[computeShuffledIndex(i, n, seed, rounds)]` (the rounds run backwards),
 * and `shuffleList` is its inverse. Both return a new array and leave the input alone. Without WebAssembly SIMD the
 * same rounds run in plain JavaScript (shuffleListJs.ts).
 */
import { assertListSize, assertRounds, assertSeed } from "./checks.js";
import { createKernel, kernelModule, kernelRoundSources, LIST_OFFSET, setKernelSeed } from "./kernel.js";
import { maxRoundBlocks, roundAt, roundHasher, roundLayout } from "./roundHashes.js";
import { innerShuffleListJs } from "./shuffleListJs.js";

/** indices permuted so that out[i] = indices[compute_shuffled_index(i, n, seed, rounds)]: the committee order. */
export function unshuffleList(indices: Uint32Array, seed: Uint8Array, rounds: number): Uint32Array {
  return innerShuffleList(indices, seed, rounds, false);
}

/** The inverse of unshuffleList: out[compute_shuffled_index(i, n, seed, rounds)] = indices[i]. */
export function shuffleList(indices: Uint32Array, seed: Uint8Array, rounds: number): Uint32Array {
  return innerShuffleList(indices, seed, rounds, true);
}

function innerShuffleList(indices: Uint32Array, seed: Uint8Array, rounds: number, forwards: boolean): Uint32Array {
  assertSeed(seed);
  assertRounds(rounds);
  const n = indices.length;
  assertListSize(n);
  if (n <= 1 || rounds === 0) return indices.slice();
  const module = kernelModule();
  if (module === null) return innerShuffleListJs(indices, seed, rounds, forwards);

  // Kernel memory from LIST_OFFSET: the list as i32, then one round's source hashes (plus slack for the kernel's
  // unaligned 4-byte bit loads).
  const bitsPtr = LIST_OFFSET + n * 4;
  const kernel = createKernel(module, n * 4 + maxRoundBlocks(n) * 32 + 16);
  const memory = kernel.memory.buffer;
  new Uint32Array(memory, LIST_OFFSET, n).set(indices);

  const hasher = roundHasher();
  hasher.setSeed(seed);
  setKernelSeed(kernel, seed);
  for (let step = 0; step < rounds; step++) {
    const round = roundAt(step, rounds, forwards);
    const layout = roundLayout(hasher.pivot(round, n), n);
    kernelRoundSources(kernel, round, layout, bitsPtr);
    // Each segment's bit stream starts at its first block; the kernel indexes it by absolute position j.
    if (layout.count1 > 0) {
      kernel.segment(LIST_OFFSET, bitsPtr - layout.firstBlock1 * 32, 0, layout.pivot, layout.count1);
    }
    if (layout.count2 > 0) {
      const base = bitsPtr + layout.blocks1 * 32 - layout.firstBlock2 * 32;
      kernel.segment(LIST_OFFSET, base, layout.pivot + 1, n - 1, layout.count2);
    }
  }
  return new Uint32Array(memory, LIST_OFFSET, n).slice();
}
