/**
 * Turns a workload's intents into a signed block:
 *
 *   shuffle the intents (seeded: hot transactions land anywhere in the block, as they do on mainnet)
 *   → nonces in block order per sender (a sender with several transactions sends them in sequence)
 *   → EIP-1559 fields: base fee 1 gwei, a tip drawn from 0.01–2 gwei, max fee twice the base fee plus the tip
 *   → fund every sender with what its transactions can cost at most (gas limit × max fee + value) plus 1 ether
 *   → sign (native secp256k1, over a signing hash computed here) → the header: number, time, coinbase, prevRandao, parent beacon root, gas limit
 *     the sum of the transactions' (at least 36M), transactions root.
 * Fields only execution can know (state root, receipts root, logs bloom, gas used) stay at their defaults.
 */
import { Block, createBlockHeader } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import { RLP } from "@ethereumjs/rlp";
import { createFeeMarket1559Tx, type FeeMarket1559Tx } from "@ethereumjs/tx";
import { type Address, bigIntToUnpaddedBytes } from "@ethereumjs/util";
import { transactionCommon } from "../../execution/chain.js";
import { keccak256 } from "../../execution/crypto/native.js";
import { orderedTrieRoot } from "../../execution/state/trieRoot.js";
import { deriveAddress, deriveBytes, signHash } from "./accounts.js";
import {
  ETHER,
  type GenesisBuilder,
  WORKLOAD_BASE_FEE,
  WORKLOAD_BLOCK_NUMBER,
  WORKLOAD_CHAIN_ID,
  WORKLOAD_TIMESTAMP,
} from "./genesis.js";
import type { TxIntent } from "./plan.js";

/** Mainnet's gas limit at the time; a workload block gets more when its transactions need it. */
export const MIN_BLOCK_GAS_LIMIT = 36_000_000n;
const MIN_TIP = 10_000_000n;
const MAX_TIP = 2_000_000_000n;

export interface SealedBlock {
  block: Block;
  transactions: FeeMarket1559Tx[];
}

export function sealBlock(genesis: GenesisBuilder, common: Common, intents: TxIntent[]): SealedBlock {
  const random = genesis.random;
  const ordered = random.shuffle([...intents]);

  const nonces = new Map<string, bigint>();
  const costs = new Map<string, { intent: TxIntent; cost: bigint }>();
  const transactions: FeeMarket1559Tx[] = [];
  let gasLimit = 0n;
  for (const intent of ordered) {
    const sender = intent.from.address.toString();
    const nonce = nonces.get(sender) ?? 0n;
    nonces.set(sender, nonce + 1n);
    const maxPriorityFeePerGas = random.bigint(MIN_TIP, MAX_TIP);
    const maxFeePerGas = 2n * WORKLOAD_BASE_FEE + maxPriorityFeePerGas;
    const fields = {
      chainId: WORKLOAD_CHAIN_ID,
      nonce,
      maxPriorityFeePerGas,
      maxFeePerGas,
      gasLimit: intent.gasLimit,
      to: intent.to,
      value: intent.value,
      data: intent.data,
    };
    const { v, r, s } = signHash(signingHash(fields), intent.from.key);
    transactions.push(createFeeMarket1559Tx({ ...fields, v, r, s }, { common: transactionCommon(common) }));
    const spent = costs.get(sender);
    const cost = intent.gasLimit * maxFeePerGas + intent.value;
    costs.set(sender, { intent, cost: (spent?.cost ?? 0n) + cost });
    gasLimit += intent.gasLimit;
  }
  for (const { intent, cost } of costs.values()) genesis.addBalance(intent.from.address, cost + ETHER);

  const seed = genesis.seed;
  const header = createBlockHeader(
    {
      parentHash: deriveBytes(seed, "parent-hash", 0),
      coinbase: deriveAddress(seed, "coinbase", 0),
      number: WORKLOAD_BLOCK_NUMBER,
      timestamp: WORKLOAD_TIMESTAMP,
      gasLimit: gasLimit > MIN_BLOCK_GAS_LIMIT ? gasLimit : MIN_BLOCK_GAS_LIMIT,
      baseFeePerGas: WORKLOAD_BASE_FEE,
      difficulty: 0n,
      mixHash: deriveBytes(seed, "prev-randao", 0),
      parentBeaconBlockRoot: deriveBytes(seed, "parent-beacon-root", 0),
      transactionsTrie: orderedTrieRoot(transactions.map((tx) => tx.serialize())),
    },
    { common },
  );
  return { block: new Block(header, transactions, [], [], { common }), transactions };
}

interface UnsignedFields {
  chainId: bigint;
  nonce: bigint;
  maxPriorityFeePerGas: bigint;
  maxFeePerGas: bigint;
  gasLimit: bigint;
  to: Address;
  value: bigint;
  data: Uint8Array;
}

/**
 * EIP-1559's signing hash, keccak256(0x02 ‖ rlp([chainId, nonce, maxPriorityFeePerGas, maxFeePerGas, gasLimit,
 * to, value, data, accessList])), computed here rather than by an unsigned `FeeMarket1559Tx`: every
 * ethereumjs transaction copies its `Common` (~80 µs), and signing that way builds two transactions per one.
 * A test checks it against `getHashedMessageToSign`.
 */
export function signingHash(fields: UnsignedFields): Uint8Array {
  const payload = RLP.encode([
    bigIntToUnpaddedBytes(fields.chainId),
    bigIntToUnpaddedBytes(fields.nonce),
    bigIntToUnpaddedBytes(fields.maxPriorityFeePerGas),
    bigIntToUnpaddedBytes(fields.maxFeePerGas),
    bigIntToUnpaddedBytes(fields.gasLimit),
    fields.to.bytes,
    bigIntToUnpaddedBytes(fields.value),
    fields.data,
    [],
  ]);
  const typed = new Uint8Array(payload.length + 1);
  typed[0] = 0x02;
  typed.set(payload, 1);
  return keccak256(typed);
}
