/**
 * Receipt encoding for the receipts root (what ethereumjs's `encodeReceipt` produces: EIP-2718 type byte, then
 * RLP of [status or state root, cumulative gas, bloom, logs]), written part by part into buffers instead of
 * through the generic `RLP.encode`, which concatenates at every level of nesting (35 µs a receipt; this is a
 * fraction of that). In block building a receipt's logs never change once its transaction has executed, but its
 * cumulative gas does with every candidate block: there the logs' encoding is kept per logs array (`cacheLogs`),
 * and a seal only encodes the small head of each receipt.
 */
import { bigIntToUnpaddedBytes } from "@ethereumjs/util";
import type { TxReceipt } from "@ethereumjs/vm";
import { encodeBytes, encodeList } from "./rlp.js";

const encodedLogs = new WeakMap<object, Uint8Array>();
const STATUS_OK = encodeBytes(Uint8Array.of(1));
const STATUS_FAILED = encodeBytes(new Uint8Array(0));

function encodeLogs(logs: TxReceipt["logs"]): Uint8Array {
  return encodeList(
    logs.map(([address, topics, data]) =>
      encodeList([encodeBytes(address), encodeList(topics.map(encodeBytes)), encodeBytes(data)]),
    ),
  );
}

function cachedLogs(logs: TxReceipt["logs"]): Uint8Array {
  let item = encodedLogs.get(logs);
  if (item === undefined) {
    item = encodeLogs(logs);
    encodedLogs.set(logs, item);
  }
  return item;
}

export interface EncodeReceiptOptions {
  /** Keep the logs' encoding for the next encoding of the same logs array (block building's seals). */
  cacheLogs?: boolean;
}

export function encodeReceipt(receipt: TxReceipt, txType: number, options: EncodeReceiptOptions = {}): Uint8Array {
  const stateRoot = (receipt as { stateRoot?: Uint8Array }).stateRoot;
  const first =
    stateRoot !== undefined
      ? encodeBytes(stateRoot)
      : (receipt as { status: number }).status === 0
        ? STATUS_FAILED
        : STATUS_OK;
  const body = encodeList([
    first,
    encodeBytes(bigIntToUnpaddedBytes(receipt.cumulativeBlockGasUsed)),
    encodeBytes(receipt.bitvector),
    options.cacheLogs === true ? cachedLogs(receipt.logs) : encodeLogs(receipt.logs),
  ]);
  if (txType === 0) return body;
  const out = new Uint8Array(body.length + 1);
  out[0] = txType;
  out.set(body, 1);
  return out;
}
