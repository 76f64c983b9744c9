/**
 * The shared-shuffle protocol on one thread: steps hashed by a helper (from the table), a helper's step that
 * never completes (the swapper's stall fallback), and the pool's own errors.
 */
import { describe, expect, test } from "vitest";
import { kernelModule } from "../../../src/consensus/shuffle/kernel.js";
import { createShuffleJob, hashShuffleJob, swapShuffleJob } from "../../../src/consensus/shuffle/parallelShuffle.js";
import { ShufflePool } from "../../../src/consensus/shuffle/pool.js";
import { RoundHasher } from "../../../src/consensus/shuffle/roundHashes.js";
import { shuffleList, unshuffleList } from "../../../src/consensus/shuffle/shuffleList.js";
import { firstDifference, listOf } from "../lists.js";

const seed = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 1);
const module = kernelModule();

describe("parallel shuffle job", () => {
  test("the kernel is available here (WebAssembly SIMD)", () => {
    expect(module).not.toBeNull();
  });

  test("swapper alone, helper first (all steps from the table), and both directions", () => {
    if (module === null) return;
    const input = listOf(5000, 9);
    for (const forwards of [false, true]) {
      const expected = forwards ? shuffleList(input, seed, 90) : unshuffleList(input, seed, 90);
      const alone = swapShuffleJob(
        createShuffleJob(input.length, seed, 90, forwards),
        input,
        module,
        new RoundHasher(),
      );
      expect(firstDifference(alone, expected)).toBe(-1);

      const job = createShuffleJob(input.length, seed, 90, forwards);
      expect(hashShuffleJob(job, new RoundHasher(), module)).toBe(90);
      const fromTable = swapShuffleJob(job, input, module, new RoundHasher());
      expect(firstDifference(fromTable, expected)).toBe(-1);
    }
  });

  test("helpers without WebAssembly SIMD (as-sha256 into the table) agree with SIMD helpers", () => {
    if (module === null) return;
    const input = listOf(4100, 2);
    const job = createShuffleJob(input.length, seed, 90, false);
    expect(hashShuffleJob(job, new RoundHasher(), null)).toBe(90);
    const simdJob = createShuffleJob(input.length, seed, 90, false);
    expect(hashShuffleJob(simdJob, new RoundHasher(), module)).toBe(90);
    expect(Buffer.from(job.table).equals(Buffer.from(simdJob.table))).toBe(true);
    const out = swapShuffleJob(job, input, module, new RoundHasher());
    expect(firstDifference(out, unshuffleList(input, seed, 90))).toBe(-1);
  });

  test("a helper that claimed the last step and never finished it: the swapper hashes it itself", () => {
    if (module === null) return;
    const input = listOf(3000, 4);
    const job = createShuffleJob(input.length, seed, 90, false);
    const control = new Int32Array(job.control);
    control[0] = 89 << 16; // back = 89: step 89 taken by a helper that stalls forever
    const out = swapShuffleJob(job, input, module, new RoundHasher());
    expect(firstDifference(out, unshuffleList(input, seed, 90))).toBe(-1);
  });

  test("a closed pool refuses work", async () => {
    const pool = new ShufflePool({ threads: 1 });
    await pool.close();
    await expect(pool.unshuffleList(listOf(10, 1), seed, 90)).rejects.toMatchObject({ code: "POOL_CLOSED" });
  });

  test("the pool checks its arguments before any worker starts", async () => {
    const pool = new ShufflePool({ threads: 1 });
    await expect(pool.unshuffleList(listOf(10, 1), new Uint8Array(3), 90)).rejects.toMatchObject({
      code: "INVALID_SEED",
    });
    await expect(pool.shuffleList(listOf(10, 1), seed, 300)).rejects.toMatchObject({ code: "INVALID_ROUNDS" });
    await pool.close();
  });
});
