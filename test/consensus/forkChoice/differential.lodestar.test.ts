/**
 * Differential test against Lodestar 1.5.1's `ProtoArray` and `computeDeltas`: the same random block trees and
 * vote streams (forks, votes that move, proposer boost coming and going, balance changes, equivocations) give the
 * same head and the same node weights at every step. Checkpoints stay at the anchor here: Lodestar 1.5.1 filters
 * viable heads by an older spec rule; moving checkpoints are covered by the spec transcription test.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, test } from "vitest";
import { ForkChoiceError } from "../../../src/consensus/forkChoice/errors.js";
import { ForkChoice } from "../../../src/consensus/forkChoice/forkChoice.js";
import type { Scenario } from "../../../src/consensus/forkChoice/scenario.js";
import { type LodestarComputeDeltas, LodestarDriver, loadLodestarComputeDeltas } from "./lodestar.js";
import { randomScenario } from "./randomScenario.js";

let computeDeltas: LodestarComputeDeltas;
beforeAll(async () => {
  computeDeltas = await loadLodestarComputeDeltas();
});

function runBoth(scenario: Scenario): void {
  const config = { slotsPerEpoch: 32, secondsPerSlot: 12, proposerScoreBoost: 40, ...scenario.config };
  const ours = new ForkChoice({ config, anchor: scenario.anchor, balances: scenario.balances });
  const lodestar = new LodestarDriver(computeDeltas, config, scenario.anchor, scenario.balances);
  const roots: string[] = [scenario.anchor.root];
  scenario.steps.forEach((step, i) => {
    // Lodestar's ProtoArray takes what weft's store accepted (input checks are the spec test's business).
    try {
      switch (step.kind) {
        case "tick":
          ours.onTick(step.time);
          lodestar.onTick(step.time);
          break;
        case "block":
          if (ours.onBlock(step.block)) {
            lodestar.onBlock(step.block.root, step.block.parent, step.block.slot);
            roots.push(step.block.root);
          }
          break;
        case "attestation": {
          const a = step.attestation;
          if (ours.onAttestation(a) === "applied") lodestar.onAttestation(a.validators, a.root, a.targetEpoch);
          break;
        }
        case "slashing":
          ours.onAttesterSlashing(step.validators);
          lodestar.onAttesterSlashing(step.validators);
          break;
        case "balances":
          ours.setBalances(step.balances);
          lodestar.setBalances(step.balances);
          break;
        case "head":
          break;
      }
    } catch (err) {
      if (!(err instanceof ForkChoiceError)) throw err;
    }
    expect({ step: i, head: ours.getHead() }).toEqual({ step: i, head: lodestar.getHead() });
    for (const root of roots) {
      expect({ step: i, root, weight: Number(ours.getWeight(root)) }).toEqual({
        step: i,
        root,
        weight: lodestar.weight(root),
      });
    }
  });
}

describe("ForkChoice agrees with Lodestar 1.5.1's ProtoArray at every step", () => {
  test("random trees and vote streams, whole-ETH balances", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        runBoth(
          randomScenario({ seed, validators: 24, steps: 120, slotsPerEpoch: 8, checkpoints: false, invalid: false }),
        );
      }),
      { numRuns: 20 },
    );
  });

  test("random trees and vote streams, tiny balances (ties)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        runBoth(
          randomScenario({
            seed,
            validators: 8,
            steps: 120,
            slotsPerEpoch: 8,
            checkpoints: false,
            invalid: false,
            tinyBalances: true,
          }),
        );
      }),
      { numRuns: 20 },
    );
  });
});
