/**
 * The block being built: its attributes (what the consensus layer's payload attributes and the parent header
 * fix: number, time, gas limit, base fee, prevRandao, withdrawals, parent beacon root, excess blob gas) and the
 * state it is built on.
 *
 *   parent state ─► system calls of the fork (EIP-4788 beacon root, EIP-2935 parent hash) ─► top of block
 *
 * Every order is simulated on the top-of-block state, every candidate block starts from it, and the system
 * calls' changes are kept for the block access list (index 0).
 */
import { Block, type BlockHeader, createBlockHeader } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import { type Address, bytesToHex, type Withdrawal } from "@ethereumjs/util";
import { createVM } from "@ethereumjs/vm";
import { applySystemCalls } from "../execution/executeBlock.js";
import { diffOf, type StateDiff } from "../execution/parallel/stateDiff.js";
import { bytesKey } from "../execution/state/keys.js";
import { StateLayer } from "../execution/state/layer.js";
import { WeftStateManager } from "../execution/state/stateManager.js";
import { fixtureBlockchain } from "../execution/stock.js";
import { BuildingError } from "./errors.js";
import { CONTRACT_PAYOUT_GAS, TRANSFER_GAS } from "./sealing/payout.js";

export interface BlockAttributes {
  parentHash: Uint8Array;
  number: bigint;
  timestamp: bigint;
  gasLimit: bigint;
  /** Undefined before London. */
  baseFeePerGas?: bigint;
  /** prevRandao after the merge (the header's mixHash); before it, the mix hash. */
  prevRandao: Uint8Array;
  /** Before the merge, the block's difficulty (0 after). */
  difficulty?: bigint;
  /** The header's coinbase: who receives the block's fees (the builder, or the fee recipient itself). */
  coinbase: Address;
  /** The proposer's fee recipient: paid by the payout transaction when it is not the coinbase. */
  feeRecipient: Address;
  withdrawals?: Withdrawal[];
  parentBeaconBlockRoot?: Uint8Array;
  excessBlobGas?: bigint;
  extraData?: Uint8Array;
  /** Ancestor hashes by number, for BLOCKHASH. */
  blockHashes?: Record<string, string>;
}

/** What executing orders needs: a simulation worker rebuilds this much from a message. */
export interface ExecutionContext {
  readonly common: Common;
  /** The block as execution sees it (no transactions, roots and gas unknown yet): what `runTx` is given. */
  readonly block: Block;
  /** The parent's state with the system calls applied: every simulation and candidate block starts here. */
  readonly topOfBlock: StateLayer;
  readonly coinbase: Address;
  /** The coinbase's address key (40 hex digits). */
  readonly coinbaseKey: string;
  readonly blockHashes: Record<string, string>;
  /** Base fee, 0 before London. */
  readonly baseFee: bigint;
  readonly gasLimit: bigint;
  /** Gas kept free while filling, for the payout transaction sealing adds (0 when the coinbase is paid). */
  readonly gasReserve: bigint;
  /** The most blob gas a block may use at this fork (0 before Cancun). */
  readonly maxBlobGas: bigint;
}

export interface BuildContext extends ExecutionContext {
  readonly attributes: BlockAttributes;
  readonly header: BlockHeader;
  /** The parent's state: read, never written. */
  readonly parent: StateLayer;
  /** What the system calls changed (block access list index 0). */
  readonly systemDiff: StateDiff;
}

/** Builds the header the block's transactions execute under, and the top-of-block state. */
export async function createBuildContext(
  common: Common,
  attributes: BlockAttributes,
  parent: StateLayer,
): Promise<BuildContext> {
  let header: BlockHeader;
  try {
    header = createBlockHeader(headerFields(attributes), { common, skipConsensusFormatValidation: true });
  } catch (cause) {
    throw new BuildingError("INVALID_CONTEXT", `cannot make a header for block ${attributes.number}`, { cause });
  }
  const block = new Block(header, [], [], attributes.withdrawals, { common, skipConsensusFormatValidation: true });
  const topOfBlock = new StateLayer(parent);
  const state = new WeftStateManager({ layer: topOfBlock, recordAccess: false });
  const blockHashes = attributes.blockHashes ?? {};
  const vm = await createVM({ common, stateManager: state, blockchain: fixtureBlockchain(blockHashes) });
  await applySystemCalls(vm, state, block);
  return {
    common,
    attributes,
    header,
    block,
    parent,
    topOfBlock,
    systemDiff: diffOf(topOfBlock),
    coinbase: attributes.coinbase,
    coinbaseKey: bytesKey(attributes.coinbase.bytes),
    blockHashes,
    baseFee: attributes.baseFeePerGas ?? 0n,
    gasLimit: attributes.gasLimit,
    gasReserve: payoutGasReserve(attributes, parent),
    maxBlobGas: maxBlobGas(header.common),
  };
}

/** Gas of the payout: none when the coinbase is the fee recipient, a transfer to an account, more to a contract. */
export function payoutGasReserve(attributes: BlockAttributes, parent: StateLayer): bigint {
  if (attributes.feeRecipient.equals(attributes.coinbase)) return 0n;
  return parent.codeOf(bytesKey(attributes.feeRecipient.bytes)).length > 0 ? CONTRACT_PAYOUT_GAS : TRANSFER_GAS;
}

/** EIP-4844's (and EIP-7691's) per-block blob gas limit at the fork; 0 before Cancun. */
export function maxBlobGas(common: Common): bigint {
  if (!common.isActivatedEIP(4844)) return 0n;
  return common.getBlobGasSchedule().maxBlobGasPerBlock;
}

/** The header fields known before execution (the rest are filled in when sealing). */
export function headerFields(a: BlockAttributes): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    parentHash: a.parentHash,
    coinbase: a.coinbase,
    number: a.number,
    timestamp: a.timestamp,
    gasLimit: a.gasLimit,
    mixHash: a.prevRandao,
    difficulty: a.difficulty ?? 0n,
    extraData: a.extraData ?? new Uint8Array(0),
  };
  if (a.baseFeePerGas !== undefined) fields.baseFeePerGas = a.baseFeePerGas;
  if (a.parentBeaconBlockRoot !== undefined) fields.parentBeaconBlockRoot = a.parentBeaconBlockRoot;
  if (a.excessBlobGas !== undefined) {
    fields.excessBlobGas = a.excessBlobGas;
    fields.blobGasUsed = 0n;
  }
  return fields;
}

/** A short name of the block for messages: "block 22500000 (0x1234…)". */
export function describeBlock(ctx: BuildContext): string {
  return `block ${ctx.attributes.number} on ${bytesToHex(ctx.attributes.parentHash).slice(0, 10)}…`;
}
