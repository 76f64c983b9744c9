/**
 * The build loop on a worker thread of its own (`buildWorker.ts`), so that building (filling, sealing, and the
 * garbage it makes) never holds up the thread that serves getHeader and JSON-RPC. On Linux the build thread and
 * its simulation workers run at nice 10: when cores are scarce, getHeader gets one first and building waits.
 *
 *   start: the worker decodes the fixture into the parent, makes its own simulation pool (`simWorkers` more
 *     threads) and its build loop, and says it is ready
 *   the order pool stays on the caller's thread (JSON-RPC admission reads it); the worker keeps a mirror:
 *     `ordersChanged()` sends what was added and removed since the last time (orders as raw transactions)
 *   fee recipients, slots: forwarded as they come; build events come back as they happen
 *   idle(): a round trip that returns once the worker has nothing left to build
 *
 * A worker that fails or exits is logged; its engine then builds nothing more.
 */
import type { Worker } from "node:worker_threads";
import type { BlockFixture } from "../execution/fixture.js";
import { spawnWorker } from "../execution/parallel/pool.js";
import type { Logger } from "../shared/logger.js";
import type { BuildEngine, BuildLoopEvent } from "./buildLoop.js";
import { BuildingError } from "./errors.js";
import type { Order } from "./orders/order.js";
import type { OrderPool } from "./orders/orderPool.js";
import { type WireOrder, wireOrder } from "./simulation/messages.js";

export interface BuildThreadOptions {
  fixture: BlockFixture;
  /** The fixture's file, for error messages. */
  file?: string;
  /** The pool to mirror (it stays on this thread). */
  orders: OrderPool;
  /** Algorithm names (`algorithmsByName`). */
  algorithms: readonly string[];
  /** The builder's secp256k1 key: its address is the coinbase and pays every fee recipient. */
  builderKey?: Uint8Array;
  /** Simulation worker threads of the build thread (0: it simulates itself). */
  simWorkers: number;
  debounceMs?: number;
  logger?: Logger;
}

export type ToBuildWorker =
  | {
      kind: "init";
      fixture: BlockFixture;
      file: string | undefined;
      algorithms: string[];
      builderKey: Uint8Array | undefined;
      simWorkers: number;
      debounceMs: number | undefined;
    }
  | { kind: "orders"; add: WireOrder[]; remove: string[] }
  | { kind: "addFeeRecipient" | "removeFeeRecipient"; feeRecipient: Uint8Array }
  | { kind: "startSlot"; slot: number }
  | { kind: "idle"; id: number }
  | { kind: "close" };

export type FromBuildWorker =
  | { kind: "ready" }
  | { kind: "initFailed"; message: string }
  | { kind: "event"; event: BuildLoopEvent }
  | { kind: "idle"; id: number }
  | { kind: "closed" };

/** Starts the worker; resolves once it has loaded the fixture and is ready to build. */
export async function startBuildThread(options: BuildThreadOptions): Promise<BuildEngine> {
  const worker = spawnWorker(new URL("./buildWorker", import.meta.url));
  const engine = new BuildThread(worker, options);
  await engine.ready;
  engine.ordersChanged();
  return engine;
}

class BuildThread implements BuildEngine {
  readonly ready: Promise<void>;
  readonly #worker: Worker;
  readonly #orders: OrderPool;
  readonly #logger: Logger | undefined;
  readonly #listeners = new Set<(event: BuildLoopEvent) => void>();
  /** The orders the worker holds, by id. */
  readonly #sent = new Map<string, Order>();
  readonly #idle = new Map<number, () => void>();
  #idleId = 0;
  #closed: (() => void) | undefined;
  #dead = false;

  constructor(worker: Worker, options: BuildThreadOptions) {
    this.#worker = worker;
    this.#orders = options.orders;
    this.#logger = options.logger;
    this.ready = new Promise<void>((resolve, reject) => {
      worker.on("message", (message: FromBuildWorker) => {
        switch (message.kind) {
          case "ready":
            resolve();
            break;
          case "initFailed":
            reject(new BuildingError("INVALID_CONTEXT", "the build thread cannot start", { details: message.message }));
            break;
          case "event":
            for (const listener of this.#listeners) listener(message.event);
            break;
          case "idle":
            this.#idle.get(message.id)?.();
            this.#idle.delete(message.id);
            break;
          case "closed":
            this.#closed?.();
            break;
        }
      });
      worker.on("error", (err) => {
        this.#logger?.error({ err }, "build thread failed");
        reject(err);
        this.#die();
      });
      worker.on("exit", (code) => {
        if (!this.#dead && this.#closed === undefined) this.#logger?.error({ code }, "build thread exited");
        this.#die();
      });
    });
    this.#post({
      kind: "init",
      fixture: options.fixture,
      file: options.file,
      algorithms: [...options.algorithms],
      builderKey: options.builderKey,
      simWorkers: options.simWorkers,
      debounceMs: options.debounceMs,
    });
  }

  addFeeRecipient(feeRecipient: Uint8Array): void {
    this.#post({ kind: "addFeeRecipient", feeRecipient });
  }

  removeFeeRecipient(feeRecipient: Uint8Array): void {
    this.#post({ kind: "removeFeeRecipient", feeRecipient });
  }

  /** Sends the pool's changes since the last call (O(pool): a pass over its orders). */
  ordersChanged(): void {
    const add: WireOrder[] = [];
    const pooled = new Set<string>();
    for (const order of this.#orders.orders()) {
      pooled.add(order.id);
      if (this.#sent.has(order.id)) continue;
      this.#sent.set(order.id, order);
      add.push(wireOrder(order));
    }
    const remove: string[] = [];
    for (const id of this.#sent.keys()) {
      if (pooled.has(id)) continue;
      this.#sent.delete(id);
      remove.push(id);
    }
    if (add.length > 0 || remove.length > 0) this.#post({ kind: "orders", add, remove });
  }

  startSlot(slot: number): void {
    this.#post({ kind: "startSlot", slot });
  }

  onEvent(listener: (event: BuildLoopEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  idle(): Promise<void> {
    if (this.#dead) return Promise.resolve();
    const id = ++this.#idleId;
    return new Promise((resolve) => {
      this.#idle.set(id, resolve);
      this.#post({ kind: "idle", id });
    });
  }

  async close(): Promise<void> {
    if (this.#dead) return;
    await new Promise<void>((resolve) => {
      this.#closed = resolve;
      this.#post({ kind: "close" });
    });
    await this.#worker.terminate();
  }

  #post(message: ToBuildWorker): void {
    if (!this.#dead) this.#worker.postMessage(message);
  }

  #die(): void {
    this.#dead = true;
    for (const resolve of this.#idle.values()) resolve();
    this.#idle.clear();
    this.#closed?.();
  }
}
