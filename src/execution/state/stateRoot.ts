/**
 * The state root of layers over a base state, computed from the flat maps without re-hashing what the layers did
 * not change (a built block over its parent; a block's transactions so far, for pre-Byzantium receipts).
 *
 *   per parent (once, `ParentRoots`): the account trie and every storage trie, as `CachedTrie`s that remember
 *     each subtree's hash: candidate blocks on the same parent share them;
 *   per block: the accounts and slots the block's layers changed (walking the layers down to the parent);
 *     each changed account's storage root is its parent trie with the changed slots, its leaf is new;
 *   → the account trie with the changed leaves: only the paths to changes are hashed again.
 *
 * So a seal costs a merge over the account keys plus hashing along the changed paths, instead of every trie of
 * the state.
 */
import { equalsBytes } from "@ethereumjs/util";
import { keccak256 } from "../crypto/native.js";
import { encodeBytes } from "../rlp.js";
import { keyBytes } from "./keys.js";
import type { AccountRecord, StateLayer } from "./layer.js";
import { CachedTrie, type TrieChange, type TrieEntry } from "./trieRoot.js";

/**
 * keccak256 of address and slot keys, with its hex, kept: the same accounts and slots are hashed by every seal.
 * Bounded by a reset.
 */
const hashedKeys = new Map<string, { key: Uint8Array; hex: string }>();
export function hashedKey(key: string): { key: Uint8Array; hex: string } {
  let h = hashedKeys.get(key);
  if (h === undefined) {
    const bytes = keccak256(keyBytes(key));
    h = { key: bytes, hex: Buffer.from(bytes).toString("hex") };
    if (hashedKeys.size > 2_000_000) hashedKeys.clear();
    hashedKeys.set(key, h);
  }
  return h;
}
function hashed(key: string): Uint8Array {
  return hashedKey(key).key;
}

/** The storage root of a full set of slots (slot key → stripped value), built from scratch. */
export function storageRootOf(slots: Map<string, Uint8Array>): Uint8Array {
  const entries: TrieEntry[] = [];
  for (const [slot, value] of slots) entries.push({ key: hashed(slot), value: encodeBytes(value) });
  return CachedTrie.rootOf(entries);
}

/**
 * An account's leaf: RLP([nonce, balance, storageRoot, codeHash]), written directly into one buffer. A seal
 * encodes a leaf per changed account; ethereumjs's generic RLP encoder (with `bigIntToUnpaddedBytes`) took
 * about a sixth of the state root's time for it.
 */
export function accountLeaf(record: AccountRecord, storageRoot: Uint8Array): Uint8Array {
  const items = [unpaddedBytes(record.nonce), unpaddedBytes(record.balance), storageRoot, record.codeHash];
  let payload = 0;
  for (const item of items) payload += itemLength(item);
  // At most 9 + 33 + 33 + 33 bytes: a short list header, or a long one with a one-byte length.
  const header = payload < 56 ? 1 : 2;
  const out = new Uint8Array(header + payload);
  let at = 0;
  if (header === 1) out[at++] = 0xc0 + payload;
  else {
    out[at++] = 0xf8;
    out[at++] = payload;
  }
  for (const item of items) {
    if (item.length === 1 && (item[0] as number) < 0x80) {
      out[at++] = item[0] as number;
      continue;
    }
    // Every item here is under 56 bytes: a one-byte header.
    out[at++] = 0x80 + item.length;
    out.set(item, at);
    at += item.length;
  }
  return out;
}

/** Length of the RLP string item of `bytes` (under 56 bytes). */
function itemLength(bytes: Uint8Array): number {
  return bytes.length === 1 && (bytes[0] as number) < 0x80 ? 1 : 1 + bytes.length;
}

/** Big-endian bytes of a non-negative integer, without leading zeros (empty for 0). */
function unpaddedBytes(value: bigint): Uint8Array {
  if (value === 0n) return new Uint8Array(0);
  if (value <= 0xffffffffn) {
    let v = Number(value);
    const n = v > 0xffffff ? 4 : v > 0xffff ? 3 : v > 0xff ? 2 : 1;
    const out = new Uint8Array(n);
    for (let i = n - 1; i >= 0; i--) {
      out[i] = v & 0xff;
      v = Math.floor(v / 256);
    }
    return out;
  }
  const hex = value.toString(16);
  return Buffer.from(hex.length & 1 ? `0${hex}` : hex, "hex");
}

/** Storage roots and account leaves of a parent state, computed on demand and kept, with their tries. */
export class ParentRoots {
  readonly parent: StateLayer;
  readonly #storage = new Map<string, CachedTrie>();
  #accounts: CachedTrie | undefined;

  constructor(parent: StateLayer) {
    this.parent = parent;
  }

  /** The storage trie of an account at the parent. */
  storageTrie(key: string): CachedTrie {
    let trie = this.#storage.get(key);
    if (trie === undefined) {
      const entries: TrieEntry[] = [];
      for (const [slot, value] of this.parent.slots(key))
        entries.push({ key: hashed(slot), value: encodeBytes(value) });
      trie = new CachedTrie(entries);
      this.#storage.set(key, trie);
    }
    return trie;
  }

  /** The account trie of the parent (every account's leaf, with its storage root). */
  accountTrie(): CachedTrie {
    if (this.#accounts === undefined) {
      const entries: TrieEntry[] = [];
      for (const key of this.parent.accountKeys()) {
        const record = this.parent.account(key);
        if (record === null) continue;
        entries.push({ key: hashed(key), value: accountLeaf(record, this.storageTrie(key).root()) });
      }
      this.#accounts = new CachedTrie(entries);
    }
    return this.#accounts;
  }

  /** Computes the parent's tries now (done while orders simulate, so that sealing finds them ready). */
  warm(): void {
    this.accountTrie().root();
  }
}

/** What the layers from `top` down to (not including) `base` changed: accounts (any change), slots, wipes. */
interface LayerChanges {
  /** Every account the layers changed: its record, its storage, or a wipe of it. */
  accounts: Set<string>;
  storage: Map<string, Set<string>>;
  wiped: Set<string>;
}

/** Adds to `into` what the layers from `top` down to `base` changed. */
function collectChanges(top: StateLayer, base: StateLayer, into: LayerChanges): LayerChanges {
  const { accounts, storage, wiped } = into;
  for (let layer: StateLayer | undefined = top; layer !== base; layer = layer.parent) {
    if (layer === undefined) throw new Error("state root: the layers do not lead to the base of the roots");
    for (const key of layer.accounts.keys()) accounts.add(key);
    for (const [key, slots] of layer.storage) {
      accounts.add(key);
      let set = storage.get(key);
      if (set === undefined) {
        set = new Set();
        storage.set(key, set);
      }
      for (const slot of slots.keys()) set.add(slot);
    }
    for (const key of layer.cleared) {
      accounts.add(key);
      wiped.add(key);
    }
  }
  return into;
}

/**
 * The state root of `top` (a stack of layers over `roots.parent`): the accounts and storage the layers changed
 * are re-hashed on the parent's cached tries; nothing else is. `storageRoots` (account key → storage root as
 * `top` sees it), when given, is read and filled: its owner drops an entry whenever that account's storage
 * changes.
 */
export function stateRoot(top: StateLayer, roots: ParentRoots, storageRoots?: Map<string, Uint8Array>): Uint8Array {
  const { accounts, storage, wiped } = collectChanges(top, roots.parent, {
    accounts: new Set(),
    storage: new Map(),
    wiped: new Set(),
  });
  const changes = new Map<string, TrieChange | null>();
  for (const key of accounts) {
    const record = top.account(key);
    const h = hashedKey(key);
    if (record === null) {
      changes.set(h.hex, null);
      continue;
    }
    let root = storageRoots?.get(key);
    if (root === undefined) {
      root = wiped.has(key) ? storageRootOf(top.slots(key)) : changedStorageRoot(top, roots, key, storage.get(key));
      storageRoots?.set(key, root);
    }
    changes.set(h.hex, { key: h.key, value: accountLeaf(record, root) });
  }
  return roots.accountTrie().rootWith(changes);
}

/** The storage root of an account whose storage was not wiped: the parent's trie with the changed slots. */
function changedStorageRoot(
  top: StateLayer,
  roots: ParentRoots,
  key: string,
  slots: ReadonlySet<string> | undefined,
): Uint8Array {
  const trie = roots.storageTrie(key);
  if (slots === undefined) return trie.root();
  const slotChanges = new Map<string, TrieChange | null>();
  for (const slot of slots) {
    const value = top.slot(key, slot);
    const hs = hashedKey(slot);
    slotChanges.set(hs.hex, value.length === 0 ? null : { key: hs.key, value: encodeBytes(value) });
  }
  return trie.rootWith(slotChanges);
}

/**
 * State roots of layers over a base as they change bit by bit: a block before Byzantium asks for one after every
 * transaction (its receipts carry it). Each root compares what the layers hold now with what the last root
 * committed and hashes again only the paths to what differs, on tries of its own (`CachedTrie.commit`), so a
 * block's roots cost about its changes once, not once per transaction.
 *
 * The caller leaves `base` unchanged while it uses this; the layers above may change in any way, reverts
 * included: every key committed before is checked again.
 */
export class RollingRoots {
  readonly base: StateLayer;
  /** The base's tries, owned here: commits change them. */
  readonly #tries: ParentRoots;
  /** Account leaves committed (account key → leaf; `null`: absent). */
  readonly #leaves = new Map<string, Uint8Array | null>();
  /** Slot values committed (account key → slot key → value), for storage not wiped. */
  readonly #slots = new Map<string, Map<string, Uint8Array>>();

  constructor(base: StateLayer) {
    this.base = base;
    this.#tries = new ParentRoots(base);
  }

  /** The state root of `top`; `storageRoots` as for `stateRoot`. */
  root(top: StateLayer, storageRoots?: Map<string, Uint8Array>): Uint8Array {
    // Every key committed before is looked at again, whether or not a layer still holds it.
    const storage = new Map<string, Set<string>>();
    for (const [key, slots] of this.#slots) storage.set(key, new Set(slots.keys()));
    const { accounts, wiped } = collectChanges(top, this.base, {
      accounts: new Set(this.#leaves.keys()),
      storage,
      wiped: new Set(),
    });
    const changes = new Map<string, TrieChange | null>();
    for (const key of accounts) {
      const record = top.account(key);
      let leaf: Uint8Array | null = null;
      if (record !== null) {
        let root = storageRoots?.get(key);
        if (root === undefined) {
          root = wiped.has(key) ? storageRootOf(top.slots(key)) : this.#storageRoot(top, key, storage.get(key));
          storageRoots?.set(key, root);
        }
        leaf = accountLeaf(record, root);
      }
      const last = this.#leaves.get(key);
      if (last !== undefined && (last === null ? leaf === null : leaf !== null && equalsBytes(last, leaf))) continue;
      this.#leaves.set(key, leaf);
      const h = hashedKey(key);
      changes.set(h.hex, leaf === null ? null : { key: h.key, value: leaf });
    }
    return this.#tries.accountTrie().commit(changes);
  }

  /** The storage root of an account not wiped: its trie with the slots that differ from the last commit. */
  #storageRoot(top: StateLayer, key: string, slots: ReadonlySet<string> | undefined): Uint8Array {
    const trie = this.#tries.storageTrie(key);
    if (slots === undefined) return trie.root();
    let committed = this.#slots.get(key);
    if (committed === undefined) {
      committed = new Map();
      this.#slots.set(key, committed);
    }
    const changes = new Map<string, TrieChange | null>();
    for (const slot of slots) {
      const value = top.slot(key, slot);
      const last = committed.get(slot) ?? this.base.slot(key, slot);
      if (equalsBytes(last, value)) continue;
      committed.set(slot, value);
      const hs = hashedKey(slot);
      changes.set(hs.hex, value.length === 0 ? null : { key: hs.key, value: encodeBytes(value) });
    }
    return trie.commit(changes);
  }
}
