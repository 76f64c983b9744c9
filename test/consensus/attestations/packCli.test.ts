import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test, vi } from "vitest";
import { main } from "../../../src/cli/program.js";
import { evaluateSelection } from "../../../src/consensus/attestations/evaluateSelection.js";
import { greedyTrap } from "./instances.js";

const dir = mkdtempSync(join(tmpdir(), "weft-pack-"));

/** Runs `weft ...` in this process (the same `main` as the binary), capturing stdout and stderr. */
async function weft(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
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
    process.exitCode = undefined;
    const code = await main(["node", "weft", ...args]);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = undefined;
  }
}

describe("weft pack", () => {
  const trap = greedyTrap(4, "electra");
  const file = join(dir, "trap.json");
  writeFileSync(file, JSON.stringify(trap.instance));

  test("--json prints the documented object, exact proves the optimum", async () => {
    const r = await weft("pack", file, "--json");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(["value", "optimal", "ms", "algorithm", "selection", "upperBound"]);
    expect(out).toMatchObject({ value: trap.optimum, optimal: true, algorithm: "exact" });
    expect(evaluateSelection(trap.instance, { mode: "electra", selection: out.selection })).toBe(trap.optimum);
    expect(out.selection[0]).toMatchObject({ group: expect.any(String), committees: [{ index: 0, aggregates: [0] }] });
  });

  test("--algorithm greedy, and a human table without --json", async () => {
    const g = await weft("pack", file, "--algorithm", "greedy", "--json");
    expect(JSON.parse(g.stdout)).toMatchObject({ value: trap.greedy, optimal: false, algorithm: "greedy" });
    const h = await weft("pack", file, "--deadline-ms", "100");
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/algorithm\s+value\s+optimal/);
  });

  test("bad input exits non-zero with a clear message", async () => {
    const a = await weft("pack", file, "--algorithm", "magic");
    expect(a.code).not.toBe(0);
    expect(a.stderr).toContain('unknown algorithm "magic"');
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ ...trap.instance, weights: [1, -2] }));
    const b = await weft("pack", bad);
    expect(b.code).not.toBe(0);
    expect(b.stderr).toContain("weights[1]");
    const c = await weft("pack", join(dir, "missing.json"));
    expect(c.code).not.toBe(0);
    expect(c.stderr).toContain("cannot read instance");
  });
});
