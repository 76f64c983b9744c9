/**
 * The order-intake methods, Flashbots-compatible:
 *
 *   eth_sendRawTransaction([rawTx])          → the transaction hash
 *   eth_sendBundle([{txs, blockNumber?, minTimestamp?, maxTimestamp?, revertingTxHashes?, droppingTxHashes?,
 *                    replacementUuid?}])     → {bundleHash}
 *   eth_cancelBundle([{replacementUuid}])    → true
 *
 * Parameters are checked field by field (`INVALID_PARAMS` names the field), transactions by
 * `validateTransaction.ts`, and the pool's own refusals (`BuildingError`) become their JSON-RPC errors. A refused
 * order leaves the pool as it was.
 */
import { hexToBytes } from "@ethereumjs/util";
import { BuildingError, type BuildingErrorCode } from "../../building/errors.js";
import { bundleOrder, transactionOrder } from "../../building/orders/order.js";
import type { OrderPool } from "../../building/orders/orderPool.js";
import { RpcError, type RpcRejectReason } from "./errors.js";
import { type AdmissionLimits, checkAccount, decodeTransaction, type IntakeChain } from "./validateTransaction.js";

export interface IntakeContext {
  pool: OrderPool;
  chain: () => IntakeChain;
  limits: AdmissionLimits;
  /** Most transactions in one bundle. */
  maxBundleTxs: number;
}

export type RpcMethod = (params: unknown, ctx: IntakeContext) => unknown;

export const METHODS: Readonly<Record<string, RpcMethod>> = {
  eth_sendRawTransaction(params, ctx) {
    const [raw] = paramsArray(params, 1, 1);
    const bytes = hexParam(raw, "params[0]");
    const chain = ctx.chain();
    const tx = decodeTransaction(bytes, chain, ctx.limits);
    checkAccount(tx, chain, ctx.limits, (sender, nonce) => ctx.pool.pendingNonce(sender, nonce));
    const order = transactionOrder(tx, ctx.pool.nextSeq());
    return addToPool(ctx, () => ctx.pool.add(order)).id;
  },

  eth_sendBundle(params, ctx) {
    const [arg] = paramsArray(params, 1, 1);
    const b = objectParam(arg, "params[0]");
    const chain = ctx.chain();
    if (!Array.isArray(b.txs) || b.txs.length === 0) {
      throw new RpcError("INVALID_PARAMS", "params[0].txs must be a non-empty array of raw transactions");
    }
    if (b.txs.length > ctx.maxBundleTxs) {
      throw new RpcError(
        "INVALID_BUNDLE",
        `a bundle holds at most ${ctx.maxBundleTxs} transactions, got ${b.txs.length}`,
      );
    }
    const txs = b.txs.map((raw: unknown, i: number) =>
      decodeTransaction(hexParam(raw, `params[0].txs[${i}]`), chain, ctx.limits, `transaction ${i}`),
    );
    const blockNumber = optionalQuantity(b.blockNumber, "params[0].blockNumber");
    if (blockNumber !== undefined && blockNumber < chain.nextBlockNumber) {
      throw new RpcError(
        "BUNDLE_EXPIRED",
        `the bundle is for block ${blockNumber}; the next block is ${chain.nextBlockNumber}`,
        { data: { blockNumber: `0x${blockNumber.toString(16)}`, next: `0x${chain.nextBlockNumber.toString(16)}` } },
      );
    }
    const maxTimestamp = optionalQuantity(b.maxTimestamp, "params[0].maxTimestamp");
    if (maxTimestamp !== undefined && maxTimestamp !== 0n && maxTimestamp < chain.nextTimestamp) {
      throw new RpcError(
        "BUNDLE_EXPIRED",
        `maxTimestamp ${maxTimestamp} is before the next block's ${chain.nextTimestamp}`,
      );
    }
    const fields: Parameters<typeof bundleOrder>[0] = {
      txs,
      revertingTxHashes: hashList(b.revertingTxHashes, "params[0].revertingTxHashes"),
      droppingTxHashes: hashList(b.droppingTxHashes, "params[0].droppingTxHashes"),
    };
    if (blockNumber !== undefined) fields.blockNumber = blockNumber;
    const minTimestamp = optionalQuantity(b.minTimestamp, "params[0].minTimestamp");
    if (minTimestamp !== undefined) fields.minTimestamp = minTimestamp;
    if (maxTimestamp !== undefined) fields.maxTimestamp = maxTimestamp;
    if (b.replacementUuid !== undefined)
      fields.replacementUuid = uuidParam(b.replacementUuid, "params[0].replacementUuid");
    const order = addToPool(ctx, () => bundleOrder(fields, ctx.pool.nextSeq()));
    // A bundle whose non-droppable transaction has a spent nonce can never be included.
    order.txs.forEach((t, i) => {
      if (t.canDrop) return;
      const next = chain.account(t.sender).nonce;
      if (t.nonce < next) {
        throw new RpcError(
          "NONCE_TOO_LOW",
          `transaction ${i} has nonce ${t.nonce}, spent (0x${t.sender} is at ${next}); list it in droppingTxHashes if it may be left out`,
        );
      }
    });
    addToPool(ctx, () => ctx.pool.add(order));
    return { bundleHash: order.id };
  },

  eth_cancelBundle(params, ctx) {
    const [arg] = paramsArray(params, 1, 1);
    const b = objectParam(arg, "params[0]");
    const uuid = uuidParam(b.replacementUuid, "params[0].replacementUuid");
    addToPool(ctx, () => ctx.pool.cancelBundle(uuid));
    return true;
  },
};

const POOL_REASONS: Partial<Record<BuildingErrorCode, RpcRejectReason>> = {
  ALREADY_KNOWN: "ALREADY_KNOWN",
  REPLACEMENT_UNDERPRICED: "REPLACEMENT_UNDERPRICED",
  POOL_FULL: "POOL_FULL",
  SENDER_LIMIT: "SENDER_LIMIT",
  INVALID_BUNDLE: "INVALID_BUNDLE",
  BUNDLE_EXPIRED: "BUNDLE_EXPIRED",
  UNKNOWN_BUNDLE: "UNKNOWN_BUNDLE",
};

/** Runs a pool (or order) operation, turning the building domain's refusals into JSON-RPC errors. */
function addToPool<T>(_ctx: IntakeContext, op: () => T): T {
  try {
    return op();
  } catch (error) {
    if (error instanceof BuildingError) {
      const reason = POOL_REASONS[error.code];
      if (reason !== undefined) throw new RpcError(reason, error.shortMessage, { data: error.data, cause: error });
    }
    throw error;
  }
}

function paramsArray(params: unknown, min: number, max: number): unknown[] {
  if (!Array.isArray(params) || params.length < min || params.length > max) {
    throw new RpcError(
      "INVALID_PARAMS",
      `expected params to be an array of ${min === max ? min : `${min} to ${max}`} item(s)`,
    );
  }
  return params;
}

function objectParam(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new RpcError("INVALID_PARAMS", `${name} must be an object`);
  }
  return value as Record<string, unknown>;
}

function hexParam(value: unknown, name: string): Uint8Array {
  if (typeof value !== "string" || !/^0x([0-9a-fA-F]{2})*$/.test(value)) {
    throw new RpcError("INVALID_PARAMS", `${name} must be 0x-prefixed hex bytes`);
  }
  return hexToBytes(value as `0x${string}`);
}

function optionalQuantity(value: unknown, name: string): bigint | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]{1,64}$/.test(value)) {
    throw new RpcError("INVALID_PARAMS", `${name} must be a hex quantity like "0x1b4"`);
  }
  return BigInt(value);
}

function hashList(value: unknown, name: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((h) => typeof h === "string" && /^0x[0-9a-fA-F]{64}$/.test(h))) {
    throw new RpcError("INVALID_PARAMS", `${name} must be an array of 32-byte hex hashes`);
  }
  return value as string[];
}

function uuidParam(value: unknown, name: string): string {
  if (typeof value !== "string" || !/^[0-9a-fA-F-]{1,64}$/.test(value)) {
    throw new RpcError("INVALID_PARAMS", `${name} must be a uuid string`);
  }
  return value;
}
