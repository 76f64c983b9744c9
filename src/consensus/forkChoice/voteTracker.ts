/**
 * VoteTracker: every validator's latest message, streamed in vote by vote.
 *
 * Per validator, in typed arrays indexed by validator index (growing by doubling): `next` (node id of the latest
 * message), `current` (node id whose weight holds the validator's balance; `computeDeltas` moves it to `next`),
 * `epoch` (the latest message's target epoch plus one, 0 = none) and an equivocation flag. A vote that changes a
 * latest message also puts the validator on a dirty list (deduplicated by a flag), so the next head update batches
 * only the validators that moved: O(moved), not O(validators). No object is allocated per vote.
 */
import { NO_VOTE } from "./computeDeltas.js";

/** Validator indices at or above this are refused (mainnet has about 2^21 validators). */
export const MAX_VALIDATORS = 1 << 26;

const INITIAL_CAPACITY = 1024;

export class VoteTracker {
  current = new Uint32Array(INITIAL_CAPACITY);
  next = new Uint32Array(INITIAL_CAPACITY);
  epoch = new Uint32Array(INITIAL_CAPACITY);
  equivocating = new Uint8Array(INITIAL_CAPACITY);
  dirty = new Uint32Array(INITIAL_CAPACITY);
  private dirtyFlag = new Uint8Array(INITIAL_CAPACITY);
  dirtyCount = 0;
  /** One more than the largest validator index seen. */
  size = 0;

  get capacity(): number {
    return this.next.length;
  }

  /** Makes room for validator index `index`. */
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
    this.dirty = grow(this.dirty, new Uint32Array(capacity));
    this.dirtyFlag = grow(this.dirtyFlag, new Uint8Array(capacity));
  }

  /**
   * `update_latest_messages` for one validator: the vote replaces the latest message only if the validator has none
   * or `targetEpoch` is newer, and never for an equivocating validator. Returns true if it replaced it. The caller
   * has checked `v < MAX_VALIDATORS` and called `ensure(v)`.
   */
  vote(v: number, nodeId: number, targetEpoch: number): boolean {
    if (this.equivocating[v] === 1) return false;
    const e = this.epoch[v] as number;
    if (e !== 0 && targetEpoch + 1 <= e) return false;
    this.epoch[v] = targetEpoch + 1;
    this.next[v] = nodeId;
    this.markDirty(v);
    return true;
  }

  /** `on_attester_slashing` for one validator: its vote leaves at the next head update, for good. */
  slash(v: number): void {
    this.ensure(v);
    if (this.equivocating[v] === 1) return;
    this.equivocating[v] = 1;
    this.next[v] = NO_VOTE;
    this.markDirty(v);
  }

  /** Empties the dirty list (after a batch or a full pass handled every validator). */
  clearDirty(): void {
    const { dirty, dirtyFlag } = this;
    for (let i = 0; i < this.dirtyCount; i++) dirtyFlag[dirty[i] as number] = 0;
    this.dirtyCount = 0;
  }

  private markDirty(v: number): void {
    if (this.dirtyFlag[v] === 1) return;
    this.dirtyFlag[v] = 1;
    this.dirty[this.dirtyCount++] = v;
  }
}
