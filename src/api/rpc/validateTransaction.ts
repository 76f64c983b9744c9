/**
 * Admission checks of a raw signed transaction, cheapest first, each refusal a specific `RpcError`:
 *
 *   size (128 KiB, geth's limit) → RLP shape → type (blob transactions need sidecars: not taken here) → chain id
 *   (read from the encoding before decoding, so a wrong one is named as such) → decoding (field ranges,
 *   EIP-7825's gas cap) → signature (sender recovered, native secp256k1) → intrinsic gas (and EIP-7623's
 *   calldata floor) → gas limit within the block's → fee cap at least the next base fee → nonce: not spent,
 *   and no further ahead of the sender's pending nonce than the gap allowed → balance for the worst case
 *   (gas limit × max fee + value).
 *
 * Bundles' transactions get the same checks up to the nonce: a spent nonce is refused unless the bundle may
 * drop that transaction; pending nonces and balances are the bundle's own business (an earlier transaction of
 * the bundle may fund a later one) and simulation settles them.
 */
import type { Common } from "@ethereumjs/common";
import { RLP } from "@ethereumjs/rlp";
import { Capability, createTxFromRLP, type TypedTransaction } from "@ethereumjs/tx";
import { bytesToBigInt } from "@ethereumjs/util";
import { transactionCommon } from "../../execution/chain.js";
import { signatureProblem } from "../../execution/executeBlock.js";
import { bytesKey } from "../../execution/state/keys.js";
import { describeCause } from "../../shared/errors.js";
import { RpcError } from "./errors.js";

/** What admission needs to know of the chain: the next block's rules and the parent's accounts. */
export interface IntakeChain {
  /** Rules of the next block (decoding, intrinsic gas). */
  common: Common;
  /** The number of the block being built next. */
  nextBlockNumber: bigint;
  /** Unix seconds of the next block. */
  nextTimestamp: bigint;
  /** Base fee of the next block (0 before London). */
  baseFee: bigint;
  gasLimit: bigint;
  /** An account's nonce and balance at the parent (address key: 40 hex digits). */
  account(addressKey: string): { nonce: bigint; balance: bigint };
}

export interface AdmissionLimits {
  /** Largest encoded transaction (default 128 KiB). */
  maxTxBytes: number;
  /** How far beyond the sender's pending nonce a transaction may be (default 16). */
  maxNonceGap: bigint;
}

export const DEFAULT_ADMISSION_LIMITS: AdmissionLimits = { maxTxBytes: 128 * 1024, maxNonceGap: 16n };

const SUPPORTED_TYPES = new Set([0, 1, 2, 4]);

/** Decodes and checks a transaction up to its signature and gas (no state). */
export function decodeTransaction(
  raw: Uint8Array,
  chain: IntakeChain,
  limits: AdmissionLimits,
  where = "transaction",
): TypedTransaction {
  if (raw.length > limits.maxTxBytes) {
    throw new RpcError(
      "OVERSIZED_TRANSACTION",
      `${where} is ${raw.length} bytes, above the ${limits.maxTxBytes}-byte limit`,
      {
        data: { size: raw.length, limit: limits.maxTxBytes },
      },
    );
  }
  if (raw.length === 0) throw new RpcError("MALFORMED_RLP", `${where} is empty`);
  const first = raw[0] as number;
  const typed = first <= 0x7f;
  let fields: unknown;
  try {
    fields = RLP.decode(typed ? raw.subarray(1) : raw);
  } catch (cause) {
    throw new RpcError("MALFORMED_RLP", `${where} is not valid RLP: ${describeCause(cause)}`);
  }
  if (!Array.isArray(fields)) throw new RpcError("MALFORMED_RLP", `${where} is an RLP string, not a list of fields`);
  const type = typed ? first : 0;
  if (!SUPPORTED_TYPES.has(type)) {
    throw new RpcError(
      "UNSUPPORTED_TYPE",
      type === 3
        ? `${where} is a blob transaction: send it with its sidecar to a node that takes blobs; this builder does not`
        : `${where} has unknown type ${type}`,
      { data: { type } },
    );
  }
  const expected = chain.common.chainId();
  const chainId = typed ? chainIdOfTyped(fields) : chainIdOfLegacy(fields);
  if (chainId === undefined) {
    throw new RpcError(
      "UNPROTECTED_TRANSACTION",
      `${where} is not replay-protected (EIP-155): sign it with chain id ${expected}`,
    );
  }
  if (chainId !== expected) {
    throw new RpcError(
      "WRONG_CHAIN_ID",
      `${where} is signed for chain ${chainId}; this builder builds chain ${expected}`,
      {
        data: { chainId: `0x${chainId.toString(16)}`, expected: `0x${expected.toString(16)}` },
      },
    );
  }
  let tx: TypedTransaction;
  try {
    tx = createTxFromRLP(raw, { common: transactionCommon(chain.common) }) as TypedTransaction;
  } catch (cause) {
    throw new RpcError("INVALID_TRANSACTION", `${where} cannot be decoded: ${describeCause(cause)}`);
  }
  const problem = signatureProblem(tx);
  if (problem !== undefined) throw new RpcError("INVALID_SIGNATURE", `${where} has an ${problem}`);
  const intrinsic = intrinsicGas(tx);
  if (tx.gasLimit < intrinsic) {
    throw new RpcError(
      "INTRINSIC_GAS_TOO_LOW",
      `${where} has gas limit ${tx.gasLimit}, below the ${intrinsic} it needs before executing`,
      {
        data: { gasLimit: tx.gasLimit.toString(), intrinsic: intrinsic.toString() },
      },
    );
  }
  if (tx.gasLimit > chain.gasLimit) {
    throw new RpcError(
      "GAS_LIMIT_TOO_HIGH",
      `${where} has gas limit ${tx.gasLimit}, above the block's ${chain.gasLimit}`,
    );
  }
  const feeCap = maxFeePerGas(tx);
  if (feeCap < chain.baseFee) {
    throw new RpcError(
      "FEE_CAP_TOO_LOW",
      `${where} offers at most ${feeCap} wei per gas, below the next base fee of ${chain.baseFee}`,
      {
        data: { maxFeePerGas: feeCap.toString(), baseFee: chain.baseFee.toString() },
      },
    );
  }
  return tx;
}

/** The nonce and balance checks of a public transaction (`pending`: the sender's next nonce counting the pool). */
export function checkAccount(
  tx: TypedTransaction,
  chain: IntakeChain,
  limits: AdmissionLimits,
  pendingNonce: (sender: string, stateNonce: bigint) => bigint,
): void {
  const sender = bytesKey(tx.getSenderAddress().bytes);
  const account = chain.account(sender);
  if (tx.nonce < account.nonce) {
    throw new RpcError("NONCE_TOO_LOW", `nonce ${tx.nonce} is spent: 0x${sender} is at nonce ${account.nonce}`, {
      data: { nonce: tx.nonce.toString(), next: account.nonce.toString() },
    });
  }
  const pending = pendingNonce(sender, account.nonce);
  if (tx.nonce > pending + limits.maxNonceGap) {
    throw new RpcError(
      "NONCE_GAP",
      `nonce ${tx.nonce} is ${tx.nonce - pending} ahead of 0x${sender}'s next nonce ${pending}; at most ${limits.maxNonceGap} ahead is kept`,
      { data: { nonce: tx.nonce.toString(), next: pending.toString() } },
    );
  }
  const cost = tx.gasLimit * maxFeePerGas(tx) + tx.value;
  if (account.balance < cost) {
    throw new RpcError(
      "INSUFFICIENT_FUNDS",
      `0x${sender} holds ${account.balance} wei; the transaction may cost ${cost} (gas limit × max fee + value)`,
      { data: { balance: account.balance.toString(), cost: cost.toString() } },
    );
  }
}

/** Intrinsic gas, or EIP-7623's calldata floor where that is higher. */
export function intrinsicGas(tx: TypedTransaction): bigint {
  const intrinsic = tx.getIntrinsicGas();
  if (!tx.common.isActivatedEIP(7623)) return intrinsic;
  let tokens = 0n;
  for (const byte of tx.data) tokens += byte === 0 ? 1n : 4n;
  const floor = tx.common.param("txGas") + tx.common.param("totalCostFloorPerToken") * tokens;
  if (floor > intrinsic) return floor;
  return intrinsic;
}

export function maxFeePerGas(tx: TypedTransaction): bigint {
  return tx.supports(Capability.EIP1559FeeMarket)
    ? (tx as unknown as { maxFeePerGas: bigint }).maxFeePerGas
    : (tx as unknown as { gasPrice: bigint }).gasPrice;
}

function chainIdOfTyped(fields: unknown[]): bigint | undefined {
  const id = fields[0];
  return id instanceof Uint8Array ? bytesToBigInt(id) : undefined;
}

/** EIP-155: v = chainId × 2 + 35 or 36; v of 27 or 28 is unprotected. */
function chainIdOfLegacy(fields: unknown[]): bigint | undefined {
  const v = fields[6];
  if (!(v instanceof Uint8Array)) return undefined;
  const value = bytesToBigInt(v);
  return value >= 35n ? (value - 35n) / 2n : undefined;
}
