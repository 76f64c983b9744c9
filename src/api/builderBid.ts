/**
 * From a ready bid to the `SignedBuilderBid` a proposer receives, signed once and encoded once.
 *
 * Signing (BLS, about a millisecond) and encoding happen when a bid becomes ready, off the proposer's path; the
 * getHeader route then writes out bytes it already holds. Each offer is remembered by the root of its execution
 * payload header, which is how a blinded block later names the bid it commits to.
 */
import { type electra, ssz } from "@lodestar/types";
import type { ReadyBid } from "./bidSource.js";
import type { BuilderFork } from "./chain.js";
import type { BuilderKey } from "./keys.js";
import { computeSigningRoot } from "./signing.js";

export interface SignedBid {
  bid: ReadyBid;
  header: electra.ExecutionPayloadHeader;
  /** hash_tree_root(header): the key a blinded block is matched by. */
  headerRoot: Uint8Array;
  headerRootHex: string;
  signed: electra.SignedBuilderBid;
  /** The getHeader response body, JSON (`{version, data}`), ready to write. */
  json: string;
  /** The getHeader response body as SSZ. */
  ssz: Uint8Array;
}

/** ExecutionPayloadHeader of a payload: the same fields with transactions and withdrawals as their roots. */
export function toExecutionPayloadHeader(payload: electra.ExecutionPayload): electra.ExecutionPayloadHeader {
  return {
    parentHash: payload.parentHash,
    feeRecipient: payload.feeRecipient,
    stateRoot: payload.stateRoot,
    receiptsRoot: payload.receiptsRoot,
    logsBloom: payload.logsBloom,
    prevRandao: payload.prevRandao,
    blockNumber: payload.blockNumber,
    gasLimit: payload.gasLimit,
    gasUsed: payload.gasUsed,
    timestamp: payload.timestamp,
    extraData: payload.extraData,
    baseFeePerGas: payload.baseFeePerGas,
    blockHash: payload.blockHash,
    transactionsRoot: ssz.bellatrix.Transactions.hashTreeRoot(payload.transactions),
    withdrawalsRoot: ssz.capella.Withdrawals.hashTreeRoot(payload.withdrawals),
    blobGasUsed: payload.blobGasUsed,
    excessBlobGas: payload.excessBlobGas,
  };
}

export function headerRootOf(header: electra.ExecutionPayloadHeader): Uint8Array {
  return ssz.electra.ExecutionPayloadHeader.hashTreeRoot(header);
}

/** The fork's SignedBuilderBid container (Electra and Fulu have the same shape, under their own names). */
export function signedBuilderBidType(fork: BuilderFork) {
  return ssz[fork].SignedBuilderBid;
}

/** Builds, signs (DOMAIN_APPLICATION_BUILDER) and encodes the builder bid for `bid`. */
export function signBuilderBid(bid: ReadyBid, key: BuilderKey, domain: Uint8Array): SignedBid {
  const header = toExecutionPayloadHeader(bid.payload);
  const message: electra.BuilderBid = {
    header,
    blobKzgCommitments: bid.blobsBundle.commitments,
    executionRequests: bid.executionRequests,
    value: bid.value,
    pubkey: key.pubkey,
  };
  const type = signedBuilderBidType(bid.fork);
  const signature = key.sign(computeSigningRoot(ssz[bid.fork].BuilderBid.hashTreeRoot(message), domain));
  const signed: electra.SignedBuilderBid = { message, signature };
  const headerRoot = headerRootOf(header);
  return {
    bid,
    header,
    headerRoot,
    headerRootHex: Buffer.from(headerRoot).toString("hex"),
    signed,
    json: JSON.stringify({ version: bid.fork, data: type.toJson(signed) }),
    ssz: type.serialize(signed),
  };
}
