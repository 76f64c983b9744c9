/**
 * The blocks the parallel benchmark executes: the shared mainnet set (with pre-state) and the generated workloads.
 * Loaded the same way by the benchmark and by its ceiling workers (`ceiling.ts`), each on its own thread.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { Block } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import { decodeBlock, fixtureCommon, hasBlobTransactions, loadKzg } from "../src/execution/chain.js";
import { weftCustomCrypto } from "../src/execution/crypto/native.js";
import { loadFixture } from "../src/execution/fixture.js";
import { freshBlock, recordingVM as recordingVMOver } from "../src/execution/parallel/compareExecution.js";
import { stateFromFixture } from "../src/execution/state/fromFixture.js";
import type { StateLayer } from "../src/execution/state/layer.js";
import { mainnetBlocksDir } from "../src/shared/sharedDir.js";

export interface BenchBlock {
  name: string;
  common: () => Common;
  base: StateLayer;
  block: (common: Common) => Block;
  blockHashes: Record<string, string>;
}

export type BenchSet = "mainnet" | "workloads" | "all";

export function isBenchSet(set: string): set is BenchSet {
  return set === "mainnet" || set === "workloads" || set === "all";
}

/** Mainnet blocks are named by their number, workloads by their kind. */
export function isMainnet(name: string): boolean {
  return /^\d+$/.test(name);
}

export async function mainnetBlocks(): Promise<BenchBlock[]> {
  const files = readdirSync(mainnetBlocksDir()).filter((f) => f.endsWith(".json.gz"));
  files.sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10));
  const out: BenchBlock[] = [];
  for (const f of files) {
    const fixture = await loadFixture(join(mainnetBlocksDir(), f));
    if (fixture.block.transactions.length === 0) continue;
    if (hasBlobTransactions(fixture)) await loadKzg();
    const common = () => fixtureCommon(fixture, weftCustomCrypto());
    out.push({
      name: String(fixture.number),
      common,
      base: stateFromFixture(fixture.preState),
      block: (c) => decodeBlock(fixture, c, undefined, { freeze: false }),
      blockHashes: fixture.blockHashes,
    });
  }
  return out;
}

/** One block of each workload kind, `txs` transactions each, seed 1. */
export async function workloadBlocks(txs: number): Promise<BenchBlock[]> {
  const { generateWorkload, WORKLOAD_KINDS } = await import("../src/devnet/workloads/index.js");
  const out: BenchBlock[] = [];
  for (const kind of WORKLOAD_KINDS) {
    const w = await generateWorkload({ kind, txs, seed: 1 });
    out.push({
      name: kind,
      common: () => w.common,
      base: w.base,
      block: (c) => freshBlock(w.block, c),
      blockHashes: {},
    });
  }
  return out;
}

export async function benchBlocks(set: BenchSet, workloadTxs: number): Promise<BenchBlock[]> {
  return [
    ...(set === "mainnet" || set === "all" ? await mainnetBlocks() : []),
    ...(set === "workloads" || set === "all" ? await workloadBlocks(workloadTxs) : []),
  ];
}

/**
 * A VM on a fresh state over the block's pre-state that records every transaction's read and write sets with the
 * coinbase's fee lazy, as the parallel executor sees them (for available parallelism and schedule traces).
 */
export function recordingVM(b: BenchBlock, common: Common, block: Block) {
  return recordingVMOver(common, b.base, block, b.blockHashes);
}
