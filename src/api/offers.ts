/**
 * The bids weft has signed and the headers it has offered, per slot.
 *
 * `sign` memoises one `SignedBid` per ready bid (a bid is signed once, when it becomes ready, whoever asks for
 * it later). `offer` records that a header went to a proposer in getHeader; a blinded block is answered only
 * for a header recorded here, for that slot, and only for a proposer it was offered to. Slots more than
 * `keepSlots` behind the newest are forgotten.
 */
import type { ReadyBid } from "./bidSource.js";
import { type SignedBid, signBuilderBid } from "./builderBid.js";
import type { BuilderKey } from "./keys.js";

export interface Offer {
  signedBid: SignedBid;
  /** The proposers (`0x` public keys) the header was offered to. */
  proposers: Set<string>;
}

export class OfferBook {
  readonly #signed = new WeakMap<ReadyBid, SignedBid>();
  readonly #bySlot = new Map<number, Map<string, Offer>>();
  readonly #key: BuilderKey;
  readonly #domain: Uint8Array;
  readonly #keepSlots: number;

  constructor(options: { key: BuilderKey; domain: Uint8Array; keepSlots?: number }) {
    this.#key = options.key;
    this.#domain = options.domain;
    this.#keepSlots = options.keepSlots ?? 4;
  }

  /** The signed and encoded bid for `bid`, signing it on first use. */
  sign(bid: ReadyBid): SignedBid {
    let signed = this.#signed.get(bid);
    if (signed === undefined) {
      signed = signBuilderBid(bid, this.#key, this.#domain);
      this.#signed.set(bid, signed);
    }
    return signed;
  }

  /** Records that `signedBid`'s header was offered to `proposerHex` for its slot. */
  offer(signedBid: SignedBid, proposerHex: string): void {
    const slot = signedBid.bid.slot;
    let byRoot = this.#bySlot.get(slot);
    if (byRoot === undefined) {
      byRoot = new Map();
      this.#bySlot.set(slot, byRoot);
      for (const s of this.#bySlot.keys()) if (s < slot - this.#keepSlots) this.#bySlot.delete(s);
    }
    const existing = byRoot.get(signedBid.headerRootHex);
    if (existing === undefined) byRoot.set(signedBid.headerRootHex, { signedBid, proposers: new Set([proposerHex]) });
    else existing.proposers.add(proposerHex);
  }

  /** The offer of a header (by its root, hex without `0x`) in `slot`. */
  find(slot: number, headerRootHex: string): Offer | undefined {
    return this.#bySlot.get(slot)?.get(headerRootHex);
  }
}
