/** `weft backtest`: builds a mainnet fixture's block again with each algorithm and compares with the landed one. */
import type { Command } from "commander";
import { type BacktestResult, backtestFixture, backtestJson } from "../building/backtest.js";
import { ALGORITHM_NAMES } from "../building/builders/algorithms.js";
import { SimulationPool } from "../building/simulation/simulationPool.js";
import { loadFixture } from "../execution/fixture.js";
import { CliError } from "./errors.js";
import { parseNonNegativeInt } from "./options.js";
import { formatTable } from "./render.js";

export interface BacktestCommandOptions {
  algorithm: string[];
  threads: number;
  json: boolean;
}

export async function runBacktest(file: string, options: BacktestCommandOptions): Promise<number> {
  const names = options.algorithm.length > 0 ? options.algorithm : [...ALGORITHM_NAMES];
  for (const name of names) {
    if (!ALGORITHM_NAMES.includes(name as never)) {
      throw new CliError("BAD_OPTION", `unknown algorithm "${name}"`, {
        details: `choose from: ${ALGORITHM_NAMES.join(", ")}`,
      });
    }
  }
  const fixture = await loadFixture(file);
  const pool = new SimulationPool({ workers: options.threads });
  try {
    const result = await backtestFixture(fixture, { algorithms: names, pool }, file);
    if (options.json) process.stdout.write(`${JSON.stringify(backtestJson(result))}\n`);
    else process.stdout.write(`${humanReport(result)}\n`);
    return 0;
  } finally {
    await pool.close();
  }
}

function eth(wei: bigint): string {
  return (Number(wei) / 1e18).toFixed(6);
}

/** The value as a percentage of the landed one; "-" when the landed value is not positive (no meaningful ratio). */
function share(value: bigint, landed: bigint): string {
  if (landed <= 0n) return "-";
  return (Number((value * 10_000n) / landed) / 100).toFixed(2);
}

function humanReport(r: BacktestResult): string {
  const rows = r.algorithms.map((a) => [
    a.name,
    eth(a.value),
    share(a.value, r.landedValue),
    a.txs,
    (Number(a.gasUsed) / 1e6).toFixed(2),
    a.ms.toFixed(1),
  ]);
  rows.unshift([
    "landed",
    eth(r.landedValue),
    "100.00",
    r.simulation.orders,
    (Number(r.landedGasUsed) / 1e6).toFixed(2),
    "-",
  ]);
  return [
    `block ${r.number}: ${r.simulation.orders} orders, ${r.simulation.simulated} simulated in ${r.simulation.ms.toFixed(0)} ms`,
    formatTable(["algorithm", "value ETH", "% of landed", "txs", "Mgas", "fill ms"], rows),
    `best: ${r.best.name}`,
  ].join("\n");
}

export function registerBacktest(program: Command): void {
  program
    .command("backtest")
    .description("rebuild a mainnet fixture's block with each building algorithm and compare with the landed block")
    .argument("<fixture>", "a block fixture (.json.gz)")
    .option(
      "--algorithm <name>",
      `an algorithm to run (repeatable): ${ALGORITHM_NAMES.join(" | ")}; default all`,
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option("--threads <n>", "simulation worker threads (0: simulate in this thread)", parseNonNegativeInt, 0)
    .option("--json", "one JSON object on stdout", false)
    .addHelpText(
      "after",
      "\nExamples:\n  weft backtest ../shared/fixtures/mainnet-blocks/19934116.json.gz --json\n  weft backtest 15537393.json.gz --algorithm mev-gas-price --algorithm conflict-groups",
    )
    .action(async (file: string, opts: BacktestCommandOptions) => {
      process.exitCode = await runBacktest(file, opts);
    });
}
