/**
 * The build loop behind `weft builder`: the slot builder driven per slot and fee recipient on one parent (a
 * fixture's pre-state), rebuilding as orders arrive.
 *
 *   fee recipients (`addFeeRecipient`, `removeFeeRecipient`): each has its own build context, with the fee
 *     recipient as coinbase, or, given the builder's key, the builder's address as coinbase and a payout
 *     transaction to the fee recipient at the end of the block
 *   slots (`startSlot`): the build in flight for an older slot is cancelled (the slot's token); every fee
 *     recipient gets a build for the new slot
 *   orders: the pool; `ordersChanged()` asks for a rebuild
 *   → one loop builds each (slot, fee recipient) whose last build is older than the pool, least recently built
 *     first: one build in flight, and orders that arrive meanwhile are coalesced into the next one
 *   → `SlotBuilder`: startSlot when the slot or the fee recipient changed (which re-simulates the pool on that
 *     coinbase), then build: simulate the new orders, run every algorithm, seal the best
 *   → every sealed block is reported (`onEvent`) with its payload: which one to bid is the caller's choice.
 *
 * It runs on the thread it is made on; `buildThread.ts` runs it on a worker thread of its own, so that its CPU
 * time and its garbage stay off the thread that serves getHeader.
 */
import { Address, bytesToHex } from "@ethereumjs/util";
import type { electra } from "@lodestar/types";
import { bytesKey } from "../execution/state/keys.js";
import type { Logger } from "../shared/logger.js";
import { BestBids, type BiddingStrategy } from "./bidding/bidding.js";
import type { BlockBuildingAlgorithm } from "./builders/algorithm.js";
import { type BuildContext, createBuildContext } from "./context.js";
import { BuildingError } from "./errors.js";
import type { FixtureParent } from "./fixtureParent.js";
import type { OrderPool } from "./orders/orderPool.js";
import type { BuilderKey as PayoutKey } from "./sealing/payout.js";
import type { SimulationPool } from "./simulation/simulationPool.js";
import { SlotBuilder } from "./slotBuilder.js";

/** What happened to one build (plain data: it crosses threads). Fee recipients are `0x` hex. */
export type BuildLoopEvent =
  | { kind: "started"; slot: number; feeRecipient: string }
  | { kind: "cancelled"; slot: number; feeRecipient: string }
  | { kind: "failed"; slot: number; feeRecipient: string; message: string }
  | ({ kind: "sealed" } & SealedBuild);

export interface SealedBuild {
  slot: number;
  feeRecipient: string;
  blockHash: string;
  /** What the fee recipient is paid, in wei. */
  value: bigint;
  /** Transactions in the payload (the payout included). */
  txs: number;
  gasUsed: bigint;
  algorithm: string;
  /** Orders simulated by this build (the others' simulations were reused). */
  simulations: number;
  /** The whole build: simulation, every algorithm, the seal. */
  ms: number;
  payload: electra.ExecutionPayload;
  executionRequests: electra.ExecutionRequests;
  /** Hashes (`0x`) of the block's transactions, the payout left out. */
  txHashes: string[];
}

/** The build loop as its users see it, on this thread (`BuildLoop`) or on a worker thread (`startBuildThread`). */
export interface BuildEngine {
  addFeeRecipient(feeRecipient: Uint8Array): void;
  removeFeeRecipient(feeRecipient: Uint8Array): void;
  /** The pool changed: rebuild (coalesced with whatever else arrives before the build starts). */
  ordersChanged(): void;
  /** Builds for `slot` from now on; a build in flight for an earlier slot is cancelled. Earlier slots are ignored. */
  startSlot(slot: number): void;
  onEvent(listener: (event: BuildLoopEvent) => void): () => void;
  /** Resolves when nothing is left to build. */
  idle(): Promise<void>;
  /** Cancels the build in flight and stops. */
  close(): Promise<void>;
}

export interface BuildLoopOptions {
  parent: FixtureParent;
  orders: OrderPool;
  /** Prepared and used by this loop alone; closing it stays with the caller. */
  simulation: SimulationPool;
  algorithms: readonly BlockBuildingAlgorithm[];
  /** The builder's execution key: its address is the coinbase and it pays every fee recipient. */
  builder?: PayoutKey;
  bidding?: BiddingStrategy;
  /** Wait this long after an idle spell before building, so that a burst of orders lands in one build (5 ms). */
  debounceMs?: number;
  /** Where a listener's error goes (a listener cannot stop the loop). */
  logger?: Logger;
}

interface Recipient {
  key: string;
  hex: string;
  address: Address;
  context: Promise<BuildContext> | undefined;
  /** The slot and pool version of its last finished build. */
  built: { slot: number; version: number } | undefined;
  /** Order of its last build among all builds (least recently built goes first). */
  builtSeq: number;
}

export class BuildLoop implements BuildEngine {
  readonly #options: BuildLoopOptions;
  readonly #slots: SlotBuilder;
  readonly #bestBids = new BestBids();
  readonly #recipients = new Map<string, Recipient>();
  readonly #listeners = new Set<(event: BuildLoopEvent) => void>();
  #slot: number | undefined;
  /** The slot and fee recipient the slot builder was last started on (undefined after a cancellation). */
  #started: { slot: number; key: string } | undefined;
  #inFlight: { slot: number; key: string } | undefined;
  #loop: Promise<void> | undefined;
  #buildSeq = 0;
  #closed = false;

  constructor(options: BuildLoopOptions) {
    this.#options = options;
    this.#slots = new SlotBuilder({
      orders: options.orders,
      simulation: options.simulation,
      algorithms: options.algorithms,
      bids: this.#bestBids,
      ...(options.builder === undefined ? {} : { builder: options.builder }),
      ...(options.bidding === undefined ? {} : { bidding: options.bidding }),
    });
  }

  addFeeRecipient(feeRecipient: Uint8Array): void {
    const key = bytesKey(feeRecipient);
    if (this.#recipients.has(key)) return;
    this.#recipients.set(key, {
      key,
      hex: `0x${key}`,
      address: new Address(Uint8Array.from(feeRecipient)),
      context: undefined,
      built: undefined,
      builtSeq: -1,
    });
    this.#kick();
  }

  removeFeeRecipient(feeRecipient: Uint8Array): void {
    this.#recipients.delete(bytesKey(feeRecipient));
  }

  ordersChanged(): void {
    this.#kick();
  }

  startSlot(slot: number): void {
    if (this.#closed || (this.#slot !== undefined && slot <= this.#slot)) return;
    this.#slot = slot;
    this.#bestBids.prune(slot);
    if (this.#inFlight !== undefined && this.#inFlight.slot < slot) this.#slots.cancel();
    this.#kick();
  }

  onEvent(listener: (event: BuildLoopEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async idle(): Promise<void> {
    while (this.#loop !== undefined) await this.#loop;
  }

  /** Cancels the build in flight and waits for it. The simulation pool stays open. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#slots.cancel();
    await this.idle();
  }

  #emit(event: BuildLoopEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (err) {
        this.#options.logger?.error({ err, event: event.kind }, "build event listener failed");
      }
    }
  }

  /** Starts the loop unless it runs; a running loop finds new work itself after each build. */
  #kick(): void {
    if (this.#closed || this.#loop !== undefined) return;
    this.#loop = this.#run().finally(() => {
      this.#loop = undefined;
      if (this.#nextJob() !== undefined) this.#kick();
    });
  }

  async #run(): Promise<void> {
    const debounceMs = this.#options.debounceMs ?? 5;
    if (debounceMs > 0) await new Promise((resolve) => setTimeout(resolve, debounceMs));
    for (;;) {
      const job = this.#nextJob();
      if (job === undefined) return;
      await this.#build(job.slot, job.recipient);
    }
  }

  /** The fee recipient least recently built whose last build is older than the target slot or the pool. */
  #nextJob(): { slot: number; recipient: Recipient } | undefined {
    const slot = this.#slot;
    if (slot === undefined || this.#closed) return undefined;
    const version = this.#options.orders.version;
    let next: Recipient | undefined;
    for (const r of this.#recipients.values()) {
      if (r.built?.slot === slot && r.built.version === version) continue;
      if (next === undefined || r.builtSeq < next.builtSeq) next = r;
    }
    return next === undefined ? undefined : { slot, recipient: next };
  }

  /** One build; never throws (its outcome is an event). */
  async #build(slot: number, recipient: Recipient): Promise<void> {
    const version = this.#options.orders.version;
    const start = performance.now();
    this.#inFlight = { slot, key: recipient.key };
    this.#emit({ kind: "started", slot, feeRecipient: recipient.hex });
    try {
      const ctx = await this.#contextFor(recipient);
      if (this.#started?.slot !== slot || this.#started.key !== recipient.key) {
        this.#started = undefined;
        await this.#slots.startSlot(BigInt(slot), ctx);
        this.#started = { slot, key: recipient.key };
      }
      // The target moved on while the context was being made (its cancel found no token to cancel).
      if (this.#slot !== slot) throw new BuildingError("CANCELLED", `slot ${slot} is over`);
      const built = await this.#slots.build();
      recipient.built = { slot, version };
      recipient.builtSeq = ++this.#buildSeq;
      const { sealed } = built;
      const txHashes: string[] = [];
      for (const tx of sealed.block.transactions) if (tx !== sealed.payoutTx) txHashes.push(bytesToHex(tx.hash()));
      this.#emit({
        kind: "sealed",
        slot,
        feeRecipient: recipient.hex,
        blockHash: bytesToHex(sealed.blockHash),
        value: sealed.payout,
        txs: sealed.block.transactions.length,
        gasUsed: sealed.gasUsed,
        algorithm: built.algorithm,
        simulations: built.simulations,
        ms: performance.now() - start,
        payload: sealed.executionPayload,
        executionRequests: sealed.executionRequests,
        txHashes,
      });
    } catch (error) {
      if (error instanceof BuildingError && error.code === "CANCELLED") {
        // The slot builder's token is spent: the next build starts its slot again.
        this.#started = undefined;
        this.#emit({ kind: "cancelled", slot, feeRecipient: recipient.hex });
        return;
      }
      // Not retried until the pool or the slot changes.
      recipient.built = { slot, version };
      recipient.builtSeq = ++this.#buildSeq;
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      this.#emit({ kind: "failed", slot, feeRecipient: recipient.hex, message });
    } finally {
      this.#inFlight = undefined;
    }
  }

  #contextFor(recipient: Recipient): Promise<BuildContext> {
    if (recipient.context === undefined) {
      const { parent, builder } = this.#options;
      const coinbase = builder?.address ?? recipient.address;
      const context = createBuildContext(parent.common, parent.attributes(coinbase, recipient.address), parent.base);
      // A context that cannot be made is made again next time (and fails the same way, visibly).
      context.catch(() => {
        recipient.context = undefined;
      });
      recipient.context = context;
    }
    return recipient.context;
  }
}
