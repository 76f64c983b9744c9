/**
 * `GET /eth/v1/builder/header/{slot}/{parent_hash}/{pubkey}`: the proposer's critical path.
 *
 * The answer is a lookup: the bid source holds the best bid per slot and parent, the offer book holds it signed
 * and encoded (both done when the bid became ready), and the route writes those bytes. Nothing is built, signed
 * or serialised here unless a bid arrived too late to be pre-signed.
 *
 * Timing headers: `X-Timeout-Ms` is how long the proposer waits; `Date-Milliseconds` when it sent the request.
 * Their deadline is the earlier of `Date-Milliseconds + X-Timeout-Ms` and `now + X-Timeout-Ms` (a proposer
 * clock running ahead does not extend it). With a bid ready, weft answers at once. Without one, it waits for a
 * bid until `deadline - marginMs` (never past `maxWaitMs`), then answers 204; without `X-Timeout-Ms` it answers
 * 204 at once, as builder-specs ask when no header is available.
 */
import type { BidRequest, BidSource, ReadyBid } from "./bidSource.js";
import type { SignedBid } from "./builderBid.js";
import { type BuilderChain, builderForkAt, isCurrentSlot } from "./chain.js";
import { ApiError } from "./errors.js";
import type { OfferBook } from "./offers.js";
import { parseHexBytes, parseUint, parseUintHeader } from "./params.js";
import type { ValidatorRegistry } from "./validatorRegistry.js";

export interface GetHeaderContext {
  chain: BuilderChain;
  registry: ValidatorRegistry;
  bids: BidSource;
  offers: OfferBook;
  /** Answer this long before the proposer's deadline (default 20 ms). */
  marginMs?: number;
  /** Never hold a request longer than this (default 1000 ms). */
  maxWaitMs?: number;
}

export interface GetHeaderParameters {
  slot: number;
  parentHash: Uint8Array;
  pubkey: Uint8Array;
  pubkeyHex: string;
  /** When the answer must be sent by (Unix ms), if the proposer said. */
  deadlineMs: number | undefined;
}

export type GetHeaderReturnType =
  | { status: 200; signedBid: SignedBid }
  | { status: 204; reason: "unregistered" | "no bid" | "deadline passed" };

/** Validates the request; throws INVALID_PARAMS, WRONG_FORK or SLOT_NOT_CURRENT (400s). */
export function parseGetHeaderRequest(
  chain: BuilderChain,
  params: Record<string, unknown>,
  headers: Record<string, string | string[] | undefined>,
  receivedAtMs: number,
): GetHeaderParameters {
  const slot = parseUint(params.slot, "slot");
  const parentHash = parseHexBytes(params.parent_hash, 32, "parent_hash").bytes;
  const pubkey = parseHexBytes(params.pubkey, 48, "pubkey");
  const timeoutMs = parseUintHeader(headers["x-timeout-ms"], "X-Timeout-Ms");
  const sentAtMs = parseUintHeader(headers["date-milliseconds"], "Date-Milliseconds");
  if (builderForkAt(chain, slot) === undefined) {
    throw new ApiError("WRONG_FORK", `slot ${slot} is ${chain.config.getForkName(slot)}; weft builds Electra and Fulu`);
  }
  if (!isCurrentSlot(chain, slot, receivedAtMs)) {
    throw new ApiError("SLOT_NOT_CURRENT", `slot ${slot} is not the current slot`);
  }
  let deadlineMs: number | undefined;
  if (timeoutMs !== undefined) {
    deadlineMs = receivedAtMs + timeoutMs;
    if (sentAtMs !== undefined) deadlineMs = Math.min(deadlineMs, sentAtMs + timeoutMs);
  }
  return { slot, parentHash, pubkey: pubkey.bytes, pubkeyHex: pubkey.hex, deadlineMs };
}

export async function getHeader(
  ctx: GetHeaderContext,
  request: GetHeaderParameters,
  nowMs: number,
): Promise<GetHeaderReturnType> {
  const registration = ctx.registry.get(request.pubkeyHex);
  if (registration === undefined) return { status: 204, reason: "unregistered" };
  const bidRequest: BidRequest = {
    slot: request.slot,
    parentHash: request.parentHash,
    proposerPubkey: request.pubkey,
    feeRecipient: registration.feeRecipient,
    gasLimit: registration.gasLimit,
  };
  let bid = ctx.bids.bestBid(bidRequest);
  if (bid === undefined && request.deadlineMs !== undefined) {
    const waitMs = Math.min(request.deadlineMs - (ctx.marginMs ?? 20) - nowMs, ctx.maxWaitMs ?? 1000);
    if (waitMs <= 0) return { status: 204, reason: "deadline passed" };
    bid = await waitForBid(ctx.bids, bidRequest, waitMs);
  }
  if (bid === undefined) return { status: 204, reason: "no bid" };
  const signedBid = ctx.offers.sign(bid);
  ctx.offers.offer(signedBid, request.pubkeyHex);
  return { status: 200, signedBid };
}

/** Resolves with the request's best bid as soon as one is ready, or undefined after `waitMs`. */
function waitForBid(bids: BidSource, request: BidRequest, waitMs: number): Promise<ReadyBid | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      unsubscribe();
      resolve(undefined);
    }, waitMs);
    const unsubscribe = bids.onBid(() => {
      const bid = bids.bestBid(request);
      if (bid === undefined) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(bid);
    });
  });
}
