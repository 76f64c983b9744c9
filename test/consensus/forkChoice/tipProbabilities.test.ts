import { describe, expect, test } from "vitest";
import { ForkChoice } from "../../../src/consensus/forkChoice/forkChoice.js";
import { simulate, summarize } from "./simulator.js";

const r = (s: string) => `0x${s.padEnd(64, "0")}`;
const G = r("00");
const ETH = 32_000_000_000;

/** 64 validators of 32 ETH: two per slot, a committee of 64 ETH, a boost of 25.6 ETH. */
function store(): ForkChoice {
  return new ForkChoice({ anchor: { root: G, slot: 0 }, balances: Array(64).fill(ETH) });
}

function sum(xs: readonly { probability: number }[]): number {
  return xs.reduce((a, t) => a + t.probability, 0);
}

describe("getTips", () => {
  test("lists every viable leaf with its weight; probabilities sum to 1 and are reproducible", () => {
    const fc = store();
    fc.onTick(12);
    fc.onBlock({ root: r("a1"), parent: G, slot: 1 });
    fc.onBlock({ root: r("b1"), parent: G, slot: 1 });
    fc.onTick(24);
    fc.onBlock({ root: r("c2"), parent: r("a1"), slot: 2 });
    fc.onTick(26);
    fc.onAttestation({ validators: [0], root: r("b1"), targetEpoch: 0 });
    const tips = fc.getTips();
    expect(
      tips
        .filter((t) => t.leaf)
        .map((t) => t.root)
        .sort(),
    ).toEqual([r("b1"), r("c2")]);
    expect(sum(tips)).toBeCloseTo(1, 9);
    expect(tips.find((t) => t.root === r("b1"))?.weight).toBe(32_000_000_000n);
    expect(tips.find((t) => t.root === r("c2"))?.weight).toBe(25_600_000_000n);
    expect(tips.find((t) => t.head)?.root).toBe(fc.getHead());
    expect(fc.getTips()).toEqual(tips);
  });

  test("a settled head (every vote in, no rival close) gets probability 1", () => {
    const fc = store();
    fc.onTick(12);
    fc.onBlock({ root: r("a1"), parent: G, slot: 1 });
    fc.onBlock({ root: r("b1"), parent: G, slot: 1 });
    fc.onTick(14);
    fc.onAttestation({ validators: [1, 33], root: r("a1"), targetEpoch: 0 });
    fc.onTick(23);
    const tips = fc.getTips();
    expect(tips[0]).toMatchObject({ root: r("a1"), probability: expect.closeTo(1, 6), head: true });
    expect(tips.find((t) => t.root === r("b1"))?.probability).toBe(0);
  });

  test("before the deadline, votes still due make a boosted head likely but not certain", () => {
    const balances = Array(64).fill(ETH);
    balances[1] = 20_000_000_000;
    const fc = new ForkChoice({ anchor: { root: G, slot: 0 }, balances });
    fc.onTick(12);
    fc.onBlock({ root: r("a1"), parent: G, slot: 1 });
    fc.onTick(24.5);
    fc.onBlock({ root: r("b2"), parent: G, slot: 2 });
    fc.onTick(25);
    // a1 has a 20 ETH vote; b2 has the boost (25.4 ETH) and most of its slot's votes still to come.
    fc.onAttestation({ validators: [1], root: r("a1"), targetEpoch: 0 });
    expect(fc.getHead()).toBe(r("b2"));
    const tips = fc.getTips({ headShare: 0.6, concentration: 2 });
    const b2 = tips.find((t) => t.root === r("b2"))?.probability ?? 0;
    const a1 = tips.find((t) => t.root === r("a1"))?.probability ?? 0;
    expect(a1).toBeGreaterThan(0.05);
    expect(b2).toBeGreaterThan(0.05);
    expect(a1 + b2).toBeCloseTo(1, 9);
    // With every vote certain to follow the head, the head is certain; with none to come, the boost's end decides.
    expect(fc.getTips({ headShare: 1, concentration: 1e6 })[0]).toMatchObject({ root: r("b2") });
    expect(fc.getTips({ headShare: 1, concentration: 1e6 })[0]?.probability).toBeCloseTo(1, 6);
    expect(fc.getTips({ participation: 0 })[0]).toMatchObject({ root: r("a1") });
    expect(fc.getTips({ participation: 0 })[0]?.probability).toBeCloseTo(1, 6);
  });

  test("a late, weak head over a strong parent is re-orged by the share of proposers that do so", () => {
    const fc = store();
    fc.onTick(12);
    fc.onBlock({ root: r("a1"), parent: G, slot: 1 });
    fc.onTick(14);
    fc.onAttestation({ validators: [1, 33], root: r("a1"), targetEpoch: 0 });
    fc.onTick(24 + 5); // slot 2, after the deadline: not timely
    fc.onAttestation({ validators: [2, 34], root: r("a1"), targetEpoch: 0 });
    fc.onBlock({ root: r("b2"), parent: r("a1"), slot: 2 });
    fc.onTick(24 + 11);
    expect(fc.getHead()).toBe(r("b2"));
    const tips = fc.getTips({ reorgShare: 0.3 });
    expect(tips.find((t) => t.root === r("a1"))).toMatchObject({ leaf: false, probability: expect.closeTo(0.3, 4) });
    expect(tips.find((t) => t.root === r("b2"))).toMatchObject({ leaf: true, probability: expect.closeTo(0.7, 4) });
    expect(fc.getTips({ reorgShare: 0 })[0]).toMatchObject({ root: r("b2"), probability: expect.closeTo(1, 4) });
  });

  test("on simulated slots the model beats 'all mass on the current head' (Brier score)", () => {
    const queries = simulate({ seed: 11, slots: 120, validators: 1024, queryTimes: [3, 5, 8, 10] });
    const s = summarize(queries);
    expect(s.scored).toBeGreaterThan(300);
    expect(s.modelBrier).toBeLessThan(s.headOnlyBrier);
    for (const q of queries) expect(sum(q.tips)).toBeCloseTo(1, 9);
  });
});
