import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, test } from "vitest";
import { runBacktest } from "../../src/cli/backtest.js";
import { repositoryRoot } from "../../src/shared/sharedDir.js";
import { mainnetBlocksDir } from "../shared.js";

const run = promisify(execFile);

async function weft(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ["--import", "tsx", join(repositoryRoot(), "src/cli/main.ts"), ...args],
      {
        cwd: repositoryRoot(),
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("weft backtest", () => {
  const fixture = join(mainnetBlocksDir(), "19426587.json.gz");

  test("--json prints the documented object", async () => {
    const r = await weft(
      "backtest",
      fixture,
      "--algorithm",
      "mev-gas-price",
      "--algorithm",
      "conflict-groups",
      "--json",
    );
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0] as string);
    expect(Object.keys(out)).toEqual(["number", "landedValue", "algorithms", "best"]);
    expect(out.number).toBe(19426587);
    expect(out.landedValue).toMatch(/^0x[0-9a-f]+$/);
    expect(out.algorithms.map((a: { name: string }) => a.name)).toEqual(["mev-gas-price", "conflict-groups"]);
    for (const a of out.algorithms) {
      expect(Object.keys(a)).toEqual(["name", "value", "gasUsed", "txs", "ms"]);
      expect(a.value).toMatch(/^0x[0-9a-f]+$/);
      expect(typeof a.ms).toBe("number");
    }
    expect(Object.keys(out.best)).toEqual([
      "name",
      "transactions",
      "gasUsed",
      "receiptsRoot",
      "logsBloom",
      "feeRecipient",
    ]);
    expect(out.best.transactions[0]).toMatch(/^0x/);
    expect(BigInt(out.algorithms.find((a: { name: string }) => a.name === out.best.name).value)).toBeGreaterThanOrEqual(
      BigInt(out.landedValue),
    );
  });

  test("an unknown algorithm is a usage error naming the choices", async () => {
    await expect(runBacktest(fixture, { algorithm: ["genetic"], threads: 0, json: true })).rejects.toMatchObject({
      code: "BAD_OPTION",
      shortMessage: 'unknown algorithm "genetic"',
      details: expect.stringContaining("mev-gas-price"),
    });
  });
});
