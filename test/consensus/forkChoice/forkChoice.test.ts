import { describe, expect, test } from "vitest";
import { ForkChoiceError } from "../../../src/consensus/forkChoice/errors.js";
import { ForkChoice, normalizeRoot } from "../../../src/consensus/forkChoice/forkChoice.js";
import { forkChoiceMetrics } from "../../../src/consensus/forkChoice/metrics.js";
import { registry } from "../../../src/shared/metrics.js";

const r = (s: string) => `0x${s.padEnd(64, "0")}`;
const G = r("00");
const ETH = 32_000_000_000;

function code(f: () => unknown): string | undefined {
  try {
    f();
  } catch (err) {
    if (err instanceof ForkChoiceError) return err.code;
    throw err;
  }
  return undefined;
}

function chain(): ForkChoice {
  const fc = new ForkChoice({ anchor: { root: G, slot: 0 }, balances: [ETH, ETH, ETH, ETH] });
  fc.onTick(12);
  fc.onBlock({ root: r("a1"), parent: G, slot: 1 });
  return fc;
}

describe("ForkChoice", () => {
  test("roots: any case in, lowercase out; malformed roots are typed errors", () => {
    expect(normalizeRoot("0xAB")).toBe("0xab");
    for (const bad of ["ab", "0x", "0xabc", `0x${"00".repeat(33)}`, 7]) {
      expect(code(() => normalizeRoot(bad))).toBe("INVALID_ROOT");
    }
  });

  test("on_block refusals carry their spec reason", () => {
    const fc = chain();
    expect(code(() => fc.onBlock({ root: r("b2"), parent: r("a1"), slot: 2 }))).toBe("FUTURE_BLOCK");
    expect(code(() => fc.onBlock({ root: r("b1"), parent: r("99"), slot: 1 }))).toBe("UNKNOWN_PARENT");
    expect(code(() => fc.onBlock({ root: r("b1"), parent: r("a1"), slot: 1 }))).toBe("SLOT_NOT_AFTER_PARENT");
    fc.onTick(36);
    expect(
      code(() => fc.onBlock({ root: r("c3"), parent: r("a1"), slot: 3, justified: { epoch: 1, root: r("77") } })),
    ).toBe("UNKNOWN_CHECKPOINT_ROOT");
    expect(fc.hasBlock(r("c3"))).toBe(false);
    expect(fc.onBlock({ root: r("a1"), parent: G, slot: 1 })).toBe(false);
  });

  test("on_attestation refusals: future, past, unknown or inconsistent target, block after the attestation", () => {
    const fc = chain();
    expect(code(() => fc.onAttestation({ validators: [0], root: r("a1"), targetEpoch: 1 }))).toBe("FUTURE_ATTESTATION");
    expect(code(() => fc.onAttestation({ validators: [0], root: r("a1"), targetEpoch: 0, slot: 1 }))).toBe(
      "FUTURE_ATTESTATION",
    );
    expect(code(() => fc.onAttestation({ validators: [0], root: r("a1"), targetEpoch: 0, slot: 40 }))).toBe(
      "SLOT_NOT_IN_TARGET_EPOCH",
    );
    expect(code(() => fc.onAttestation({ validators: [0], root: r("a1"), targetEpoch: 0, targetRoot: r("55") }))).toBe(
      "UNKNOWN_TARGET",
    );
    fc.onTick(400);
    fc.onBlock({ root: r("b33"), parent: r("a1"), slot: 33 });
    expect(code(() => fc.onAttestation({ validators: [0], root: r("b33"), targetEpoch: 0 }))).toBe(
      "BLOCK_AFTER_ATTESTATION",
    );
    expect(code(() => fc.onAttestation({ validators: [0], root: r("b33"), targetEpoch: 1, targetRoot: G }))).toBe(
      "INCONSISTENT_TARGET",
    );
    expect(fc.onAttestation({ validators: [0], root: r("b33"), targetEpoch: 1, targetRoot: r("a1") })).toBe("applied");
    fc.onTick(1200);
    expect(code(() => fc.onAttestation({ validators: [1], root: r("b33"), targetEpoch: 1 }))).toBe("PAST_ATTESTATION");
    expect(fc.onAttestation({ validators: [1], root: r("b33"), targetEpoch: 1, fromBlock: true })).toBe("applied");
    expect(code(() => fc.onAttestation({ validators: [-1], root: r("b33"), targetEpoch: 3 }))).toBe(
      "INVALID_VALIDATOR_INDEX",
    );
    expect(code(() => fc.onTick(5))).toBe("TIME_WENT_BACKWARDS");
  });

  test("attestations for unseen blocks wait in a bounded queue, oldest dropped, and apply on arrival", async () => {
    const fc = new ForkChoice({
      config: { pendingAttestationLimit: 2 },
      anchor: { root: G, slot: 0 },
      balances: [ETH, ETH, ETH, ETH],
    });
    fc.onTick(12);
    fc.onBlock({ root: r("a1"), parent: G, slot: 1 });
    fc.onTick(24.5);
    const dropped = (await forkChoiceMetrics.pendingDropped.get()).values[0]?.value ?? 0;
    expect(fc.onAttestation({ validators: [0], root: r("c2"), targetEpoch: 0 })).toBe("queued");
    expect(fc.onAttestation({ validators: [1], root: r("b2"), targetEpoch: 0 })).toBe("queued");
    expect(fc.onAttestation({ validators: [2, 3], root: r("b2"), targetEpoch: 0 })).toBe("queued");
    expect(fc.pendingAttestations).toBe(2);
    expect((await forkChoiceMetrics.pendingDropped.get()).values[0]?.value).toBe(dropped + 1);
    expect(await registry.getSingleMetricAsString("weft_forkchoice_pending_attestations")).toMatch(
      /weft_forkchoice_pending_attestations \d+/,
    );
    fc.onBlock({ root: r("c2"), parent: r("a1"), slot: 2 });
    fc.onBlock({ root: r("b2"), parent: r("a1"), slot: 2 });
    expect(fc.pendingAttestations).toBe(0);
    // The vote for c2 was dropped: b2 has validators 1, 2 and 3.
    expect(fc.getWeight(r("b2"))).toBe(3n * BigInt(ETH));
    expect(fc.getWeight(r("c2"))).toBe((BigInt((4 * ETH) / 32) * 40n) / 100n);
    expect(fc.getHead()).toBe(r("b2"));
  });

  test("weights are exact for any gwei balances; sums that cannot be exact are refused", () => {
    const fc = new ForkChoice({
      anchor: { root: G, slot: 0 },
      balances: [2 ** 51 + 1, 2 ** 51 - 1, 3, 5],
      config: { proposerScoreBoost: 0 },
    });
    fc.onTick(12);
    fc.onBlock({ root: r("a1"), parent: G, slot: 1 });
    fc.onBlock({ root: r("b1"), parent: G, slot: 1 });
    fc.onTick(20);
    fc.onAttestation({ validators: [0, 2], root: r("a1"), targetEpoch: 0 });
    fc.onAttestation({ validators: [1, 3], root: r("b1"), targetEpoch: 0 });
    expect(fc.getWeight(r("a1"))).toBe(2n ** 51n + 4n);
    expect(fc.getWeight(r("b1"))).toBe(2n ** 51n + 4n);
    expect(fc.getHead()).toBe(r("b1"));
    fc.setBalances([2 ** 51 + 1, 2 ** 51 - 1, 4, 5]);
    expect(fc.getHead()).toBe(r("a1"));
    // Whole-ETH balances far beyond 2^53 gwei in total stay exact (the unit is a common divisor).
    const big = Array.from({ length: 10_000 }, () => 2048 * 1_000_000_000);
    fc.setBalances(big);
    expect(fc.getWeight(r("a1"))).toBe(2n * 2048n * 1_000_000_000n);
    expect(code(() => fc.setBalances([2 ** 53 - 1, 2 ** 53 - 2, 7]))).toBe("INVALID_BALANCE");
    expect(code(() => fc.setBalances([1.5]))).toBe("INVALID_BALANCE");
  });

  test("finality prunes the tree; a late vote for a pruned block still takes the validator's weight away", () => {
    const cfg = { slotsPerEpoch: 4, secondsPerSlot: 12, proposerScoreBoost: 0 };
    const fc = new ForkChoice({ config: cfg, anchor: { root: G, slot: 0 }, balances: [ETH, ETH, ETH] });
    fc.onTick(12);
    fc.onBlock({ root: r("a1"), parent: G, slot: 1 });
    fc.onBlock({ root: r("e1"), parent: G, slot: 1 });
    fc.onTick(48);
    fc.onBlock({ root: r("b4"), parent: r("a1"), slot: 4 });
    fc.onTick(60);
    fc.onAttestation({ validators: [0, 1], root: r("b4"), targetEpoch: 1 });
    fc.onTick(96);
    fc.onBlock({
      root: r("c8"),
      parent: r("b4"),
      slot: 8,
      justified: { epoch: 1, root: r("b4") },
      finalized: { epoch: 1, root: r("b4") },
    });
    expect(fc.finalized).toEqual({ epoch: 1, root: r("b4") });
    expect(fc.hasBlock(r("a1"))).toBe(false);
    expect(fc.hasBlock(r("e1"))).toBe(false);
    expect(fc.nodeCount).toBe(2);
    expect(fc.getWeight(r("b4"))).toBe(2n * BigInt(ETH));
    expect(fc.onAttestation({ validators: [0], root: r("e1"), targetEpoch: 2 })).toBe("applied");
    expect(fc.getWeight(r("b4"))).toBe(BigInt(ETH));
    expect(fc.getHead()).toBe(r("c8"));
  });

  test("slashed validators lose their weight at once and cannot vote again", () => {
    const fc = chain();
    fc.onTick(14);
    fc.onAttestation({ validators: [0, 1], root: r("a1"), targetEpoch: 0 });
    const boost = 1_600_000_000n; // floor(4 * 32 ETH / 32) * 40 / 100
    expect(fc.getWeight(r("a1"))).toBe(2n * BigInt(ETH) + boost);
    fc.onAttesterSlashing([1, 1, 2]);
    expect(fc.getWeight(r("a1"))).toBe(BigInt(ETH) + boost);
    fc.onTick(400);
    fc.onAttestation({ validators: [1], root: r("a1"), targetEpoch: 1 });
    expect(fc.getWeight(r("a1"))).toBe(BigInt(ETH));
  });
});
