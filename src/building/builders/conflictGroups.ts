/**
 * Conflict groups (rbuilder's `ConflictFinder`): orders whose simulations touch common state, found with a
 * union-find over state keys (an account field or a storage slot).
 *
 *   every key an order writes joins it with the first order that wrote the key;
 *   every key an order reads joins it with the first writer of the key, if any.
 *
 * So two orders end in one group exactly when a chain of write/read or write/write overlaps links them; two
 * orders that only read the same key stay apart, and so do two that write different slots of one contract (the
 * account's "has storage" flag both change is a key only for an order that reads it). The coinbase is not a key:
 * fee credits and direct payments add up in any order (orders that observe its balance are never replayed, see
 * `executeOrder.ts`). Orders with a sender in common are always grouped: they share the sender's nonce.
 *
 * `ConflictFinder` keeps the grouping of one block across its builds and adds the orders that arrive.
 */
import type { SimulatedOrder } from "../simulation/simulatedOrder.js";
import { keyGeneration, keyId, keysOf, renumberKeysIfFull } from "./stateKeys.js";

/** The conflict groups of `orders`, from scratch. */
export function conflictGroups(orders: readonly SimulatedOrder[]): SimulatedOrder[][] {
  return new ConflictFinder().update(orders);
}

/**
 * The grouping kept across builds of one block (rbuilder's `ConflictFinder` takes orders as they arrive): the
 * union-find, the first writer of every key and the readers still waiting for a key's first writer. A build
 * whose orders start with the ones already grouped (the same simulations, in the same order: the pool lists
 * orders by arrival, so new ones come last) only adds the new ones; anything else (an order gone, one
 * re-simulated) groups from scratch. Either way the groups are those of grouping the orders from scratch.
 */
export class ConflictFinder {
  /** The orders grouped so far (their ids and simulations: what grouping reads). */
  #held: Array<{ id: string; execution: SimulatedOrder["execution"] }> = [];
  /** Union-find parents, by position; a root is its group's first order. */
  #parent = new Int32Array(256);
  readonly #firstWriter = new Map<number, number>();
  /** Orders that read a key no order has written yet: joined with the key's first writer when it comes. */
  readonly #waitingReaders = new Map<number, number[]>();
  #generation = keyGeneration();

  /** Orders grouped. */
  get size(): number {
    return this.#held.length;
  }

  /** The groups of `orders` (as `conflictGroups` makes them), adding to the grouping kept when it can. */
  update(orders: readonly SimulatedOrder[]): SimulatedOrder[][] {
    // Renumbered only between groupings: one grouping's keys are all of one generation.
    renumberKeysIfFull();
    if (!this.#isPrefixOf(orders)) this.#reset();
    for (let i = this.#held.length; i < orders.length; i++) this.#add(orders[i] as SimulatedOrder);
    const groups = new Map<number, SimulatedOrder[]>();
    for (let i = 0; i < orders.length; i++) {
      const root = this.#find(i);
      const group = groups.get(root);
      if (group === undefined) groups.set(root, [orders[i] as SimulatedOrder]);
      else group.push(orders[i] as SimulatedOrder);
    }
    return [...groups.values()];
  }

  #isPrefixOf(orders: readonly SimulatedOrder[]): boolean {
    const held = this.#held;
    if (this.#generation !== keyGeneration() || orders.length < held.length) return false;
    for (let i = 0; i < held.length; i++) {
      const o = orders[i] as SimulatedOrder;
      const h = held[i] as (typeof held)[number];
      if (o.execution !== h.execution || o.order.id !== h.id) return false;
    }
    return true;
  }

  #reset(): void {
    this.#held = [];
    this.#firstWriter.clear();
    this.#waitingReaders.clear();
    this.#generation = keyGeneration();
  }

  #add(o: SimulatedOrder): void {
    const i = this.#held.length;
    this.#held.push({ id: o.order.id, execution: o.execution });
    if (i >= this.#parent.length) {
      const grown = new Int32Array(this.#parent.length * 2);
      grown.set(this.#parent);
      this.#parent = grown;
    }
    this.#parent[i] = i;
    const writes = keysOf(o.execution.writes);
    for (let k = 0; k < writes.ids.length; k++) {
      const key = writes.ids[k] as number;
      // "Has storage" changes with any slot write; writers of different slots do not conflict through it, only
      // with an order that reads the flag (a CREATE over the address): it joins the first writer.
      if (writes.flags[k] === 1) {
        if (!this.#firstWriter.has(key)) this.#setFirstWriter(key, i);
      } else this.#write(key, i);
    }
    // Orders of one sender share its nonce, even the coinbase's (whose account is not a key above).
    for (const t of o.order.txs) this.#write(keyId(`nonce:${t.sender}`), i);
    for (const key of keysOf(o.execution.reads).ids) {
      const w = this.#firstWriter.get(key);
      if (w !== undefined) this.#union(w, i);
      else {
        const waiting = this.#waitingReaders.get(key);
        if (waiting === undefined) this.#waitingReaders.set(key, [i]);
        else waiting.push(i);
      }
    }
  }

  #write(key: number, i: number): void {
    const w = this.#firstWriter.get(key);
    if (w === undefined) this.#setFirstWriter(key, i);
    else this.#union(w, i);
  }

  #setFirstWriter(key: number, i: number): void {
    this.#firstWriter.set(key, i);
    const waiting = this.#waitingReaders.get(key);
    if (waiting === undefined) return;
    this.#waitingReaders.delete(key);
    for (const r of waiting) this.#union(r, i);
  }

  #find(i: number): number {
    const parent = this.#parent;
    let root = i;
    while (parent[root] !== root) root = parent[root] as number;
    while (parent[i] !== root) {
      const next = parent[i] as number;
      parent[i] = root;
      i = next;
    }
    return root;
  }

  #union(a: number, b: number): void {
    const ra = this.#find(a);
    const rb = this.#find(b);
    if (ra !== rb) this.#parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}
