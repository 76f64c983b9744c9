/**
 * Test material for the Builder API: a devnet with a clock the test moves, proposer keys and their
 * registrations, ready bids with blobs and execution requests, and blinded blocks signed the way a validator
 * client signs them.
 */
import { randomBytes } from "node:crypto";
import { SecretKey } from "@chainsafe/blst";
import { ForkName } from "@lodestar/params";
import { type bellatrix, type electra, ssz } from "@lodestar/types";
import type { ReadyBid } from "../../src/api/bidSource.js";
import { type BuilderChain, type BuilderFork, devnetChain, slotStartMs } from "../../src/api/chain.js";
import { builderDomain, computeSigningRoot, proposerDomain } from "../../src/api/signing.js";

/** A devnet whose clock stands where the test puts it: `at(slot, ms)` moves it `ms` into `slot`. */
export function testChain(fork: BuilderFork = ForkName.fulu): BuilderChain & { at(slot: number, ms?: number): void } {
  let nowMs = 1_700_000_000_000;
  const chain = devnetChain({ fork, genesisTimeSec: 1_700_000_000, now: () => nowMs });
  return Object.assign(chain, {
    at(slot: number, ms = 100) {
      nowMs = slotStartMs(chain, slot) + ms;
    },
  });
}

export interface Proposer {
  sk: SecretKey;
  pubkey: Uint8Array;
  pubkeyHex: string;
  index: number;
  feeRecipient: Uint8Array;
}

export function makeProposer(seed: number, index = seed): Proposer {
  const ikm = new Uint8Array(32).fill(seed + 1);
  const sk = SecretKey.fromKeygen(ikm);
  const pubkey = sk.toPublicKey().toBytes();
  return {
    sk,
    pubkey,
    pubkeyHex: `0x${Buffer.from(pubkey).toString("hex")}`,
    index,
    feeRecipient: new Uint8Array(20).fill(seed + 0x10),
  };
}

export function signedRegistration(
  chain: BuilderChain,
  proposer: Proposer,
  overrides: Partial<bellatrix.ValidatorRegistrationV1> = {},
): bellatrix.SignedValidatorRegistrationV1 {
  const message: bellatrix.ValidatorRegistrationV1 = {
    feeRecipient: proposer.feeRecipient,
    gasLimit: 36_000_000,
    timestamp: Math.floor(chain.now() / 1000),
    pubkey: proposer.pubkey,
    ...overrides,
  };
  const root = computeSigningRoot(ssz.bellatrix.ValidatorRegistrationV1.hashTreeRoot(message), builderDomain(chain));
  return { message, signature: proposer.sk.sign(root).toBytes() };
}

/** A bid with one blob (Electra: one proof; Fulu: a proof per cell) and one deposit request. */
export function makeBid(options: {
  slot: number;
  fork: BuilderFork;
  parentHash: Uint8Array;
  value?: bigint;
  feeRecipient?: Uint8Array;
  proposerPubkey?: Uint8Array;
}): ReadyBid {
  const payload = ssz.electra.ExecutionPayload.defaultValue();
  payload.parentHash = options.parentHash;
  payload.feeRecipient = options.feeRecipient ?? new Uint8Array(20).fill(0xfe);
  payload.blockHash = randomBytes(32);
  payload.stateRoot = randomBytes(32);
  payload.blockNumber = 1000 + options.slot;
  payload.gasLimit = 36_000_000;
  payload.gasUsed = 21_000;
  payload.timestamp = 1_700_000_000 + options.slot * 12;
  payload.baseFeePerGas = 7n;
  payload.transactions = [randomBytes(120)];
  payload.withdrawals = [{ index: 1, validatorIndex: 2, address: new Uint8Array(20).fill(3), amount: 4n }];
  const commitment = randomBytes(48);
  const proofCount = options.fork === ForkName.fulu ? 128 : 1;
  const blobsBundle = {
    commitments: [commitment],
    proofs: Array.from({ length: proofCount }, () => randomBytes(48)),
    blobs: [randomBytes(131072)],
  };
  const executionRequests = ssz.electra.ExecutionRequests.defaultValue();
  executionRequests.deposits = [
    {
      pubkey: randomBytes(48),
      withdrawalCredentials: randomBytes(32),
      amount: 32e9,
      signature: randomBytes(96),
      index: 5n,
    },
  ];
  const bid: ReadyBid = {
    slot: options.slot,
    fork: options.fork,
    payload,
    blobsBundle,
    executionRequests,
    value: options.value ?? 10n ** 17n,
  };
  if (options.proposerPubkey !== undefined) bid.proposerPubkey = options.proposerPubkey;
  return bid;
}

/** The blinded block a proposer makes from a signed builder bid, signed with `signer` (default the proposer). */
export function signedBlindedBlock(
  chain: BuilderChain,
  fork: BuilderFork,
  bid: electra.BuilderBid,
  proposer: Proposer,
  slot: number,
  signer: SecretKey = proposer.sk,
): electra.SignedBlindedBeaconBlock {
  const block = ssz[fork].BlindedBeaconBlock.defaultValue();
  block.slot = slot;
  block.proposerIndex = proposer.index;
  block.parentRoot = randomBytes(32);
  block.body.executionPayloadHeader = bid.header;
  block.body.blobKzgCommitments = bid.blobKzgCommitments;
  block.body.executionRequests = bid.executionRequests;
  const root = computeSigningRoot(ssz[fork].BlindedBeaconBlock.hashTreeRoot(block), proposerDomain(chain, slot));
  return { message: block, signature: signer.sign(root).toBytes() };
}
