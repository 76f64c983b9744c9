/**
 * Orders: what a builder is asked to include. A plain transaction (from the public mempool: it may revert and
 * still be included, as a node would include it) or a searcher's bundle with the `eth_sendBundle` fields: its
 * transactions go in together, in their order, or not at all; only the ones named in `revertingTxHashes` may
 * revert, and the ones in `droppingTxHashes` may be left out when they are invalid (already included, say).
 *
 * Senders are recovered once, when the order is made (native secp256k1), and pinned on the transaction.
 */
import { Capability, type TypedTransaction } from "@ethereumjs/tx";
import { bytesToHex } from "@ethereumjs/util";
import { keccak256 } from "../../execution/crypto/native.js";
import { signatureProblem } from "../../execution/executeBlock.js";
import { bytesKey } from "../../execution/state/keys.js";
import { BuildingError } from "../errors.js";

/** A transaction inside an order, with what building needs of it computed once. */
export interface OrderTransaction {
  readonly tx: TypedTransaction;
  /** The transaction as a block body holds it (typed: type byte ‖ RLP; legacy: RLP). */
  readonly raw: Uint8Array;
  /** 0x-prefixed lowercase hash. */
  readonly hash: string;
  /** The sender's address key (40 lowercase hex digits, no 0x), as the state layer keys accounts. */
  readonly sender: string;
  readonly nonce: bigint;
  /** It may revert and the order still stands. */
  readonly canRevert: boolean;
  /** It may be left out when invalid (its nonce spent already, say) and the order still stands. */
  readonly canDrop: boolean;
}

interface OrderBase {
  /** 0x-prefixed: the transaction hash, or the bundle hash (keccak256 of its transaction hashes). */
  readonly id: string;
  readonly txs: readonly OrderTransaction[];
  /** Arrival sequence number in the pool (the backtest uses block position). */
  readonly seq: number;
}

export interface TransactionOrder extends OrderBase {
  readonly kind: "tx";
}

export interface BundleOrder extends OrderBase {
  readonly kind: "bundle";
  /** The only block the bundle is for (undefined: any). */
  readonly blockNumber: bigint | undefined;
  /** Unix seconds; the block's timestamp must be within [min, max] when set. */
  readonly minTimestamp: bigint | undefined;
  readonly maxTimestamp: bigint | undefined;
  /** A later bundle with the same uuid replaces this one; `eth_cancelBundle` removes it. */
  readonly replacementUuid: string | undefined;
  /** Whose bundle this is, for per-sender limits: the sender of its last transaction (the searcher's). */
  readonly searcher: string;
}

export type Order = TransactionOrder | BundleOrder;

/** What `eth_sendBundle` carries, decoded: transactions as signed, hashes and numbers as bytes and bigints. */
export interface BundleFields {
  txs: readonly TypedTransaction[];
  blockNumber?: bigint;
  minTimestamp?: bigint;
  maxTimestamp?: bigint;
  /** 0x-prefixed hashes of transactions of the bundle that may revert. */
  revertingTxHashes?: readonly string[];
  /** 0x-prefixed hashes of transactions of the bundle that may be dropped. */
  droppingTxHashes?: readonly string[];
  replacementUuid?: string;
}

/** Recovers the sender (throws a typed error when the signature is bad) and computes hash and encoding. */
export function orderTransaction(
  tx: TypedTransaction,
  flags: { canRevert: boolean; canDrop: boolean },
): OrderTransaction {
  const problem = signatureProblem(tx);
  if (problem !== undefined) {
    throw new BuildingError("INVALID_BUNDLE", `transaction has an invalid signature`, { details: problem });
  }
  return {
    tx,
    raw: tx.serialize(),
    hash: bytesToHex(tx.hash()),
    sender: bytesKey(tx.getSenderAddress().bytes),
    nonce: tx.nonce,
    canRevert: flags.canRevert,
    canDrop: flags.canDrop,
  };
}

/** A plain transaction as an order: it may revert (it pays for its gas either way), it may not be dropped. */
export function transactionOrder(tx: TypedTransaction, seq: number): TransactionOrder {
  const otx = orderTransaction(tx, { canRevert: true, canDrop: false });
  return { kind: "tx", id: otx.hash, txs: [otx], seq };
}

/** A bundle as an order; malformed fields are a typed `INVALID_BUNDLE` error naming the field. */
export function bundleOrder(fields: BundleFields, seq: number): BundleOrder {
  if (fields.txs.length === 0) throw new BuildingError("INVALID_BUNDLE", "a bundle needs at least one transaction");
  const reverting = new Set((fields.revertingTxHashes ?? []).map((h) => h.toLowerCase()));
  const dropping = new Set((fields.droppingTxHashes ?? []).map((h) => h.toLowerCase()));
  const txs = fields.txs.map((tx) => {
    const hash = bytesToHex(tx.hash());
    return orderTransaction(tx, { canRevert: reverting.has(hash), canDrop: dropping.has(hash) });
  });
  const hashes = new Set(txs.map((t) => t.hash));
  if (hashes.size !== txs.length) {
    throw new BuildingError("INVALID_BUNDLE", "a bundle holds the same transaction twice");
  }
  for (const [field, named] of [
    ["revertingTxHashes", reverting],
    ["droppingTxHashes", dropping],
  ] as const) {
    for (const hash of named) {
      if (!hashes.has(hash)) {
        throw new BuildingError("INVALID_BUNDLE", `${field} names ${hash}, which is not in the bundle`);
      }
    }
  }
  if (
    fields.minTimestamp !== undefined &&
    fields.maxTimestamp !== undefined &&
    fields.maxTimestamp !== 0n &&
    fields.minTimestamp > fields.maxTimestamp
  ) {
    throw new BuildingError(
      "INVALID_BUNDLE",
      `minTimestamp ${fields.minTimestamp} is after maxTimestamp ${fields.maxTimestamp}`,
    );
  }
  return {
    kind: "bundle",
    id: bundleHash(txs.map((t) => t.hash)),
    txs,
    seq,
    blockNumber: fields.blockNumber,
    minTimestamp: fields.minTimestamp === 0n ? undefined : fields.minTimestamp,
    maxTimestamp: fields.maxTimestamp === 0n ? undefined : fields.maxTimestamp,
    replacementUuid: fields.replacementUuid?.toLowerCase(),
    searcher: (txs[txs.length - 1] as OrderTransaction).sender,
  };
}

/** Flashbots' bundle hash: keccak256 of the transaction hashes concatenated. */
export function bundleHash(txHashes: readonly string[]): string {
  const buf = Buffer.concat(txHashes.map((h) => Buffer.from(h.slice(2), "hex")));
  return bytesToHex(keccak256(buf));
}

/** Whether a bundle may go into the block with this number and timestamp (plain transactions always may). */
export function inWindow(order: Order, blockNumber: bigint, timestamp: bigint): boolean {
  if (order.kind === "tx") return true;
  if (order.blockNumber !== undefined && order.blockNumber !== blockNumber) return false;
  if (order.minTimestamp !== undefined && timestamp < order.minTimestamp) return false;
  if (order.maxTimestamp !== undefined && timestamp > order.maxTimestamp) return false;
  return true;
}

/**
 * The priority fee per gas the transaction pays the coinbase at this base fee (EIP-1559's effective tip):
 * min(maxPriorityFeePerGas, maxFeePerGas − baseFee), or gasPrice − baseFee for legacy and access-list
 * transactions. Negative when the transaction cannot pay the base fee.
 */
export function effectiveTip(tx: TypedTransaction, baseFee: bigint): bigint {
  if (tx.supports(Capability.EIP1559FeeMarket)) {
    const t = tx as TypedTransaction & { maxPriorityFeePerGas: bigint; maxFeePerGas: bigint };
    const headroom = t.maxFeePerGas - baseFee;
    if (headroom < t.maxPriorityFeePerGas) return headroom;
    return t.maxPriorityFeePerGas;
  }
  return (tx as TypedTransaction & { gasPrice: bigint }).gasPrice - baseFee;
}

/**
 * What an order is worth before it is simulated: the tips it pays if it used all its gas. Simulation replaces
 * it with the coinbase's measured profit; the pool ranks (and evicts) by whichever it has.
 */
export function estimatedValue(order: Order, baseFee: bigint): bigint {
  let value = 0n;
  for (const t of order.txs) {
    const tip = effectiveTip(t.tx, baseFee);
    if (tip > 0n) value += tip * t.tx.gasLimit;
  }
  return value;
}
