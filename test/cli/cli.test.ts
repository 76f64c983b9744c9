import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, test } from "vitest";
import { repositoryRoot } from "../../src/shared/sharedDir.js";
import { mainnetBlocksDir } from "../shared.js";

const run = promisify(execFile);
const root = repositoryRoot();
const SUBCOMMANDS = ["start", "replay", "bench-exec", "forkchoice", "pack", "builder", "backtest"];

/** Runs the CLI from source (through tsx), as `weft ...`. */
async function weft(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ["--import", "tsx", join(root, "src/cli/main.ts"), ...args],
      {
        cwd: root,
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("weft command", () => {
  test("--help lists every subcommand", async () => {
    const r = await weft("--help");
    expect(r.code).toBe(0);
    for (const cmd of SUBCOMMANDS) expect(r.stdout).toMatch(new RegExp(`\\n  ${cmd}\\b`));
  });

  test("every subcommand has --help", async () => {
    for (const cmd of SUBCOMMANDS) {
      const r = await weft(cmd, "--help");
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: weft ${cmd}`);
    }
  });

  test("an unknown command exits non-zero with a clear message", async () => {
    const r = await weft("frobnicate");
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
  });

  test("a bad option exits non-zero with a clear message", async () => {
    const r = await weft("replay", "--threads", "zero");
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("--threads");
    const e = await weft("replay", "--engine", "warp");
    expect(e.code).not.toBe(0);
    expect(e.stderr).toContain('unknown engine "warp"');
  });

  test("bench-exec --json prints the documented fields and the median of its rounds", async () => {
    const r = await weft(
      "bench-exec",
      "--workload",
      "erc20",
      "--txs",
      "24",
      "--threads",
      "2",
      "--rounds",
      "3",
      "--json",
    );
    expect(r.code).toBe(0);
    const line = JSON.parse(r.stdout.trim());
    expect(line).toMatchObject({ workload: "erc20", txs: 24, threads: 2, identical: true });
    for (const key of ["seqMs", "parMs", "speedup", "speedupMedian", "availableParallelism"]) {
      expect(line[key]).toBeGreaterThan(0);
    }
    expect(line.gas).toMatch(/^0x[0-9a-f]+$/);
    expect(line.senders).toBe("recovered");

    const known = await weft(
      "bench-exec",
      "--workload",
      "uniswap-many",
      "--txs",
      "16",
      "--rounds",
      "1",
      "--senders",
      "known",
      "--access",
      "known",
      "--json",
    );
    expect(known.code).toBe(0);
    expect(JSON.parse(known.stdout.trim())).toMatchObject({
      workload: "uniswap-many",
      senders: "known",
      access: "known",
      identical: true,
    });
    const thread = await weft(
      "bench-exec",
      "--workload",
      "erc20",
      "--txs",
      "8",
      "--rounds",
      "1",
      "--senders",
      "thread",
      "--json",
    );
    expect(JSON.parse(thread.stdout.trim())).toMatchObject({ senders: "thread", identical: true });
    const bad = await weft("bench-exec", "--workload", "erc20", "--senders", "guessed");
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('unknown --senders "guessed"');
    const badAccess = await weft("bench-exec", "--workload", "erc20", "--access", "guessed");
    expect(badAccess.code).not.toBe(0);
    expect(badAccess.stderr).toContain('unknown --access "guessed"');
  }, 120_000);

  test("replay --json prints the documented line and reports bad files without stopping", async () => {
    const r = await weft(
      "replay",
      "/does/not/exist.json.gz",
      join(mainnetBlocksDir(), "46147.json.gz"),
      "--engine",
      "stock",
      "--json",
    );
    expect(r.code).toBe(1);
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ file: "/does/not/exist.json.gz", ok: false });
    expect(lines[0].error).toContain("/does/not/exist.json.gz");
    expect(Object.keys(lines[1])).toEqual([
      "number",
      "txs",
      "gasUsed",
      "receiptsRoot",
      "logsBloom",
      "ok",
      "engine",
      "threads",
      "ms",
      "mgasPerSec",
      "fallbacks",
    ]);
    expect(lines[1]).toMatchObject({ number: 46147, txs: 1, gasUsed: "0x5208", ok: true, engine: "stock", threads: 1 });
  });

  test("replay without --json prints a summary table", async () => {
    const r = await weft("replay", join(mainnetBlocksDir(), "46147.json.gz"), "--engine", "stock");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/blocks\s+ok\s+failed\s+Mgas\s+ms\s+Mgas\/s/);
  });
});
