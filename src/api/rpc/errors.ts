/**
 * JSON-RPC errors of the order intake. Every refusal has a JSON-RPC `code` (the standard ones, EIP-1474's
 * -32000 "transaction rejected", -32002 "resource unavailable" and -32005 "limit exceeded") and a
 * machine-readable `data.reason`, and a message that tells a searcher what to change. Callers branch on
 * `reason`, never on the message.
 */
import { WeftError, type WeftErrorOptions } from "../../shared/errors.js";

export type RpcRejectReason =
  | "PARSE_ERROR"
  | "INVALID_REQUEST"
  | "METHOD_NOT_FOUND"
  | "INVALID_PARAMS"
  | "REQUEST_TOO_LARGE"
  | "BATCH_TOO_LARGE"
  | "MALFORMED_RLP"
  | "OVERSIZED_TRANSACTION"
  | "UNSUPPORTED_TYPE"
  | "WRONG_CHAIN_ID"
  | "UNPROTECTED_TRANSACTION"
  | "INVALID_TRANSACTION"
  | "INVALID_SIGNATURE"
  | "INTRINSIC_GAS_TOO_LOW"
  | "GAS_LIMIT_TOO_HIGH"
  | "FEE_CAP_TOO_LOW"
  | "NONCE_TOO_LOW"
  | "NONCE_GAP"
  | "INSUFFICIENT_FUNDS"
  | "ALREADY_KNOWN"
  | "REPLACEMENT_UNDERPRICED"
  | "POOL_FULL"
  | "SENDER_LIMIT"
  | "INVALID_BUNDLE"
  | "BUNDLE_EXPIRED"
  | "UNKNOWN_BUNDLE"
  /** No parent state to check orders against (`weft builder` without `--fixture`). */
  | "NO_PARENT_STATE"
  | "INTERNAL_ERROR";

/** JSON-RPC error codes: the spec's, and EIP-1474's for rejected transactions and exceeded limits. */
export const RPC_CODES: Readonly<Record<RpcRejectReason, number>> = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  REQUEST_TOO_LARGE: -32600,
  BATCH_TOO_LARGE: -32005,
  MALFORMED_RLP: -32602,
  OVERSIZED_TRANSACTION: -32000,
  UNSUPPORTED_TYPE: -32000,
  WRONG_CHAIN_ID: -32000,
  UNPROTECTED_TRANSACTION: -32000,
  INVALID_TRANSACTION: -32000,
  INVALID_SIGNATURE: -32000,
  INTRINSIC_GAS_TOO_LOW: -32000,
  GAS_LIMIT_TOO_HIGH: -32000,
  FEE_CAP_TOO_LOW: -32000,
  NONCE_TOO_LOW: -32000,
  NONCE_GAP: -32000,
  INSUFFICIENT_FUNDS: -32000,
  ALREADY_KNOWN: -32000,
  REPLACEMENT_UNDERPRICED: -32000,
  POOL_FULL: -32000,
  SENDER_LIMIT: -32005,
  INVALID_BUNDLE: -32602,
  BUNDLE_EXPIRED: -32000,
  UNKNOWN_BUNDLE: -32000,
  NO_PARENT_STATE: -32002,
  INTERNAL_ERROR: -32603,
};

export class RpcError extends WeftError<RpcRejectReason> {
  override readonly name = "RpcError";
  readonly data: Record<string, unknown>;

  constructor(
    reason: RpcRejectReason,
    message: string,
    options: WeftErrorOptions & { data?: Record<string, unknown> } = {},
  ) {
    super(reason, message, options);
    this.data = options.data ?? {};
  }

  /** The JSON-RPC error object. */
  toJson(): { code: number; message: string; data: Record<string, unknown> } {
    return { code: RPC_CODES[this.code], message: this.shortMessage, data: { reason: this.code, ...this.data } };
  }
}
