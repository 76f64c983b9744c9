import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, test, vi } from "vitest";
import { runForkChoiceCommand } from "../../src/cli/forkchoice.js";
import { repositoryRoot } from "../../src/shared/sharedDir.js";

const run = promisify(execFile);
const root = repositoryRoot();
const scenarios = join(root, "test/consensus/forkChoice/scenarios");

async function weft(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ["--import", "tsx", join(root, "src/cli/main.ts"), ...args],
      {
        cwd: root,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Runs the command in this process and captures what it writes. */
async function inProcess(file: string, json: boolean): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await runForkChoiceCommand(file, { json });
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

const B1 = `0xb1${"00".repeat(31)}`;
const ANCHOR = `0x${"00".repeat(32)}`;

/** The example of ../shared/docs/interfaces.md, with full roots, plus a failing check. */
function exampleScenario(extraHead?: string): string {
  const dir = mkdtempSync(join(tmpdir(), "weft-forkchoice-"));
  const file = join(dir, "scenario.json");
  const cp = { epoch: 0, root: ANCHOR };
  const steps: unknown[] = [
    { tick: 12.5 },
    { block: { root: B1, parent: ANCHOR, slot: 1, justified: cp, finalized: cp } },
    { attestation: { validators: [0, 1], root: B1, targetEpoch: 0 } },
    { slashing: [1] },
    { balances: [32000000000, 31000000000] },
    { head: B1 },
  ];
  if (extraHead !== undefined) steps.push({ head: extraHead });
  writeFileSync(
    file,
    JSON.stringify({
      config: { slotsPerEpoch: 32, secondsPerSlot: 12, proposerScoreBoost: 40 },
      anchor: { root: ANCHOR, slot: 0 },
      balances: [32000000000, 32000000000],
      steps,
    }),
  );
  return file;
}

describe("weft forkchoice", () => {
  test("--json prints {step, head, justified, finalized} per step, ok on head checks; a failed check exits 1", async () => {
    const r = await weft("forkchoice", exampleScenario(ANCHOR), "--json");
    expect(r.code).toBe(1);
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { step: 0, head: ANCHOR, justified: 0, finalized: 0 },
      { step: 1, head: B1, justified: 0, finalized: 0 },
      { step: 2, head: B1, justified: 0, finalized: 0 },
      { step: 3, head: B1, justified: 0, finalized: 0 },
      { step: 4, head: B1, justified: 0, finalized: 0 },
      { step: 5, head: B1, justified: 0, finalized: 0, ok: true },
      { step: 6, head: B1, justified: 0, finalized: 0, ok: false },
    ]);
    expect(r.stderr).toContain("step 6 failed");
  });

  test("every check passing exits 0", async () => {
    const r = await inProcess(exampleScenario(), true);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.trim().split("\n").at(-1) as string)).toEqual({
      step: 5,
      head: B1,
      justified: 0,
      finalized: 0,
      ok: true,
    });
  });

  test("a refused step is reported with its error code and the run goes on", async () => {
    const r = await inProcess(join(scenarios, "refusals.json"), true);
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines[2]).toMatchObject({ step: 2, ok: true, error: { code: "FUTURE_BLOCK" } });
    expect(lines.at(-1)).toMatchObject({ ok: true });
  });

  test("without --json prints a table and a summary of the checks", async () => {
    const r = await inProcess(join(scenarios, "proposer_boost.json"), false);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/step\s+kind\s+head\s+justified\s+finalized\s+result/);
    expect(r.stdout).toContain("3/3 checks passed");
  });

  test("a malformed or missing scenario exits 2 naming the problem", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-forkchoice-"));
    const bad = join(dir, "bad.json");
    writeFileSync(
      bad,
      JSON.stringify({ anchor: { root: ANCHOR, slot: 0 }, steps: [{ block: { root: "0x1", slot: 1 } }] }),
    );
    const r = await weft("forkchoice", bad, "--json");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("steps[0].block.root");
    expect(r.stdout).toBe("");
    await expect(inProcess(join(dir, "nope.json"), false)).rejects.toThrow("cannot read scenario");
  });
});
