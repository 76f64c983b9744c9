/**
 * The builder service with a (fake) beacon node and relay on loopback: payload_attributes tell weft the slot's
 * proposer, chain events reach the scheduler's callback and weft's own event stream, a bid for a registered
 * proposer goes to the relay, and a v2 blinded block is published through the beacon node.
 */
import { randomBytes } from "node:crypto";
import { getClient } from "@lodestar/api/builder";
import { ForkName } from "@lodestar/params";
import { type electra, ssz } from "@lodestar/types";
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { InMemoryBidSource } from "../../src/api/bidSource.js";
import { subscribeBeaconEvents } from "../../src/api/events/beaconEvents.js";
import type { ChainEvent } from "../../src/api/events/chainEvent.js";
import { EventHub } from "../../src/api/events/eventHub.js";
import { keyFromEntropy } from "../../src/api/keys.js";
import { parseRelayUrl, SubmitBlockRequest } from "../../src/api/relay/submitBlock.js";
import { type BuilderService, startBuilderService } from "../../src/api/service.js";
import { makeBid, makeProposer, signedBlindedBlock, signedRegistration, testChain } from "./helpers.js";

const SLOT = 64;
const fork = ForkName.fulu;
const chain = testChain(fork);
const alice = makeProposer(1, 321);
const bids = new InMemoryBidSource();
const beaconHub = new EventHub();
const beacon = Fastify({ bodyLimit: 32 * 1024 * 1024 });
const relay = Fastify({ bodyLimit: 32 * 1024 * 1024 });
const publishedBlocks: Uint8Array[] = [];
const relayed: Uint8Array[] = [];
const chainEvents: ChainEvent[] = [];
let service: BuilderService;

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 10));
  }
}

beforeAll(async () => {
  chain.at(SLOT);
  for (const app of [beacon, relay]) {
    app.addContentTypeParser("application/octet-stream", { parseAs: "buffer" }, (_r, body, done) => done(null, body));
  }
  beacon.get("/eth/v1/events", async (request, reply) => {
    const topics = EventHub.parseTopics(request.query);
    reply.hijack();
    beaconHub.subscribe(reply.raw, topics);
  });
  beacon.post("/eth/v2/beacon/blocks", async (request, reply) => {
    publishedBlocks.push(request.body as Uint8Array);
    return reply.code(200).send();
  });
  relay.post("/relay/v1/builder/blocks", async (request, reply) => {
    relayed.push(request.body as Uint8Array);
    return reply.code(200).send();
  });
  const beaconUrl = await beacon.listen({ port: 0, host: "127.0.0.1" });
  const relayUrl = await relay.listen({ port: 0, host: "127.0.0.1" });
  service = await startBuilderService({
    chain,
    key: keyFromEntropy(new Uint8Array(32).fill(5)),
    bids,
    port: 0,
    beaconNode: beaconUrl,
    relays: [parseRelayUrl(relayUrl)],
    onChainEvent: (e) => chainEvents.push(e),
    rateLimits: false,
  });
  await until(() => service.events?.connected === true);
});
afterAll(async () => {
  await service.close();
  beaconHub.close();
  await beacon.close();
  await relay.close();
});

describe("builder service", () => {
  test("payload_attributes name the slot's proposer; events reach the scheduler and weft's own stream", async () => {
    const downstream: ChainEvent[] = [];
    const sub = subscribeBeaconEvents({ url: service.url, onEvent: (e) => downstream.push(e) });
    try {
      await until(() => service.server.events.subscriberCount === 1);
      const attributes = ssz.fulu.SSEPayloadAttributes.defaultValue();
      attributes.proposalSlot = SLOT;
      attributes.proposerIndex = alice.index;
      attributes.payloadAttributes.suggestedFeeRecipient = `0x${Buffer.from(alice.feeRecipient).toString("hex")}`;
      beaconHub.publish({ topic: "payload_attributes", version: fork, data: attributes });
      await until(() => service.server.duties.get(SLOT) !== undefined && downstream.length === 1);
      expect(service.server.duties.get(SLOT)).toEqual({ validatorIndex: alice.index });
      expect(chainEvents.map((e) => e.topic)).toEqual(["payload_attributes"]);
      expect(downstream[0]?.topic).toBe("payload_attributes");
    } finally {
      sub.close();
    }
  });

  test("a new bid for a registered proposer is submitted to the relay", async () => {
    service.server.registry.register([{ value: signedRegistration(chain, alice) }]);
    const bid = makeBid({ slot: SLOT, fork, parentHash: randomBytes(32), proposerPubkey: alice.pubkey });
    bids.put(bid);
    await until(() => relayed.length === 1);
    const request = SubmitBlockRequest.fulu.deserialize(relayed[0] as Uint8Array);
    expect(request.message.slot).toBe(SLOT);
    expect(Buffer.from(request.message.proposerPubkey).equals(alice.pubkey)).toBe(true);
    expect(Buffer.from(request.executionPayload.blockHash).equals(bid.payload.blockHash)).toBe(true);
  });

  test("v2: the verified blinded block is published through the beacon node", async () => {
    const parentHash = randomBytes(32);
    bids.put(makeBid({ slot: SLOT, fork, parentHash }));
    const api = getClient({ baseUrl: service.url, globalInit: { retries: 0 } }, { config: chain.config });
    const header = await api.getHeader({ slot: SLOT, parentHash, proposerPubkey: alice.pubkey });
    const signedBid = header.value() as electra.SignedBuilderBid;
    const blinded = signedBlindedBlock(chain, fork, signedBid.message, alice, SLOT);
    const res = await api.submitBlindedBlockV2({ signedBlindedBlock: { data: blinded } });
    expect(res.status).toBe(202);
    expect(publishedBlocks.length).toBe(1);
    const contents = ssz.fulu.SignedBlockContents.deserialize(publishedBlocks[0] as Uint8Array);
    expect(Buffer.from(ssz.fulu.BeaconBlock.hashTreeRoot(contents.signedBlock.message)).toString("hex")).toBe(
      Buffer.from(ssz.fulu.BlindedBeaconBlock.hashTreeRoot(blinded.message)).toString("hex"),
    );
    expect(contents.blobs.length).toBe(1);
    expect(contents.kzgProofs.length).toBe(128);
  });
});
