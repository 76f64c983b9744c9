/**
 * Whole-list shuffling at 1M and 2M active validators (90 rounds), peers side by side in one process:
 *
 *   native @chainsafe/swap-or-not-shuffle   Rust via napi (the baseline of each table)
 *   weft unshuffleList                      SIMD swap kernel + SIMD source hashes (sha256x4.wat), one thread
 *   weft ShufflePool                        the same over worker threads (hashing shared, see parallelShuffle.ts)
 *   weft plain JS                           the same rounds in plain JavaScript (the no-SIMD fallback)
 *   lodestar 1.22 JS unshuffleList          Lodestar's former JavaScript implementation
 *   per-index compute_shuffled_index        timed on a sample of indices, extrapolated to the list
 *   (hashing alone)                         every round's pivot and source hashes and nothing else: with the
 *                                           SIMD hasher the one-thread path uses, and with as-sha256 one
 *                                           `digest` per hash (the no-SIMD path, and the floor before sha256x4)
 *
 * then the peak memory of one 2M shuffle (in a fresh child process, resourceUsage().maxRSS above the RSS before
 * it), and proposer duties at slot 0 of an epoch with 1M validators, served by a ShufflingCache that was handed
 * the epoch transition. Targets print MET or MISS.
 *
 *   npm run bench -- shuffle [--sizes 1000000,2000000] [--rounds 7] [--threads 2]
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as native from "@chainsafe/swap-or-not-shuffle";
import { ShufflingCache } from "../src/consensus/cache/shufflingCache.js";
import { PRESETS } from "../src/consensus/params.js";
import { computeShuffledIndex } from "../src/consensus/shuffle/computeShuffledIndex.js";
import {
  createKernel,
  kernelModule,
  kernelRoundSources,
  LIST_OFFSET,
  setKernelSeed,
} from "../src/consensus/shuffle/kernel.js";
import { ShufflePool } from "../src/consensus/shuffle/pool.js";
import { maxRoundBlocks, RoundHasher, roundLayout } from "../src/consensus/shuffle/roundHashes.js";
import { unshuffleList } from "../src/consensus/shuffle/shuffleList.js";
import { unshuffleListJs } from "../src/consensus/shuffle/shuffleListJs.js";
import type { ShufflingState } from "../src/consensus/util/state.js";
import { type Implementation, median, quantile, suite, target, writeResults } from "./harness.js";

const ROUNDS = 90;
const MB = 1024 * 1024;
const seed = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff);

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function identity(n: number): Uint32Array {
  return Uint32Array.from({ length: n }, (_, i) => i);
}

function same(a: Uint32Array, b: Uint32Array): boolean {
  return (
    a.length === b.length &&
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))
  );
}

/** Only the hashing of a whole-list shuffle (every round's pivot and source blocks), source blocks by as-sha256. */
function hashOnlyAsSha256(n: number): void {
  const hasher = new RoundHasher();
  const words = new Int32Array(maxRoundBlocks(n) * 8);
  hasher.setSeed(seed);
  for (let round = 0; round < ROUNDS; round++)
    hasher.roundSources(round, roundLayout(hasher.pivot(round, n), n), words, 0);
}

/** The same with the source blocks hashed by sha256x4.wat into a kernel's memory, as unshuffleList does. */
function hashOnlySimd(n: number): void {
  const module = kernelModule();
  if (module === null) throw new Error("no WebAssembly SIMD here");
  const hasher = new RoundHasher();
  const kernel = createKernel(module, maxRoundBlocks(n) * 32);
  hasher.setSeed(seed);
  setKernelSeed(kernel, seed);
  for (let round = 0; round < ROUNDS; round++)
    kernelRoundSources(kernel, round, roundLayout(hasher.pivot(round, n), n), LIST_OFFSET);
}

// --- memory probe (child process) -------------------------------------------------------------------------------

/** VmRSS and VmHWM (peak) from /proc/self/status, in bytes; undefined off Linux. */
function procMemory(): { rss: number; peak: number } | undefined {
  try {
    const status = readFileSync("/proc/self/status", "utf8");
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1]) * 1024;
    return { rss: kb("VmRSS"), peak: kb("VmHWM") };
  } catch {
    return undefined;
  }
}

/**
 * One shuffle in a fresh process. On Linux the peak RSS mark is reset (clear_refs 5) just before the shuffle, so
 * the peak is the shuffle's own; elsewhere resourceUsage().maxRSS is the process's lifetime peak (an upper bound).
 */
async function memoryProbe(kind: string, n: number): Promise<void> {
  const input = identity(n);
  const pool = kind === "pool" ? new ShufflePool({ threads: Number(arg("threads") ?? 2) }) : undefined;
  if (pool !== undefined) await pool.unshuffleList(identity(1 << 15), seed, ROUNDS); // workers started: baseline
  globalThis.gc?.();
  await new Promise((r) => setTimeout(r, 50));
  let resetPeak = false;
  try {
    writeFileSync("/proc/self/clear_refs", "5");
    resetPeak = true;
  } catch {
    // not Linux, or not allowed: fall back to the lifetime peak
  }
  const baseline = procMemory()?.rss ?? process.memoryUsage().rss;
  const out = pool !== undefined ? await pool.unshuffleList(input, seed, ROUNDS) : unshuffleList(input, seed, ROUNDS);
  const peak = resetPeak ? (procMemory()?.peak ?? 0) : process.resourceUsage().maxRSS * 1024;
  process.stdout.write(`${JSON.stringify({ kind, n, baseline, peak, resetPeak, check: out[0] })}\n`);
  await pool?.close();
}

function probeMemory(
  kind: string,
  n: number,
): { baselineMB: number; peakMB: number; aboveMB: number; peakReset: boolean } {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, [...process.execArgv, self, "--memory-probe", kind, String(n)], {
    encoding: "utf8",
  });
  const line = r.stdout.trim().split("\n").pop() ?? "";
  const { baseline, peak, resetPeak } = JSON.parse(line) as { baseline: number; peak: number; resetPeak: boolean };
  return { baselineMB: baseline / MB, peakMB: peak / MB, aboveMB: (peak - baseline) / MB, peakReset: resetPeak };
}

// --- duties at slot 0 ------------------------------------------------------------------------------------------

function mainnetState(validators: number, epoch: number, salt: number): ShufflingState {
  const preset = PRESETS.mainnet;
  const activationEpoch = new Float64Array(validators);
  const exitEpoch = new Float64Array(validators).fill(Number.POSITIVE_INFINITY);
  const effectiveBalanceIncrements = new Uint16Array(validators).fill(32);
  for (let i = 0; i < validators; i += 97) effectiveBalanceIncrements[i] = 2048;
  const mix = (k: number) => Uint8Array.from({ length: 32 }, (_, i) => (k * 131 + i * 7 + salt) & 0xff);
  return {
    slot: epoch * preset.SLOTS_PER_EPOCH,
    validators: { activationEpoch, exitEpoch, effectiveBalanceIncrements },
    randaoMixes: Array.from({ length: preset.EPOCHS_PER_HISTORICAL_VECTOR }, (_, k) => mix(k)),
    blockRoots: Array.from({ length: preset.SLOTS_PER_HISTORICAL_ROOT }, (_, k) => mix(k + salt * 7919)),
  };
}

async function dutiesAtSlotZero(validators: number, threads: number) {
  const preset = PRESETS.mainnet;
  const pool = new ShufflePool({ threads });
  const cache = new ShufflingCache({ preset, fork: "fulu", computer: pool });
  const epoch = 100;
  const before = mainnetState(validators, epoch, 1);
  cache.processState(before);
  let t = performance.now();
  await cache.settled();
  const warmMs = performance.now() - t;

  // The epoch transition into epoch + 1: new RANDAO mix and block roots, same validators.
  const after: ShufflingState = {
    ...before,
    slot: (epoch + 1) * preset.SLOTS_PER_EPOCH,
    randaoMixes: before.randaoMixes.map((m, k) =>
      k === epoch % preset.EPOCHS_PER_HISTORICAL_VECTOR ? m.map((b) => b ^ 0x5a) : m,
    ),
    blockRoots: before.blockRoots.map((r, k) =>
      k === ((epoch + 1) * preset.SLOTS_PER_EPOCH - 1) % preset.SLOTS_PER_HISTORICAL_ROOT ? r.map((b) => b ^ 0xa5) : r,
    ),
  };
  t = performance.now();
  cache.processState(after);
  const transitionMs = performance.now() - t;
  const readiness = cache.readiness(epoch + 1);

  // Slot 0 of epoch + 1: proposer duties, repeatedly, while epoch + 2 computes on the pool.
  const samples: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const s = performance.now();
    const duties = await cache.getProposerDuties(epoch + 1);
    samples.push(performance.now() - s);
    if (duties.length !== preset.SLOTS_PER_EPOCH) throw new Error("wrong duty count");
  }
  const attesterIndices = Array.from({ length: 10_000 }, (_, i) => i * 97);
  const attesterSamples: number[] = [];
  let attester = await cache.getAttesterDuties(epoch + 1, attesterIndices);
  for (let i = 0; i < 20; i++) {
    const s = performance.now();
    attester = await cache.getAttesterDuties(epoch + 1, attesterIndices);
    attesterSamples.push(performance.now() - s);
  }
  const attesterMs = median(attesterSamples);
  t = performance.now();
  await cache.settled();
  const nextEpochMs = transitionMs + (performance.now() - t);
  await pool.close();
  const sorted = [...samples].sort((x, y) => x - y);
  return {
    validators,
    warmMs,
    transitionMs,
    readinessAtSlot0: readiness,
    proposerDutiesMs: { median: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), max: sorted[sorted.length - 1] },
    attesterDuties10kMs: attesterMs,
    attesterDutyCount: attester.length,
    nextEpochReadyAfterMs: nextEpochMs,
    requestPathComputations: cache.stats.requestPathComputations,
  };
}

// --- main ------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const sizes = (arg("sizes") ?? "1000000,2000000").split(",").map(Number);
  const rounds = Number(arg("rounds") ?? 7);
  const threads = Number(arg("threads") ?? 2);
  process.stdout.write(
    `shuffle benchmark: sizes ${sizes.join(", ")}, ${ROUNDS} shuffle rounds, ${rounds} runs each, pool of ${threads}\n`,
  );

  // Optional (not a dependency: its @lodestar/* 1.22 cannot share weft's tree); a variable keeps tsc from
  // resolving it.
  const LODESTAR_STATE_TRANSITION: string = "@lodestar/state-transition";
  let lodestarUnshuffle: ((input: Uint32Array, seed: Uint8Array) => void) | undefined;
  try {
    ({ unshuffleList: lodestarUnshuffle } = (await import(LODESTAR_STATE_TRANSITION)) as unknown as {
      unshuffleList: (input: Uint32Array, seed: Uint8Array) => void;
    });
  } catch (error) {
    process.stdout.write(`lodestar 1.22 JS unshuffleList not available: ${String(error)}\n`);
  }

  const pool = new ShufflePool({ threads });
  await pool.unshuffleList(identity(1 << 15), seed, ROUNDS); // start the workers outside the timings
  const results: Record<string, unknown> = {};
  const targets: ReturnType<typeof target>[] = [];

  for (const n of sizes) {
    const input = identity(n);
    const reference = native.unshuffleList(input, seed, ROUNDS);
    if (!same(unshuffleList(input, seed, ROUNDS), reference)) throw new Error(`weft differs from native at ${n}`);
    if (!same(await pool.unshuffleList(input, seed, ROUNDS), reference)) throw new Error(`pool differs at ${n}`);
    let scratch = new Uint32Array(0);
    const impls: Implementation[] = [
      { name: "native @chainsafe/swap-or-not-shuffle", run: () => native.unshuffleList(input, seed, ROUNDS) },
      { name: "weft unshuffleList (SIMD kernel, 1 thread)", run: () => unshuffleList(input, seed, ROUNDS) },
      { name: `weft ShufflePool (${threads} threads)`, run: () => pool.unshuffleList(input, seed, ROUNDS) },
      { name: "weft plain JS (no SIMD)", run: () => unshuffleListJs(input, seed, ROUNDS) },
      { name: "(weft's hashing alone, SIMD sha256x4)", run: () => hashOnlySimd(n) },
      { name: "(weft's hashing alone, as-sha256)", run: () => hashOnlyAsSha256(n) },
    ];
    if (lodestarUnshuffle !== undefined) {
      const lodestar = lodestarUnshuffle;
      impls.push({
        name: "lodestar 1.22 JS unshuffleList",
        setup: () => {
          scratch = input.slice();
        },
        run: () => lodestar(scratch, seed),
      });
    }
    const table = await suite(`unshuffle ${n} validators, ${ROUNDS} rounds`, impls, { rounds, warmup: 1 });

    // Per-index: compute_shuffled_index on a spread sample, extrapolated to the whole list.
    const sample = 256;
    const perIndex: number[] = [];
    for (let k = 0; k < 3; k++) {
      const start = performance.now();
      for (let s = 0; s < sample; s++) computeShuffledIndex(Math.floor((s * n) / sample), n, seed, ROUNDS);
      perIndex.push(((performance.now() - start) / sample) * n);
    }
    const perIndexMs = median(perIndex);
    const row = (prefix: string) => table.rows.find((r) => r.name.startsWith(prefix));
    const nativeMs = row("native")?.medianMs ?? Number.NaN;
    const weftMs = row("weft unshuffleList")?.medianMs ?? Number.NaN;
    const poolMs = row("weft ShufflePool")?.medianMs ?? Number.NaN;
    const hashSimdMs = row("(weft's hashing alone, SIMD")?.medianMs ?? Number.NaN;
    const hashAsShaMs = row("(weft's hashing alone, as-sha256")?.medianMs ?? Number.NaN;
    process.stdout.write(
      `hashing alone: SIMD sha256x4 ${hashSimdMs.toFixed(1)} ms, as-sha256 ${hashAsShaMs.toFixed(1)} ms ` +
        `(${(hashAsShaMs / hashSimdMs).toFixed(1)}× faster; ${(hashSimdMs / nativeMs).toFixed(3)}× native's whole shuffle)\n`,
    );
    process.stdout.write(
      `per-index compute_shuffled_index: ${(perIndexMs / 1000).toFixed(1)} s for ${n} (from ${sample} indices), ` +
        `${(perIndexMs / weftMs).toFixed(0)}× weft's whole-list time\n`,
    );
    targets.push(
      target(
        `weft 1 thread <= 0.5x native, ${n}`,
        weftMs <= 0.5 * nativeMs,
        `${(weftMs / nativeMs).toFixed(3)}× (${weftMs.toFixed(0)} vs ${nativeMs.toFixed(0)} ms)`,
      ),
      target(
        `weft pool <= 0.5x native, ${n}`,
        poolMs <= 0.5 * nativeMs,
        `${(poolMs / nativeMs).toFixed(3)}× (${poolMs.toFixed(0)} vs ${nativeMs.toFixed(0)} ms)`,
      ),
      target(`weft >= 250x per-index, ${n}`, perIndexMs / weftMs >= 250, `${(perIndexMs / weftMs).toFixed(0)}×`),
    );
    results[String(n)] = { table, perIndexExtrapolatedMs: perIndexMs };
  }
  await pool.close();

  const memN = Math.max(...sizes);
  const memory = { sync: probeMemory("sync", memN), pool: probeMemory("pool", memN) };
  for (const [kind, m] of Object.entries(memory)) {
    process.stdout.write(
      `peak memory, one ${memN} shuffle (${kind}): baseline ${m.baselineMB.toFixed(0)} MB, peak ${m.peakMB.toFixed(0)} MB, ${m.aboveMB.toFixed(1)} MB above` +
        `${m.peakReset ? "" : " (lifetime peak: an upper bound)"}\n`,
    );
    targets.push(
      target(`peak memory ${memN} (${kind}) < 64 MB above baseline`, m.aboveMB < 64, `${m.aboveMB.toFixed(1)} MB`),
    );
  }

  const duties = await dutiesAtSlotZero(1_000_000, threads);
  process.stdout.write(
    `\nproposer duties at slot 0, 1M validators: median ${duties.proposerDutiesMs.median.toFixed(4)} ms, ` +
      `p99 ${duties.proposerDutiesMs.p99.toFixed(4)} ms, max ${duties.proposerDutiesMs.max?.toFixed(3)} ms ` +
      `(readiness at slot 0: ${JSON.stringify(duties.readinessAtSlot0)}; cache warm-up ${duties.warmMs.toFixed(0)} ms; ` +
      `transition, synchronous part ${duties.transitionMs.toFixed(1)} ms; next epoch ready ${duties.nextEpochReadyAfterMs.toFixed(0)} ms after it; ` +
      `attester duties for 10k validators ${duties.attesterDuties10kMs.toFixed(2)} ms (median of 20); request-path computations ${duties.requestPathComputations})\n`,
  );
  targets.push(
    target(
      "getProposerDuties at slot 0, 1M validators, p99 < 1 ms",
      duties.proposerDutiesMs.p99 < 1,
      `${duties.proposerDutiesMs.p99.toFixed(4)} ms`,
    ),
    target(
      "no shuffling computed on the request path",
      duties.requestPathComputations === 0,
      `${duties.requestPathComputations}`,
    ),
  );

  writeResults("shuffle", { results, memory, duties, targets });
}

if (process.argv.includes("--memory-probe")) {
  const i = process.argv.indexOf("--memory-probe");
  await memoryProbe(process.argv[i + 1] ?? "sync", Number(process.argv[i + 2]));
} else {
  await main();
}
