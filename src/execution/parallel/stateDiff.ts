/**
 * State in messages: a whole state flattened once (`snapshotOf`, to seed a worker's replica) and the changes of
 * one layer (`diffOf`, to keep replicas current and to apply a transaction's effect). Both are plain data that
 * structured clone carries between threads (maps of strings, bigints and byte arrays).
 */
import { type AccountRecord, StateLayer } from "../state/layer.js";

export interface StateDiff {
  /** Address key → record, or null for a deleted account. */
  accounts: Map<string, AccountRecord | null>;
  /** Address key → slot key → value (empty = zero). */
  storage: Map<string, Map<string, Uint8Array>>;
  /** Addresses whose storage was wiped before the slots above were written. */
  cleared: Set<string>;
  code: Map<string, Uint8Array>;
}

/** The changes a layer holds over its parent. */
export function diffOf(layer: StateLayer): StateDiff {
  return {
    accounts: new Map(layer.accounts),
    storage: new Map([...layer.storage].map(([k, v]) => [k, new Map(v)])),
    cleared: new Set(layer.cleared),
    code: new Map(layer.code),
  };
}

/** Applies a diff onto a layer, as if the layer that produced it were merged into this one. */
export function applyDiff(layer: StateLayer, diff: StateDiff): void {
  for (const key of diff.cleared) {
    layer.storage.set(key, new Map());
    layer.cleared.add(key);
  }
  for (const [key, record] of diff.accounts) layer.accounts.set(key, record);
  for (const [key, slots] of diff.storage) {
    let target = layer.storage.get(key);
    if (target === undefined) {
      target = new Map();
      layer.storage.set(key, target);
    }
    for (const [slot, value] of slots) target.set(slot, value);
  }
  for (const [key, code] of diff.code) layer.code.set(key, code);
}

/** Everything a layer sees (its parents included), flattened into one diff over an empty state. */
export function snapshotOf(layer: StateLayer): StateDiff {
  const chain: StateLayer[] = [];
  for (let l: StateLayer | undefined = layer; l !== undefined; l = l.parent) chain.push(l);
  const flat = new StateLayer();
  for (let i = chain.length - 1; i >= 0; i--) applyDiff(flat, diffOf(chain[i] as StateLayer));
  for (const [key, record] of flat.accounts) if (record === null) flat.accounts.delete(key);
  return { accounts: flat.accounts, storage: flat.storage, cleared: new Set(), code: flat.code };
}

/** A layer holding a snapshot (the base of a replica). */
export function layerFromSnapshot(snapshot: StateDiff): StateLayer {
  const layer = new StateLayer();
  applyDiff(layer, snapshot);
  return layer;
}

/**
 * The effect of a layer relative to its parent with unchanged values dropped: what "identical state diff"
 * compares between sequential and parallel execution.
 */
export function normalizedDiff(layer: StateLayer): StateDiff {
  const parent = layer.parent;
  const out: StateDiff = { accounts: new Map(), storage: new Map(), cleared: new Set(), code: new Map() };
  for (const [key, record] of layer.accounts) {
    const before = parent?.account(key) ?? null;
    if (!sameRecord(before, record)) out.accounts.set(key, record);
  }
  const keys = new Set([...layer.storage.keys(), ...layer.cleared]);
  for (const key of keys) {
    const before = parent?.slots(key) ?? new Map<string, Uint8Array>();
    const after = layer.slots(key);
    const changed = new Map<string, Uint8Array>();
    for (const [slot, value] of after) if (!sameBytes(before.get(slot), value)) changed.set(slot, value);
    for (const slot of before.keys()) if (!after.has(slot)) changed.set(slot, new Uint8Array(0));
    if (changed.size > 0) out.storage.set(key, new Map([...changed].sort(([a], [b]) => (a < b ? -1 : 1))));
  }
  for (const [key, code] of layer.code) {
    if (!sameBytes(parent?.codeOf(key), code)) out.code.set(key, code);
  }
  out.accounts = new Map([...out.accounts].sort(([a], [b]) => (a < b ? -1 : 1)));
  return out;
}

function sameRecord(a: AccountRecord | null, b: AccountRecord | null): boolean {
  if (a === null || b === null) return a === b;
  return a.nonce === b.nonce && a.balance === b.balance && sameBytes(a.codeHash, b.codeHash);
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return (a?.length ?? 0) === (b?.length ?? 0);
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
