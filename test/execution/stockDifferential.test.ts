/**
 * The weft engine against unmodified @ethereumjs/vm on Prague blocks (the generated workloads): same gas, receipts
 * root, logs bloom, requests hash, and the same state root computed from each engine's own state.
 */
import { createBlockFromRLP } from "@ethereumjs/block";
import { Common, Mainnet } from "@ethereumjs/common";
import { MerkleStateManager } from "@ethereumjs/statemanager";
import { Account, Address, bytesToHex } from "@ethereumjs/util";
import { createVM, runBlock } from "@ethereumjs/vm";
import { describe, expect, test } from "vitest";
import { generateWorkload, type WorkloadKind } from "../../src/devnet/workloads/index.js";
import { executeBlock } from "../../src/execution/executeBlock.js";
import { snapshotOf } from "../../src/execution/parallel/stateDiff.js";
import { StateLayer } from "../../src/execution/state/layer.js";
import { WeftStateManager } from "../../src/execution/state/stateManager.js";
import { createWeftVM } from "../../src/execution/vm.js";

async function merkleStateOf(base: StateLayer): Promise<MerkleStateManager> {
  const snapshot = snapshotOf(base);
  const sm = new MerkleStateManager();
  for (const [key, record] of snapshot.accounts) {
    if (record === null) continue;
    const address = new Address(Buffer.from(key, "hex"));
    await sm.putAccount(address, new Account(record.nonce, record.balance));
    const code = snapshot.code.get(key);
    if (code !== undefined && code.length > 0) await sm.putCode(address, code);
    for (const [slot, value] of snapshot.storage.get(key) ?? []) {
      if (value.length > 0) await sm.putStorage(address, Buffer.from(slot, "hex"), value);
    }
  }
  return sm;
}

describe("weft engine equals stock @ethereumjs/vm on Prague workloads", () => {
  test.each([
    ["erc20", 30],
    ["uniswap-many", 12],
    ["mixed", 40],
  ] as Array<[WorkloadKind, number]>)("%s, %i transactions", async (kind, txs) => {
    const w = await generateWorkload({ kind, txs, seed: 3 });
    const state = new WeftStateManager({ layer: new StateLayer(w.base), recordAccess: false });
    const vm = await createWeftVM({ common: w.common, stateManager: state });
    const ours = await executeBlock({ vm, state, block: w.block });
    expect(ours.invalid).toEqual([]);

    const common = new Common({ chain: Mainnet, hardfork: w.common.hardfork() });
    const block = createBlockFromRLP(w.block.serialize(), { common, skipConsensusFormatValidation: true });
    const stockState = await merkleStateOf(w.base);
    const stockVm = await createVM({ common, stateManager: stockState });
    const stock = await runBlock(stockVm, {
      block,
      generate: true,
      skipBlockValidation: true,
      skipHeaderValidation: true,
      skipHardForkValidation: true,
    });
    expect(ours.gasUsed).toBe(stock.gasUsed);
    expect(bytesToHex(ours.receiptsRoot)).toBe(bytesToHex(stock.receiptsRoot));
    expect(bytesToHex(ours.logsBloom)).toBe(bytesToHex(stock.logsBloom));
    expect(ours.requests).toBeDefined();
    expect(bytesToHex(ours.requests?.requestsHash ?? new Uint8Array())).toBe(
      bytesToHex(stock.requestsHash ?? new Uint8Array()),
    );
    expect(bytesToHex(state.stateRoot())).toBe(bytesToHex(stock.stateRoot));
  });
});
