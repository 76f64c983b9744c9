/**
 * Bids from the building pipeline behind the Builder API's `BidSource` (`weft builder --fixture`): a build
 * engine (`src/building/buildLoop.ts`, on its own thread with `startBuildThread`) builds on a fixture's parent;
 * this source drives it with the slot clock and the validator registrations, and keeps the best sealed block
 * per slot and fee recipient, ready for getHeader.
 *
 *   registrations (`addFeeRecipient`): the engine builds for every fee recipient some validator registered; a
 *     validator that changes its fee recipient leaves the old one, dropped once no validator has it
 *   slots: the target slot moves `leadMs` before a slot starts (`startSlot`); the engine cancels the build in
 *     flight for the old slot and builds every fee recipient for the new one
 *   orders: `ordersChanged()` (JSON-RPC accepted one) → the engine rebuilds
 *   sealed block → a `ReadyBid` (payload and requests, value = what the fee recipient is paid), held for its slot
 *     and fee recipient when it pays more than the held one, or when the held one includes a transaction that
 *     has left the pool (a cancelled or replaced order) → `onBid` listeners (the server pre-signs it)
 *
 * `bestBid` is a map lookup. Caveats of building on a fixture: the payload is self-consistent under the
 * fixture's fork rules (the state root is that of the partial pre-state; number, timestamp and withdrawals are
 * the fixture's), not one that mainnet, or the devnet's clock, would accept. Blob transactions are left out (a
 * fixture has no sidecars), and the registration's gas limit is not used (the fixture's is).
 */
import type { BuildEngine, BuildLoopEvent, SealedBuild } from "../building/buildLoop.js";
import type { FixtureParent } from "../building/fixtureParent.js";
import type { OrderPool } from "../building/orders/orderPool.js";
import { bytesKey } from "../execution/state/keys.js";
import type { Logger } from "../shared/logger.js";
import type { BidListener, BidRequest, BidSource, ReadyBid } from "./bidSource.js";
import { type BuilderChain, builderForkAt, currentSlot, slotStartMs } from "./chain.js";
import { buildSeconds, buildsTotal } from "./metrics.js";
import type { IntakeChain } from "./rpc/validateTransaction.js";

export interface BuildingBidSourceOptions {
  chain: BuilderChain;
  /** The parent every block is built on. */
  parentHash: Uint8Array;
  /** The order pool JSON-RPC fills (to tell whether a held bid's orders are still pooled). */
  orders: OrderPool;
  engine: BuildEngine;
  /** How long before a slot starts its builds begin (default two thirds of a slot: 4 s into the slot before). */
  leadMs?: number;
  /** Move slots with the chain's clock (default true); false: only `startSlot` moves them. */
  followClock?: boolean;
  /** Bids of slots this far behind the target are dropped (default 2). */
  keepSlots?: number;
  logger?: Logger;
}

/** What happened to one build; `sealed` says whether the block became the bid held for getHeader. */
export type BuildEvent =
  | Exclude<BuildLoopEvent, { kind: "sealed" }>
  | ({ kind: "sealed"; held: boolean } & Omit<SealedBuild, "payload" | "executionRequests" | "txHashes">);

interface HeldBid {
  bid: ReadyBid;
  txHashes: string[];
}

interface Recipient {
  bytes: Uint8Array;
  /** The validator that registered it last (named on the bid, for relay submission). */
  pubkey: Uint8Array | undefined;
  /** Every validator registered with it (hex keys). */
  proposers: Set<string>;
}

export class BuildingBidSource implements BidSource {
  readonly parentHash: Uint8Array;
  readonly #options: BuildingBidSourceOptions;
  readonly #engine: BuildEngine;
  readonly #recipients = new Map<string, Recipient>();
  /** Validator (hex key) → the fee recipient (key) it registered last. */
  readonly #byProposer = new Map<string, string>();
  readonly #held = new Map<number, Map<string, HeldBid>>();
  readonly #bidListeners = new Set<BidListener>();
  readonly #buildListeners = new Set<(event: BuildEvent) => void>();
  readonly #leadMs: number;
  readonly #unsubscribe: () => void;
  #slot: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: BuildingBidSourceOptions) {
    this.#options = options;
    this.#engine = options.engine;
    this.parentHash = options.parentHash;
    this.#leadMs = options.leadMs ?? (options.chain.secondsPerSlot * 1000 * 2) / 3;
    this.#unsubscribe = this.#engine.onEvent((event) => this.#onEngineEvent(event));
    if (options.followClock ?? true) {
      this.startSlot(this.#slotToBuild());
      this.#scheduleNextSlot();
    }
  }

  /** The slot being built for (undefined until the first `startSlot`). */
  get slot(): number | undefined {
    return this.#slot;
  }

  /** The fee recipients built for (`0x` hex). */
  get feeRecipients(): string[] {
    return [...this.#recipients.keys()].map((key) => `0x${key}`);
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
        if (old !== undefined && old.proposers.size === 0) {
          this.#recipients.delete(before);
          this.#engine.removeFeeRecipient(old.bytes);
        }
      }
      this.#byProposer.set(pubkeyHex, key);
    }
    const known = this.#recipients.get(key);
    if (known !== undefined) {
      if (proposerPubkey !== undefined && pubkeyHex !== undefined) {
        known.pubkey = proposerPubkey;
        known.proposers.add(pubkeyHex);
      }
      return;
    }
    const bytes = Uint8Array.from(feeRecipient);
    this.#recipients.set(key, {
      bytes,
      pubkey: proposerPubkey,
      proposers: new Set(pubkeyHex === undefined ? [] : [pubkeyHex]),
    });
    this.#engine.addFeeRecipient(bytes);
  }

  /** The pool changed: the engine rebuilds. */
  ordersChanged(): void {
    if (!this.#closed) this.#engine.ordersChanged();
  }

  /** Builds for `slot` from now on (the engine cancels the old slot's build). Earlier slots are ignored. */
  startSlot(slot: number): void {
    if (this.#closed || (this.#slot !== undefined && slot <= this.#slot)) return;
    this.#slot = slot;
    const keep = this.#options.keepSlots ?? 2;
    for (const s of this.#held.keys()) if (s < slot - keep) this.#held.delete(s);
    this.#engine.startSlot(slot);
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

  /** Resolves when the engine has nothing left to build (and its events have arrived). */
  idle(): Promise<void> {
    return this.#engine.idle();
  }

  /** Stops the clock and the engine. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    await this.#engine.close();
    this.#unsubscribe();
  }

  #onEngineEvent(event: BuildLoopEvent): void {
    if (event.kind !== "sealed") {
      if (event.kind === "cancelled") buildsTotal.inc({ outcome: "cancelled" });
      if (event.kind === "failed") {
        buildsTotal.inc({ outcome: "failed" });
        this.#options.logger?.error(
          { slot: event.slot, feeRecipient: event.feeRecipient, err: event.message },
          "build failed",
        );
      }
      this.#emit(event);
      return;
    }
    const held = this.#hold(event);
    buildsTotal.inc({ outcome: held ? "held" : "sealed" });
    buildSeconds.observe(event.ms / 1000);
    const { payload: _payload, executionRequests: _requests, txHashes: _hashes, ...summary } = event;
    this.#emit({ ...summary, held });
  }

  #emit(event: BuildEvent): void {
    for (const listener of this.#buildListeners) listener(event);
  }

  /** Holds the sealed block as its slot's bid for the fee recipient when it should replace the held one. */
  #hold(sealed: SealedBuild): boolean {
    const fork = builderForkAt(this.#options.chain, sealed.slot);
    const key = sealed.feeRecipient.slice(2);
    const recipient = this.#recipients.get(key);
    if (fork === undefined || (this.#slot !== undefined && sealed.slot < this.#slot - (this.#options.keepSlots ?? 2))) {
      return false;
    }
    let bySlot = this.#held.get(sealed.slot);
    if (bySlot === undefined) {
      bySlot = new Map();
      this.#held.set(sealed.slot, bySlot);
    }
    const held = bySlot.get(key);
    if (held !== undefined && sealed.value <= held.bid.value && !this.#leftThePool(held)) return false;
    const bid: ReadyBid = {
      slot: sealed.slot,
      fork,
      payload: sealed.payload,
      blobsBundle: { commitments: [], proofs: [], blobs: [] },
      executionRequests: sealed.executionRequests,
      value: sealed.value,
    };
    if (recipient?.pubkey !== undefined) bid.proposerPubkey = recipient.pubkey;
    bySlot.set(key, { bid, txHashes: sealed.txHashes });
    for (const listener of this.#bidListeners) listener(bid);
    return true;
  }

  /** Whether a transaction of the held bid is no longer pooled (its order was cancelled or replaced). */
  #leftThePool(held: HeldBid): boolean {
    const pooled = new Set<string>();
    for (const order of this.#options.orders.orders()) for (const t of order.txs) pooled.add(t.hash);
    return held.txHashes.some((hash) => !pooled.has(hash));
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
