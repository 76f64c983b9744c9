/**
 * The worker pool: `worker_threads`, one VM each, every worker holding a replica of the same state. A state is
 * sent whole once (`setState`) and then kept current by diffs (`applyDiff`), never copied again.
 */

import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { pathToFileURL } from "node:url";
import { MessageChannel, type MessagePort, Worker } from "node:worker_threads";
import type { BlockTask, WorkerMessage } from "./protocol.js";
import { ResultRing } from "./resultRing.js";
import type { StateDiff } from "./stateDiff.js";

export interface WorkerPoolOptions {
  /** Number of workers (default: cores − 1, the committing thread being the last core). */
  size?: number;
}

/**
 * Starts a worker thread on a module of weft given by its URL without extension (`new URL("./worker",
 * import.meta.url)`). Built code runs the `.js` file directly; sources (tests, benchmarks, `tsx`) run the `.ts`
 * file through tsx's loader, registered inside the worker by a two-line bootstrap, since loader flags do not
 * reach worker threads.
 */
export function spawnWorker(module: URL): Worker {
  if (!import.meta.url.endsWith(".ts")) return new Worker(new URL(`${module.href}.js`));
  const tsxApi = pathToFileURL(
    createRequire(import.meta.url)
      .resolve("tsx/esm/api")
      .replace(/\.cjs$/, ".mjs"),
  ).href;
  const workerUrl = `${module.href}.ts`;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((api) => { api.register(); return import(${JSON.stringify(workerUrl)}); });`;
  return new Worker(bootstrap, { eval: true });
}

export class WorkerPool {
  readonly size: number;
  readonly #workers: Worker[] = [];
  /**
   * One port per worker on which its messages arrive (results that did not fit in its ring, "stopped", errors);
   * read synchronously with `receiveMessageOnPort`.
   */
  readonly ports: MessagePort[] = [];
  /** One ring per worker, in which its encoded results arrive (`ResultRing`); drain it before its port. */
  readonly rings: ResultRing[] = [];
  /** The workers' OS thread ids, once `ready()` has resolved (Linux; empty elsewhere): for CPU accounting. */
  readonly threadIds: number[] = [];
  #stateVersion = 0;
  readonly #ready: Promise<void>;

  constructor(options: WorkerPoolOptions = {}) {
    this.size = Math.max(1, options.size ?? availableParallelism() - 1);
    const readiness: Promise<void>[] = [];
    for (let i = 0; i < this.size; i++) {
      const worker = spawnWorker(new URL("./worker", import.meta.url));
      worker.unref();
      const channel = new MessageChannel();
      const ring = new ResultRing();
      worker.postMessage({ kind: "init", port: channel.port2, ring: ring.buffer } satisfies WorkerMessage, [
        channel.port2,
      ]);
      this.rings.push(ring);
      channel.port1.unref();
      readiness.push(
        new Promise<void>((resolve) =>
          worker.once("message", (message: { tid?: unknown }) => {
            if (typeof message?.tid === "number") this.threadIds.push(message.tid);
            resolve();
          }),
        ),
      );
      this.#workers.push(worker);
      this.ports.push(channel.port1);
    }
    this.#ready = Promise.all(readiness).then(() => undefined);
  }

  /** Replaces every replica's state (a new base: another parent, another fixture). */
  setState(snapshot: StateDiff): number {
    this.#post({ kind: "state", snapshot });
    return ++this.#stateVersion;
  }

  /** Brings every replica forward by the changes of a committed block. */
  applyDiff(diff: StateDiff): number {
    this.#post({ kind: "diff", diff });
    return ++this.#stateVersion;
  }

  /**
   * Resolves once every worker has loaded its modules and answered. Execution never needs it (the committing
   * thread does the work of a worker that is not there yet); benchmarks wait on it so they time steady state.
   */
  ready(): Promise<void> {
    return this.#ready;
  }

  /**
   * Resolves once every worker has handled everything sent to it so far (a replaced state included). Execution
   * never needs it; benchmarks wait on it so that a timed block does not pay for loading a state.
   */
  async sync(): Promise<void> {
    await Promise.all(
      this.#workers.map((worker) => {
        const answered = new Promise<void>((resolve) => worker.once("message", () => resolve()));
        worker.postMessage({ kind: "sync" } satisfies WorkerMessage);
        return answered;
      }),
    );
  }

  get stateVersion(): number {
    return this.#stateVersion;
  }

  /** Starts a block on every worker; returns the ports on which to stream commits to each. */
  startBlock(task: BlockTask): MessagePort[] {
    return this.#workers.map((worker) => {
      const channel = new MessageChannel();
      channel.port1.unref();
      worker.postMessage({ kind: "block", task, commits: channel.port2 } satisfies WorkerMessage, [channel.port2]);
      return channel.port1;
    });
  }

  async close(): Promise<void> {
    for (const port of this.ports) port.close();
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }

  #post(message: WorkerMessage): void {
    for (const worker of this.#workers) worker.postMessage(message);
  }
}
