/**
 * The state root of a built block, computed from the flat layers without re-hashing what the block did not
 * touch.
 *
 *   per parent (once, `ParentRoots`): every account's storage root and account leaf, computed on first use and
 *     kept: candidate blocks on the same parent share them;
 *   per block: the accounts and storage the block's layers changed (walking the layers down to the parent);
 *     their storage roots and leaves are computed anew, every other leaf comes from the parent's cache;
 *   → the Merkle-Patricia root over all leaves (`trieRoot`, keys hashed once and kept).
 *
 * So a seal costs one pass over the account leaves (sorting and hashing the trie's branches) plus the storage
 * tries of the contracts the block wrote to, instead of every storage trie of the state.
 */
import { RLP } from "@ethereumjs/rlp";
import { bigIntToUnpaddedBytes } from "@ethereumjs/util";
import { keccak256 } from "../../execution/crypto/native.js";
import { keyBytes } from "../../execution/state/keys.js";
import type { AccountRecord, StateLayer } from "../../execution/state/layer.js";
import { type TrieEntry, trieRoot } from "../../execution/state/trieRoot.js";

/** keccak256 of address and slot keys, kept: the same accounts are hashed by every seal. Bounded by a reset. */
const hashedKeys = new Map<string, Uint8Array>();
function hashed(key: string): Uint8Array {
  let h = hashedKeys.get(key);
  if (h === undefined) {
    h = keccak256(keyBytes(key));
    if (hashedKeys.size > 2_000_000) hashedKeys.clear();
    hashedKeys.set(key, h);
  }
  return h;
}

export function storageRootOf(slots: Map<string, Uint8Array>): Uint8Array {
  const entries: TrieEntry[] = [];
  for (const [slot, value] of slots) entries.push({ key: hashed(slot), value: RLP.encode(value) });
  return trieRoot(entries);
}

function accountLeaf(record: AccountRecord, storageRoot: Uint8Array): Uint8Array {
  return RLP.encode([
    bigIntToUnpaddedBytes(record.nonce),
    bigIntToUnpaddedBytes(record.balance),
    storageRoot,
    record.codeHash,
  ]);
}

/** Storage roots and account leaves of a parent state, computed on demand and kept. */
export class ParentRoots {
  readonly parent: StateLayer;
  readonly #storageRoots = new Map<string, Uint8Array>();
  readonly #leaves = new Map<string, TrieEntry>();
  #keys: string[] | undefined;

  constructor(parent: StateLayer) {
    this.parent = parent;
  }

  storageRoot(key: string): Uint8Array {
    let root = this.#storageRoots.get(key);
    if (root === undefined) {
      root = storageRootOf(this.parent.slots(key));
      this.#storageRoots.set(key, root);
    }
    return root;
  }

  /** The account's trie entry at the parent (undefined when the account does not exist there). */
  entry(key: string): TrieEntry | undefined {
    let entry = this.#leaves.get(key);
    if (entry === undefined) {
      const record = this.parent.account(key);
      if (record === null) return undefined;
      entry = { key: hashed(key), value: accountLeaf(record, this.storageRoot(key)) };
      this.#leaves.set(key, entry);
    }
    return entry;
  }

  /** Every account the parent holds. */
  accountKeys(): readonly string[] {
    this.#keys ??= [...this.parent.accountKeys()].filter((key) => this.parent.account(key) !== null);
    return this.#keys;
  }

  /** Computes every leaf now (done while orders simulate, so that sealing finds them ready). */
  warm(): void {
    for (const key of this.accountKeys()) this.entry(key);
  }
}

/** The state root of `top` (a stack of layers over `roots.parent`). */
export function stateRoot(top: StateLayer, roots: ParentRoots): Uint8Array {
  const accounts = new Set<string>();
  const storage = new Set<string>();
  for (let layer: StateLayer | undefined = top; layer !== roots.parent; layer = layer.parent) {
    if (layer === undefined) throw new Error("stateRoot: the layers do not lead to the parent of the roots");
    for (const key of layer.accounts.keys()) accounts.add(key);
    for (const key of layer.storage.keys()) storage.add(key);
    for (const key of layer.cleared) storage.add(key);
  }
  const entries: TrieEntry[] = [];
  for (const key of roots.accountKeys()) {
    if (accounts.has(key) || storage.has(key)) continue;
    entries.push(roots.entry(key) as TrieEntry);
  }
  for (const key of new Set([...accounts, ...storage])) {
    const record = top.account(key);
    if (record === null) continue;
    const root = storage.has(key) ? storageRootOf(top.slots(key)) : roots.storageRoot(key);
    entries.push({ key: hashed(key), value: accountLeaf(record, root) });
  }
  return trieRoot(entries);
}
