/**
 * Backtest over the shared mainnet blocks: each block's own transactions as the order pool on its pre-state,
 * every algorithm's value against the landed block's (the fee recipient's balance gain from the transactions).
 *
 * Target (issue 8): the best algorithm ≥ the landed value on every block; every algorithm ≥ the priority-fee
 * baseline is reported too (it is a target of the generated-flow benchmark, `building`).
 *
 *   npm run bench -- backtest [--blocks 12459406,19933612] [--threads N]
 */
import { loadavg } from "node:os";
import { type BacktestResult, backtestFixture } from "../src/building/backtest.js";
import { ALGORITHM_NAMES } from "../src/building/builders/algorithms.js";
import { SimulationPool } from "../src/building/simulation/simulationPool.js";
import { formatTable } from "../src/cli/render.js";
import { expandFixturePaths, loadFixture } from "../src/execution/fixture.js";
import { mainnetBlocksDir } from "../src/shared/sharedDir.js";
import { target, writeResults } from "./harness.js";

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const only = opt("blocks")?.split(",");
const threads = Number(opt("threads") ?? 0);

const files = (await expandFixturePaths([mainnetBlocksDir()])).filter(
  (f) => only === undefined || only.some((b) => f.endsWith(`/${b}.json.gz`)),
);
const pool = new SimulationPool({ workers: threads });
await pool.ready();
const results: BacktestResult[] = [];
process.stdout.write(
  `backtest of ${files.length} blocks, ${threads} simulation worker(s), load average ${loadavg()[0]?.toFixed(1)}\n`,
);
for (const file of files) {
  const fixture = await loadFixture(file);
  const start = performance.now();
  const result = await backtestFixture(fixture, { pool }, file);
  results.push(result);
  const best = result.algorithms.reduce((a, b) => (b.value > a.value ? b : a));
  process.stdout.write(
    `  ${result.number}: ${fixture.block.transactions.length} txs, best ${best.name} ${pct(best.value, result.landedValue)} of landed (${(performance.now() - start).toFixed(0)} ms)\n`,
  );
}
await pool.close();

/** A share of the landed value; when that is not positive, the difference in ETH instead. */
function pct(value: bigint, landed: bigint): string {
  if (landed <= 0n) return `${value >= landed ? "+" : ""}${(Number(value - landed) / 1e18).toFixed(5)} ETH`;
  return `${(Number((value * 10_000n) / landed) / 100).toFixed(2)}%`;
}

const eth = (wei: bigint) => (Number(wei) / 1e18).toFixed(5);
const rows = results.map((r) => {
  const best = r.algorithms.reduce((a, b) => (b.value > a.value ? b : a));
  return [
    r.number,
    r.simulation.orders,
    eth(r.landedValue),
    ...ALGORITHM_NAMES.map((name) => {
      const a = r.algorithms.find((x) => x.name === name);
      return a === undefined ? "-" : pct(a.value, r.landedValue);
    }),
    best.name,
    best.value >= r.landedValue ? "yes" : "NO",
  ];
});
process.stdout.write(
  `\nvalue of each algorithm as a share of the landed block's (value: the fee recipient's gain from the transactions)\n${formatTable(
    ["block", "txs", "landed ETH", ...ALGORITHM_NAMES, "best", "best ≥ landed"],
    rows,
  )}\n\n`,
);
const fillMs = (name: string) => {
  const ms = results.flatMap((r) => r.algorithms.filter((a) => a.name === name).map((a) => a.ms)).sort((a, b) => a - b);
  return ms[Math.floor(ms.length / 2)] ?? 0;
};
process.stdout.write(
  `median fill ms per block: ${ALGORITHM_NAMES.map((n) => `${n} ${fillMs(n).toFixed(1)}`).join(", ")}\n\n`,
);
const short = results.filter((r) => r.algorithms.every((a) => a.value < r.landedValue));
const belowBaseline = results.flatMap((r) => {
  const base = r.algorithms.find((a) => a.name === "priority-fee")?.value ?? 0n;
  return r.algorithms.filter((a) => a.value < base).map((a) => `${r.number}/${a.name}`);
});
const targets = [
  target(
    "best algorithm ≥ landed value on every shared mainnet block",
    short.length === 0,
    short.length === 0
      ? `${results.length} of ${results.length} blocks`
      : `short on ${short.map((r) => r.number).join(", ")}`,
  ),
  target(
    "every algorithm ≥ the priority-fee baseline on every block",
    belowBaseline.length === 0,
    belowBaseline.length === 0 ? "all" : `below on ${belowBaseline.join(", ")}`,
  ),
];
writeResults("backtest", {
  threads,
  results: results.map((r) => ({
    number: r.number,
    txs: r.simulation.orders,
    landedValue: r.landedValue,
    algorithms: r.algorithms,
  })),
  targets,
});
