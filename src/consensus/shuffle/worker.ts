/**
 * A shuffle pool worker (pool.ts): runs one request at a time on its own thread, with its own hash and kernel
 * instances. A swapper blocks in Atomics.wait at times, which is why this runs on a worker and never on the main
 * thread.
 */
import { parentPort } from "node:worker_threads";
import { computeProposerIndex } from "../util/proposer.js";
import { kernelModule } from "./kernel.js";
import { hashShuffleJob, swapShuffleJob } from "./parallelShuffle.js";
import type { PoolRequest, PoolResponse } from "./poolMessages.js";
import { roundHasher } from "./roundHashes.js";
import { innerShuffleListJs } from "./shuffleListJs.js";

const port = parentPort;
if (port === null) throw new Error("shuffle/worker.ts runs only as a worker thread");

port.on("message", (request: PoolRequest) => {
  try {
    const result = handle(request);
    const response: PoolResponse =
      result === undefined ? { id: request.id, ok: true } : { id: request.id, ok: true, result };
    port.postMessage(response, result === undefined ? [] : [result.buffer as ArrayBuffer]);
  } catch (error) {
    const response: PoolResponse = {
      id: request.id,
      ok: false,
      error: error instanceof Error ? error.message : String(error),
    };
    port.postMessage(response);
  }
});

function handle(request: PoolRequest): Uint32Array | undefined {
  switch (request.kind) {
    case "swap": {
      const { job, indices } = request;
      const module = kernelModule();
      if (module === null) return innerShuffleListJs(indices, job.seed, job.rounds, job.forwards);
      return swapShuffleJob(job, indices, module, roundHasher());
    }
    case "hash":
      hashShuffleJob(request.job, roundHasher(), kernelModule());
      return undefined;
    case "proposers": {
      const { seeds, activeIndices, effectiveBalanceIncrements, preset } = request;
      const out = new Uint32Array(seeds.length / 32);
      for (let i = 0; i < out.length; i++) {
        out[i] = computeProposerIndex(
          seeds.subarray(i * 32, i * 32 + 32),
          activeIndices,
          effectiveBalanceIncrements,
          preset,
        );
      }
      return out;
    }
  }
}
