/**
 * The benchmark harness: every implementation of a suite runs in the same process, interleaved round by round so
 * that drift (JIT, GC, thermal) hits all of them alike; the report is a table of medians with each one's ratio
 * to the suite's baseline (the first implementation), and the same figures as JSON under `bench/results/`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { formatTable } from "../src/cli/render.js";
import { repositoryRoot } from "../src/shared/sharedDir.js";

export interface Implementation {
  name: string;
  /** One measured run. It may return a number of work units done (gas, items) for a throughput column. */
  run: () => unknown | Promise<unknown>;
  /** Untimed work before each run (building a state, resetting a cache). */
  setup?: () => unknown | Promise<unknown>;
}

export interface SuiteOptions {
  /** Measured rounds per implementation (default 7). */
  rounds?: number;
  /** Unmeasured warm-up rounds (default 1). */
  warmup?: number;
  /** Name of the work unit `run` returns, e.g. "Mgas" with the value in Mgas. */
  unit?: string;
}

export interface SuiteResult {
  suite: string;
  rows: Array<{
    name: string;
    medianMs: number;
    minMs: number;
    maxMs: number;
    p99Ms: number;
    samples: number[];
    ratioToBaseline: number;
    unitsPerSec?: number;
  }>;
}

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

export async function suite(name: string, impls: readonly Implementation[], options: SuiteOptions = {}) {
  const rounds = options.rounds ?? 7;
  const warmup = options.warmup ?? 1;
  const samples = impls.map(() => [] as number[]);
  const units = impls.map(() => 0);
  for (let round = 0; round < warmup + rounds; round++) {
    for (const [i, impl] of impls.entries()) {
      await impl.setup?.();
      const start = performance.now();
      const out = await impl.run();
      const ms = performance.now() - start;
      if (round >= warmup) {
        samples[i]?.push(ms);
        if (typeof out === "number") units[i] = out;
      }
    }
  }
  const baseline = median(samples[0] ?? []);
  const result: SuiteResult = {
    suite: name,
    rows: impls.map((impl, i) => {
      const s = samples[i] ?? [];
      const sorted = [...s].sort((a, b) => a - b);
      const med = quantile(sorted, 0.5);
      const row: SuiteResult["rows"][number] = {
        name: impl.name,
        medianMs: med,
        minMs: sorted[0] ?? Number.NaN,
        maxMs: sorted[sorted.length - 1] ?? Number.NaN,
        p99Ms: quantile(sorted, 0.99),
        samples: s,
        ratioToBaseline: med / baseline,
      };
      if ((units[i] ?? 0) > 0) row.unitsPerSec = ((units[i] ?? 0) / med) * 1000;
      return row;
    }),
  };
  printSuite(result, options.unit);
  return result;
}

export function median(values: readonly number[]): number {
  return quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

export function printSuite(result: SuiteResult, unit?: string): void {
  const headers = ["implementation", "median ms", "min ms", "max ms", "× baseline", "speedup"];
  if (unit !== undefined) headers.push(`${unit}/s`);
  const rows = result.rows.map((r) => {
    const cells: Array<string | number> = [
      r.name,
      fmt(r.medianMs),
      fmt(r.minMs),
      fmt(r.maxMs),
      r.ratioToBaseline.toFixed(3),
      (1 / r.ratioToBaseline).toFixed(2),
    ];
    if (unit !== undefined) cells.push(r.unitsPerSec === undefined ? "-" : fmt(r.unitsPerSec));
    return cells;
  });
  process.stdout.write(`\n${result.suite}\n${formatTable(headers, rows)}\n`);
}

function fmt(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x.toFixed(4);
}

/** The Node and V8 flags this benchmark runs with (`npm run bench` passes weft's runtime flags unless told otherwise). */
export function nodeFlags(): string[] {
  return process.execArgv.filter((f) => f !== "--import" && f !== "tsx");
}

/** Writes a benchmark's figures to `bench/results/<name>.json` (not committed). */
export function writeResults(name: string, data: unknown): string {
  const dir = join(repositoryRoot(), "bench", "results");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  const body = JSON.stringify(
    {
      name,
      date: new Date().toISOString(),
      node: process.version,
      nodeFlags: nodeFlags(),
      ...((data as object) ?? {}),
    },
    (_k, v) => (typeof v === "bigint" ? v.toString() : v),
    2,
  );
  writeFileSync(file, `${body}\n`);
  process.stdout.write(`\nfigures written to ${file}\n`);
  return file;
}

/** A target check printed in the report: benchmarks assert their targets here, never in tests. */
export function target(label: string, met: boolean, detail: string): { label: string; met: boolean; detail: string } {
  process.stdout.write(`${met ? "MET " : "MISS"}  ${label}: ${detail}\n`);
  return { label, met, detail };
}
