/**
 * The checks before weft gives up a payload for a signed blinded block (builder-specs `submitBlindedBlock`),
 * in the order they run:
 *
 *   1. the block's fork is the one the chain has at its slot, and one weft serves (Electra, Fulu);
 *   2. its slot is the current slot;
 *   3. its proposer index is the slot's proposer, when weft knows who that is;
 *   4. its execution payload header is one weft offered for that slot;
 *   5. the proposer (the slot's known key, else a key the header was offered to) registered with weft;
 *   6. its signature verifies under that key with DOMAIN_BEACON_PROPOSER at the block's fork;
 *   7. it commits to the bid's blobs and execution requests;
 *   8. no other block was revealed for the slot (a proposer that signs two blocks gets one payload).
 *
 * Any failure is an `ApiError` naming the reason (answered 400). Then `unblindBlock` puts the payload back in
 * place of its header: the block root, and so the signature, stay the same.
 */
import { type electra, ssz } from "@lodestar/types";
import { type BuilderChain, type BuilderFork, builderForkAt, isCurrentSlot } from "./chain.js";
import { ApiError } from "./errors.js";
import type { Offer, OfferBook } from "./offers.js";
import type { ProposerDuties } from "./proposerDuties.js";
import { proposerDomain, verifyRoot } from "./signing.js";
import type { ValidatorRegistry } from "./validatorRegistry.js";

/** At most this many keys are tried for one block's signature (a header offered to several keys). */
const MAX_SIGNATURE_CANDIDATES = 4;

export interface BlindedBlockContext {
  chain: BuilderChain;
  registry: ValidatorRegistry;
  offers: OfferBook;
  duties: ProposerDuties;
  /** Slot → root of the block whose payload was revealed. */
  revealed: Map<number, string>;
}

export interface VerifiedBlindedBlock {
  fork: BuilderFork;
  offer: Offer;
  /** The proposer whose signature verified. */
  proposerHex: string;
  blockRootHex: string;
}

const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

export function verifyBlindedBlock(
  ctx: BlindedBlockContext,
  fork: BuilderFork,
  signed: electra.SignedBlindedBeaconBlock,
): VerifiedBlindedBlock {
  const block = signed.message;
  const slot = block.slot;
  const chainFork = builderForkAt(ctx.chain, slot);
  if (chainFork !== fork) {
    throw new ApiError("WRONG_FORK", `slot ${slot} is ${ctx.chain.config.getForkName(slot)}, not ${fork}`);
  }
  if (!isCurrentSlot(ctx.chain, slot)) {
    throw new ApiError("SLOT_NOT_CURRENT", `slot ${slot} is not the current slot`);
  }
  const duty = ctx.duties.get(slot);
  if (duty !== undefined && duty.validatorIndex !== block.proposerIndex) {
    throw new ApiError(
      "WRONG_PROPOSER",
      `validator ${block.proposerIndex} is not the proposer of slot ${slot} (validator ${duty.validatorIndex} is)`,
    );
  }
  const headerRootHex = toHex(ssz.electra.ExecutionPayloadHeader.hashTreeRoot(block.body.executionPayloadHeader));
  const offer = ctx.offers.find(slot, headerRootHex);
  if (offer === undefined) {
    throw new ApiError(
      "UNKNOWN_HEADER",
      `weft did not offer execution payload header 0x${headerRootHex} for slot ${slot}`,
    );
  }
  let candidates = [...offer.proposers];
  if (duty?.pubkeyHex !== undefined) {
    if (ctx.registry.get(duty.pubkeyHex) === undefined) {
      throw new ApiError(
        "PROPOSER_NOT_REGISTERED",
        `the proposer of slot ${slot} (${duty.pubkeyHex}) is not registered`,
      );
    }
    if (!offer.proposers.has(duty.pubkeyHex)) {
      throw new ApiError("WRONG_PROPOSER", `the header was not offered to the proposer of slot ${slot}`);
    }
    candidates = [duty.pubkeyHex];
  }
  const registered = candidates.filter((pk) => ctx.registry.get(pk) !== undefined);
  if (registered.length === 0) {
    throw new ApiError("PROPOSER_NOT_REGISTERED", `no registered proposer was offered this header for slot ${slot}`);
  }
  const blockRoot = ssz[fork].BlindedBeaconBlock.hashTreeRoot(block);
  const domain = proposerDomain(ctx.chain, slot);
  const proposerHex = registered
    .slice(0, MAX_SIGNATURE_CANDIDATES)
    .find((pk) => verifyRoot(Buffer.from(pk.slice(2), "hex"), blockRoot, domain, signed.signature));
  if (proposerHex === undefined) {
    throw new ApiError("INVALID_SIGNATURE", `the block's signature does not verify for the proposer of slot ${slot}`);
  }
  const bid = offer.signedBid.bid;
  if (!sameCommitments(block.body.blobKzgCommitments, bid.blobsBundle.commitments)) {
    throw new ApiError("BID_MISMATCH", "the block's blob KZG commitments are not the bid's");
  }
  const requestsRoot = ssz.electra.ExecutionRequests.hashTreeRoot(block.body.executionRequests);
  if (toHex(requestsRoot) !== toHex(ssz.electra.ExecutionRequests.hashTreeRoot(bid.executionRequests))) {
    throw new ApiError("BID_MISMATCH", "the block's execution requests are not the bid's");
  }
  const blockRootHex = toHex(blockRoot);
  const previous = ctx.revealed.get(slot);
  if (previous !== undefined && previous !== blockRootHex) {
    throw new ApiError("ALREADY_REVEALED", `a different block was already revealed for slot ${slot}`);
  }
  ctx.revealed.set(slot, blockRootHex);
  for (const s of ctx.revealed.keys()) if (s < slot - 64) ctx.revealed.delete(s);
  return { fork, offer, proposerHex, blockRootHex };
}

function sameCommitments(a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean {
  return a.length === b.length && a.every((c, i) => Buffer.from(c).equals(b[i] as Uint8Array));
}

/** The signed full block: the blinded block with the offered payload in place of its header. */
export function unblindBlock(
  signed: electra.SignedBlindedBeaconBlock,
  payload: electra.ExecutionPayload,
): electra.SignedBeaconBlock {
  const { executionPayloadHeader: _header, ...body } = signed.message.body;
  return {
    message: { ...signed.message, body: { ...body, executionPayload: payload } },
    signature: signed.signature,
  };
}
