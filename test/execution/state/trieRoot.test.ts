import { MerklePatriciaTrie } from "@ethereumjs/mpt";
import { RLP } from "@ethereumjs/rlp";
import { bytesToHex } from "@ethereumjs/util";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { orderedTrieRoot, trieRoot } from "../../../src/execution/state/trieRoot.js";

async function referenceRoot(entries: Array<[Uint8Array, Uint8Array]>): Promise<string> {
  const trie = new MerklePatriciaTrie();
  for (const [k, v] of entries) await trie.put(k, v);
  return bytesToHex(trie.root());
}

describe("trieRoot", () => {
  test("equals @ethereumjs/mpt on random 32-byte keys", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.uint8Array({ minLength: 32, maxLength: 32 }), {
          maxLength: 60,
          selector: (k) => bytesToHex(k),
        }),
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 70 }), { minLength: 60, maxLength: 60 }),
        async (keys, values) => {
          const entries = keys.map((k, i) => [k, values[i] as Uint8Array] as [Uint8Array, Uint8Array]);
          const ours = trieRoot(entries.map(([key, value]) => ({ key, value })));
          expect(bytesToHex(ours)).toBe(await referenceRoot(entries));
        },
      ),
      { numRuns: 60 },
    );
  });

  test("keys sharing long prefixes (extensions and embedded nodes)", async () => {
    const entries: Array<[Uint8Array, Uint8Array]> = [];
    for (let i = 0; i < 40; i++) {
      const key = new Uint8Array(32);
      key[31] = i;
      key[30] = i % 3;
      entries.push([key, Uint8Array.of(i + 1)]);
    }
    expect(bytesToHex(trieRoot(entries.map(([key, value]) => ({ key, value }))))).toBe(await referenceRoot(entries));
  });

  test("ordered (receipt-style) tries keyed by RLP(index)", async () => {
    for (const n of [0, 1, 2, 127, 128, 129, 300]) {
      const values = Array.from({ length: n }, (_, i) => RLP.encode([i, "weft", new Uint8Array(i % 40)]));
      const entries = values.map((v, i) => [RLP.encode(i), v] as [Uint8Array, Uint8Array]);
      expect(bytesToHex(orderedTrieRoot(values))).toBe(await referenceRoot(entries));
    }
  });
});
