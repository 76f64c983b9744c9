/**
 * A layer of flat state: accounts, storage and code in plain maps, over an optional parent layer. The base
 * state of a block is a layer without parent; a block's changes are a layer over it, and a transaction's over
 * that. Reading walks down the layers until one knows the key; creating or discarding a layer is O(1).
 */
import { KECCAK256_NULL } from "@ethereumjs/util";

/** An account as the state stores it. Records are never mutated: a change writes a new record. */
export interface AccountRecord {
  readonly nonce: bigint;
  readonly balance: bigint;
  readonly codeHash: Uint8Array;
}

export const EMPTY_BYTES: Uint8Array = new Uint8Array(0);

export function emptyAccount(): AccountRecord {
  return { nonce: 0n, balance: 0n, codeHash: KECCAK256_NULL };
}

export class StateLayer {
  readonly parent: StateLayer | undefined;
  /** Account records by address key; `null` marks an account deleted in this layer. */
  readonly accounts = new Map<string, AccountRecord | null>();
  /** Storage by address key, then slot key; an empty value is a slot set to zero. */
  readonly storage = new Map<string, Map<string, Uint8Array>>();
  /** Addresses whose storage this layer wiped: slots of lower layers are invisible for them. */
  readonly cleared = new Set<string>();
  /** Code by address key. */
  readonly code = new Map<string, Uint8Array>();

  constructor(parent?: StateLayer) {
    this.parent = parent;
  }

  /** Whether `base` is this layer or one under it. */
  isOver(base: StateLayer): boolean {
    for (let layer: StateLayer | undefined = this; layer !== undefined; layer = layer.parent) {
      if (layer === base) return true;
    }
    return false;
  }

  account(key: string): AccountRecord | null {
    for (let layer: StateLayer | undefined = this; layer !== undefined; layer = layer.parent) {
      const record = layer.accounts.get(key);
      if (record !== undefined) return record;
    }
    return null;
  }

  slot(key: string, slot: string): Uint8Array {
    for (let layer: StateLayer | undefined = this; layer !== undefined; layer = layer.parent) {
      const value = layer.storage.get(key)?.get(slot);
      if (value !== undefined) return value;
      if (layer.cleared.has(key)) return EMPTY_BYTES;
    }
    return EMPTY_BYTES;
  }

  codeOf(key: string): Uint8Array {
    for (let layer: StateLayer | undefined = this; layer !== undefined; layer = layer.parent) {
      const code = layer.code.get(key);
      if (code !== undefined) return code;
    }
    return EMPTY_BYTES;
  }

  /** Every non-zero slot of an account as this layer sees it (lower layers included). */
  slots(key: string): Map<string, Uint8Array> {
    const chain: StateLayer[] = [];
    for (let layer: StateLayer | undefined = this; layer !== undefined; layer = layer.parent) {
      chain.push(layer);
      if (layer.cleared.has(key)) break;
    }
    const out = new Map<string, Uint8Array>();
    for (let i = chain.length - 1; i >= 0; i--) {
      const layer = chain[i] as StateLayer;
      if (layer.cleared.has(key)) out.clear();
      const own = layer.storage.get(key);
      if (own !== undefined) for (const [slot, value] of own) out.set(slot, value);
    }
    for (const [slot, value] of out) if (value.length === 0) out.delete(slot);
    return out;
  }

  /** Every address key any layer holds (accounts, deleted ones included). */
  accountKeys(): Set<string> {
    const keys = new Set<string>();
    for (let layer: StateLayer | undefined = this; layer !== undefined; layer = layer.parent) {
      for (const key of layer.accounts.keys()) keys.add(key);
    }
    return keys;
  }

  /**
   * Folds this layer's changes into its parent (a transaction's into its block's), leaving this layer empty.
   */
  mergeIntoParent(): void {
    const parent = this.parent;
    if (parent === undefined) throw new Error("StateLayer.mergeIntoParent: the base layer has no parent");
    for (const key of this.cleared) {
      parent.storage.set(key, new Map());
      parent.cleared.add(key);
    }
    for (const [key, record] of this.accounts) parent.accounts.set(key, record);
    for (const [key, slots] of this.storage) {
      let target = parent.storage.get(key);
      if (target === undefined) {
        target = new Map();
        parent.storage.set(key, target);
      }
      for (const [slot, value] of slots) target.set(slot, value);
    }
    for (const [key, code] of this.code) parent.code.set(key, code);
    this.accounts.clear();
    this.storage.clear();
    this.cleared.clear();
    this.code.clear();
  }
}
