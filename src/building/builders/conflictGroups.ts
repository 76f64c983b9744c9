/**
 * Conflict groups (rbuilder's `ConflictFinder`): orders whose simulations touch common state, found with a
 * union-find over state keys (an account field or a storage slot).
 *
 *   every key an order writes joins it with the first order that wrote the key;
 *   every key an order reads joins it with the first writer of the key, if any.
 *
 * So two orders end in one group exactly when a chain of write/read or write/write overlaps links them; two
 * orders that only read the same key stay apart, and so do two that write different slots of one contract (the
 * account's "has storage" flag both change is a key only for an order that reads it). The coinbase is not a key: fee credits and direct payments
 * add up in any order (orders that observe its balance are never replayed, see `executeOrder.ts`). Orders with
 * a sender in common are always grouped: they share the sender's nonce.
 */
import { ACCOUNT_STORAGE, type AccessSet } from "../../execution/state/access.js";
import type { SimulatedOrder } from "../simulation/simulatedOrder.js";

const FIELD_BITS = [1, 2, 4, 8, 16] as const;
const STORAGE_FLAG = `#${ACCOUNT_STORAGE}`;

export function conflictGroups(orders: readonly SimulatedOrder[]): SimulatedOrder[][] {
  const parent = new Int32Array(orders.length);
  for (let i = 0; i < parent.length; i++) parent[i] = i;
  const find = (i: number): number => {
    let root = i;
    while (parent[root] !== root) root = parent[root] as number;
    while (parent[i] !== root) {
      const next = parent[i] as number;
      parent[i] = root;
      i = next;
    }
    return root;
  };
  const union = (a: number, b: number) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };

  const firstWriter = new Map<string, number>();
  const write = (key: string, i: number) => {
    const w = firstWriter.get(key);
    if (w === undefined) firstWriter.set(key, i);
    else union(w, i);
  };
  orders.forEach((o, i) => {
    forEachKey(o.execution.writes, (key) => {
      // "Has storage" changes with any slot write; writers of different slots do not conflict through it, only
      // with an order that reads the flag (a CREATE over the address): it joins the first writer below.
      if (key.endsWith(STORAGE_FLAG)) {
        if (!firstWriter.has(key)) firstWriter.set(key, i);
      } else write(key, i);
    });
    // Orders of one sender share its nonce, even the coinbase's (whose account is not a key above).
    for (const t of o.order.txs) write(`nonce:${t.sender}`, i);
  });
  orders.forEach((o, i) => {
    forEachKey(o.execution.reads, (key) => {
      const w = firstWriter.get(key);
      if (w !== undefined) union(w, i);
    });
  });

  const groups = new Map<number, SimulatedOrder[]>();
  orders.forEach((o, i) => {
    const root = find(i);
    const group = groups.get(root);
    if (group === undefined) groups.set(root, [o]);
    else group.push(o);
  });
  return [...groups.values()];
}

/** The keys of an access set, made once per set: the same simulations are grouped by every build of a block. */
const keyCache = new WeakMap<AccessSet, string[]>();

function forEachKey(set: AccessSet, fn: (key: string) => void): void {
  let keys = keyCache.get(set);
  if (keys === undefined) {
    keys = [];
    for (const [address, mask] of set.accounts) {
      for (const bit of FIELD_BITS) if (mask & bit) keys.push(`${address}#${bit}`);
    }
    for (const [address, slots] of set.storage) for (const slot of slots) keys.push(`${address}:${slot}`);
    keyCache.set(set, keys);
  }
  for (const key of keys) fn(key);
}
