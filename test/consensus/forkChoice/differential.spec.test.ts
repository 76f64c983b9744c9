/**
 * Differential test against the spec transcription: random block trees, vote streams, ticks, balance changes,
 * slashings, moving checkpoints and refusable inputs; after every step the head, the checkpoints, whether the step
 * was refused or queued, and the exact weight of every block in the tree must be the spec's.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { ForkChoiceError } from "../../../src/consensus/forkChoice/errors.js";
import { ForkChoice } from "../../../src/consensus/forkChoice/forkChoice.js";
import type { Scenario } from "../../../src/consensus/forkChoice/scenario.js";
import { type RandomScenarioOptions, randomScenario } from "./randomScenario.js";
import { RefusedError, SpecStore } from "./specReference.js";

function runBoth(scenario: Scenario): void {
  const config = { slotsPerEpoch: 32, secondsPerSlot: 12, proposerScoreBoost: 40, ...scenario.config };
  const ours = new ForkChoice({ config, anchor: scenario.anchor, balances: scenario.balances });
  const spec = new SpecStore(config, scenario.anchor, scenario.balances);
  const roots = new Set<string>([scenario.anchor.root]);
  scenario.steps.forEach((step, i) => {
    let oursOutcome = "ok";
    let specOutcome = "ok";
    try {
      switch (step.kind) {
        case "tick":
          ours.onTick(step.time);
          break;
        case "block":
          ours.onBlock(step.block);
          roots.add(step.block.root);
          break;
        case "attestation":
          oursOutcome = ours.onAttestation(step.attestation) === "queued" ? "queued" : "ok";
          break;
        case "slashing":
          ours.onAttesterSlashing(step.validators);
          break;
        case "balances":
          ours.setBalances(step.balances);
          break;
        case "head":
          break;
      }
    } catch (err) {
      if (!(err instanceof ForkChoiceError)) throw err;
      oursOutcome = `refused`;
    }
    try {
      switch (step.kind) {
        case "tick":
          spec.onTick(step.time);
          break;
        case "block":
          spec.onBlock(step.block);
          break;
        case "attestation":
          specOutcome =
            spec.onAttestation({ ...step.attestation, validators: Array.from(step.attestation.validators) }) ===
            "queued"
              ? "queued"
              : "ok";
          break;
        case "slashing":
          spec.onAttesterSlashing(step.validators);
          break;
        case "balances":
          spec.balances = [...step.balances];
          break;
        case "head":
          break;
      }
    } catch (err) {
      if (!(err instanceof RefusedError)) throw err;
      specOutcome = "refused";
    }
    const context = { step: i, kind: step.kind };
    expect({ ...context, outcome: oursOutcome }).toEqual({ ...context, outcome: specOutcome });
    expect({ ...context, head: ours.getHead(), j: ours.justified, f: ours.finalized }).toEqual({
      ...context,
      head: spec.getHead(),
      j: spec.justified,
      f: spec.finalized,
    });
    for (const root of roots) {
      if (!ours.hasBlock(root)) continue;
      expect({ ...context, root, weight: ours.getWeight(root) }).toEqual({
        ...context,
        root,
        weight: spec.getWeight(root),
      });
    }
  });
}

const modes: Array<[string, Omit<RandomScenarioOptions, "seed">]> = [
  ["votes, boost, balances", { validators: 16, steps: 90, slotsPerEpoch: 8, checkpoints: false, invalid: false }],
  [
    "tiny balances (ties)",
    { validators: 8, steps: 90, slotsPerEpoch: 8, checkpoints: false, invalid: false, tinyBalances: true },
  ],
  ["checkpoints and pruning", { validators: 12, steps: 110, slotsPerEpoch: 4, checkpoints: true, invalid: false }],
  ["refusals and waiting votes", { validators: 12, steps: 110, slotsPerEpoch: 4, checkpoints: true, invalid: true }],
];

describe("ForkChoice agrees with the spec transcription at every step", () => {
  for (const [name, options] of modes) {
    test(name, () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
          runBoth(randomScenario({ ...options, seed }));
        }),
        { numRuns: 15 },
      );
    });
  }
});
