/**
 * Worker threads for the shuffling work that must not run on the caller's thread: an epoch's whole-list shuffle
 * (tens to hundreds of milliseconds) and its proposer selection. The ShufflingCache hands both to a pool at each
 * epoch transition, so the event loop stays free and duties are ready before anyone asks.
 *
 * A whole-list shuffle goes to the least busy worker (the swapper, which runs the SIMD swap passes); every other
 * worker hashes rounds ahead of it over a SharedArrayBuffer (parallelShuffle.ts). Proposer selection splits the
 * epoch's slots across the workers. Workers start on first use and do not keep the process alive when idle.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { ConsensusError } from "../errors.js";
import type { ProposerPreset } from "../util/proposer.js";
import { assertListSize, assertRounds, assertSeed } from "./checks.js";
import { createShuffleJob } from "./parallelShuffle.js";
import type { PoolRequest, PoolResponse } from "./poolMessages.js";

export interface ShufflePoolOptions {
  /** Worker threads (default: the machine's available parallelism, at most 4). */
  threads?: number;
}

/** Below this many indices helpers are not worth their messages: the swapper hashes alone. */
const PARALLEL_MIN_LIST = 1 << 14;

/** Distributes a request over a request body without the id (added by the pool). */
type RequestBody = PoolRequest extends infer R ? (R extends PoolRequest ? Omit<R, "id"> : never) : never;

interface PoolWorker {
  worker: Worker;
  pending: Map<number, { resolve: (r: Uint32Array | undefined) => void; reject: (e: unknown) => void }>;
}

export class ShufflePool {
  readonly threads: number;
  private readonly workers: PoolWorker[] = [];
  private nextId = 1;
  private closed = false;

  constructor(options: ShufflePoolOptions = {}) {
    this.threads = Math.max(1, Math.floor(options.threads ?? Math.min(availableParallelism(), 4)));
  }

  /** unshuffleList on the pool's threads; same result as the synchronous one. */
  unshuffleList(indices: Uint32Array, seed: Uint8Array, rounds: number): Promise<Uint32Array> {
    return this.shuffle(indices, seed, rounds, false);
  }

  /** shuffleList on the pool's threads. */
  shuffleList(indices: Uint32Array, seed: Uint8Array, rounds: number): Promise<Uint32Array> {
    return this.shuffle(indices, seed, rounds, true);
  }

  /** computeProposerIndex for each seed (one per slot), the seeds split across the workers. */
  async computeProposerIndices(
    seeds: readonly Uint8Array[],
    activeIndices: Uint32Array,
    effectiveBalanceIncrements: Uint16Array,
    preset: ProposerPreset,
  ): Promise<Uint32Array> {
    for (const seed of seeds) assertSeed(seed);
    const workers = this.ready();
    const shared = {
      activeIndices: toShared(activeIndices),
      effectiveBalanceIncrements: toShared(effectiveBalanceIncrements),
      preset: { ...preset },
    };
    const chunks = Math.min(workers.length, seeds.length);
    const parts: Promise<Uint32Array | undefined>[] = [];
    for (let c = 0; c < chunks; c++) {
      const from = Math.floor((seeds.length * c) / chunks);
      const to = Math.floor((seeds.length * (c + 1)) / chunks);
      const packed = new Uint8Array((to - from) * 32);
      for (let i = from; i < to; i++) packed.set(seeds[i] as Uint8Array, (i - from) * 32);
      parts.push(this.request(workers[c] as PoolWorker, { kind: "proposers", seeds: packed, ...shared }));
    }
    const out = new Uint32Array(seeds.length);
    let offset = 0;
    for (const part of await Promise.all(parts)) {
      out.set(part as Uint32Array, offset);
      offset += (part as Uint32Array).length;
    }
    return out;
  }

  /** Stops the workers; later calls fail with POOL_CLOSED. */
  async close(): Promise<void> {
    this.closed = true;
    const workers = this.workers.splice(0);
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }

  private async shuffle(indices: Uint32Array, seed: Uint8Array, rounds: number, forwards: boolean) {
    assertSeed(seed);
    assertRounds(rounds);
    const n = indices.length;
    assertListSize(n);
    if (n <= 1 || rounds === 0) return indices.slice();
    const workers = [...this.ready()].sort((a, b) => a.pending.size - b.pending.size);
    const [swapper, ...helpers] = workers as [PoolWorker, ...PoolWorker[]];
    const job = createShuffleJob(n, seed, rounds, forwards);
    const input = indices.slice();
    const result = this.request(swapper, { kind: "swap", job, indices: input }, [input.buffer]);
    if (n >= PARALLEL_MIN_LIST) {
      // A helper's failure is harmless: the swapper hashes whatever the helpers leave.
      for (const helper of helpers) this.request(helper, { kind: "hash", job }).catch(() => undefined);
    }
    return (await result) as Uint32Array;
  }

  private ready(): PoolWorker[] {
    if (this.closed) throw new ConsensusError("POOL_CLOSED", "the shuffle pool is closed");
    while (this.workers.length < this.threads) this.workers.push(this.spawn());
    return this.workers;
  }

  private spawn(): PoolWorker {
    const entry: PoolWorker = { worker: startWorker(), pending: new Map() };
    const fail = (cause: unknown) => {
      const index = this.workers.indexOf(entry);
      if (index >= 0) this.workers.splice(index, 1);
      for (const { reject } of entry.pending.values()) {
        reject(new ConsensusError("WORKER_FAILED", "a shuffle worker failed", { cause }));
      }
      entry.pending.clear();
    };
    entry.worker.on("message", (response: PoolResponse) => {
      const waiter = entry.pending.get(response.id);
      if (waiter === undefined) return;
      entry.pending.delete(response.id);
      if (entry.pending.size === 0) entry.worker.unref();
      if (response.ok) waiter.resolve(response.result);
      else
        waiter.reject(
          new ConsensusError("WORKER_FAILED", "a shuffle worker request failed", { details: response.error }),
        );
    });
    entry.worker.on("error", fail);
    entry.worker.on("exit", (code) => fail(new Error(`worker exited with code ${code}`)));
    entry.worker.unref();
    return entry;
  }

  private request(
    target: PoolWorker,
    body: RequestBody,
    transfer: ArrayBuffer[] = [],
  ): Promise<Uint32Array | undefined> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      target.pending.set(id, { resolve, reject });
      target.worker.ref();
      target.worker.postMessage({ ...body, id } as PoolRequest, transfer);
    });
  }
}

/** A worker running shuffle/worker.ts; from TypeScript sources (tests, benchmarks) it registers tsx first. */
function startWorker(): Worker {
  const fromSource = import.meta.url.endsWith(".ts");
  const url = new URL(fromSource ? "./worker.ts" : "./worker.js", import.meta.url);
  if (!fromSource) return new Worker(url);
  const tsx = import.meta.resolve("tsx/esm/api");
  const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(bootstrap, { eval: true });
}

function toShared<T extends Uint32Array | Uint16Array>(array: T): T {
  if (array.buffer instanceof SharedArrayBuffer) return array;
  const Ctor = array.constructor as new (buffer: SharedArrayBuffer) => T;
  const out = new Ctor(new SharedArrayBuffer(array.byteLength));
  out.set(array as never);
  return out;
}
