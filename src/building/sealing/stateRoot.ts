/**
 * The state root of a built block, computed from the flat layers without re-hashing what the block did not
 * touch.
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
import { RLP } from "@ethereumjs/rlp";
import { bigIntToUnpaddedBytes } from "@ethereumjs/util";
import { keyBytes } from "../../execution/state/keys.js";
import type { AccountRecord, StateLayer } from "../../execution/state/layer.js";
import type { TrieEntry } from "../../execution/state/trieRoot.js";
import { CachedTrie, type TrieChange } from "./cachedTrie.js";
import { keccak as keccak256 } from "./keccak.js";

/**
 * keccak256 of address and slot keys, with its hex, kept: the same accounts and slots are hashed by every seal.
 * Bounded by a reset.
 */
const hashedKeys = new Map<string, { key: Uint8Array; hex: string }>();
function hashedKey(key: string): { key: Uint8Array; hex: string } {
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

export function storageRootOf(slots: Map<string, Uint8Array>): Uint8Array {
  const entries: TrieEntry[] = [];
  for (const [slot, value] of slots) entries.push({ key: hashed(slot), value: RLP.encode(value) });
  return CachedTrie.rootOf(entries);
}

function accountLeaf(record: AccountRecord, storageRoot: Uint8Array): Uint8Array {
  return RLP.encode([
    bigIntToUnpaddedBytes(record.nonce),
    bigIntToUnpaddedBytes(record.balance),
    storageRoot,
    record.codeHash,
  ]);
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
      for (const [slot, value] of this.parent.slots(key)) entries.push({ key: hashed(slot), value: RLP.encode(value) });
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

/**
 * The state root of `top` (a stack of layers over `roots.parent`): the accounts and storage the layers changed
 * are re-hashed on the parent's cached tries; nothing else is.
 */
export function stateRoot(top: StateLayer, roots: ParentRoots): Uint8Array {
  const accounts = new Set<string>();
  const storage = new Map<string, Set<string>>();
  const wiped = new Set<string>();
  for (let layer: StateLayer | undefined = top; layer !== roots.parent; layer = layer.parent) {
    if (layer === undefined) throw new Error("stateRoot: the layers do not lead to the parent of the roots");
    for (const key of layer.accounts.keys()) accounts.add(key);
    for (const [key, slots] of layer.storage) {
      let set = storage.get(key);
      if (set === undefined) {
        set = new Set();
        storage.set(key, set);
      }
      for (const slot of slots.keys()) set.add(slot);
    }
    for (const key of layer.cleared) wiped.add(key);
  }
  const changes = new Map<string, TrieChange | null>();
  for (const key of new Set([...accounts, ...storage.keys(), ...wiped])) {
    const record = top.account(key);
    const h = hashedKey(key);
    if (record === null) {
      changes.set(h.hex, null);
      continue;
    }
    let root: Uint8Array;
    if (wiped.has(key)) root = storageRootOf(top.slots(key));
    else {
      const slots = storage.get(key);
      const trie = roots.storageTrie(key);
      if (slots === undefined) root = trie.root();
      else {
        const slotChanges = new Map<string, TrieChange | null>();
        for (const slot of slots) {
          const value = top.slot(key, slot);
          const hs = hashedKey(slot);
          slotChanges.set(hs.hex, value.length === 0 ? null : { key: hs.key, value: RLP.encode(value) });
        }
        root = trie.rootWith(slotChanges);
      }
    }
    changes.set(h.hex, { key: h.key, value: accountLeaf(record, root) });
  }
  return roots.accountTrie().rootWith(changes);
}
