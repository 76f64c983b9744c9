/**
 * Backtests on real mainnet blocks: every algorithm builds from the block's own transactions; the best block
 * reaches the landed value, and its reported transactions, gas, receipts root and logs bloom are what stock
 * @ethereumjs/vm computes when it executes them in that order on the fixture's pre-state.
 */
import { join } from "node:path";
import { Block, createBlockHeader } from "@ethereumjs/block";
import { ConsensusType } from "@ethereumjs/common";
import { MerkleStateManager } from "@ethereumjs/statemanager";
import { createTxFromRLP, type TypedTransaction } from "@ethereumjs/tx";
import { bytesToHex, hexToBytes } from "@ethereumjs/util";
import { createVM, runBlock } from "@ethereumjs/vm";
import { describe, expect, test } from "vitest";
import { backtestFixture, backtestJson } from "../../src/building/backtest.js";
import { ALGORITHM_NAMES } from "../../src/building/builders/algorithms.js";
import { decodeBlock, fixtureCommon } from "../../src/execution/chain.js";
import { loadFixture } from "../../src/execution/fixture.js";
import { buildMerkleState, fixtureBlockchain } from "../../src/execution/stock.js";
import { mainnetBlocksDir } from "../shared.js";

describe("backtest", () => {
  test.each([
    19426587, 15537393,
  ])("block %i: the best algorithm reaches the landed value, and stock execution agrees", async (n) => {
    const fixture = await loadFixture(join(mainnetBlocksDir(), `${n}.json.gz`));
    const result = await backtestFixture(fixture);
    expect(result.algorithms.map((a) => a.name)).toEqual([...ALGORITHM_NAMES]);
    const best = result.algorithms.reduce((a, b) => (b.value > a.value ? b : a));
    expect(result.best.name).toBe(best.name);
    expect(best.value).toBeGreaterThanOrEqual(result.landedValue);
    expect(result.best.feeRecipient).toBe(fixture.block.miner.toLowerCase());

    // The best block's transactions, executed by stock ethereumjs on the same pre-state.
    const common = fixtureCommon(fixture);
    const landed = decodeBlock(fixture, common);
    const transactions = result.best.transactions.map(
      (raw) => createTxFromRLP(hexToBytes(raw as `0x${string}`), { common }) as TypedTransaction,
    );
    expect(transactions.length).toBe(best.txs);
    const header = createBlockHeader(
      { ...landed.header.toJSON(), gasUsed: 0n },
      { common, skipConsensusFormatValidation: true },
    );
    const block = new Block(header, transactions, [], landed.withdrawals, {
      common,
      skipConsensusFormatValidation: true,
    });
    const stateManager = new MerkleStateManager({ common });
    await buildMerkleState(fixture, stateManager);
    const vm = await createVM({ common, stateManager, blockchain: fixtureBlockchain(fixture.blockHashes) });
    const coinbase = landed.header.coinbase;
    const before = (await stateManager.getAccount(coinbase))?.balance ?? 0n;
    const run = await runBlock(vm, {
      block,
      generate: true,
      skipBlockValidation: true,
      skipHeaderValidation: true,
      skipHardForkValidation: true,
    });
    expect(run.gasUsed).toBe(result.best.gasUsed);
    expect(bytesToHex(run.receiptsRoot)).toBe(result.best.receiptsRoot);
    expect(bytesToHex(run.logsBloom)).toBe(result.best.logsBloom);
    // Stock also credits withdrawals (after the merge) or the miner's reward (before it); the value is what the
    // transactions earned.
    const withdrawn = (landed.withdrawals ?? [])
      .filter((w) => w.address.equals(coinbase))
      .reduce((sum, w) => sum + w.amount * 1_000_000_000n, 0n);
    const reward =
      common.consensusType() === ConsensusType.ProofOfWork
        ? common.param("minerReward") + (common.param("minerReward") / 32n) * BigInt(landed.uncleHeaders.length)
        : 0n;
    const after = (await stateManager.getAccount(coinbase))?.balance ?? 0n;
    expect(after - before - withdrawn - reward).toBe(best.value);

    const json = backtestJson(result);
    expect(Object.keys(json)).toEqual(["number", "landedValue", "algorithms", "best"]);
    expect(Object.keys((json.algorithms as object[])[0] as object)).toEqual(["name", "value", "gasUsed", "txs", "ms"]);
    expect(Object.keys(json.best as object)).toEqual([
      "name",
      "transactions",
      "gasUsed",
      "receiptsRoot",
      "logsBloom",
      "feeRecipient",
    ]);
  });
});
