/**
 * Every workload kind: it generates, the same options give the same bytes, it executes on weft's engine with
 * every transaction valid and successful, and the conflicts its read/write sets show are the ones asked for.
 */
import { createVM } from "@ethereumjs/vm";
import { describe, expect, test } from "vitest";
import { WorkloadError } from "../../../src/devnet/workloads/errors.js";
import {
  generateWorkload,
  WORKLOAD_KINDS,
  type Workload,
  type WorkloadKind,
  type WorkloadOptions,
} from "../../../src/devnet/workloads/generateWorkload.js";
import { mixedCounts } from "../../../src/devnet/workloads/mixed.js";
import { hotCount } from "../../../src/devnet/workloads/plan.js";
import { signingHash } from "../../../src/devnet/workloads/sealBlock.js";
import { type BlockExecution, executeBlock } from "../../../src/execution/executeBlock.js";
import { type AccessSet, conflicts, type TxAccess } from "../../../src/execution/state/access.js";
import { StateLayer } from "../../../src/execution/state/layer.js";
import { WeftStateManager } from "../../../src/execution/state/stateManager.js";
import { dumpState } from "./evm.js";

/** Small blocks: swaps execute slowest, so their kinds get fewer transactions. */
const SIZE: Record<WorkloadKind, number> = {
  transfers: 80,
  erc20: 60,
  "uniswap-many": 24,
  "uniswap-hot": 24,
  "hash-actor": 60,
  "hash-actor-many": 60,
  mixed: 80,
};

async function execute(workload: Workload): Promise<BlockExecution> {
  const state = new WeftStateManager({ layer: new StateLayer(workload.base), recordAccess: true });
  const vm = await createVM({ common: workload.common, stateManager: state });
  return executeBlock({ vm, state, block: workload.block });
}

/** An access set without one address (the coinbase, whose fee credits the parallel executor treats apart). */
function without(set: AccessSet, address: string): AccessSet {
  const accounts = new Map(set.accounts);
  accounts.delete(address);
  const storage = new Map(set.storage);
  storage.delete(address);
  return { accounts, storage };
}

/** How many transactions conflict with at least one other (one writes what the other reads or writes). */
function conflictingCount(execution: BlockExecution, coinbase: string): number {
  const accesses: TxAccess[] = execution.transactions.map(({ access }) => {
    if (access === undefined) throw new Error("access was not recorded");
    return { reads: without(access.reads, coinbase), writes: without(access.writes, coinbase) };
  });
  let count = 0;
  for (let i = 0; i < accesses.length; i++) {
    for (let j = 0; j < accesses.length; j++) {
      if (i !== j && conflicts(accesses[i] as TxAccess, accesses[j] as TxAccess)) {
        count++;
        break;
      }
    }
  }
  return count;
}

/** What the options ask for, in whole transactions (see `hotCount`; the mix rounds per share). */
function expectedConflicting(kind: WorkloadKind, txs: number, rate: number): number {
  if (kind !== "mixed") return hotCount(txs, rate);
  return mixedCounts(txs).reduce((sum, n) => sum + hotCount(n, rate), 0);
}

function fingerprint(workload: Workload) {
  return {
    description: workload.description,
    header: Buffer.from(workload.block.header.serialize()).toString("hex"),
    transactions: workload.transactions.map((tx) => Buffer.from(tx.serialize()).toString("hex")),
    state: dumpState(workload.base),
  };
}

describe.each(WORKLOAD_KINDS)("%s", (kind) => {
  const txs = SIZE[kind];

  test("executes: every transaction valid and successful, conflicts as asked, deterministic", async () => {
    const workload = await generateWorkload({ kind, txs });
    expect(workload.transactions).toHaveLength(txs);
    expect(workload.block.transactions).toBe(workload.transactions);
    expect(workload.seed).toBe(1);
    expect(workload.description).toContain(`${txs} `);

    const execution = await execute(workload);
    expect(execution.invalid).toEqual([]);
    expect(execution.receipts.map((r) => ("status" in r ? r.status : undefined))).toEqual(Array(txs).fill(1));
    const coinbase = workload.block.header.coinbase.toString();
    expect(conflictingCount(execution, coinbase)).toBe(expectedConflicting(kind, txs, workload.conflictRate));

    const again = await generateWorkload({ kind, txs, seed: 1 });
    expect(fingerprint(again)).toEqual(fingerprint(workload));
  });
});

describe("conflict rates", () => {
  test.each([
    ["transfers", 60, 0.5],
    ["erc20", 60, 0.25],
    ["uniswap-many", 20, 0.4],
    ["uniswap-hot", 20, 0.5],
    ["hash-actor", 60, 0.3],
    ["hash-actor-many", 60, 1],
    ["mixed", 80, 0.6],
  ] as const)("%s with %i transactions at %f", async (kind, txs, conflictRate) => {
    const workload = await generateWorkload({ kind, txs, conflictRate, seed: 9 });
    const execution = await execute(workload);
    expect(execution.invalid).toEqual([]);
    expect(execution.receipts.every((r) => "status" in r && r.status === 1)).toBe(true);
    const measured = conflictingCount(execution, workload.block.header.coinbase.toString());
    expect(measured).toBe(expectedConflicting(kind, txs, conflictRate));
    expect(Math.abs(measured / txs - conflictRate)).toBeLessThan(0.05);
  });

  test("the default rate is none for independent kinds, all for the hot pool and the single actor", async () => {
    const rates = await Promise.all(
      WORKLOAD_KINDS.map(async (kind) => (await generateWorkload({ kind, txs: 4 })).conflictRate),
    );
    expect(Object.fromEntries(WORKLOAD_KINDS.map((kind, i) => [kind, rates[i]]))).toEqual({
      transfers: 0,
      erc20: 0,
      "uniswap-many": 0,
      "uniswap-hot": 1,
      "hash-actor": 1,
      "hash-actor-many": 0,
      mixed: 0.2,
    });
  });
});

describe("generation", () => {
  test("another seed gives other keys, amounts and order", async () => {
    const one = await generateWorkload({ kind: "erc20", txs: 20, seed: 1 });
    const two = await generateWorkload({ kind: "erc20", txs: 20, seed: 2 });
    const senders = (w: Workload) => new Set(w.transactions.map((tx) => tx.getSenderAddress().toString()));
    const overlap = [...senders(one)].filter((s) => senders(two).has(s));
    expect(overlap).toEqual([]);
    expect(two.description).toContain("seed 2");
  });

  test("transactions are EIP-1559, signed over the right hash, by the senders the block's nonces expect", async () => {
    const workload = await generateWorkload({ kind: "transfers", txs: 60, conflictRate: 1 });
    const nonces = new Map<string, bigint>();
    for (const tx of workload.transactions) {
      expect(tx.type).toBe(2);
      if (tx.type !== 2) continue;
      const hash = signingHash({
        chainId: tx.chainId,
        nonce: tx.nonce,
        maxPriorityFeePerGas: tx.maxPriorityFeePerGas,
        maxFeePerGas: tx.maxFeePerGas,
        gasLimit: tx.gasLimit,
        to: tx.to as NonNullable<typeof tx.to>,
        value: tx.value,
        data: tx.data,
      });
      expect(Buffer.from(hash).equals(Buffer.from(tx.getHashedMessageToSign()))).toBe(true);
      expect(tx.verifySignature()).toBe(true);
      const sender = tx.getSenderAddress().toString();
      expect(tx.nonce).toBe(nonces.get(sender) ?? 0n);
      nonces.set(sender, tx.nonce + 1n);
      expect(tx.maxFeePerGas).toBeGreaterThanOrEqual(workload.block.header.baseFeePerGas as bigint);
    }
    // At rate 1 the hot accounts send several transactions each, in nonce order.
    expect(nonces.size).toBeLessThan(60);
    const gas = workload.transactions.reduce((sum, tx) => sum + tx.gasLimit, 0n);
    expect(workload.block.header.gasLimit).toBeGreaterThanOrEqual(gas);
    expect(workload.common.hardfork()).toBe("prague");
  });

  test("bad options are typed errors", async () => {
    const bad: WorkloadOptions[] = [
      { kind: "nope" as WorkloadKind, txs: 10 },
      { kind: "transfers", txs: 0 },
      { kind: "transfers", txs: 2.5 },
      { kind: "transfers", txs: 10, seed: -1 },
      { kind: "transfers", txs: 10, seed: 0.5 },
      { kind: "transfers", txs: 10, conflictRate: 1.5 },
      { kind: "transfers", txs: 10, conflictRate: Number.NaN },
    ];
    for (const options of bad) {
      await expect(generateWorkload(options)).rejects.toSatisfy(
        (e: unknown) => e instanceof WorkloadError && e.code === "INVALID_OPTIONS",
      );
    }
  });
});
