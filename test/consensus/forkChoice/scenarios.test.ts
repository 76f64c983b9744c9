import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { loadScenario, runScenario } from "../../../src/consensus/forkChoice/scenario.js";
import { runSpecScenario } from "./specReference.js";

const dir = join(import.meta.dirname, "scenarios");
const files = readdirSync(dir).filter((f) => f.endsWith(".json"));

describe("fork-choice scenarios (the spec's test categories)", () => {
  test("the categories are all present", () => {
    expect(files.map((f) => f.replace(".json", "")).sort()).toEqual([
      "balance_changes",
      "boosted_block_loses",
      "chain",
      "competing_forks",
      "equivocation",
      "justification_filtering",
      "pending_attestation",
      "proposer_boost",
      "proposer_boost_late",
      "refusals",
      "ties",
      "votes_move",
    ]);
  });

  test.each(files)("%s: every check passes and every step matches the spec transcription", async (file) => {
    const scenario = await loadScenario(join(dir, file));
    const { results, ok } = runScenario(scenario);
    const checks = results.filter((r) => r.ok !== undefined);
    expect(checks.length).toBeGreaterThan(0);
    expect(results.filter((r) => r.ok === false)).toEqual([]);
    expect(ok).toBe(true);
    const reference = runSpecScenario(scenario);
    results.forEach((r, i) => {
      const ref = reference[i];
      expect({ step: i, head: r.head, justified: r.justified, finalized: r.finalized }).toEqual({
        step: i,
        head: ref?.head,
        justified: ref?.justified,
        finalized: ref?.finalized,
      });
      expect({ step: i, refused: r.error !== undefined, queued: r.queued === true }).toEqual({
        step: i,
        refused: ref?.refused,
        queued: ref?.queued,
      });
    });
  });
});
