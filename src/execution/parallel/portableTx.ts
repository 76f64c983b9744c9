/**
 * Transactions handed to another thread as their decoded fields, not as bytes to decode again.
 *
 * A worker used to rebuild each transaction it speculated from its RLP: 0.12 ms a transaction (the RLP decode,
 * then the constructor's conversions and checks), as much as a fifth of an ERC20 transfer's execution. The
 * committing thread has already decoded and checked every transaction of the block, so the worker can take the
 * result as it is: the fields travel by structured clone (bigints, bytes and arrays of bytes survive it), and the
 * worker sets them on an object of the transaction's class. ethereumjs has no constructor that skips its checks,
 * so this is written by hand. Anything this does not know (another transaction type, a class with other fields)
 * travels as RLP and is decoded as before.
 */
import type { Common } from "@ethereumjs/common";
import {
  AccessList2930Tx,
  Blob4844Tx,
  createTxFromRLP,
  EOACode7702Tx,
  FeeMarket1559Tx,
  LegacyTx,
  type TypedTransaction,
} from "@ethereumjs/tx";
import { Address } from "@ethereumjs/util";
import { keccak_256 } from "@noble/hashes/sha3.js";

/** A transaction's own fields as a plain object (its `to` as bytes), or its RLP where it is not one of those. */
export type PortableTx = { fields: Record<string, unknown>; to: Uint8Array | undefined } | { rlp: Uint8Array };

const CLASSES = new Map<number, { prototype: object }>([
  [0, LegacyTx],
  [1, AccessList2930Tx],
  [2, FeeMarket1559Tx],
  [3, Blob4844Tx],
  [4, EOACode7702Tx],
]);

/**
 * Fields set per thread, not carried: the Common, the options that name it, the lazily filled caches, the
 * recipient (an Address, whose class a clone would lose) and a legacy transaction's hash function.
 */
const LOCAL = new Set(["common", "txOptions", "cache", "to", "keccakFunction"]);

export function toPortable(tx: TypedTransaction): PortableTx {
  const cls = CLASSES.get(tx.type);
  if (cls === undefined || Object.getPrototypeOf(tx) !== cls.prototype) return { rlp: tx.serialize() };
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(tx)) {
    if (!LOCAL.has(key)) fields[key] = (tx as unknown as Record<string, unknown>)[key];
  }
  return { fields, to: tx.to?.bytes };
}

/**
 * The transaction again, on this thread, with `common` (the one `transactionCommon` gives, as the committing thread
 * decoded with). Unfrozen, like a decoding with `freeze: false`: freeze it once its sender is pinned.
 */
export function fromPortable(portable: PortableTx, common: Common): TypedTransaction {
  if ("rlp" in portable) return createTxFromRLP(portable.rlp, { common, freeze: false }) as TypedTransaction;
  const type = portable.fields.type as number;
  const tx = Object.create((CLASSES.get(type) as { prototype: object }).prototype) as Record<string, unknown>;
  // The constructor's order of assignment: type, cache, activeCapabilities, common, txOptions, to, then the rest.
  tx.type = type;
  tx.cache = {};
  tx.activeCapabilities = portable.fields.activeCapabilities;
  tx.common = common;
  tx.txOptions = { common, freeze: false };
  tx.to = portable.to === undefined ? undefined : new Address(portable.to);
  for (const key in portable.fields) {
    if (key !== "type" && key !== "activeCapabilities") tx[key] = portable.fields[key];
  }
  // As LegacyTx's constructor sets it, last.
  if (type === 0) tx.keccakFunction = common.customCrypto.keccak256 ?? keccak_256;
  return tx as unknown as TypedTransaction;
}
