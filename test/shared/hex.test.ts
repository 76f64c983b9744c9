import fc from "fast-check";
import { expect, test } from "vitest";
import { fromQuantity, isHex, padHex, toQuantity } from "../../src/shared/hex.js";

test("quantities round-trip", () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }), (n) => {
      expect(fromQuantity(toQuantity(n))).toBe(n);
    }),
  );
  expect(toQuantity(0n)).toBe("0x0");
  expect(fromQuantity("0x")).toBe(0n);
});

test("bad hex is refused", () => {
  expect(isHex("0xzz")).toBe(false);
  expect(() => fromQuantity("12")).toThrow(/not a hex quantity/);
  expect(padHex("0x1", 2)).toBe("0x0001");
});
