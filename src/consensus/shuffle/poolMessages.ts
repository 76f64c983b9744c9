import type { ProposerPreset } from "../util/proposer.js";
import type { ShuffleJob } from "./parallelShuffle.js";

/** What the pool asks a worker (shuffle/worker.ts). Typed arrays over SharedArrayBuffers are shared, not copied. */
export type PoolRequest =
  | { id: number; kind: "swap"; job: ShuffleJob; indices: Uint32Array }
  | { id: number; kind: "hash"; job: ShuffleJob }
  | {
      id: number;
      kind: "proposers";
      /** 32 bytes per slot, one slot after another. */
      seeds: Uint8Array;
      activeIndices: Uint32Array;
      effectiveBalanceIncrements: Uint16Array;
      preset: ProposerPreset;
    };

export type PoolResponse = { id: number; ok: true; result?: Uint32Array } | { id: number; ok: false; error: string };
