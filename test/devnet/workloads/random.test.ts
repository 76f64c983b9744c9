import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { deriveAddress, deriveSigner } from "../../../src/devnet/workloads/accounts.js";
import { mixedCounts } from "../../../src/devnet/workloads/mixed.js";
import { hotCount, hotEntities } from "../../../src/devnet/workloads/plan.js";
import { Random } from "../../../src/devnet/workloads/random.js";
import { tokenCount } from "../../../src/devnet/workloads/uniswap.js";

describe("Random", () => {
  test("a seed and label fix the sequence; another seed or label changes it", () => {
    const draw = (seed: number, label: string) => {
      const r = new Random(seed, label);
      return Array.from({ length: 8 }, () => r.u32());
    };
    expect(draw(1, "a")).toEqual(draw(1, "a"));
    expect(draw(1, "a")).not.toEqual(draw(2, "a"));
    expect(draw(1, "a")).not.toEqual(draw(1, "b"));
  });

  test("values stay in their ranges", () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.bigInt({ min: 0n, max: 1n << 200n }),
        fc.bigInt({ min: 0n, max: 1n << 70n }),
        (seed, min, span) => {
          const r = new Random(seed, "range");
          const v = r.bigint(min, min + span);
          const i = r.int(7);
          return v >= min && v <= min + span && Number.isInteger(i) && i >= 0 && i < 7;
        },
      ),
    );
  });

  test("shuffle permutes, and spreads: each position takes every value over many draws", () => {
    const r = new Random(4, "shuffle");
    const seen = Array.from({ length: 5 }, () => new Set<number>());
    for (let k = 0; k < 200; k++) {
      const order = r.shuffle([0, 1, 2, 3, 4]);
      expect([...order].sort()).toEqual([0, 1, 2, 3, 4]);
      for (const [i, v] of order.entries()) seen[i]?.add(v);
    }
    expect(seen.every((values) => values.size === 5)).toBe(true);
  });

  test("u32 bits are balanced", () => {
    const r = new Random(11, "bits");
    let ones = 0;
    for (let i = 0; i < 10_000; i++) ones += r.u32().toString(2).split("1").length - 1;
    expect(Math.abs(ones / 320_000 - 0.5)).toBeLessThan(0.01);
  });
});

describe("accounts", () => {
  test("derived keys and addresses depend on seed, role and index only", () => {
    expect(deriveSigner(1, "sender", 0).address.toString()).toBe(deriveSigner(1, "sender", 0).address.toString());
    const addresses = new Set(
      [
        deriveSigner(1, "sender", 0),
        deriveSigner(1, "sender", 1),
        deriveSigner(2, "sender", 0),
        deriveSigner(1, "x", 0),
      ].map((s) => s.address.toString()),
    );
    expect(addresses.size).toBe(4);
    expect(deriveAddress(1, "recipient", 3).toString()).not.toBe(deriveAddress(1, "recipient", 4).toString());
  });
});

describe("conflict arithmetic", () => {
  test("hot transactions: rounded, never exactly one, none in a block of one", () => {
    expect(hotCount(100, 0)).toBe(0);
    expect(hotCount(100, 0.1)).toBe(10);
    expect(hotCount(100, 0.01)).toBe(2);
    expect(hotCount(1, 1)).toBe(0);
    expect(hotCount(7, 1)).toBe(7);
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 10_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, rate) => {
        const hot = hotCount(n, rate);
        return hot !== 1 && hot <= n && Math.abs(hot - rate * n) <= 1.5;
      }),
    );
  });

  test("hot entities get at least two transactions each", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 1000 }), fc.integer({ min: 1, max: 16 }), (hot, max) => {
        const entities = hotEntities(hot, max);
        return entities >= 1 && entities <= max && hot >= 2 * entities;
      }),
    );
    expect(hotEntities(0, 4)).toBe(0);
  });

  test("the mix's shares add up; pools get enough token pairs", () => {
    for (const n of [1, 2, 3, 7, 100, 5000, 12_345]) expect(mixedCounts(n).reduce((a, b) => a + b, 0)).toBe(n);
    expect(mixedCounts(5000)).toEqual([1750, 1500, 1000, 750]);
    for (const pools of [1, 2, 3, 4, 45, 46, 5000]) {
      const k = tokenCount(pools);
      expect((k * (k - 1)) / 2).toBeGreaterThanOrEqual(pools);
      expect(k === 2 || ((k - 1) * (k - 2)) / 2 < pools).toBe(true);
    }
  });
});
