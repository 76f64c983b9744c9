/**
 * Merkle-Patricia roots over flat, sorted data, computed synchronously: the state root, storage roots, and the
 * transaction, receipt and withdrawal tries.
 *
 * Written here because `@ethereumjs/mpt` is an asynchronous, node-store-backed trie: right for a database, but
 * weft only needs the root of a state it holds in flat maps (sometimes from a synchronous getter), and needs it
 * again and again for the same base with a few changes (every seal on one parent; the per-transaction roots of
 * pre-Byzantium receipts). The npm trie libraries are not incremental over flat sorted data.
 *
 * `CachedTrie` is the yellow paper's definition applied recursively to sorted ranges: a range of one key is a
 * leaf; a range whose keys share more nibbles than the current depth is an extension; otherwise a branch with
 * one child per next nibble; nodes whose RLP is under 32 bytes are embedded in their parent. Built once over a
 * base set of entries, it remembers the reference of every subtree under (depth, key prefix), so that the root of
 * the base plus changes re-hashes only the subtrees the changes fall in: the sorted entries are merged with the
 * changed keys (new values, deletions) and built again, and a subtree whose prefix no changed key has takes its
 * reference from the base.
 */
import { KECCAK256_RLP } from "@ethereumjs/util";
import { keccak256 } from "../crypto/native.js";
import { encodeBytes, encodeListTransient as encodeList } from "../rlp.js";

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
  #entries: Entry[];
  /** Per depth: key prefix (hex, `depth` nibbles) → the base subtree's reference. */
  readonly #memo: Map<string, Uint8Array>[] = [];
  #memoize = true;
  /** Set while `commit` rebuilds: rebuilt subtrees' references replace the base's. */
  #committing = false;
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
    const merged = this.#merge(changes, dirty);
    if (merged.length === 0) return KECCAK256_RLP;
    return keccak256(this.#build(merged, 0, merged.length, 0, dirty));
  }

  /**
   * Applies `changes` to the base itself (as `rootWith`, then the result is the new base) and returns the new
   * root. For a trie owned by one writer that asks for a root after every few changes: each commit re-hashes only
   * the paths to its own changes. Never on a trie others read through `rootWith`.
   */
  commit(changes: ReadonlyMap<string, TrieChange | null>): Uint8Array {
    this.root();
    if (changes.size === 0) return this.#root as Uint8Array;
    const dirty = [...changes.keys()].sort();
    this.#entries = this.#merge(changes, dirty);
    // Every subtree on the path to a changed key is stale, whether or not it stays a node of the new trie.
    for (const hex of dirty) {
      for (let depth = 0; depth < this.#memo.length; depth++) this.#memo[depth]?.delete(hex.slice(0, depth));
    }
    const entries = this.#entries;
    this.#committing = true;
    try {
      this.#root = entries.length === 0 ? KECCAK256_RLP : keccak256(this.#build(entries, 0, entries.length, 0, dirty));
    } finally {
      this.#committing = false;
    }
    return this.#root;
  }

  /** The base's entries with `changes` (keyed by hex, `dirty` their sorted keys) merged in, still sorted. */
  #merge(changes: ReadonlyMap<string, TrieChange | null>, dirty: readonly string[]): Entry[] {
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
    return merged;
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
      if (this.#memoize) this.#remember(depth, prefix, r);
      return r;
    }
    if (isClean(dirty, prefix)) {
      const cached = this.#memo[depth]?.get(prefix);
      if (cached !== undefined) return cached;
    }
    const r = ref(this.#build(entries, lo, hi, depth, dirty));
    if (this.#committing) this.#remember(depth, prefix, r);
    return r;
  }

  #remember(depth: number, prefix: string, r: Uint8Array): void {
    let memo = this.#memo[depth];
    if (memo === undefined) {
      memo = new Map();
      this.#memo[depth] = memo;
    }
    memo.set(prefix, r);
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

export interface TrieEntry {
  /** The path: for a secure trie, keccak256 of the key. */
  key: Uint8Array;
  /** The stored bytes (already RLP-encoded where the trie stores RLP). */
  value: Uint8Array;
}

/**
 * The root of a trie holding `entries`. Keys must be distinct and none a prefix of another: true of hashed keys
 * and of the RLP-encoded indices that key the transaction, receipt and withdrawal tries.
 */
export function trieRoot(entries: Iterable<TrieEntry>): Uint8Array {
  return CachedTrie.rootOf(entries);
}

/** The root of a list trie (transactions, receipts, withdrawals): item i under the key RLP(i). */
export function orderedTrieRoot(values: readonly Uint8Array[]): Uint8Array {
  return CachedTrie.orderedRoot(values);
}
