/**
 * One whole-list shuffle shared by several threads. A round's work is hashing its ~n/512 source blocks (most of
 * the time with as-sha256, about a third with the SIMD hasher) and the kernel's swap pass. Every round's hashes depend only on the seed, so other threads can hash
 * rounds ahead while one thread (the swapper) runs the swap passes in order. Steps (rounds in processing order,
 * see roundAt) are claimed from both ends of one shared counter:
 *
 *   control[0]            front | back << 16: the swapper claims steps from the front, helpers from the back
 *   control[1 + k]        step k hashed into the table (0 or 1, Atomics.store after the slot is written)
 *   control[1 + R + k]    step k's pivot
 *   table                 step k's source blocks at word k * slotWords (roundLayout order)
 *
 * Source blocks are hashed four per SIMD step (sha256x4.wat, through a kernel instance), or one by one with
 * as-sha256 where WebAssembly SIMD is missing; pivots always with as-sha256 (RoundHasher).
 *
 * The swapper hashes its own front steps straight into the kernel's memory; helpers work from the last step
 * backwards, so the step a helper holds is needed last, and the swapper only meets the helpers' steps once the
 * two ends cross. If a helper's step is still not hashed after HELPER_STALL_MS (descheduled, or dead), the swapper
 * hashes it itself. No barrier per round: a busy or slow helper costs its share of the work, never a stall.
 */
import { createKernel, type KernelModule, kernelRoundSources, LIST_OFFSET, setKernelSeed } from "./kernel.js";
import { maxRoundBlocks, type RoundHasher, type RoundLayout, roundAt, roundLayout } from "./roundHashes.js";

/** How long the swapper waits for a step a helper holds before hashing it itself. */
const HELPER_STALL_MS = 20;

export interface ShuffleJob {
  n: number;
  seed: Uint8Array;
  rounds: number;
  forwards: boolean;
  control: SharedArrayBuffer;
  table: SharedArrayBuffer;
}

export function createShuffleJob(n: number, seed: Uint8Array, rounds: number, forwards: boolean): ShuffleJob {
  const control = new SharedArrayBuffer((1 + 2 * rounds) * 4);
  new Int32Array(control)[0] = rounds << 16;
  return {
    n,
    seed: seed.slice(),
    rounds,
    forwards,
    control,
    table: new SharedArrayBuffer(rounds * slotWords(n) * 4),
  };
}

function slotWords(n: number): number {
  return maxRoundBlocks(n) * 8;
}

/** Claims the front (swapper) or back (helper) step; -1 once the ends have met. */
function claim(control: Int32Array, fromBack: boolean): number {
  for (;;) {
    const state = Atomics.load(control, 0);
    const front = state & 0xffff;
    const back = state >>> 16;
    if (front >= back) return -1;
    const next = fromBack ? front | ((back - 1) << 16) : front + 1 + (back << 16);
    if (Atomics.compareExchange(control, 0, state, next) === state) return fromBack ? back - 1 : front;
  }
}

/**
 * A helper thread's part: hash steps from the back until the ends meet. Returns how many it hashed. With a kernel
 * module the source blocks are hashed in SIMD into a small kernel's memory and copied into the table (a
 * WebAssembly memory cannot be the SharedArrayBuffer); without one, as-sha256 writes them into the table.
 */
export function hashShuffleJob(job: ShuffleJob, hasher: RoundHasher, module: KernelModule | null): number {
  const { n, rounds } = job;
  const control = new Int32Array(job.control);
  const table = new Int32Array(job.table);
  const words = slotWords(n);
  hasher.setSeed(job.seed);
  const kernel = module === null ? null : createKernel(module, words * 4);
  if (kernel !== null) setKernelSeed(kernel, job.seed);
  const slot = kernel === null ? null : new Int32Array(kernel.memory.buffer, LIST_OFFSET, words);
  let hashed = 0;
  for (let step = claim(control, true); step >= 0; step = claim(control, true)) {
    const round = roundAt(step, rounds, job.forwards);
    const pivot = hasher.pivot(round, n);
    const layout = roundLayout(pivot, n);
    if (kernel === null || slot === null) hasher.roundSources(round, layout, table, step * words);
    else {
      kernelRoundSources(kernel, round, layout, LIST_OFFSET);
      table.set(slot.subarray(0, (layout.blocks1 + layout.blocks2) * 8), step * words);
    }
    control[1 + rounds + step] = pivot;
    Atomics.store(control, 1 + step, 1);
    Atomics.notify(control, 1 + step);
    hashed++;
  }
  return hashed;
}

/**
 * The swapper's part: every round's swap pass over `indices`, in order. Must run on a thread that may block (a
 * worker): it can Atomics.wait, briefly, for a helper's step.
 */
export function swapShuffleJob(
  job: ShuffleJob,
  indices: Uint32Array,
  module: KernelModule,
  hasher: RoundHasher,
): Uint32Array {
  const { n, rounds } = job;
  const control = new Int32Array(job.control);
  const table = new Int32Array(job.table);
  const words = slotWords(n);
  const bitsPtr = LIST_OFFSET + n * 4;
  const kernel = createKernel(module, n * 4 + words * 4 + 16);
  const memory = kernel.memory.buffer;
  new Uint32Array(memory, LIST_OFFSET, n).set(indices);
  const bitsWords = new Int32Array(memory, bitsPtr, words);
  hasher.setSeed(job.seed);
  setKernelSeed(kernel, job.seed);
  for (let step = 0; step < rounds; step++) {
    let layout: RoundLayout;
    // Until the ends meet, front === step whenever step is unhashed (only this loop claims the front, in order);
    // past them, claim returns -1 and the step is a helper's.
    if (Atomics.load(control, 1 + step) === 0 && (claim(control, false) === step || !waitForHelper(control, step))) {
      // Our own step, or a helper's that stalled: hash it into the kernel's memory.
      const round = roundAt(step, rounds, job.forwards);
      layout = roundLayout(hasher.pivot(round, n), n);
      kernelRoundSources(kernel, round, layout, bitsPtr);
    } else {
      layout = roundLayout(control[1 + rounds + step] as number, n);
      const used = (layout.blocks1 + layout.blocks2) * 8;
      bitsWords.set(table.subarray(step * words, step * words + used));
    }
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

/** Waits for a helper's step; false when it stalled past HELPER_STALL_MS. */
function waitForHelper(control: Int32Array, step: number): boolean {
  Atomics.wait(control, 1 + step, 0, HELPER_STALL_MS);
  return Atomics.load(control, 1 + step) === 1;
}
