/**
 * Executes a block (or any list of transactions) on weft's state layer with `@ethereumjs/vm`'s `runTx`, in the
 * order the block gives:
 *
 *   senders recovered for all transactions first, in one batch (native secp256k1)
 *   → system calls the fork needs (EIP-4788 beacon root, EIP-2935 parent hash)
 *   → each transaction in its own journal segment: its receipt, gas, and read/write sets
 *   → withdrawals (EIP-4895), or the miner's reward before the merge
 *   → receipts root and logs bloom; the state root only if asked.
 *
 * A transaction that fails validation (signature, nonce, balance, gas above what the block has left) is
 * reported with its index and reason and skipped; it never fails the block.
 */
import type { Block } from "@ethereumjs/block";
import { ConsensusType } from "@ethereumjs/common";
import type { TypedTransaction } from "@ethereumjs/tx";
import {
  Account,
  Address,
  bigIntToAddressBytes,
  bigIntToBytes,
  createAddressFromString,
  GWEI_TO_WEI,
  setLengthLeft,
} from "@ethereumjs/util";
import { encodeReceipt, runTx, type TxReceipt, type VM } from "@ethereumjs/vm";
import { describeCause } from "../shared/errors.js";
import type { TxAccess } from "./state/access.js";
import type { WeftStateManager } from "./state/stateManager.js";
import { orderedTrieRoot } from "./state/trieRoot.js";

const BEACON_ROOTS_ADDRESS = createAddressFromString("0x000F3df6D732807Ef1319fB7B8bB8522d0Beac02");

export interface InvalidTransaction {
  index: number;
  reason: string;
}

export interface ExecutedTransaction {
  /** Position in the block. */
  index: number;
  gasUsed: bigint;
  receipt: TxReceipt;
  /** What the transaction read and wrote (when the state records access). */
  access: TxAccess | undefined;
}

export interface BlockExecution {
  /** Gas used by the block, as its header states it. */
  gasUsed: bigint;
  receipts: TxReceipt[];
  receiptsRoot: Uint8Array;
  logsBloom: Uint8Array;
  transactions: ExecutedTransaction[];
  invalid: InvalidTransaction[];
  /** The fee recipient's balance change from the transactions (fees and direct payments), before withdrawals. */
  coinbaseDelta: bigint;
}

export interface ExecuteBlockOptions {
  vm: VM;
  state: WeftStateManager;
  block: Block;
  /** Transactions to execute in place of the block's own (for building); default the block's. */
  transactions?: readonly TypedTransaction[];
  /** Apply withdrawals and block rewards after the transactions (default true). */
  finalize?: boolean;
}

/** Recovers every sender now (cached on the frozen transaction); returns the indices that failed and why. */
export function recoverSenders(txs: readonly TypedTransaction[]): Map<number, string> {
  const failed = new Map<number, string>();
  txs.forEach((tx, i) => {
    try {
      tx.getSenderAddress();
    } catch (cause) {
      failed.set(i, `invalid signature: ${describeCause(cause)}`);
    }
  });
  return failed;
}

export async function executeBlock(options: ExecuteBlockOptions): Promise<BlockExecution> {
  const { vm, state, block } = options;
  const txs = options.transactions ?? block.transactions;
  const common = vm.common;
  const badSignatures = recoverSenders(txs);

  await applySystemCalls(vm, state, block);

  const coinbase = block.header.coinbase;
  const coinbaseBefore = (await state.getAccount(coinbase))?.balance ?? 0n;

  const receipts: TxReceipt[] = [];
  const encoded: Uint8Array[] = [];
  const executed: ExecutedTransaction[] = [];
  const invalid: InvalidTransaction[] = [];
  const bloom = new Uint8Array(256);
  let gasUsed = 0n;
  for (let index = 0; index < txs.length; index++) {
    const tx = txs[index] as TypedTransaction;
    const badSignature = badSignatures.get(index);
    if (badSignature !== undefined) {
      invalid.push({ index, reason: badSignature });
      continue;
    }
    if (tx.gasLimit > block.header.gasLimit - gasUsed) {
      invalid.push({
        index,
        reason: `gas limit ${tx.gasLimit} above the ${block.header.gasLimit - gasUsed} left in the block`,
      });
      continue;
    }
    state.beginTx();
    try {
      const result = await runTx(vm, { tx, block, skipHardForkValidation: true, blockGasUsed: gasUsed });
      gasUsed += result.totalGasSpent;
      const recorded = state.endTx();
      const access = state.recordAccess ? recorded : undefined;
      receipts.push(result.receipt);
      encoded.push(encodeReceipt(result.receipt, tx.type));
      orInto(bloom, result.bloom.bitvector);
      executed.push({ index, gasUsed: result.totalGasSpent, receipt: result.receipt, access });
    } catch (cause) {
      state.endTx();
      invalid.push({ index, reason: describeCause(cause) ?? "transaction failed" });
    }
  }
  const coinbaseDelta = ((await state.getAccount(coinbase))?.balance ?? 0n) - coinbaseBefore;

  if (options.finalize ?? true) {
    state.beginTx();
    if (common.isActivatedEIP(4895)) {
      for (const w of block.withdrawals ?? []) await credit(vm, w.address, w.amount * GWEI_TO_WEI);
      await vm.evm.journal.cleanup();
    }
    if (common.consensusType() === ConsensusType.ProofOfWork) await assignBlockRewards(vm, block);
    state.endTx();
  }

  return {
    gasUsed,
    receipts,
    receiptsRoot: orderedTrieRoot(encoded),
    logsBloom: bloom,
    transactions: executed,
    invalid,
    coinbaseDelta,
  };
}

function orInto(target: Uint8Array, source: Uint8Array): void {
  for (let i = 0; i < target.length; i++) target[i] = (target[i] as number) | (source[i] as number);
}

/** EIP-4788 and EIP-2935: the block's parent beacon root and parent hash, written into their system contracts. */
async function applySystemCalls(vm: VM, state: WeftStateManager, block: Block): Promise<void> {
  const common = vm.common;
  state.beginTx();
  if (common.isActivatedEIP(4788) && block.header.parentBeaconBlockRoot !== undefined) {
    const code = await state.getCode(BEACON_ROOTS_ADDRESS);
    if (code.length > 0) {
      const length = BigInt(common.param("historicalRootsLength"));
      const index = block.header.timestamp % length;
      await state.putStorage(
        BEACON_ROOTS_ADDRESS,
        setLengthLeft(bigIntToBytes(index), 32),
        bigIntToBytes(block.header.timestamp),
      );
      await state.putStorage(
        BEACON_ROOTS_ADDRESS,
        setLengthLeft(bigIntToBytes(index + length), 32),
        block.header.parentBeaconBlockRoot,
      );
    }
  }
  if (common.isActivatedEIP(2935)) {
    const history = new Address(bigIntToAddressBytes(common.param("historyStorageAddress")));
    const code = await state.getCode(history);
    if (code.length > 0) {
      const window = common.param("historyServeWindow");
      const key = setLengthLeft(bigIntToBytes((block.header.number - 1n) % window), 32);
      await state.putStorage(history, key, block.header.parentHash);
    }
  }
  state.endTx();
}

async function credit(vm: VM, address: Address, amount: bigint): Promise<void> {
  const account = (await vm.stateManager.getAccount(address)) ?? new Account();
  account.balance += amount;
  await vm.evm.journal.putAccount(address, account);
}

/** Before the merge: the miner's reward, plus 1/32 per ommer, and each ommer's reward (yellow paper 11.3). */
async function assignBlockRewards(vm: VM, block: Block): Promise<void> {
  const minerReward = vm.common.param("minerReward");
  for (const ommer of block.uncleHeaders) {
    const heightDiff = block.header.number - ommer.number;
    const reward = ((8n - heightDiff) * minerReward) / 8n;
    await credit(vm, ommer.coinbase, reward < 0n ? 0n : reward);
  }
  await credit(vm, block.header.coinbase, minerReward + (minerReward / 32n) * BigInt(block.uncleHeaders.length));
}
