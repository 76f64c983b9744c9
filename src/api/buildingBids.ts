/**
 * Bids from the building pipeline (`src/building`) behind the Builder API's `BidSource`, on a mainnet block
 * fixture as the parent (`weft builder --fixture`):
 *
 *   parent: the fixture's pre-state and parent hash; its header fixes number, timestamp, gas limit, base fee,
 *     withdrawals. The same block is built in every slot.
 *   fee recipients (`addFeeRecipient`, one per validator registration): each has its own build context, with
 *     the fee recipient as coinbase, or, given the builder's execution key, the builder's address as coinbase
 *     and a payout transaction to the fee recipient at the end of the block.
 *   slots: the target slot moves `leadMs` before a slot starts (`startSlot`, driven by the chain's clock): the
 *     build in flight for the old slot is cancelled (the slot's token) and every fee recipient gets a build.
 *   orders: the pool (the fixture's transactions, then whatever JSON-RPC accepts); `ordersChanged()` asks for
 *     a rebuild.
 *   → one loop builds each (slot, fee recipient) whose last build is older than the pool, least recently built
 *     first: one build in flight, and orders that arrive meanwhile are coalesced into the next one
 *   → `SlotBuilder`: startSlot when the slot or the fee recipient changed (that re-simulates on the context's
 *     coinbase), then build: simulate the new orders, every algorithm, seal the best
 *   → a `ReadyBid` (the sealed payload and requests, value = what the fee recipient is paid), held per slot and
 *     fee recipient when it pays more than the held one, or when the held one includes a transaction that has
 *     left the pool (a cancelled or replaced order) → `onBid` listeners (the server pre-signs it).
 *
 * `bestBid` is a map lookup. The build runs on this thread, except simulation and conflict-group resolution,
 * which run on the simulation pool's workers when it has any; `SlotBuilder` yields to the event loop between
 * phases, so getHeader and JSON-RPC calls wait at most one phase (one algorithm's fill, or the seal).
 *
 * Caveats of building on a fixture: the payload is self-consistent under the fixture's fork rules (the state
 * root is that of the partial pre-state; number, timestamp and withdrawals are the fixture's), not a payload
 * mainnet, or the devnet clock's slot, would accept. Blob transactions are left out (a fixture has no
 * sidecars). The registration's gas limit is not used (the fixture's is). Fee recipients share one simulation
 * pool, so with several of them each rebuild re-simulates the pool on its own coinbase.
 */
import { Address, bytesToHex } from "@ethereumjs/util";
import type { BiddingStrategy } from "../building/bidding/bidding.js";
import { BestBids } from "../building/bidding/bidding.js";
import type { BlockBuildingAlgorithm } from "../building/builders/algorithm.js";
import { type BuildContext, createBuildContext } from "../building/context.js";
import { BuildingError } from "../building/errors.js";
import type { FixtureParent } from "../building/fixtureParent.js";
import type { OrderPool } from "../building/orders/orderPool.js";
import type { BuilderKey as PayoutKey } from "../building/sealing/payout.js";
import type { SimulationPool } from "../building/simulation/simulationPool.js";
import { type SlotBuild, SlotBuilder } from "../building/slotBuilder.js";
import { bytesKey } from "../execution/state/keys.js";
import type { Logger } from "../shared/logger.js";
import type { BidListener, BidRequest, BidSource, ReadyBid } from "./bidSource.js";
import { type BuilderChain, builderForkAt, currentSlot, slotStartMs } from "./chain.js";
import { buildSeconds, buildsTotal } from "./metrics.js";
import type { IntakeChain } from "./rpc/validateTransaction.js";

export interface BuildingBidSourceOptions {
  chain: BuilderChain;
  parent: FixtureParent;
  orders: OrderPool;
  /** Prepared and used by this source alone; closing it stays with the caller. */
  simulation: SimulationPool;
  algorithms: readonly BlockBuildingAlgorithm[];
  /** The builder's execution key: its address is the coinbase and it pays every fee recipient. */
  builder?: PayoutKey;
  bidding?: BiddingStrategy;
  /** How long before a slot starts its builds begin (default two thirds of a slot: 4 s into the slot before). */
  leadMs?: number;
  /** Wait this long after an idle spell before building, so that a burst of orders lands in one build (5 ms). */
  debounceMs?: number;
  /** Move slots with the chain's clock (default true); false: only `startSlot` moves them. */
  followClock?: boolean;
  /** Bids of slots this far behind the target are dropped (default 2). */
  keepSlots?: number;
  logger?: Logger;
}

/** What happened to one build; fee recipients are `0x` hex. */
export type BuildEvent =
  | { kind: "started"; slot: number; feeRecipient: string }
  | ({ kind: "sealed" } & SealedBid)
  | { kind: "cancelled"; slot: number; feeRecipient: string }
  | { kind: "failed"; slot: number; feeRecipient: string; error: Error };

export interface SealedBid {
  slot: number;
  feeRecipient: string;
  blockHash: string;
  /** What the fee recipient is paid, in wei (the bid's value). */
  value: bigint;
  /** Transactions in the payload (the payout included). */
  txs: number;
  gasUsed: bigint;
  algorithm: string;
  /** Orders simulated by this build (the others' simulations were reused). */
  simulations: number;
  /** Whole build: simulation, every algorithm, seal. */
  ms: number;
  /** Whether it became the bid held for the slot and fee recipient. */
  held: boolean;
}

interface Recipient {
  key: string;
  hex: string;
  address: Address;
  /** The validator that registered it last (named on the bid, for relay submission). */
  pubkey: Uint8Array | undefined;
  /** Every validator registered with it (hex keys). */
  proposers: Set<string>;
  context: Promise<BuildContext> | undefined;
  /** The slot and pool version of its last finished build. */
  built: { slot: number; version: number } | undefined;
  /** Order of its last build among all builds (least recently built goes first). */
  builtSeq: number;
}

interface HeldBid {
  bid: ReadyBid;
  /** The block's transaction hashes, the payout left out. */
  txHashes: string[];
}

export class BuildingBidSource implements BidSource {
  readonly parentHash: Uint8Array;
  readonly #options: BuildingBidSourceOptions;
  readonly #slots: SlotBuilder;
  readonly #recipients = new Map<string, Recipient>();
  /** Validator (hex key) → the fee recipient (key) it registered last. */
  readonly #byProposer = new Map<string, string>();
  readonly #held = new Map<number, Map<string, HeldBid>>();
  readonly #bidListeners = new Set<BidListener>();
  readonly #buildListeners = new Set<(event: BuildEvent) => void>();
  readonly #bestBids = new BestBids();
  readonly #leadMs: number;
  #slot: number | undefined;
  /** The slot and fee recipient the slot builder was last started on (undefined after a cancellation). */
  #started: { slot: number; key: string } | undefined;
  #inFlight: { slot: number; key: string } | undefined;
  #loop: Promise<void> | undefined;
  #buildSeq = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: BuildingBidSourceOptions) {
    this.#options = options;
    this.parentHash = options.parent.parentHash;
    this.#leadMs = options.leadMs ?? (options.chain.secondsPerSlot * 1000 * 2) / 3;
    this.#slots = new SlotBuilder({
      orders: options.orders,
      simulation: options.simulation,
      algorithms: options.algorithms,
      bids: this.#bestBids,
      ...(options.builder === undefined ? {} : { builder: options.builder }),
      ...(options.bidding === undefined ? {} : { bidding: options.bidding }),
    });
    if (options.followClock ?? true) {
      this.startSlot(this.#slotToBuild());
      this.#scheduleNextSlot();
    }
  }

  /** The slot being built for (undefined until the first `startSlot`). */
  get slot(): number | undefined {
    return this.#slot;
  }

  /** The coinbase of every block: the builder's address, or undefined when each fee recipient is its own. */
  get coinbase(): Address | undefined {
    return this.#options.builder?.address;
  }

  /**
   * Builds for this fee recipient from now on, in every slot (a registration; repeats change nothing). A
   * validator that registers another fee recipient leaves its old one, which is no longer built for once no
   * validator has it (its bids stay until their slots pass).
   */
  addFeeRecipient(feeRecipient: Uint8Array, proposerPubkey?: Uint8Array): void {
    const key = bytesKey(feeRecipient);
    const pubkeyHex = proposerPubkey === undefined ? undefined : bytesKey(proposerPubkey);
    if (pubkeyHex !== undefined) {
      const before = this.#byProposer.get(pubkeyHex);
      if (before !== undefined && before !== key) {
        const old = this.#recipients.get(before);
        old?.proposers.delete(pubkeyHex);
        if (old !== undefined && old.proposers.size === 0) this.#recipients.delete(before);
      }
      this.#byProposer.set(pubkeyHex, key);
    }
    const held = this.#recipients.get(key);
    if (held !== undefined) {
      if (proposerPubkey !== undefined && pubkeyHex !== undefined) {
        held.pubkey = proposerPubkey;
        held.proposers.add(pubkeyHex);
      }
      return;
    }
    this.#recipients.set(key, {
      key,
      hex: `0x${key}`,
      address: new Address(Uint8Array.from(feeRecipient)),
      pubkey: proposerPubkey,
      proposers: new Set(pubkeyHex === undefined ? [] : [pubkeyHex]),
      context: undefined,
      built: undefined,
      builtSeq: -1,
    });
    this.#kick();
  }

  /** The fee recipients built for (`0x` hex). */
  get feeRecipients(): string[] {
    return [...this.#recipients.values()].map((r) => r.hex);
  }

  /** The pool changed: rebuild (coalesced with whatever else arrives before the build starts). */
  ordersChanged(): void {
    this.#kick();
  }

  /** Builds for `slot` from now on; a build in flight for an earlier slot is cancelled. Earlier slots are ignored. */
  startSlot(slot: number): void {
    if (this.#closed || (this.#slot !== undefined && slot <= this.#slot)) return;
    this.#slot = slot;
    const keep = this.#options.keepSlots ?? 2;
    for (const s of this.#held.keys()) if (s < slot - keep) this.#held.delete(s);
    this.#bestBids.prune(slot);
    if (this.#inFlight !== undefined && this.#inFlight.slot < slot) this.#slots.cancel();
    this.#kick();
  }

  bestBid(request: BidRequest): ReadyBid | undefined {
    if (!Buffer.from(request.parentHash).equals(this.parentHash)) return undefined;
    return this.#held.get(request.slot)?.get(bytesKey(request.feeRecipient))?.bid;
  }

  onBid(listener: BidListener): () => void {
    this.#bidListeners.add(listener);
    return () => this.#bidListeners.delete(listener);
  }

  /** Every build's start and outcome. */
  onBuild(listener: (event: BuildEvent) => void): () => void {
    this.#buildListeners.add(listener);
    return () => this.#buildListeners.delete(listener);
  }

  /** Resolves when nothing is left to build (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#loop !== undefined) await this.#loop;
  }

  /** Stops the clock, cancels the build in flight and waits for it. The simulation pool stays open. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#slots.cancel();
    await this.idle();
  }

  #emit(event: BuildEvent): void {
    for (const listener of this.#buildListeners) listener(event);
  }

  #slotToBuild(now = this.#options.chain.now()): number {
    return currentSlot(this.#options.chain, now + this.#leadMs);
  }

  #scheduleNextSlot(): void {
    if (this.#closed) return;
    const chain = this.#options.chain;
    const next = (this.#slot ?? this.#slotToBuild()) + 1;
    const delay = Math.max(0, slotStartMs(chain, next) - this.#leadMs - chain.now());
    this.#timer = setTimeout(() => {
      this.startSlot(Math.max(next, this.#slotToBuild()));
      this.#scheduleNextSlot();
    }, delay);
    this.#timer.unref();
  }

  /** Starts the build loop unless it runs; a running loop finds new work itself after each build. */
  #kick(): void {
    if (this.#closed || this.#loop !== undefined) return;
    this.#loop = this.#run()
      .catch((err: unknown) => this.#options.logger?.error({ err }, "build loop failed"))
      .finally(() => {
        this.#loop = undefined;
        if (this.#nextJob() !== undefined) this.#kick();
      });
  }

  async #run(): Promise<void> {
    const debounceMs = this.#options.debounceMs ?? 5;
    if (debounceMs > 0) await new Promise((resolve) => setTimeout(resolve, debounceMs));
    for (;;) {
      if (this.#closed) return;
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

  async #build(slot: number, recipient: Recipient): Promise<void> {
    const { orders, logger } = this.#options;
    const version = orders.version;
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
      const held = this.#hold(slot, recipient, built);
      const sealed = built.sealed;
      const ms = performance.now() - start;
      buildsTotal.inc({ outcome: held ? "held" : "sealed" });
      buildSeconds.observe(ms / 1000);
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
        ms,
        held,
      });
    } catch (error) {
      if (error instanceof BuildingError && error.code === "CANCELLED") {
        // The slot builder's token is spent: the next build starts its slot again.
        this.#started = undefined;
        buildsTotal.inc({ outcome: "cancelled" });
        this.#emit({ kind: "cancelled", slot, feeRecipient: recipient.hex });
        return;
      }
      // Not retried until the pool or the slot changes.
      recipient.built = { slot, version };
      recipient.builtSeq = ++this.#buildSeq;
      const err = error instanceof Error ? error : new Error(String(error));
      buildsTotal.inc({ outcome: "failed" });
      logger?.error({ err, slot, feeRecipient: recipient.hex }, "build failed");
      this.#emit({ kind: "failed", slot, feeRecipient: recipient.hex, error: err });
    } finally {
      this.#inFlight = undefined;
    }
  }

  #contextFor(recipient: Recipient): Promise<BuildContext> {
    if (recipient.context === undefined) {
      const { parent, builder } = this.#options;
      const coinbase = builder?.address ?? recipient.address;
      recipient.context = createBuildContext(
        parent.common,
        parent.attributes(coinbase, recipient.address),
        parent.base,
      );
      // A context that cannot be made is made again next time (and fails the same way, visibly).
      recipient.context.catch(() => {
        recipient.context = undefined;
      });
    }
    return recipient.context;
  }

  /** Holds the sealed block as the slot's bid for the fee recipient when it should replace the held one. */
  #hold(slot: number, recipient: Recipient, built: SlotBuild): boolean {
    const fork = builderForkAt(this.#options.chain, slot);
    if (fork === undefined) return false;
    const { sealed } = built;
    let bySlot = this.#held.get(slot);
    if (bySlot === undefined) {
      bySlot = new Map();
      this.#held.set(slot, bySlot);
    }
    const held = bySlot.get(recipient.key);
    if (held !== undefined && sealed.payout <= held.bid.value && !this.#leftThePool(held)) return false;
    const bid: ReadyBid = {
      slot,
      fork,
      payload: sealed.executionPayload,
      blobsBundle: { commitments: [], proofs: [], blobs: [] },
      executionRequests: sealed.executionRequests,
      value: sealed.payout,
    };
    if (recipient.pubkey !== undefined) bid.proposerPubkey = recipient.pubkey;
    const txHashes: string[] = [];
    for (const tx of sealed.block.transactions) if (tx !== sealed.payoutTx) txHashes.push(bytesToHex(tx.hash()));
    bySlot.set(recipient.key, { bid, txHashes });
    for (const listener of this.#bidListeners) listener(bid);
    return true;
  }

  /** Whether a transaction of the held bid is no longer pooled (its order was cancelled or replaced). */
  #leftThePool(held: HeldBid): boolean {
    const pooled = new Set<string>();
    for (const order of this.#options.orders.orders()) for (const t of order.txs) pooled.add(t.hash);
    return held.txHashes.some((hash) => !pooled.has(hash));
  }
}

/** What JSON-RPC admission checks orders against: the next block of the fixture, on its pre-state. */
export function intakeChainOf(parent: FixtureParent): IntakeChain {
  const h = parent.block.header;
  return {
    common: parent.common,
    nextBlockNumber: h.number,
    nextTimestamp: h.timestamp,
    baseFee: h.baseFeePerGas ?? 0n,
    gasLimit: h.gasLimit,
    account(key) {
      const record = parent.base.account(key);
      return { nonce: record?.nonce ?? 0n, balance: record?.balance ?? 0n };
    },
  };
}
