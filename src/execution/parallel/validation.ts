/**
 * Validation on the committing thread: which speculative results still hold when their turn comes
 * (`LastWriters`: the last writer of every key, and early invalidation of results waiting for their turn), and
 * which contracts' calls are not worth speculating in this block (`HotTargets`).
 */
import type { TypedTransaction } from "@ethereumjs/tx";
import {
  ACCOUNT_BALANCE,
  ACCOUNT_CODE,
  ACCOUNT_EXISTS,
  ACCOUNT_NONCE,
  ACCOUNT_STORAGE,
  type AccessSet,
} from "../state/access.js";
import { bytesKey } from "../state/keys.js";

const FIELDS = [ACCOUNT_EXISTS, ACCOUNT_NONCE, ACCOUNT_BALANCE, ACCOUNT_CODE, ACCOUNT_STORAGE];

/** One account field or slot: its last committed writer (−1: none) and the waiting results that read it. */
interface KeyState {
  writer: number;
  readers: number[] | undefined;
}
/** Per account: its fields (by bit position in FIELDS) and slots. */
interface AccountKeys {
  fields: Array<KeyState | undefined>;
  slots: Map<string, KeyState>;
}

/**
 * For every account field and slot the block's committed transactions wrote, the index of the last writer. A
 * speculation that saw transactions [0, version) is valid if nothing it read was written at or after version.
 *
 * Keys are held per account, then per field or slot, so that no key string is built per access: this runs on
 * the committing thread for every read and write of every speculative result.
 */
export class LastWriters {
  readonly #accounts = new Map<string, AccountKeys>();
  readonly #versions: Int32Array;
  readonly #doomed: Uint8Array;

  /**
   * Early invalidation: for each key read by a speculative result not yet validated, the results that read it
   * (`KeyState.readers`). A commit that writes such a key before the reader's turn dooms it (validation will
   * throw it away), and `onDoomed` hears of it then, not when the committing thread reaches it.
   */
  constructor(
    n: number,
    private readonly onDoomed: (index: number) => void,
  ) {
    this.#versions = new Int32Array(n);
    this.#doomed = new Uint8Array(n);
  }

  #account(address: string): AccountKeys {
    let keys = this.#accounts.get(address);
    if (keys === undefined) {
      keys = { fields: [undefined, undefined, undefined, undefined, undefined], slots: new Map() };
      this.#accounts.set(address, keys);
    }
    return keys;
  }

  #field(keys: AccountKeys, position: number): KeyState {
    let state = keys.fields[position];
    if (state === undefined) {
      state = { writer: -1, readers: undefined };
      keys.fields[position] = state;
    }
    return state;
  }

  #slot(keys: AccountKeys, slot: string): KeyState {
    let state = keys.slots.get(slot);
    if (state === undefined) {
      state = { writer: -1, readers: undefined };
      keys.slots.set(slot, state);
    }
    return state;
  }

  addAccount(address: string, mask: number, index: number): void {
    const keys = this.#account(address);
    for (let b = 0; b < FIELDS.length; b++) {
      if (mask & (FIELDS[b] as number)) this.#wrote(this.#field(keys, b), index);
    }
  }

  add(writes: AccessSet, index: number): void {
    for (const [address, mask] of writes.accounts) this.addAccount(address, mask, index);
    for (const [address, slots] of writes.storage) {
      const keys = this.#account(address);
      for (const slot of slots) this.#wrote(this.#slot(keys, slot), index);
    }
  }

  /** Watches a speculative result that arrived (or dooms it at once if something it read is already written). */
  watch(index: number, reads: AccessSet, version: number): void {
    if (this.conflict(reads, version) !== undefined) {
      this.doom(index);
      return;
    }
    this.#versions[index] = version;
    const read = (state: KeyState) => {
      if (state.readers === undefined) state.readers = [index];
      else state.readers.push(index);
    };
    for (const [address, mask] of reads.accounts) {
      const keys = this.#account(address);
      for (let b = 0; b < FIELDS.length; b++) if (mask & (FIELDS[b] as number)) read(this.#field(keys, b));
    }
    for (const [address, slots] of reads.storage) {
      const keys = this.#account(address);
      for (const slot of slots) read(this.#slot(keys, slot));
    }
  }

  doom(index: number): void {
    if (this.#doomed[index] === 1) return;
    this.#doomed[index] = 1;
    this.onDoomed(index);
  }

  isDoomed(index: number): boolean {
    return this.#doomed[index] === 1;
  }

  #wrote(state: KeyState, index: number): void {
    state.writer = index;
    const readers = state.readers;
    if (readers === undefined) return;
    // Readers at or before `index` are validated already; those that speculated after it saw this write.
    const later: number[] = [];
    for (const j of readers) {
      if (j <= index) continue;
      if ((this.#versions[j] as number) > index) later.push(j);
      else this.doom(j);
    }
    state.readers = later.length === 0 ? undefined : later;
  }

  /** The first read a transaction committed at or after `version` has since written (`address` or `address|slot`). */
  conflict(reads: AccessSet, version: number): string | undefined {
    for (const [address, mask] of reads.accounts) {
      const keys = this.#accounts.get(address);
      if (keys === undefined) continue;
      for (let b = 0; b < FIELDS.length; b++) {
        if ((mask & (FIELDS[b] as number)) !== 0 && (keys.fields[b]?.writer ?? -1) >= version) return address;
      }
    }
    for (const [address, slots] of reads.storage) {
      const keys = this.#accounts.get(address);
      if (keys === undefined) continue;
      for (const slot of slots) {
        if ((keys.slots.get(slot)?.writer ?? -1) >= version) return `${address}|${slot}`;
      }
    }
    return undefined;
  }
}

/** Invalidated speculations on one contract before the rest of its calls are held back from the workers. */
export const HOT_AFTER = 3;
/**
 * Invalidated speculations in the whole block (with more invalid than valid) before every call not yet claimed
 * is held back: where speculation keeps failing across contracts (a token every router touches), the workers
 * only slow the committing thread down (two threads share the memory system), so the rest runs in order.
 */
export const COLD_AFTER = 8;

/** The rule both thresholds apply: at least `threshold` invalid, and more invalid than valid. */
function worthHolding(invalid: number, valid: number, threshold: number): boolean {
  return invalid >= threshold && invalid > valid;
}

/**
 * Learns, within a block, the contracts whose calls speculation keeps getting wrong (one hot pool, a
 * cumulative-hash actor: each call reads what the one before it wrote) and holds the rest of their calls back
 * for in-order execution (claim state 3), so the workers spend their time where speculation can succeed.
 * Scheduling only: which thread executes a transaction never changes its result.
 */
export class HotTargets {
  readonly #byTarget = new Map<string, number[]>();
  readonly #targetOf: Array<string | undefined>;
  readonly #outcomes = new Map<string, { valid: number; invalid: number; held: boolean }>();
  /** Results counted valid when they arrived (until a commit dooms them): 1 per transaction. */
  readonly #provisional: Uint8Array;
  /** The whole block's outcomes (`COLD_AFTER`). */
  readonly #block = { valid: 0, invalid: 0, held: false };
  heldBack = 0;
  /** Each transaction's contract as a small integer, equal for calls to the same address, −1 for a creation. */
  readonly targetIds: Int32Array;

  constructor(
    txs: readonly TypedTransaction[],
    private readonly flags: Int32Array,
  ) {
    this.#provisional = new Uint8Array(txs.length);
    this.targetIds = new Int32Array(txs.length).fill(-1);
    const ids = new Map<string, number>();
    this.#targetOf = txs.map((tx, i) => {
      if (tx.to === undefined) return undefined;
      const key = bytesKey(tx.to.bytes);
      let indices = this.#byTarget.get(key);
      if (indices === undefined) {
        indices = [];
        this.#byTarget.set(key, indices);
        ids.set(key, ids.size);
      }
      indices.push(i);
      this.targetIds[i] = ids.get(key) as number;
      return key;
    });
  }

  #outcome(key: string) {
    let outcome = this.#outcomes.get(key);
    if (outcome === undefined) {
      outcome = { valid: 0, invalid: 0, held: false };
      this.#outcomes.set(key, outcome);
    }
    return outcome;
  }

  /**
   * A speculative result for transaction i arrived and nothing it read has been written since: counted valid
   * now, and moved to invalid if a commit dooms it before its turn. Invalidation is known as soon as a commit
   * writes what a result read, validity only when the committing thread reaches it; counting a result when it
   * arrives keeps the two on the same clock, so a contract whose calls mostly speculate well (an ERC20 token
   * with a few shared accounts) is not held back for its first few conflicts.
   */
  arrived(i: number): void {
    const key = this.#targetOf[i];
    if (key === undefined || this.#provisional[i] === 1) return;
    this.#provisional[i] = 1;
    this.#outcome(key).valid++;
    this.#block.valid++;
  }

  /** Records whether transaction i's speculative result held; past the threshold, holds its contract back. */
  record(i: number, valid: boolean): void {
    const key = this.#targetOf[i];
    if (key === undefined) return;
    const outcome = this.#outcome(key);
    const block = this.#block;
    if (this.#provisional[i] === 1) {
      if (valid) return;
      this.#provisional[i] = 0;
      outcome.valid--;
      block.valid--;
    }
    if (valid) {
      outcome.valid++;
      block.valid++;
      return;
    }
    outcome.invalid++;
    block.invalid++;
    if (!block.held && worthHolding(block.invalid, block.valid, COLD_AFTER)) {
      block.held = true;
      for (let j = 0; j < this.#targetOf.length; j++) this.#hold(j);
      return;
    }
    if (outcome.held || !worthHolding(outcome.invalid, outcome.valid, HOT_AFTER)) return;
    outcome.held = true;
    for (const j of this.#byTarget.get(key) ?? []) this.#hold(j);
  }

  /** Holds transaction j back if nobody has claimed it yet (the committing thread, or a worker from the back). */
  #hold(j: number): void {
    if (Atomics.compareExchange(this.flags, 1 + j, 0, 3) === 0) this.heldBack++;
  }
}

/**
 * A worker's own early warning. It speculates from the back of the block, so every result it has produced so far
 * is for a later transaction than the one it has just speculated: if that one writes what one of them read, the
 * later result will be invalidated once this one commits before it. Counting these per contract, as
 * `HotTargets` counts invalidations on the committing thread, the worker holds back (claim state 3) the rest of
 * the calls to a contract whose speculations keep conflicting with each other, and the rest of the block where
 * most do, without waiting for the committing thread to reach them: on a block where every call to one contract
 * bumps the same counter, the committing thread learns it only when it gets to the first of those calls, by which
 * time a worker had speculated 90 of them for nothing (mainnet block 15274915).
 * Scheduling only: which thread executes a transaction never changes its result.
 */
export class SelfConflicts {
  /**
   * Per address, then field (by bit position in FIELDS): the results that read it. Held per field so that a write
   * visits only the readers of what it wrote: every call to a token reads its code, and a list of those, walked
   * by every call that writes one of its slots, made this quadratic in the block (23 µs per transaction at 1,000).
   */
  readonly #accountReaders = new Map<string, Array<number[] | undefined>>();
  /** Per address, then slot: the results that read it. */
  readonly #slotReaders = new Map<string, Map<string, number[]>>();
  readonly #doomed = new Set<number>();
  readonly #outcomes = new Map<number, { speculated: number; doomed: number; held: boolean }>();
  readonly #block = { speculated: 0, doomed: 0, held: false };
  #byTarget: Map<number, number[]> | undefined;
  heldBack = 0;

  /**
   * @param targets each transaction's contract as a small integer (equal for calls to the same address, −1 for
   *   a creation: `HotTargets.targetIds`)
   * @param flags the block's claim flags (`BlockTask.shared`)
   */
  constructor(
    private readonly targets: Int32Array,
    private readonly flags: Int32Array,
  ) {}

  /** Transaction i's speculation (lower than every one before it), and what it read and wrote; failed: it did not execute. */
  add(i: number, reads: AccessSet, writes: AccessSet, failed: boolean): void {
    const doomedNow: number[] = [];
    if (failed) doomedNow.push(i);
    else {
      for (const [address, mask] of writes.accounts) {
        const byField = this.#accountReaders.get(address);
        if (byField === undefined) continue;
        for (let b = 0; b < FIELDS.length; b++) {
          if ((mask & (FIELDS[b] as number)) === 0) continue;
          for (const j of byField[b] ?? []) doomedNow.push(j);
        }
      }
      for (const [address, slots] of writes.storage) {
        const readers = this.#slotReaders.get(address);
        if (readers === undefined) continue;
        for (const slot of slots) for (const j of readers.get(slot) ?? []) doomedNow.push(j);
      }
      for (const [address, mask] of reads.accounts) {
        let byField = this.#accountReaders.get(address);
        if (byField === undefined) {
          byField = [undefined, undefined, undefined, undefined, undefined];
          this.#accountReaders.set(address, byField);
        }
        for (let b = 0; b < FIELDS.length; b++) {
          if ((mask & (FIELDS[b] as number)) === 0) continue;
          const readers = byField[b];
          if (readers === undefined) byField[b] = [i];
          else readers.push(i);
        }
      }
      for (const [address, slots] of reads.storage) {
        let bySlot = this.#slotReaders.get(address);
        if (bySlot === undefined) {
          bySlot = new Map();
          this.#slotReaders.set(address, bySlot);
        }
        for (const slot of slots) {
          const readers = bySlot.get(slot);
          if (readers === undefined) bySlot.set(slot, [i]);
          else readers.push(i);
        }
      }
    }
    this.#outcome(this.targets[i] as number).speculated++;
    this.#block.speculated++;
    for (const j of doomedNow) {
      if (this.#doomed.has(j)) continue;
      this.#doomed.add(j);
      this.#outcome(this.targets[j] as number).doomed++;
      this.#block.doomed++;
    }
    if (doomedNow.length === 0) return;
    const block = this.#block;
    if (!block.held && worthHolding(block.doomed, block.speculated - block.doomed, COLD_AFTER)) {
      block.held = true;
      for (let j = 0; j < i; j++) this.#hold(j);
      return;
    }
    for (const j of doomedNow) {
      const target = this.targets[j] as number;
      const outcome = this.#outcome(target);
      if (target < 0 || outcome.held || !worthHolding(outcome.doomed, outcome.speculated - outcome.doomed, HOT_AFTER))
        continue;
      outcome.held = true;
      for (const k of this.#indicesOf(target)) if (k < i) this.#hold(k);
    }
  }

  /** Whether transaction j's speculation is known to be invalidated by one this worker did before it. */
  isDoomed(j: number): boolean {
    return this.#doomed.has(j);
  }

  #outcome(target: number) {
    let outcome = this.#outcomes.get(target);
    if (outcome === undefined) {
      outcome = { speculated: 0, doomed: 0, held: false };
      this.#outcomes.set(target, outcome);
    }
    return outcome;
  }

  #indicesOf(target: number): number[] {
    if (this.#byTarget === undefined) {
      this.#byTarget = new Map();
      for (let k = 0; k < this.targets.length; k++) {
        const t = this.targets[k] as number;
        const list = this.#byTarget.get(t);
        if (list === undefined) this.#byTarget.set(t, [k]);
        else list.push(k);
      }
    }
    return this.#byTarget.get(target) ?? [];
  }

  #hold(j: number): void {
    if (Atomics.compareExchange(this.flags, 1 + j, 0, 3) === 0) this.heldBack++;
  }
}
