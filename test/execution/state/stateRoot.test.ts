import { RLP } from "@ethereumjs/rlp";
import { bigIntToUnpaddedBytes, bytesToHex } from "@ethereumjs/util";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { accountLeaf } from "../../../src/execution/state/stateRoot.js";

const edges = [0n, 1n, 127n, 128n, 255n, 256n, 0xffffffffn, 0x100000000n, 2n ** 53n, 2n ** 256n - 1n];

describe("accountLeaf", () => {
  test("property: the leaf is ethereumjs's RLP of [nonce, balance, storageRoot, codeHash]", () => {
    const integer = fc.oneof(
      fc.constantFrom(...edges),
      fc.bigInt({ min: 0n, max: 2n ** 64n }),
      fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }),
    );
    fc.assert(
      fc.property(
        integer,
        integer,
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (nonce, balance, storageRoot, codeHash) => {
          const expected = RLP.encode([
            bigIntToUnpaddedBytes(nonce),
            bigIntToUnpaddedBytes(balance),
            storageRoot,
            codeHash,
          ]);
          expect(bytesToHex(accountLeaf({ nonce, balance, codeHash }, storageRoot))).toBe(bytesToHex(expected));
        },
      ),
      { numRuns: 500 },
    );
  });
});
