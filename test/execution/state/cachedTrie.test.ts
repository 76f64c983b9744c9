import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { keccak256 } from "../../../src/execution/crypto/native.js";
import { CachedTrie, type TrieChange, type TrieEntry, trieRoot } from "../../../src/execution/state/trieRoot.js";

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

  test("property: commits in sequence keep the root equal to a trie built from scratch, and rootWith after them", () => {
    const entry = fc.tuple(fc.nat({ max: 400 }), fc.option(fc.uint8Array({ minLength: 1, maxLength: 40 })));
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.nat({ max: 400 }), { maxLength: 80 }),
        fc.array(fc.array(entry, { maxLength: 12 }), { maxLength: 8 }),
        fc.array(entry, { maxLength: 10 }),
        (base, commits, probe) => {
          const values = new Map<string, { key: Uint8Array; value: Uint8Array }>();
          for (const n of base) values.set(hex(key(n)), { key: key(n), value: Uint8Array.of(n & 0xff, 9) });
          const trie = new CachedTrie([...values.values()]);
          const apply = (
            edits: ReadonlyArray<readonly [number, Uint8Array | null]>,
            into: Map<string, { key: Uint8Array; value: Uint8Array }>,
          ) => {
            const changes = new Map<string, { key: Uint8Array; value: Uint8Array } | null>();
            for (const [n, value] of edits) {
              changes.set(hex(key(n)), value === null ? null : { key: key(n), value });
              if (value === null) into.delete(hex(key(n)));
              else into.set(hex(key(n)), { key: key(n), value });
            }
            return changes;
          };
          for (const edits of commits) {
            const changes = apply(edits, values);
            expect(hex(trie.commit(changes))).toBe(hex(trieRoot([...values.values()])));
            expect(hex(trie.root())).toBe(hex(trieRoot([...values.values()])));
          }
          const probed = new Map(values);
          const changes = apply(probe, probed);
          expect(hex(trie.rootWith(changes))).toBe(hex(trieRoot([...probed.values()])));
          // rootWith leaves the trie as it was.
          expect(hex(trie.root())).toBe(hex(trieRoot([...values.values()])));
        },
      ),
      { numRuns: 150 },
    );
  });

  test("a subtree hidden inside an extension by one commit and exposed by the next is hashed anew", () => {
    // Keys by their leading nibbles: "ab11…" and "ab12…" sit under a branch at "a" beside "ac00…"; without
    // "ac00…" the branch becomes an extension to "ab1", so the subtree at "ab" is not a node for one commit.
    const k = (prefix: string) => Uint8Array.from(Buffer.from(prefix.padEnd(64, "0"), "hex"));
    const entries = new Map<string, { key: Uint8Array; value: Uint8Array }>();
    const put = (prefix: string, value: Uint8Array | null, into: Map<string, TrieChange | null>) => {
      const key = k(prefix);
      into.set(hex(key), value === null ? null : { key, value });
      if (value === null) entries.delete(hex(key));
      else entries.set(hex(key), { key, value });
    };
    const base = new Map<string, TrieChange | null>();
    for (const prefix of ["ab11", "ab12", "ac00", "b000", "c000"]) put(prefix, Uint8Array.of(1), base);
    const trie = new CachedTrie([...entries.values()]);
    trie.root();
    const first = new Map<string, TrieChange | null>();
    put("ac00", null, first);
    put("ab11", Uint8Array.of(2), first);
    expect(hex(trie.commit(first))).toBe(hex(trieRoot([...entries.values()])));
    const second = new Map<string, TrieChange | null>();
    put("ac00", Uint8Array.of(3), second);
    expect(hex(trie.commit(second))).toBe(hex(trieRoot([...entries.values()])));
  });
});
