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
import { runTx, type TxReceipt, type VM } from "@ethereumjs/vm";
import { describeCause } from "../shared/errors.js";
import { keccak256 } from "./crypto/native.js";
import { pinSender, type SenderRecovery } from "./crypto/senderRecovery.js";
import { encodeReceipt } from "./receipts.js";
import { accumulateRequests, type BlockRequests } from "./requests.js";
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
  /** From Prague (EIP-7685): the execution-layer requests and the header's `requestsHash`. */
  requests?: BlockRequests;
}

export interface ExecuteBlockOptions {
  vm: VM;
  state: WeftStateManager;
  block: Block;
  /** Transactions to execute in place of the block's own (for building); default the block's. */
  transactions?: readonly TypedTransaction[];
  /** Apply withdrawals and block rewards after the transactions (default true). */
  finalize?: boolean;
  /** Recover senders on a worker thread while executing (default: in one batch on this thread, first). */
  senderRecovery?: SenderRecovery | undefined;
}

/** Recovers every sender now (cached on the frozen transaction); returns the indices that failed and why. */
export function recoverSenders(txs: readonly TypedTransaction[]): Map<number, string> {
  const failed = new Map<number, string>();
  txs.forEach((tx, i) => {
    const problem = signatureProblem(tx);
    if (problem !== undefined) failed.set(i, problem);
  });
  return failed;
}

/**
 * Why the transaction's sender cannot be recovered, or undefined when it can. The sender is then cached: on a
 * frozen transaction ethereumjs caches the public key; an unfrozen one (as the weft engine decodes them) gets
 * its sender address pinned too, hashed with native keccak (ethereumjs re-derives it with pure-JS keccak on
 * every call), and is frozen.
 */
export function signatureProblem(tx: TypedTransaction): string | undefined {
  try {
    if (Object.isFrozen(tx)) {
      tx.getSenderAddress();
      return undefined;
    }
    const publicKey = tx.getSenderPublicKey();
    pinSender(tx, publicKey, keccak256(publicKey).subarray(12));
    return undefined;
  } catch (cause) {
    return `invalid signature: ${describeCause(cause)}`;
  }
}

export async function executeBlock(options: ExecuteBlockOptions): Promise<BlockExecution> {
  const { vm, state, block } = options;
  const txs = options.transactions ?? block.transactions;
  const recovery = options.senderRecovery?.start(txs);
  const badSignatures = recovery === undefined ? recoverSenders(txs) : undefined;

  await applySystemCalls(vm, state, block);

  const coinbase = block.header.coinbase;
  const coinbaseBefore = (await state.getAccount(coinbase))?.balance ?? 0n;

  // Before Byzantium every receipt carries the state root after its transaction: roots are then computed over
  // the state under this block's layer, which nothing writes while the block executes.
  const intermediateRoots = !vm.common.gteHardfork("byzantium") && state.layer.parent !== undefined;
  if (intermediateRoots) state.pinRootBase(state.layer.parent);
  const acc = new BlockAccumulator(block.header.gasLimit);
  try {
    for (let index = 0; index < txs.length; index++) {
      const tx = txs[index] as TypedTransaction;
      recovery?.pin(index);
      const badSignature = badSignatures === undefined ? signatureProblem(tx) : badSignatures.get(index);
      if (badSignature !== undefined) {
        acc.reject(index, badSignature);
        continue;
      }
      await executeInOrder(vm, state, block, tx, index, acc);
    }
  } finally {
    recovery?.stop();
    if (intermediateRoots) state.pinRootBase(undefined);
  }
  const coinbaseDelta = ((await state.getAccount(coinbase))?.balance ?? 0n) - coinbaseBefore;
  const result = acc.result(coinbaseDelta);
  if (options.finalize ?? true) {
    const requests = await finalizeBlock(vm, state, block, acc.receipts);
    if (requests !== undefined) result.requests = requests;
  }
  return result;
}

/** Receipts, bloom and gas of a block as its transactions are committed in order. */
export class BlockAccumulator {
  readonly receipts: TxReceipt[] = [];
  readonly encoded: Uint8Array[] = [];
  readonly executed: ExecutedTransaction[] = [];
  readonly invalid: InvalidTransaction[] = [];
  readonly bloom = new Uint8Array(256);
  gasUsed = 0n;

  constructor(readonly gasLimit: bigint) {}

  /** Why the transaction cannot go into the block at this point, or undefined if its gas fits. */
  gasCheck(tx: TypedTransaction): string | undefined {
    const left = this.gasLimit - this.gasUsed;
    return tx.gasLimit > left ? `gas limit ${tx.gasLimit} above the ${left} left in the block` : undefined;
  }

  reject(index: number, reason: string): void {
    this.invalid.push({ index, reason });
  }

  /** Commits an executed transaction; its receipt's cumulative gas is set from the block's running total. */
  commit(index: number, tx: TypedTransaction, gasUsed: bigint, receipt: TxReceipt, access: TxAccess | undefined): void {
    this.gasUsed += gasUsed;
    receipt.cumulativeBlockGasUsed = this.gasUsed;
    this.receipts.push(receipt);
    this.encoded.push(encodeReceipt(receipt, tx.type));
    orInto(this.bloom, receipt.bitvector);
    this.executed.push({ index, gasUsed, receipt, access });
  }

  result(coinbaseDelta: bigint): BlockExecution {
    return {
      gasUsed: this.gasUsed,
      receipts: this.receipts,
      receiptsRoot: orderedTrieRoot(this.encoded),
      logsBloom: this.bloom,
      transactions: this.executed,
      invalid: this.invalid,
      coinbaseDelta,
    };
  }
}

/** Executes one transaction on the state as it stands and commits it (or its rejection) to the block. */
export async function executeInOrder(
  vm: VM,
  state: WeftStateManager,
  block: Block,
  tx: TypedTransaction,
  index: number,
  acc: BlockAccumulator,
): Promise<TxAccess | undefined> {
  const gasProblem = acc.gasCheck(tx);
  if (gasProblem !== undefined) {
    acc.reject(index, gasProblem);
    return undefined;
  }
  state.beginTx();
  try {
    const result = await runTx(vm, { tx, block, skipHardForkValidation: true, blockGasUsed: acc.gasUsed });
    const recorded = state.endTx();
    acc.commit(index, tx, result.totalGasSpent, result.receipt, state.recordAccess ? recorded : undefined);
    return recorded;
  } catch (cause) {
    state.endTx();
    acc.reject(index, describeCause(cause) ?? "transaction failed");
    return undefined;
  }
}

/**
 * After the transactions: withdrawals (EIP-4895), or the miner's and ommers' rewards before the merge; then,
 * from Prague and when the receipts are given, the execution-layer requests (a caller that accumulates its own,
 * as sealing does, leaves them out).
 */
export async function finalizeBlock(
  vm: VM,
  state: WeftStateManager,
  block: Block,
  receipts?: readonly TxReceipt[],
): Promise<BlockRequests | undefined> {
  state.beginTx();
  if (vm.common.isActivatedEIP(4895)) {
    for (const w of block.withdrawals ?? []) await credit(vm, w.address, w.amount * GWEI_TO_WEI);
    await vm.evm.journal.cleanup();
  }
  if (vm.common.consensusType() === ConsensusType.ProofOfWork) await assignBlockRewards(vm, block);
  state.endTx();
  return receipts === undefined ? undefined : accumulateRequests(vm, state, receipts);
}

function orInto(target: Uint8Array, source: Uint8Array): void {
  for (let i = 0; i < target.length; i++) target[i] = (target[i] as number) | (source[i] as number);
}

/** EIP-4788 and EIP-2935: the block's parent beacon root and parent hash, written into their system contracts. */
export async function applySystemCalls(vm: VM, state: WeftStateManager, block: Block): Promise<void> {
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
