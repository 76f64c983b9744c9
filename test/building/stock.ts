/**
 * Re-executes a sealed block in stock `@ethereumjs/vm`: `runBlock` on a `MerkleStateManager` built from the
 * same pre-state, no weft code in the path (a plain `Common`, the library's own crypto). What it returns is what
 * the tests compare with the sealed header: gas, receipts root, logs bloom, state root, requests hash, and the
 * coinbase's and fee recipient's balance changes. With EIP 7928 added to the fork, ethereumjs also records the
 * block access list (its experimental Amsterdam code), to compare with the one weft made from its own records.
 */
import { createBlockFromRLP } from "@ethereumjs/block";
import { Common, Mainnet } from "@ethereumjs/common";
import { MerkleStateManager } from "@ethereumjs/statemanager";
import { Address, createAccount, hexToBytes } from "@ethereumjs/util";
import { createVM, runBlock } from "@ethereumjs/vm";
import type { SealedBlock } from "../../src/building/sealing/sealBlock.js";
import { snapshotOf } from "../../src/execution/parallel/stateDiff.js";
import type { StateLayer } from "../../src/execution/state/layer.js";
import { fixtureBlockchain } from "../../src/execution/stock.js";

export interface StockResult {
  gasUsed: bigint;
  receiptsRoot: Uint8Array;
  logsBloom: Uint8Array;
  stateRoot: Uint8Array;
  requestsHash: Uint8Array | undefined;
  blockHash: Uint8Array;
  /** The EIP-7928 block access list ethereumjs recorded (when EIP 7928 was activated). */
  blockAccessListHash: Uint8Array | undefined;
  balanceChange(address: Address): bigint;
}

/** A stock VM on the pre-state, built once; each run executes a block and rolls the state back after. */
export async function stockRunner(
  parent: StateLayer,
  hardfork: string,
  options: { blockHashes?: Record<string, string>; eips?: number[] } = {},
): Promise<(sealed: SealedBlock) => Promise<StockResult>> {
  const common = new Common({ chain: Mainnet, hardfork, eips: options.eips ?? [] });
  const stateManager = new MerkleStateManager({ common });
  const snapshot = snapshotOf(parent);
  for (const [key, record] of snapshot.accounts) {
    if (record === null) continue;
    const address = new Address(hexToBytes(`0x${key}`));
    await stateManager.putAccount(address, createAccount({ nonce: record.nonce, balance: record.balance }));
    const code = snapshot.code.get(key);
    if (code !== undefined && code.length > 0) await stateManager.putCode(address, code);
    for (const [slot, value] of snapshot.storage.get(key) ?? []) {
      if (value.length > 0) await stateManager.putStorage(address, hexToBytes(`0x${slot}`), value);
    }
  }
  const vm = await createVM({ common, stateManager, blockchain: fixtureBlockchain(options.blockHashes ?? {}) });
  return async (sealed) => {
    const block = createBlockFromRLP(sealed.block.serialize(), { common: new Common({ chain: Mainnet, hardfork }) });
    await stateManager.checkpoint();
    try {
      const before = new Map<string, bigint>();
      const balance = async (a: Address) => (await stateManager.getAccount(a))?.balance ?? 0n;
      for (const a of [
        block.header.coinbase,
        ...block.transactions.map((tx) => tx.to).filter((t) => t !== undefined),
      ]) {
        before.set(a.toString(), await balance(a));
      }
      const result = await runBlock(vm, {
        block,
        generate: true,
        skipBlockValidation: true,
        skipHeaderValidation: true,
        skipHardForkValidation: true,
      });
      const after = new Map<string, bigint>();
      for (const key of before.keys()) after.set(key, await balance(new Address(hexToBytes(key as `0x${string}`))));
      return {
        gasUsed: result.gasUsed,
        receiptsRoot: result.receiptsRoot,
        logsBloom: result.logsBloom,
        stateRoot: result.stateRoot,
        requestsHash: result.requestsHash,
        blockHash: block.hash(),
        blockAccessListHash: result.blockLevelAccessList?.hash(),
        balanceChange: (a) => (after.get(a.toString()) ?? 0n) - (before.get(a.toString()) ?? 0n),
      };
    } finally {
      await stateManager.revert();
    }
  };
}

export async function stockReexecute(
  parent: StateLayer,
  sealed: SealedBlock,
  hardfork: string,
  options: { blockHashes?: Record<string, string>; eips?: number[] } = {},
): Promise<StockResult> {
  return (await stockRunner(parent, hardfork, options))(sealed);
}
