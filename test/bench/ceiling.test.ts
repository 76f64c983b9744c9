import { afterAll, describe, expect, test } from "vitest";
import { Ceiling, ceilingOf } from "../../bench/ceiling.js";

describe("the parallel benchmark's ceiling", () => {
  test("N threads that each run as fast beside the others as alone give N; slower ones give less", () => {
    expect(ceilingOf([{ alone: 100, together: [100, 100] }])).toBeCloseTo(2);
    // Medians over rounds: one slow run alone (round 2) does not lift the ceiling above N.
    const rounds = [
      { alone: 100, together: [125, 100] },
      { alone: 100, together: [125, 100] },
      { alone: 300, together: [125, 100] },
    ];
    expect(ceilingOf(rounds)).toBeCloseTo(100 / 125 + 1);
    expect(ceilingOf([{ alone: 100, together: [200, 200, 200] }])).toBeCloseTo(1.5);
  });

  describe("on worker threads", () => {
    const ceiling = new Ceiling(2, { set: "workloads", txs: 12, senders: "known" });
    afterAll(() => ceiling.close());

    test("each thread executes the block alone and beside the other, and a block it does not have is an error", async () => {
      await ceiling.ready();
      const sample = await ceiling.round("erc20", 1);
      expect(sample.alone).toBeGreaterThan(0);
      expect(sample.together).toHaveLength(2);
      for (const ms of sample.together) expect(ms).toBeGreaterThan(0);
      await expect(ceiling.round("no-such-block", 0)).rejects.toThrow(/no block no-such-block/);
    });
  });
});
