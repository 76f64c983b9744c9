/** `weft replay`: executes mainnet block fixtures and checks each result against its header. */
import type { Command } from "commander";
import { ENGINE_NAMES, engineByName } from "../execution/engines.js";
import { expandFixturePaths } from "../execution/fixture.js";
import { type ReplayResult, replayFile } from "../execution/replay.js";
import { mainnetBlocksDir } from "../shared/sharedDir.js";
import { CliError } from "./errors.js";
import { parsePositiveInt } from "./options.js";
import { createProgress, formatTable } from "./render.js";

export interface ReplayCommandOptions {
  engine: string;
  threads: number;
  json: boolean;
}

export interface ReplaySummary {
  blocks: number;
  ok: number;
  failed: number;
  gas: bigint;
  ms: number;
  mgasPerSec: number;
}

export function summarize(results: readonly ReplayResult[]): ReplaySummary {
  let gas = 0n;
  let ms = 0;
  let ok = 0;
  for (const r of results) {
    if (r.ok) ok++;
    if (r.gasUsed !== undefined && r.ms !== undefined) {
      gas += BigInt(r.gasUsed);
      ms += r.ms;
    }
  }
  return {
    blocks: results.length,
    ok,
    failed: results.length - ok,
    gas,
    ms,
    mgasPerSec: ms > 0 ? Number(gas) / 1e3 / ms : 0,
  };
}

/** Runs the replay and writes its output; resolves to the process exit status. */
export async function runReplay(paths: readonly string[], options: ReplayCommandOptions): Promise<number> {
  if (!ENGINE_NAMES.includes(options.engine as never)) {
    throw new CliError("BAD_OPTION", `unknown engine "${options.engine}"`, {
      details: `choose one of: ${ENGINE_NAMES.join(", ")}`,
    });
  }
  const engine = engineByName(options.engine, options.threads);
  if (engine === undefined) {
    throw new CliError("BAD_OPTION", `--engine ${options.engine} runs on one thread only`, {
      details:
        "the stock engine is unmodified @ethereumjs/vm; use --threads 1, or --engine weft for parallel execution",
    });
  }
  const files = await expandFixturePaths(paths.length > 0 ? paths : [mainnetBlocksDir()]);
  const progress = createProgress(files.length, options.json);
  const results: ReplayResult[] = [];
  for (const file of files) {
    const result = await replayFile(file, { engine, threads: options.threads });
    results.push(result);
    progress.tick(result.number === undefined ? file : `block ${result.number}`);
    if (options.json) process.stdout.write(`${JSON.stringify(jsonLine(result))}\n`);
  }
  progress.stop();
  if (!options.json) process.stdout.write(`${humanReport(results)}\n`);
  return results.every((r) => r.ok) ? 0 : 1;
}

/** The documented `--json` line: the contract's fields first, then `file` and `error` where they apply. */
function jsonLine(r: ReplayResult): Record<string, unknown> {
  if (r.number === undefined) return { file: r.file, ok: false, engine: r.engine, threads: r.threads, error: r.error };
  const line: Record<string, unknown> = {
    number: r.number,
    txs: r.txs,
    gasUsed: r.gasUsed,
    receiptsRoot: r.receiptsRoot,
    logsBloom: r.logsBloom,
    ok: r.ok,
    engine: r.engine,
    threads: r.threads,
    ms: r.ms,
    mgasPerSec: r.mgasPerSec,
    fallbacks: r.fallbacks,
  };
  if (r.error !== undefined) line.error = r.error;
  if (r.mismatches !== undefined) line.mismatches = r.mismatches;
  return line;
}

function humanReport(results: readonly ReplayResult[]): string {
  const rows = results.map((r) => [
    r.number ?? "-",
    r.txs ?? "-",
    r.gasUsed === undefined ? "-" : (Number(BigInt(r.gasUsed)) / 1e6).toFixed(2),
    r.ms === undefined ? "-" : r.ms.toFixed(1),
    r.mgasPerSec === undefined ? "-" : r.mgasPerSec.toFixed(1),
    r.ok ? "ok" : `FAIL ${r.error ?? ""}`,
  ]);
  const s = summarize(results);
  const engine = results[0]?.engine ?? "-";
  const summary = formatTable(
    ["engine", "blocks", "ok", "failed", "Mgas", "ms", "Mgas/s"],
    [[engine, s.blocks, s.ok, s.failed, (Number(s.gas) / 1e6).toFixed(1), s.ms.toFixed(0), s.mgasPerSec.toFixed(2)]],
  );
  return `${formatTable(["block", "txs", "Mgas", "ms", "Mgas/s", "result"], rows)}\n\n${summary}`;
}

export function registerReplay(program: Command): void {
  program
    .command("replay")
    .description("execute mainnet block fixtures and check gasUsed, receiptsRoot and logsBloom")
    .argument("[file-or-dir...]", "fixture files or folders of *.json.gz (default: the shared mainnet blocks)")
    .option("--engine <name>", `execution engine: ${ENGINE_NAMES.join(" | ")}`, ENGINE_NAMES[0])
    .option("--threads <n>", "1 executes sequentially; more uses the parallel executor", parsePositiveInt, 1)
    .option("--json", "one JSON line per block on stdout", false)
    .addHelpText(
      "after",
      "\nExamples:\n  weft replay ../shared/fixtures/mainnet-blocks --engine stock --json\n  weft replay 12459406.json.gz",
    )
    .action(async (paths: string[], opts: ReplayCommandOptions) => {
      process.exitCode = await runReplay(paths, opts);
    });
}
