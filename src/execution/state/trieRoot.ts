/**
 * Merkle-Patricia root of a set of key/value pairs, computed synchronously in one pass over the sorted keys.
 *
 * Written here because `@ethereumjs/mpt` is an asynchronous, node-store-backed trie: right for a database, but
 * weft only ever needs the root of a state it holds in flat maps, sometimes from a synchronous getter. The
 * algorithm is the yellow paper's definition applied recursively to sorted ranges: a range of one key is a
 * leaf; a range whose keys share more nibbles than the current depth is an extension; otherwise a branch with
 * one child per next nibble. Nodes whose RLP is shorter than 32 bytes are embedded in their parent.
 */
import { RLP } from "@ethereumjs/rlp";
import { KECCAK256_RLP } from "@ethereumjs/util";
import { keccak256 } from "../crypto/native.js";

export interface TrieEntry {
  /** The path: for a secure trie, keccak256 of the key. */
  key: Uint8Array;
  /** The stored bytes (already RLP-encoded where the trie stores RLP). */
  value: Uint8Array;
}

type Node = Uint8Array | Node[];

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

/** A child reference: the node itself when its encoding is under 32 bytes, else its hash. */
function ref(node: Node): Node {
  const encoded = RLP.encode(node as never);
  return encoded.length < 32 ? node : keccak256(encoded);
}

function build(entries: readonly TrieEntry[], lo: number, hi: number, depth: number): Node {
  const first = entries[lo] as TrieEntry;
  if (hi - lo === 1) return [hexPrefix(first.key, depth, first.key.length * 2, true), first.value];
  // Common prefix of the range: sorted keys share with the first what the last shares with it.
  const last = (entries[hi - 1] as TrieEntry).key;
  const limit = Math.min(first.key.length, last.length) * 2;
  let common = depth;
  while (common < limit && nibble(first.key, common) === nibble(last, common)) common++;
  if (common > depth) return [hexPrefix(first.key, depth, common, false), ref(build(entries, lo, hi, common))];
  const branch: Node[] = new Array(17).fill(new Uint8Array(0));
  let start = lo;
  while (start < hi) {
    const n = nibble((entries[start] as TrieEntry).key, depth);
    let end = start + 1;
    while (end < hi && nibble((entries[end] as TrieEntry).key, depth) === n) end++;
    branch[n] = ref(build(entries, start, end, depth + 1));
    start = end;
  }
  return branch;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/**
 * The root of a trie holding `entries`. Keys must be distinct and none a prefix of another: true of hashed keys
 * and of the RLP-encoded indices that key the transaction, receipt and withdrawal tries.
 */
export function trieRoot(entries: TrieEntry[], sorted = false): Uint8Array {
  if (entries.length === 0) return KECCAK256_RLP;
  if (!sorted) entries.sort((a, b) => compareBytes(a.key, b.key));
  return keccak256(RLP.encode(build(entries, 0, entries.length, 0) as never));
}

/** The root of a list trie (transactions, receipts, withdrawals): item i under the key RLP(i). */
export function orderedTrieRoot(values: readonly Uint8Array[]): Uint8Array {
  return trieRoot(values.map((value, i) => ({ key: RLP.encode(i), value })));
}
