/**
 * Errors of block building. Two kinds of failure, as rbuilder has them: an order that cannot go into a block is
 * not an error but a result value (`OrderFailure`, with a code), skipped by whoever meets it; a block that cannot
 * be built or sealed at all, or an order the pool refuses, is a `BuildingError` with one of the codes below.
 */
import { WeftError, type WeftErrorOptions } from "../shared/errors.js";

export type BuildingErrorCode =
  /** A bundle's fields are malformed (empty, unknown hash in `revertingTxHashes`, bad timestamps). */
  | "INVALID_BUNDLE"
  /** A bundle targets a block that is already past. */
  | "BUNDLE_EXPIRED"
  /** The order is already in the pool. */
  | "ALREADY_KNOWN"
  /** A transaction replaces a pooled one (same sender and nonce) without paying enough more. */
  | "REPLACEMENT_UNDERPRICED"
  /** The pool is full and the order is worth less than the least valuable order in it. */
  | "POOL_FULL"
  /** The sender (or a bundle's searcher) has as many orders pooled as one sender may. */
  | "SENDER_LIMIT"
  /** `eth_cancelBundle` for a replacement uuid the pool does not hold. */
  | "UNKNOWN_BUNDLE"
  /** The block context cannot be prepared (hardfork without rules weft supports, missing parent data). */
  | "INVALID_CONTEXT"
  /** Sealing failed: the payout cannot be paid, or the header cannot be made. */
  | "SEAL_FAILED"
  /** A simulation worker failed or stopped answering. */
  | "SIMULATION_FAILED"
  /** Work for a slot whose token was cancelled. */
  | "CANCELLED";

export class BuildingError extends WeftError<BuildingErrorCode> {
  override readonly name = "BuildingError";
  readonly data: Record<string, unknown>;

  constructor(
    code: BuildingErrorCode,
    shortMessage: string,
    options: WeftErrorOptions & { data?: Record<string, unknown> } = {},
  ) {
    super(code, shortMessage, options);
    this.data = options.data ?? {};
  }
}

/** Why an order was left out of a block (or out of the simulated set): a value, never thrown. */
export type OrderFailureCode =
  /** A transaction is invalid on the state it met (nonce, balance, gas limit, signature). */
  | "INVALID_TX"
  /** A transaction that may not revert reverted (bundle revert protection). */
  | "REVERTED"
  /** The order does not fit in the gas (or blob gas) left in the block. */
  | "NO_GAS_LEFT"
  /** A nonce the order needs is not reached yet (an earlier transaction of the sender is missing). */
  | "NONCE_PENDING"
  /** A nonce the order uses is already spent in this block. */
  | "NONCE_SPENT"
  /** The bundle's block number or timestamps exclude this block. */
  | "OUT_OF_WINDOW"
  /** Re-executed, the order earns less than the caller accepts (it is re-inserted at its new value). */
  | "PROFIT_TOO_LOW"
  /** An order it was simulated on top of failed. */
  | "PARENT_FAILED";

export interface OrderFailure {
  code: OrderFailureCode;
  /** The transaction of the order at fault, when one is. */
  txIndex?: number;
  message: string;
}
