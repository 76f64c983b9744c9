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
  // Renumbered only between groupings: one grouping's keys are all of one generation.
  if (keyIds.size > MAX_KEYS) {
    keyIds = new Map();
    generation++;
  }
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

  const firstWriter = new Map<number, number>();
  const write = (key: number, i: number) => {
    const w = firstWriter.get(key);
    if (w === undefined) firstWriter.set(key, i);
    else union(w, i);
  };
  orders.forEach((o, i) => {
    const writes = keysOf(o.execution.writes);
    for (let k = 0; k < writes.ids.length; k++) {
      const key = writes.ids[k] as number;
      // "Has storage" changes with any slot write; writers of different slots do not conflict through it, only
      // with an order that reads the flag (a CREATE over the address): it joins the first writer below.
      if (writes.flags[k] === 1) {
        if (!firstWriter.has(key)) firstWriter.set(key, i);
      } else write(key, i);
    }
    // Orders of one sender share its nonce, even the coinbase's (whose account is not a key above).
    for (const t of o.order.txs) write(keyId(`nonce:${t.sender}`), i);
  });
  orders.forEach((o, i) => {
    for (const key of keysOf(o.execution.reads).ids) {
      const w = firstWriter.get(key);
      if (w !== undefined) union(w, i);
    }
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

/**
 * State keys as small integers, so that grouping works on numbers instead of hashing long strings: the same keys
 * come back in every build of a block. Renumbered from scratch (a new generation) when the table grows large.
 */
let keyIds = new Map<string, number>();
let generation = 0;
const MAX_KEYS = 4_000_000;

function keyId(key: string): number {
  let id = keyIds.get(key);
  if (id === undefined) {
    id = keyIds.size;
    keyIds.set(key, id);
  }
  return id;
}

interface SetKeys {
  generation: number;
  ids: Int32Array;
  /** 1 where the key is an account's "has storage" flag. */
  flags: Uint8Array;
}

/** The keys of an access set, made once per set: the same simulations are grouped by every build of a block. */
const keyCache = new WeakMap<AccessSet, SetKeys>();

function keysOf(set: AccessSet): SetKeys {
  const known = keyCache.get(set);
  if (known !== undefined && known.generation === generation) return known;
  const ids: number[] = [];
  const flags: number[] = [];
  for (const [address, mask] of set.accounts) {
    for (const bit of FIELD_BITS) {
      if (!(mask & bit)) continue;
      const key = `${address}#${bit}`;
      ids.push(keyId(key));
      flags.push(key.endsWith(STORAGE_FLAG) ? 1 : 0);
    }
  }
  for (const [address, slots] of set.storage) {
    for (const slot of slots) {
      ids.push(keyId(`${address}:${slot}`));
      flags.push(0);
    }
  }
  const keys = { generation, ids: Int32Array.from(ids), flags: Uint8Array.from(flags) };
  keyCache.set(set, keys);
  return keys;
}
