import { bytesToHex } from "@ethereumjs/util";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { bytesKey, keyBytes } from "../../../src/execution/state/keys.js";

describe("state keys", () => {
  test("a key is the bytes' lowercase hex without 0x, and converts back", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat({ max: 16 }), (bytes, pad) => {
        // A view into a larger buffer, at an offset, as keys often are.
        const backing = new Uint8Array(pad + bytes.length + 3);
        backing.set(bytes, pad);
        const view = backing.subarray(pad, pad + bytes.length);
        const key = bytesKey(view);
        expect(key).toBe(bytesToHex(bytes).slice(2));
        expect(keyBytes(key)).toEqual(bytes);
      }),
      { numRuns: 1000 },
    );
  });
});
