/**
 * A Merkle-Patricia trie over a base set of entries (a parent state's accounts, or one account's storage) that
 * remembers the reference of every subtree it built, so that the root of the base plus a block's changes is
 * computed by re-hashing only the subtrees the changes fall in.
 *
 *   base: entries sorted by key; built once like `trieRoot` (a range of one key is a leaf, a shared prefix an
 *     extension, else a branch per next nibble), each subtree's reference kept under (depth, key prefix);
 *   with changes: the sorted entries are merged with the changed keys (new values, deletions) and built again;
 *     a subtree whose prefix no changed key has holds exactly the base's entries there, so its reference is
 *     taken from the base (when the base had a subtree at that depth and prefix), and nothing under it is
 *     touched.
 *
 * `trieRoot` (src/execution/state) builds a trie from scratch; this one exists because a seal changes a few
 * hundred of thousands of leaves. Written by hand: the trie libraries on npm are asynchronous and node-store
 * backed, not incremental over flat sorted data.
 */
import { KECCAK256_RLP } from "@ethereumjs/util";
import { keccak as keccak256 } from "./keccak.js";
import { encodeBytes, encodeListTransient as encodeList } from "./rlp.js";

/**
 * Nodes are handled as their RLP encodings, and child references as the encoded item the parent holds (a
 * 33-byte encoded hash, or the child's own encoding when it is under 32 bytes): encoding a node is then one
 * allocation and a copy of its items, where ethereumjs's generic RLP encoder re-walks nested arrays. The trie
 * hashing of a seal is mostly this.
 */
/** A changed key: its bytes and its new value. */
export interface TrieChange {
  key: Uint8Array;
  value: Uint8Array;
}

interface Entry {
  key: Uint8Array;
  /** The key in hex (for prefixes and merging). */
  hex: string;
  value: Uint8Array;
}

function nibble(key: Uint8Array, i: number): number {
  const b = key[i >> 1] as number;
  return i & 1 ? b & 0x0f : b >> 4;
}

/** Hex-prefix encoding of nibbles [from, to) of `key` (yellow paper, appendix C). */
function hexPrefix(key: Uint8Array, from: number, to: number, leaf: boolean): Uint8Array {
  const len = to - from;
  const odd = len & 1;
  const out = new Uint8Array((len >> 1) + 1);
  out[0] = ((leaf ? 2 : 0) + odd) << 4;
  let pos = from;
  if (odd) {
    out[0] = (out[0] as number) | nibble(key, pos);
    pos++;
  }
  for (let o = 1; pos < to; pos += 2, o++) out[o] = (nibble(key, pos) << 4) | nibble(key, pos + 1);
  return out;
}

/**
 * A child reference as the item its parent holds: the encoded node when under 32 bytes (copied: nodes are
 * encoded into a transient buffer), else its encoded hash.
 */
function ref(encoded: Uint8Array): Uint8Array {
  if (encoded.length < 32) return encoded.slice();
  const out = new Uint8Array(33);
  out[0] = 0xa0;
  out.set(keccak256(encoded), 1);
  return out;
}

const EMPTY_ITEM = Uint8Array.of(0x80);

/** RLP of a list index: 0x80 for 0, the byte itself below 0x80, else a short string of its big-endian bytes. */
function encodeIndex(i: number): Uint8Array {
  if (i === 0) return Uint8Array.of(0x80);
  if (i < 0x80) return Uint8Array.of(i);
  const bytes: number[] = [];
  for (let v = i; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Uint8Array.from([0x80 + bytes.length, ...bytes]);
}

export class CachedTrie {
  readonly #entries: Entry[];
  /** Per depth: key prefix (hex, `depth` nibbles) → the base subtree's reference. */
  readonly #memo: Map<string, Uint8Array>[] = [];
  #memoize = true;
  #root: Uint8Array | undefined;

  /** The root of a trie built once (nothing kept for later changes). */
  static rootOf(entries: Iterable<{ key: Uint8Array; value: Uint8Array }>): Uint8Array {
    const trie = new CachedTrie(entries);
    trie.#memoize = false;
    return trie.root();
  }

  /** The root of a list trie (transactions, receipts, withdrawals): item i under the key RLP(i). */
  static orderedRoot(values: readonly Uint8Array[]): Uint8Array {
    return CachedTrie.rootOf(values.map((value, i) => ({ key: encodeIndex(i), value })));
  }

  /** Keys must be distinct, none a prefix of another (true of hashed keys). */
  constructor(entries: Iterable<{ key: Uint8Array; value: Uint8Array }>) {
    this.#entries = [...entries].map((e) => ({ key: e.key, hex: Buffer.from(e.key).toString("hex"), value: e.value }));
    this.#entries.sort((a, b) => (a.hex < b.hex ? -1 : a.hex > b.hex ? 1 : 0));
  }

  get size(): number {
    return this.#entries.length;
  }

  /** The base's root (computed once; fills the subtree cache). */
  root(): Uint8Array {
    if (this.#root === undefined) {
      const entries = this.#entries;
      this.#root =
        entries.length === 0 ? KECCAK256_RLP : keccak256(this.#build(entries, 0, entries.length, 0, undefined));
    }
    return this.#root;
  }

  /**
   * The root of the base with `changes` applied: key (hex of the hashed key) → the key's bytes and new value,
   * or `null` to delete the key.
   */
  rootWith(changes: ReadonlyMap<string, TrieChange | null>): Uint8Array {
    const base = this.root();
    if (changes.size === 0) return base;
    const dirty = [...changes.keys()].sort();
    const merged: Entry[] = [];
    const entries = this.#entries;
    let i = 0;
    for (const hex of dirty) {
      while (i < entries.length && (entries[i] as Entry).hex < hex) merged.push(entries[i++] as Entry);
      if (i < entries.length && (entries[i] as Entry).hex === hex) i++;
      const change = changes.get(hex);
      if (change !== null && change !== undefined) merged.push({ key: change.key, hex, value: change.value });
    }
    while (i < entries.length) merged.push(entries[i++] as Entry);
    if (merged.length === 0) return KECCAK256_RLP;
    return keccak256(this.#build(merged, 0, merged.length, 0, dirty));
  }

  /**
   * The encoded node for entries [lo, hi) at nibble `depth`. With `dirty` (sorted changed keys) it reuses the
   * base's reference of every clean subtree; without, it is building the base and records them.
   */
  #build(
    entries: readonly Entry[],
    lo: number,
    hi: number,
    depth: number,
    dirty: readonly string[] | undefined,
  ): Uint8Array {
    const first = entries[lo] as Entry;
    if (hi - lo === 1) {
      return encodeList([
        encodeBytes(hexPrefix(first.key, depth, first.key.length * 2, true)),
        encodeBytes(first.value),
      ]);
    }
    const last = (entries[hi - 1] as Entry).key;
    const limit = Math.min(first.key.length, last.length) * 2;
    let common = depth;
    while (common < limit && nibble(first.key, common) === nibble(last, common)) common++;
    if (common > depth) {
      return encodeList([
        encodeBytes(hexPrefix(first.key, depth, common, false)),
        this.#child(entries, lo, hi, common, dirty),
      ]);
    }
    const branch: Uint8Array[] = new Array(17).fill(EMPTY_ITEM);
    let start = lo;
    while (start < hi) {
      const n = nibble((entries[start] as Entry).key, depth);
      let end = start + 1;
      while (end < hi && nibble((entries[end] as Entry).key, depth) === n) end++;
      branch[n] = this.#child(entries, start, end, depth + 1, dirty);
      start = end;
    }
    return encodeList(branch);
  }

  #child(
    entries: readonly Entry[],
    lo: number,
    hi: number,
    depth: number,
    dirty: readonly string[] | undefined,
  ): Uint8Array {
    const prefix = (entries[lo] as Entry).hex.slice(0, depth);
    if (dirty === undefined) {
      const r = ref(this.#build(entries, lo, hi, depth, undefined));
      if (this.#memoize) {
        let memo = this.#memo[depth];
        if (memo === undefined) {
          memo = new Map();
          this.#memo[depth] = memo;
        }
        memo.set(prefix, r);
      }
      return r;
    }
    if (isClean(dirty, prefix)) {
      const cached = this.#memo[depth]?.get(prefix);
      if (cached !== undefined) return cached;
    }
    return ref(this.#build(entries, lo, hi, depth, dirty));
  }
}

/** Whether no key in the sorted `dirty` list starts with `prefix`. */
function isClean(dirty: readonly string[], prefix: string): boolean {
  let lo = 0;
  let hi = dirty.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((dirty[mid] as string) < prefix) lo = mid + 1;
    else hi = mid;
  }
  return lo === dirty.length || !(dirty[lo] as string).startsWith(prefix);
}
