import { bytesToHex } from "@ethereumjs/util";
import { keccak_256 } from "@noble/hashes/sha3.js";
import fc from "fast-check";
import { expect, test } from "vitest";
import { keccak256, keccakReady, nativeKeccak256 } from "../../../src/execution/crypto/native.js";

test("keccak256 in WebAssembly equals the native binding and @noble/hashes, from empty input to several blocks", async () => {
  expect(await keccakReady()).toBe(true);
  expect(bytesToHex(keccak256(new Uint8Array(0)))).toBe(
    "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 700 }), (data) => {
      const digest = keccak256(data);
      expect(bytesToHex(digest)).toBe(bytesToHex(nativeKeccak256(data)));
      expect(bytesToHex(digest)).toBe(bytesToHex(keccak_256(data)));
    }),
    { numRuns: 300 },
  );
  // Each digest is its own array: a later hash does not overwrite an earlier one.
  const a = keccak256(Uint8Array.of(1));
  const copy = Uint8Array.from(a);
  keccak256(Uint8Array.of(2));
  expect(a).toEqual(copy);
});
