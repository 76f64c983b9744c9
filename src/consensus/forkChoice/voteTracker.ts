/**
 * VoteTracker: every validator's latest message, in typed arrays indexed by validator index (growing by
 * doubling): `next` (node id of the latest message), `current` (node id whose weight holds the validator's
 * balance), `epoch` (the latest message's target epoch plus one, 0 = none) and an equivocation flag. The store
 * (`forkChoice.ts`) writes them vote by vote as attestations stream in; no object is allocated per vote.
 */

/** Validator indices at or above this are refused (mainnet has about 2^21 validators). */
export const MAX_VALIDATORS = 1 << 26;

const INITIAL_CAPACITY = 1024;

export class VoteTracker {
  current = new Uint32Array(INITIAL_CAPACITY);
  next = new Uint32Array(INITIAL_CAPACITY);
  epoch = new Uint32Array(INITIAL_CAPACITY);
  equivocating = new Uint8Array(INITIAL_CAPACITY);
  /** One more than the largest validator index seen. */
  size = 0;

  get capacity(): number {
    return this.next.length;
  }

  /** Makes room for validator index `index` (the caller has checked `index < MAX_VALIDATORS`). */
  ensure(index: number): void {
    if (index >= this.size) this.size = index + 1;
    if (index < this.next.length) return;
    let capacity = this.next.length;
    while (capacity <= index) capacity *= 2;
    const grow = <T extends Uint32Array | Uint8Array>(a: T, b: T): T => {
      b.set(a as never);
      return b;
    };
    this.current = grow(this.current, new Uint32Array(capacity));
    this.next = grow(this.next, new Uint32Array(capacity));
    this.epoch = grow(this.epoch, new Uint32Array(capacity));
    this.equivocating = grow(this.equivocating, new Uint8Array(capacity));
  }
}
