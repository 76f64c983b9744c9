/**
 * A sealed block as the consensus layer takes it: the Electra/Fulu `ExecutionPayload` container of
 * `@lodestar/types` (the same shape in both forks: Deneb's with blob gas), built from the ethereumjs block.
 */
import type { Block } from "@ethereumjs/block";
import type { electra } from "@lodestar/types";

/** `transactions`: the block's transactions already encoded (sealing has them), else encoded here. */
export function toExecutionPayload(block: Block, transactions?: readonly Uint8Array[]): electra.ExecutionPayload {
  const h = block.header;
  return {
    parentHash: h.parentHash,
    feeRecipient: h.coinbase.bytes,
    stateRoot: h.stateRoot,
    receiptsRoot: h.receiptTrie,
    logsBloom: h.logsBloom,
    prevRandao: h.mixHash,
    blockNumber: Number(h.number),
    gasLimit: Number(h.gasLimit),
    gasUsed: Number(h.gasUsed),
    timestamp: Number(h.timestamp),
    extraData: h.extraData,
    baseFeePerGas: h.baseFeePerGas ?? 0n,
    blockHash: h.hash(),
    transactions: transactions === undefined ? block.transactions.map((tx) => tx.serialize()) : [...transactions],
    withdrawals: (block.withdrawals ?? []).map((w) => ({
      index: Number(w.index),
      validatorIndex: Number(w.validatorIndex),
      address: w.address.bytes,
      amount: w.amount,
    })),
    blobGasUsed: h.blobGasUsed ?? 0n,
    excessBlobGas: h.excessBlobGas ?? 0n,
  };
}
