/**
 * Stock engine (unmodified @ethereumjs/vm runBlock on a MerkleStateManager) against the weft engine on the shared
 * mainnet blocks, in one process, block by block (stock then weft on the same block, so load hits both alike).
 * Reports aggregate Mgas/s of each, the median of the per-block speedups, and the issue's ≥ 10× target.
 *
 *   npm run bench -- replay [--blocks 12459406,14029313] [--rounds N]
 */

import { formatTable } from "../src/cli/render.js";
import type { ReplayEngine } from "../src/execution/engine.js";
import { expandFixturePaths, loadFixture } from "../src/execution/fixture.js";
import { stockEngine } from "../src/execution/stock.js";
import { weftEngine } from "../src/execution/weftEngine.js";
import { mainnetBlocksDir } from "../src/shared/sharedDir.js";
import { median, target, writeResults } from "./harness.js";

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const rounds = Number(opt("rounds") ?? 1);
const only = opt("blocks")?.split(",");

async function timeBlock(engine: ReplayEngine, file: string): Promise<{ ms: number; gas: number; ok: boolean }> {
  const fixture = await loadFixture(file);
  let best = Number.POSITIVE_INFINITY;
  let gas = 0;
  let ok = true;
  for (let r = 0; r < rounds; r++) {
    const prepared = await engine.prepare(fixture, file);
    const start = performance.now();
    const result = await prepared.run();
    best = Math.min(best, performance.now() - start);
    gas = Number(result.gasUsed);
    ok &&= result.gasUsed === BigInt(fixture.block.gasUsed);
  }
  return { ms: best, gas, ok };
}

const files = (await expandFixturePaths([mainnetBlocksDir()])).filter(
  (f) => only === undefined || only.some((n) => f.endsWith(`/${n}.json.gz`)),
);
const rows: Array<{ block: string; gas: number; stockMs: number; weftMs: number; speedup: number }> = [];
for (const file of files) {
  const block = (file.split("/").pop() ?? "").replace(".json.gz", "");
  const stock = await timeBlock(stockEngine, file);
  const weft = await timeBlock(weftEngine, file);
  if (!stock.ok || !weft.ok) throw new Error(`block ${block}: an engine did not reproduce gasUsed`);
  rows.push({ block, gas: weft.gas, stockMs: stock.ms, weftMs: weft.ms, speedup: stock.ms / weft.ms });
  process.stderr.write(`${block}: stock ${stock.ms.toFixed(0)} ms, weft ${weft.ms.toFixed(0)} ms\n`);
}

const gas = rows.reduce((a, r) => a + r.gas, 0);
const stockMs = rows.reduce((a, r) => a + r.stockMs, 0);
const weftMs = rows.reduce((a, r) => a + r.weftMs, 0);
const stockRate = gas / 1e3 / stockMs;
const weftRate = gas / 1e3 / weftMs;
const medianSpeedup = median(rows.map((r) => r.speedup));
process.stdout.write(
  `\n${formatTable(
    ["block", "Mgas", "stock ms", "weft ms", "speedup"],
    rows.map((r) => [
      r.block,
      (r.gas / 1e6).toFixed(2),
      r.stockMs.toFixed(1),
      r.weftMs.toFixed(1),
      r.speedup.toFixed(2),
    ]),
  )}\n\n${formatTable(
    ["engine", "blocks", "Mgas", "ms", "Mgas/s"],
    [
      ["stock", rows.length, (gas / 1e6).toFixed(1), stockMs.toFixed(0), stockRate.toFixed(2)],
      ["weft", rows.length, (gas / 1e6).toFixed(1), weftMs.toFixed(0), weftRate.toFixed(2)],
    ],
  )}\n\naggregate speedup ${(weftRate / stockRate).toFixed(2)}×, per-block median speedup ${medianSpeedup.toFixed(2)}×\n`,
);
const t = target(
  "weft ≥ 10× stock aggregate Mgas/s",
  weftRate >= 10 * stockRate,
  `${(weftRate / stockRate).toFixed(2)}×`,
);
writeResults("replay", { rounds, rows, stockRate, weftRate, medianSpeedup, targets: [t] });
