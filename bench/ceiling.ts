/**
 * What N threads of this process can do at best on this machine: N worker threads, each executing the same block
 * with the sequential executor on its own copy of the pre-state, first one alone, then all N at once. They share
 * nothing and never wait for each other, so no parallel executor running on N threads of this process can beat
 * their combined throughput: the ceiling is what the cores themselves give (caches and memory shared between
 * them, the host's other guests on a virtual machine), before any cost of running one block in parallel.
 *
 * The parallel benchmark reports each block's speedup beside this ceiling. Written here because no benchmark
 * library measures it: it is this benchmark's own control.
 */
import type { Worker } from "node:worker_threads";
import { spawnWorker } from "../src/execution/parallel/pool.js";
import type { BenchSet } from "./blocks.js";
import { median } from "./harness.js";

export type CeilingRequest =
  | { kind: "load"; set: BenchSet; txs: number; senders: "known" | "recovered" }
  | { kind: "warm" }
  | { kind: "run"; name: string };

export type CeilingReply =
  | { kind: "loaded" }
  | { kind: "warmed" }
  | { kind: "ran"; ms: number }
  | { kind: "error"; message: string };

export interface CeilingSample {
  alone: number;
  /** Each worker's time with all N running at once. */
  together: number[];
}

/**
 * The ceiling from a block's rounds: the N threads' combined throughput over one alone, the sum over workers of
 * (median time alone / its median time beside the others); N where the cores scale perfectly. Medians over
 * rounds, not a ratio per round, so that one slow run alone does not read as a ceiling above N.
 */
export function ceilingOf(samples: readonly CeilingSample[]): number {
  const alone = median(samples.map((s) => s.alone));
  const threads = samples[0]?.together.length ?? 0;
  let sum = 0;
  for (let w = 0; w < threads; w++) sum += alone / median(samples.map((s) => s.together[w] as number));
  return sum;
}

export class Ceiling {
  readonly #workers: Worker[];

  /** `senders`: recovered on each worker's thread within the timed run, or recovered once and pinned ("known"). */
  constructor(
    readonly threads: number,
    private readonly load: { set: BenchSet; txs: number; senders: "known" | "recovered" },
  ) {
    this.#workers = Array.from({ length: threads }, () => spawnWorker(new URL("./ceilingWorker", import.meta.url)));
  }

  /** Every worker loads the benchmark's blocks (and their senders, when known). */
  async ready(): Promise<void> {
    await Promise.all(this.#workers.map((w) => ask(w, { kind: "load", ...this.load })));
  }

  /** One untimed pass over every block on every worker at once, so that their code is compiled before any clock. */
  async warm(): Promise<void> {
    await Promise.all(this.#workers.map((w) => ask(w, { kind: "warm" })));
  }

  /** One round on a block: worker `round % N` executes it alone, then all N at once (their times, in ms). */
  async round(name: string, round: number): Promise<CeilingSample> {
    const alone = await runOn(this.#workers[round % this.threads] as Worker, name);
    const together = await Promise.all(this.#workers.map((w) => runOn(w, name)));
    return { alone, together };
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}

async function runOn(worker: Worker, name: string): Promise<number> {
  const reply = await ask(worker, { kind: "run", name });
  if (reply.kind !== "ran") throw new Error(`ceiling worker answered ${reply.kind} to a run of ${name}`);
  return reply.ms;
}

function ask(worker: Worker, request: CeilingRequest): Promise<CeilingReply> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    worker.once("error", onError);
    worker.once("message", (reply: CeilingReply) => {
      worker.off("error", onError);
      if (reply.kind === "error") reject(new Error(`ceiling worker: ${reply.message}`));
      else resolve(reply);
    });
    worker.postMessage(request);
  });
}
