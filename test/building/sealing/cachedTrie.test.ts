import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { CachedTrie } from "../../../src/building/sealing/cachedTrie.js";
import { keccak256 } from "../../../src/execution/crypto/native.js";
import { orderedTrieRoot, type TrieEntry, trieRoot } from "../../../src/execution/state/trieRoot.js";

const key = (n: number) => keccak256(Uint8Array.of(n >> 8, n & 0xff));
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("cached trie", () => {
  test("property: the root with changes equals a trie built from scratch over the changed set", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.nat({ max: 600 }), { maxLength: 120 }),
        fc.array(fc.tuple(fc.nat({ max: 600 }), fc.option(fc.uint8Array({ minLength: 1, maxLength: 40 }))), {
          maxLength: 30,
        }),
        (base, edits) => {
          const values = new Map<string, { key: Uint8Array; value: Uint8Array }>();
          for (const n of base) values.set(hex(key(n)), { key: key(n), value: Uint8Array.of(n & 0xff, 1, 2, 3) });
          const trie = new CachedTrie([...values.values()]);
          expect(hex(trie.root())).toBe(hex(trieRoot([...values.values()] as TrieEntry[])));
          const changes = new Map<string, { key: Uint8Array; value: Uint8Array } | null>();
          for (const [n, value] of edits) {
            changes.set(hex(key(n)), value === null ? null : { key: key(n), value });
            if (value === null) values.delete(hex(key(n)));
            else values.set(hex(key(n)), { key: key(n), value });
          }
          expect(hex(trie.rootWith(changes))).toBe(hex(trieRoot([...values.values()] as TrieEntry[])));
        },
      ),
      { numRuns: 150 },
    );
  });

  test("ordered roots (transactions, receipts) equal the executor's, past one-byte indices", () => {
    for (const n of [0, 1, 2, 127, 128, 129, 300]) {
      const values = Array.from({ length: n }, (_, i) => new Uint8Array(34).fill(7).fill(i & 0xff, 0, 1));
      expect(hex(CachedTrie.orderedRoot(values))).toBe(hex(orderedTrieRoot(values)));
    }
  });
});
