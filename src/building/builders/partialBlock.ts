/**
 * A block being filled (rbuilder's `PartialBlock`): orders are committed one after the other on a block layer
 * over the top-of-block state, each all or nothing.
 *
 *   commit(order, simulation?):
 *     bundle window (block number, timestamps) → nonces: every nonce the order uses must be its sender's next
 *     → replay: when the simulation is replayable and nothing it read was written by the block since (other than
 *       by the orders it was simulated on top of, taken unchanged), its per-transaction diffs, receipts and
 *       coinbase deltas are applied as they are: no execution (most orders of a block, which is why filling is fast);
 *       else the same for any other execution of the order given (`alternatives`)
 *     → otherwise execute it on a layer of its own (dropped on failure, or when it earns less than `minProfit`,
 *       which is how a builder re-inserts an order at its new value)
 *     → gas (and blob gas) must fit; the block's writes are indexed by their last writer for the next check.
 *
 * Last writers are kept per account field and per storage slot, in one map keyed by the state keys' numbers
 * (`stateKeys.ts`: an access set's keys are numbered once, so checking a replay reads a few dozen integers
 * instead of building a string per key; this check and the record of writes were most of a fill's time): a few
 * dozen entries per order, so a block of a thousand orders stays in the tens of thousands.
 */
import type { TypedTransaction } from "@ethereumjs/tx";
import type { TxReceipt } from "@ethereumjs/vm";
import { applyDiff, type StateDiff } from "../../execution/parallel/stateDiff.js";
import { encodeReceipt } from "../../execution/receipts.js";
import type { AccessSet } from "../../execution/state/access.js";
import { emptyAccount, StateLayer } from "../../execution/state/layer.js";
import { CachedTrie } from "../../execution/state/trieRoot.js";
import type { ExecutionContext } from "../context.js";
import type { OrderFailure } from "../errors.js";
import { type ExecutedTx, executeOrder, type OrderExecution } from "../executeOrder.js";
import type { ExecutionEnv } from "../executionEnv.js";
import { inWindow, type Order } from "../orders/order.js";
import { yieldIfDue } from "../yieldToEventLoop.js";
import { keyGeneration, keysOf, renumberKeysIfFull } from "./stateKeys.js";

export interface CommittedTx {
  readonly orderId: string;
  readonly tx: TypedTransaction;
  /** As the block body holds it. */
  readonly raw: Uint8Array;
  readonly hash: string;
  readonly gasUsed: bigint;
  readonly blobGasUsed: bigint;
  /** The receipt, its cumulative gas the block's. */
  readonly receipt: TxReceipt;
  readonly diff: StateDiff;
  readonly reads: AccessSet;
  readonly writes: AccessSet;
  /** The coinbase's balance after this transaction. */
  readonly coinbaseBalance: bigint;
  /** The coinbase's nonce after this transaction, when it changed it. */
  readonly coinbaseNonce: bigint | undefined;
}

export interface CommittedOrder {
  readonly order: Order;
  /** What it earned the coinbase in this block. */
  readonly profit: bigint;
  readonly gasUsed: bigint;
  /** Applied from its simulation without executing. */
  readonly replayed: boolean;
  /** What it did in this block (for a group's result to be replayed into another block). */
  readonly execution: OrderExecution;
}

/** A simulation to replay: the execution and the orders it was executed on top of. */
export interface CommitSimulation {
  readonly execution: OrderExecution;
  readonly base: readonly string[];
}

export type CommitResult =
  | { ok: true; profit: bigint; gasUsed: bigint; replayed: boolean }
  | { ok: false; failure: OrderFailure; profit?: bigint };

export interface CommitOptions {
  /** Below this profit a re-executed order is not taken (`PROFIT_TOO_LOW`, with the profit it would earn). */
  minProfit?: bigint;
  /**
   * Other executions of the order (a conflict group's evaluation, on top of the group's earlier orders): replayed
   * when the simulation cannot be and one of them holds, else the order is executed. The result is the same
   * either way (a replay that holds is what executing gives); only the work differs.
   */
  alternatives?: readonly CommitSimulation[];
}

/** The least gas a transaction uses: below this much left, the block is full. */
export const MIN_TX_GAS = 21_000n;

export class PartialBlock {
  readonly ctx: ExecutionContext;
  readonly env: ExecutionEnv;
  /** The block's changes over the top-of-block state. */
  readonly layer: StateLayer;
  readonly txs: CommittedTx[] = [];
  readonly orders: CommittedOrder[] = [];
  gasUsed = 0n;
  blobGasUsed = 0n;
  /** The coinbase's balance gain from the committed orders. */
  value = 0n;
  /** Orders replayed from their simulation, and orders executed. */
  replayed = 0;
  executed = 0;

  #gasCap: bigint;
  readonly #coinbaseStart: bigint;
  #coinbaseBalance: bigint;
  /** State key number (an account field or a slot) → index in `orders` of the last order that wrote it. */
  readonly #lastWriter = new Map<number, number>();
  /** The numbering `#lastWriter` is in. */
  #keyGeneration = keyGeneration();
  readonly #index = new Map<string, number>();
  /** Per committed order: applied exactly as simulated (its writes equal the simulation's). */
  readonly #asSimulated: boolean[] = [];

  constructor(ctx: ExecutionContext, env: ExecutionEnv) {
    // A safe point to bound the key table (in a worker too, where no grouping does it): blocks still being
    // filled number their writers again when they next look.
    renumberKeysIfFull();
    this.ctx = ctx;
    this.env = env;
    this.layer = new StateLayer(ctx.topOfBlock);
    this.#gasCap = ctx.gasLimit - ctx.gasReserve;
    this.#coinbaseStart = ctx.topOfBlock.account(ctx.coinbaseKey)?.balance ?? 0n;
    this.#coinbaseBalance = this.#coinbaseStart;
  }

  /** Gas still free for orders (the payout's reserve excluded until `releaseReserve`). */
  get gasLeft(): bigint {
    return this.#gasCap - this.gasUsed;
  }

  /** Sealing: the payout may now use the gas kept for it. */
  releaseReserve(): void {
    this.#gasCap = this.ctx.gasLimit;
  }

  has(orderId: string): boolean {
    return this.#index.has(orderId);
  }

  /** The sender's nonce in the block so far. */
  nonceOf(sender: string): bigint {
    return this.layer.account(sender)?.nonce ?? 0n;
  }

  /** Whether every nonce the order uses is its sender's next one here (droppable transactions aside). */
  readiness(order: Order): "ready" | "pending" | "spent" {
    let expected: Map<string, bigint> | undefined;
    for (const t of order.txs) {
      if (t.canDrop) continue;
      const e = expected?.get(t.sender) ?? this.nonceOf(t.sender);
      if (t.nonce < e) return "spent";
      if (t.nonce > e) return "pending";
      expected ??= new Map();
      expected.set(t.sender, e + 1n);
    }
    return "ready";
  }

  async commit(order: Order, sim?: CommitSimulation, options: CommitOptions = {}): Promise<CommitResult> {
    // Every algorithm fills through here: the event loop gets a turn every few milliseconds of filling.
    const turn = yieldIfDue();
    if (turn !== undefined) await turn;
    const { block } = this.ctx;
    if (!inWindow(order, block.header.number, block.header.timestamp)) {
      return fail("OUT_OF_WINDOW", `bundle ${order.id} is not for this block or its timestamps exclude it`);
    }
    // Gas first: it only shrinks, so an order that does not fit now never will (and the check is cheapest).
    const first = order.txs[0];
    if (first !== undefined && !first.canDrop && first.tx.gasLimit > this.gasLeft) {
      return fail("NO_GAS_LEFT", `gas limit ${first.tx.gasLimit} above the ${this.gasLeft} left`);
    }
    if (sim !== undefined && sim.execution.gasUsed > this.gasLeft) {
      return fail("NO_GAS_LEFT", `simulated gas ${sim.execution.gasUsed} above the ${this.gasLeft} left`);
    }
    const ready = this.readiness(order);
    if (ready === "pending") return fail("NONCE_PENDING", `order ${order.id} needs a nonce the block has not reached`);
    if (ready === "spent") return fail("NONCE_SPENT", `order ${order.id} uses a nonce the block has spent`);

    if (sim !== undefined && this.#canReplay(sim)) return this.#replay(order, sim);
    for (const alternative of options.alternatives ?? []) {
      if (this.#canReplay(alternative)) return this.#replay(order, alternative);
    }

    const orderLayer = new StateLayer(this.layer);
    // runTx checks each gas limit against the header's limit less this: the reserve counts as used.
    const blockGasUsed = this.gasUsed + this.ctx.gasLimit - this.#gasCap;
    const outcome = await executeOrder(this.env, this.ctx, order, orderLayer, { blockGasUsed });
    if (!outcome.ok) return { ok: false, failure: outcome.failure };
    const execution = outcome.execution;
    if (this.blobGasUsed + execution.blobGasUsed > this.ctx.maxBlobGas) {
      return fail(
        "NO_GAS_LEFT",
        `blob gas ${execution.blobGasUsed} above the ${this.ctx.maxBlobGas - this.blobGasUsed} left`,
      );
    }
    if (options.minProfit !== undefined && execution.profit < options.minProfit) {
      return {
        ok: false,
        failure: { code: "PROFIT_TOO_LOW", message: `earns ${execution.profit}, below ${options.minProfit}` },
        profit: execution.profit,
      };
    }
    orderLayer.mergeIntoParent();
    this.#record(order, execution, false);
    this.executed++;
    return { ok: true, profit: execution.profit, gasUsed: execution.gasUsed, replayed: false };
  }

  #canReplay(sim: CommitSimulation): boolean {
    if (!sim.execution.replayable) return false;
    let allowed: Set<number> | undefined;
    for (const id of sim.base) {
      const index = this.#index.get(id);
      if (index === undefined || !this.#asSimulated[index]) return false;
      allowed ??= new Set();
      allowed.add(index);
    }
    const writers = this.#writers();
    if (writers.size === 0) return true;
    for (const key of keysOf(sim.execution.reads).ids) {
      const w = writers.get(key);
      if (w !== undefined && !allowed?.has(w)) return false;
    }
    return true;
  }

  /** The last writers, numbered again first if the state keys were renumbered since they were recorded. */
  #writers(): Map<number, number> {
    const writers = this.#lastWriter;
    if (this.#keyGeneration !== keyGeneration()) {
      writers.clear();
      this.orders.forEach((c, index) => {
        for (const key of keysOf(c.execution.writes).ids) writers.set(key, index);
      });
      this.#keyGeneration = keyGeneration();
    }
    return writers;
  }

  #replay(order: Order, sim: CommitSimulation): CommitResult {
    const execution = sim.execution;
    let used = this.gasUsed;
    for (const t of execution.txs) {
      const limit = order.txs[t.position]?.tx.gasLimit ?? 0n;
      if (limit > this.#gasCap - used)
        return fail("NO_GAS_LEFT", `gas limit ${limit} above the ${this.#gasCap - used} left`);
      used += t.gasUsed;
    }
    if (this.blobGasUsed + execution.blobGasUsed > this.ctx.maxBlobGas) {
      return fail(
        "NO_GAS_LEFT",
        `blob gas ${execution.blobGasUsed} above the ${this.ctx.maxBlobGas - this.blobGasUsed} left`,
      );
    }
    const cb = this.ctx.coinbaseKey;
    for (const t of execution.txs) {
      applyDiff(this.layer, t.diff);
      if (t.coinbaseDelta !== 0n) {
        const record = this.layer.account(cb) ?? emptyAccount();
        this.layer.accounts.set(cb, { ...record, balance: record.balance + t.coinbaseDelta });
      }
    }
    this.#record(order, execution, true);
    this.replayed++;
    return { ok: true, profit: execution.profit, gasUsed: execution.gasUsed, replayed: true };
  }

  #record(order: Order, execution: OrderExecution, asSimulated: boolean): void {
    const index = this.orders.length;
    for (const t of execution.txs) this.#recordTx(order, t);
    const writers = this.#writers();
    for (const key of keysOf(execution.writes).ids) writers.set(key, index);
    this.#index.set(order.id, index);
    this.#asSimulated.push(asSimulated);
    this.orders.push({ order, profit: execution.profit, gasUsed: execution.gasUsed, replayed: asSimulated, execution });
    this.value += execution.profit;
  }

  #recordTx(order: Order, t: ExecutedTx): void {
    const otx = order.txs[t.position];
    if (otx === undefined) return;
    this.gasUsed += t.gasUsed;
    this.blobGasUsed += t.blobGasUsed;
    this.#coinbaseBalance += t.coinbaseDelta;
    this.txs.push({
      orderId: order.id,
      tx: otx.tx,
      raw: otx.raw,
      hash: t.hash,
      gasUsed: t.gasUsed,
      blobGasUsed: t.blobGasUsed,
      receipt: { ...t.receipt, cumulativeBlockGasUsed: this.gasUsed } as TxReceipt,
      diff: t.diff,
      reads: t.reads,
      writes: t.writes,
      coinbaseBalance: this.#coinbaseBalance,
      coinbaseNonce: t.coinbaseNonce,
    });
  }

  /** The coinbase's balance gain so far (equals `value`: kept apart as a check). */
  coinbaseGain(): bigint {
    return (this.layer.account(this.ctx.coinbaseKey)?.balance ?? 0n) - this.#coinbaseStart;
  }

  transactions(): TypedTransaction[] {
    return this.txs.map((t) => t.tx);
  }

  receiptsRoot(): Uint8Array {
    return CachedTrie.orderedRoot(this.txs.map((t) => encodeReceipt(t.receipt, t.tx.type, { cacheLogs: true })));
  }

  logsBloom(): Uint8Array {
    const bloom = new Uint8Array(256);
    for (const t of this.txs) {
      const bits = t.receipt.bitvector;
      for (let i = 0; i < 256; i++) bloom[i] = (bloom[i] as number) | (bits[i] as number);
    }
    return bloom;
  }
}

function fail(code: OrderFailure["code"], message: string): CommitResult {
  return { ok: false, failure: { code, message } };
}
