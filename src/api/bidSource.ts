/**
 * What the Builder API needs from block building: for a slot, a parent block hash and a proposer, the best
 * sealed payload ready now. Building (orders, simulation, algorithms, sealing) lives elsewhere and plugs in
 * behind `BidSource`; `InMemoryBidSource` is the one the tests, the benchmark and `weft builder --fixture` feed.
 *
 * `bestBid` is on the proposer's critical path (getHeader), so an implementation answers from what it already
 * holds, without building or awaiting anything.
 */
import type { deneb, ExecutionAddress, electra, fulu } from "@lodestar/types";
import type { BuilderFork } from "./chain.js";

/** Blobs bundle of the payload: Electra's has a KZG proof per blob, Fulu's a proof per cell. */
export type BlobsBundle = deneb.BlobsBundle | fulu.BlobsBundle;

export interface ReadyBid {
  slot: number;
  fork: BuilderFork;
  /** The sealed payload (Electra and Fulu share the container); its `parentHash` is the parent built on. */
  payload: electra.ExecutionPayload;
  blobsBundle: BlobsBundle;
  executionRequests: electra.ExecutionRequests;
  /** What the proposer receives, in wei. */
  value: bigint;
  /** The proposer this payload pays (its registered fee recipient), when it was built for one. */
  proposerPubkey?: Uint8Array;
}

export interface BidRequest {
  slot: number;
  parentHash: Uint8Array;
  proposerPubkey: Uint8Array;
  /** The proposer's registered fee recipient. */
  feeRecipient: ExecutionAddress;
  /** The proposer's preferred gas limit. */
  gasLimit: number;
}

export type BidListener = (bid: ReadyBid) => void;

export interface BidSource {
  /** The best bid ready now for the request, or undefined. Cheap and synchronous. */
  bestBid(request: BidRequest): ReadyBid | undefined;
  /** Called whenever a new bid becomes ready; returns the unsubscribe function. */
  onBid(listener: BidListener): () => void;
}

const bytesEqual = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(b);
const hexKey = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

/**
 * Bids held in memory, the best (highest value) per slot and parent, plus per proposer when a bid was built for
 * one. Slots older than `keepSlots` behind the newest are dropped as bids arrive.
 */
export class InMemoryBidSource implements BidSource {
  readonly #bySlot = new Map<number, Map<string, ReadyBid[]>>();
  readonly #listeners = new Set<BidListener>();
  readonly #keepSlots: number;

  constructor(options: { keepSlots?: number } = {}) {
    this.#keepSlots = options.keepSlots ?? 4;
  }

  /** Offers a bid; it replaces a lower one for the same slot, parent and proposer. */
  put(bid: ReadyBid): void {
    let byParent = this.#bySlot.get(bid.slot);
    if (byParent === undefined) {
      byParent = new Map();
      this.#bySlot.set(bid.slot, byParent);
      for (const slot of this.#bySlot.keys()) if (slot < bid.slot - this.#keepSlots) this.#bySlot.delete(slot);
    }
    const key = hexKey(bid.payload.parentHash);
    const bids = byParent.get(key) ?? [];
    const sameProposer = bids.findIndex((b) => samePubkey(b.proposerPubkey, bid.proposerPubkey));
    if (sameProposer >= 0) {
      if ((bids[sameProposer] as ReadyBid).value >= bid.value) return;
      bids.splice(sameProposer, 1);
    }
    bids.push(bid);
    byParent.set(key, bids);
    for (const listener of this.#listeners) listener(bid);
  }

  bestBid(request: BidRequest): ReadyBid | undefined {
    const bids = this.#bySlot.get(request.slot)?.get(hexKey(request.parentHash));
    if (bids === undefined) return undefined;
    let best: ReadyBid | undefined;
    for (const bid of bids) {
      if (bid.proposerPubkey !== undefined && !bytesEqual(bid.proposerPubkey, request.proposerPubkey)) continue;
      if (best === undefined || bid.value > best.value) best = bid;
    }
    return best;
  }

  onBid(listener: BidListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

function samePubkey(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return bytesEqual(a, b);
}
