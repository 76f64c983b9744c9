/**
 * Top-of-block simulation of every order, in parallel on worker threads (or in this thread with `workers: 0`).
 *
 *   prepare(ctx): a new block context; when the parent changed, every replica gets the parent's state (once per
 *     parent, then kept) and every simulation so far is forgotten: orders are re-simulated on the new parent.
 *   simulate(orders, token): plan (nonce chains, see `planSimulation.ts`) → requests not simulated yet go to the
 *     workers, which claim them from a shared counter (this thread claims its share too) → results: gas, the
 *     coinbase's profit, the mev gas price, read and write sets, per-transaction diffs → cached per order until
 *     the next context.
 *   resolve(tasks, token): conflict groups resolved the same way (the workers hold the decoded orders).
 *
 * The token is the slot's: cancelling it stops the workers at their next order and fails the batch with
 * `CANCELLED`, so stale work never delays the next slot.
 */
import { availableParallelism } from "node:os";
import { MessageChannel, type MessagePort, type Worker } from "node:worker_threads";
import { spawnWorker } from "../../execution/parallel/pool.js";
import { snapshotOf } from "../../execution/parallel/stateDiff.js";
import type { StateLayer } from "../../execution/state/layer.js";
import type { CommitSimulation } from "../builders/partialBlock.js";
import type { GroupResolver, GroupResult, GroupTask } from "../builders/resolveGroups.js";
import { evaluateGroup, localResolver } from "../builders/resolveGroups.js";
import type { BuildContext } from "../context.js";
import { BuildingError, type OrderFailure } from "../errors.js";
import { createExecutionEnv, type ExecutionEnv } from "../executionEnv.js";
import type { Order } from "../orders/order.js";
import { CancellationToken } from "./cancellation.js";
import { type FromWorker, type ToWorker, type WireSequence, wireOrder } from "./messages.js";
import { planSimulation, type SimulationSequence } from "./planSimulation.js";
import { type SimulatedOrder, simulatedOrder } from "./simulatedOrder.js";
import { type SimulationOutcome, simulateSequence } from "./simulateSequence.js";

export interface SimulationPoolOptions {
  /** Worker threads (default: cores − 1, at least 1); 0 simulates in this thread. */
  workers?: number;
  /** This thread claims requests too while the workers run (default true): one more core at work. */
  participate?: boolean;
}

export interface SimulationReport {
  /** Orders that simulated successfully, in arrival order. */
  simulated: SimulatedOrder[];
  failed: Array<{ order: Order; failure: OrderFailure }>;
  /** Waiting for a nonce no pooled order provides. */
  pending: Order[];
  /** Using a nonce the parent has spent. */
  stale: Order[];
  /** Orders simulated by this call (the rest came from the cache). */
  simulations: number;
  ms: number;
}

interface Batch {
  expected: number;
  done: number;
  onSimulated?: (index: number, outcomes: SimulationOutcome[]) => void;
  onResolved?: (index: number, result: GroupResult) => void;
  errors: string[];
  resolve: () => void;
}

export class SimulationPool implements GroupResolver {
  readonly workers: number;
  readonly participate: boolean;
  readonly #threads: Worker[] = [];
  readonly #ports: MessagePort[] = [];
  readonly #ready: Promise<void>;
  readonly #batches = new Map<number, Batch>();
  #batchId = 0;
  #contextId = 0;
  #ctx: BuildContext | undefined;
  #parent: StateLayer | undefined;
  #env: ExecutionEnv | undefined;
  /** Outcomes on the current context, by order id. */
  #outcomes = new Map<string, SimulationOutcome>();
  /** Orders by id that group resolution may be asked about (those given to `simulate` on this context). */
  readonly #localOrders = new Map<string, Order>();

  constructor(options: SimulationPoolOptions = {}) {
    this.workers = Math.max(0, options.workers ?? Math.max(1, availableParallelism() - 1));
    this.participate = options.participate ?? true;
    const readiness: Promise<void>[] = [];
    for (let i = 0; i < this.workers; i++) {
      const worker = spawnWorker(new URL("./simulationWorker", import.meta.url));
      worker.unref();
      const channel = new MessageChannel();
      channel.port1.unref();
      channel.port1.on("message", (m: FromWorker) => this.#onMessage(m));
      worker.postMessage({ kind: "init", port: channel.port2 } satisfies ToWorker, [channel.port2]);
      readiness.push(new Promise<void>((resolve) => worker.once("message", () => resolve())));
      worker.on("error", (error) => {
        for (const batch of this.#batches.values()) {
          batch.errors.push(String(error));
          batch.resolve();
        }
      });
      this.#threads.push(worker);
      this.#ports.push(channel.port1);
    }
    this.#ready = Promise.all(readiness).then(() => undefined);
  }

  /** Resolves when every worker has loaded (benchmarks wait for it to time steady state). */
  ready(): Promise<void> {
    return this.#ready;
  }

  get context(): BuildContext | undefined {
    return this.#ctx;
  }

  /** Sets the block being built. A new parent state clears every simulation (they were on the old parent). */
  async prepare(ctx: BuildContext): Promise<void> {
    const newParent = ctx.parent !== this.#parent;
    this.#ctx = ctx;
    this.#parent = ctx.parent;
    this.#contextId++;
    this.#outcomes = new Map();
    this.#localOrders.clear();
    this.#env = await createExecutionEnv(ctx, ctx.topOfBlock);
    if (this.workers === 0) return;
    const needsKzg = ctx.common.isActivatedEIP(4844);
    const snapshot = newParent ? snapshotOf(ctx.parent) : undefined;
    const message: ToWorker = {
      kind: "context",
      context: {
        contextId: this.#contextId,
        hardfork: ctx.common.hardfork(),
        needsKzg,
        header: ctx.header.serialize(),
        withdrawals: undefined,
        coinbase: ctx.coinbase.bytes,
        gasReserve: ctx.gasReserve,
        blockHashes: ctx.blockHashes,
        snapshot,
        systemDiff: ctx.systemDiff,
      },
    };
    for (const worker of this.#threads) worker.postMessage(message);
  }

  /** The EVM of this thread on the current context (for building candidate blocks). */
  get env(): ExecutionEnv {
    if (this.#env === undefined) throw new BuildingError("INVALID_CONTEXT", "SimulationPool.prepare was not called");
    return this.#env;
  }

  async simulate(orders: readonly Order[], token?: CancellationToken): Promise<SimulationReport> {
    const start = performance.now();
    const ctx = this.#requireContext();
    for (const order of orders) this.#localOrders.set(order.id, order);
    const plan = planSimulation(orders, (sender) => ctx.topOfBlock.account(sender)?.nonce ?? 0n);
    const todo = plan.requests.filter((r) => r.sequence.slice(r.reportFrom).some((o) => !this.#outcomes.has(o.id)));
    let simulations = 0;
    const record = (outcomes: SimulationOutcome[]) => {
      for (const o of outcomes) this.#outcomes.set(o.orderId, o);
      simulations += outcomes.length;
    };
    if (this.workers === 0) {
      const env = this.env;
      for (const request of todo) {
        token?.throwIfCancelled();
        record(await simulateSequence(env, ctx, request.sequence, request.reportFrom, () => token?.cancelled ?? false));
      }
    } else {
      const wire: WireSequence[] = todo.map((r: SimulationSequence) => ({
        sequence: r.sequence.map(wireOrder),
        reportFrom: r.reportFrom,
      }));
      await this.#dispatch(
        (batchId, claims, cancel) => ({
          kind: "simulate",
          contextId: this.#contextId,
          batchId,
          requests: wire,
          claims,
          cancel,
        }),
        { onSimulated: (_i, outcomes) => record(outcomes) },
        token,
        async (claims) => {
          const env = this.env;
          for (;;) {
            if (token?.cancelled) break;
            const request = todo[Atomics.add(claims, 0, 1)];
            if (request === undefined) break;
            record(
              await simulateSequence(env, ctx, request.sequence, request.reportFrom, () => token?.cancelled ?? false),
            );
          }
        },
      );
    }
    token?.throwIfCancelled();

    const byId = new Map(orders.map((o) => [o.id, o]));
    const simulated: SimulatedOrder[] = [];
    const failed: SimulationReport["failed"] = [];
    for (const order of orders) {
      const outcome = this.#outcomes.get(order.id);
      if (outcome === undefined) continue;
      if (outcome.ok) simulated.push(simulatedOrder(byId.get(order.id) as Order, outcome.execution, outcome.base));
      else failed.push({ order, failure: outcome.failure });
    }
    return { simulated, failed, pending: plan.pending, stale: plan.stale, simulations, ms: performance.now() - start };
  }

  async resolve(tasks: readonly GroupTask[], token?: CancellationToken): Promise<GroupResult[]> {
    const ctx = this.#requireContext();
    if (tasks.length === 0) return [];
    if (this.workers === 0) {
      return localResolver(this.env, ctx, this.#localOrders, this.#simulations(tasks)).resolve(tasks, token);
    }
    // Every order of the tasks goes along: a worker has decoded only the ones it simulated (and keeps them).
    const orders = [...new Set(tasks.flatMap((t) => t.orderIds))].map((id) => this.#localOrders.get(id) as Order);
    const results: GroupResult[] = [];
    await this.#dispatch(
      (batchId, claims, cancel) => ({
        kind: "resolve",
        contextId: this.#contextId,
        batchId,
        tasks: [...tasks],
        orders: orders.map(wireOrder),
        simulations: [...this.#simulations(tasks)].map(([orderId, sim]) => ({ orderId, ...sim })),
        claims,
        cancel,
      }),
      { onResolved: (_i, result) => results.push(result) },
      token,
      async (claims) => {
        const simulations = this.#simulations(tasks);
        for (;;) {
          if (token?.cancelled) break;
          const task = tasks[Atomics.add(claims, 0, 1)];
          if (task === undefined) break;
          const orders = task.orderIds.map((id) => this.#localOrders.get(id) as Order);
          results.push(await evaluateGroup(this.env, ctx, orders, task, simulations, () => token?.cancelled ?? false));
        }
      },
    );
    token?.throwIfCancelled();
    return results;
  }

  async close(): Promise<void> {
    for (const port of this.#ports) port.close();
    await Promise.all(this.#threads.map((w) => w.terminate()));
  }

  /** The cached successful simulations of the tasks' orders (replayed where they hold while orderings are tried). */
  #simulations(tasks: readonly GroupTask[]): Map<string, CommitSimulation> {
    const out = new Map<string, CommitSimulation>();
    for (const task of tasks) {
      for (const id of task.orderIds) {
        const outcome = this.#outcomes.get(id);
        if (outcome?.ok) out.set(id, { execution: outcome.execution, base: outcome.base });
      }
    }
    return out;
  }

  #requireContext(): BuildContext {
    if (this.#ctx === undefined) throw new BuildingError("INVALID_CONTEXT", "SimulationPool.prepare was not called");
    return this.#ctx;
  }

  async #dispatch(
    make: (batchId: number, claims: SharedArrayBuffer, cancel: SharedArrayBuffer) => ToWorker,
    handlers: Pick<Batch, "onSimulated" | "onResolved">,
    token: CancellationToken | undefined,
    local: (claims: Int32Array) => Promise<void>,
  ): Promise<void> {
    const batchId = ++this.#batchId;
    const claims = new SharedArrayBuffer(4);
    const cancel = token?.shared ?? new CancellationToken("batch").shared;
    const done = new Promise<void>((resolve) => {
      this.#batches.set(batchId, { expected: this.workers, done: 0, errors: [], resolve, ...handlers });
    });
    const message = make(batchId, claims, cancel);
    for (const worker of this.#threads) worker.postMessage(message);
    const onAbort = () => this.#batches.get(batchId)?.resolve();
    token?.signal.addEventListener("abort", onAbort, { once: true });
    if (this.participate) await local(new Int32Array(claims));
    await done;
    token?.signal.removeEventListener("abort", onAbort);
    const batch = this.#batches.get(batchId);
    this.#batches.delete(batchId);
    if (batch !== undefined && batch.errors.length > 0) {
      throw new BuildingError("SIMULATION_FAILED", "a simulation worker failed", { details: batch.errors.join("; ") });
    }
  }

  #onMessage(message: FromWorker): void {
    const batch = this.#batches.get(message.batchId);
    if (batch === undefined) return;
    switch (message.kind) {
      case "simulated":
        batch.onSimulated?.(message.index, message.outcomes);
        break;
      case "resolved":
        batch.onResolved?.(message.index, message.result);
        break;
      case "error":
        batch.errors.push(message.message);
        break;
      case "done":
        batch.done++;
        if (batch.done === batch.expected) batch.resolve();
        break;
    }
  }
}
