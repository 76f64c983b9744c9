/**
 * The proposer's side of the Builder API is `@lodestar/api`'s builder client, over real HTTP on loopback: it
 * registers, asks for a header, checks the bid's signature, and submits the signed blinded block.
 */
import { randomBytes } from "node:crypto";
import { getClient } from "@lodestar/api/builder";
import { ForkName } from "@lodestar/params";
import { type deneb, type electra, ssz } from "@lodestar/types";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { InMemoryBidSource } from "../../src/api/bidSource.js";
import { headerRootOf } from "../../src/api/builderBid.js";
import type { BuilderFork } from "../../src/api/chain.js";
import { keyFromEntropy } from "../../src/api/keys.js";
import type { PublishedBlock } from "../../src/api/publisher.js";
import { type BuilderServer, createBuilderServer } from "../../src/api/server.js";
import { builderDomain, computeSigningRoot, proposerDomain, verifyRoot } from "../../src/api/signing.js";
import { makeBid, makeProposer, signedBlindedBlock, signedRegistration, testChain } from "./helpers.js";

const SLOT = 100;

for (const fork of [ForkName.electra, ForkName.fulu] as BuilderFork[]) {
  describe(`Builder API with @lodestar/api's client (${fork})`, () => {
    const chain = testChain(fork);
    const key = keyFromEntropy(new Uint8Array(32).fill(7));
    const bids = new InMemoryBidSource();
    const published: PublishedBlock[] = [];
    const alice = makeProposer(1);
    const bob = makeProposer(2);
    const mallory = makeProposer(3);
    let server: BuilderServer;
    let api: ReturnType<typeof getClient>;
    let sszApi: ReturnType<typeof getClient>;

    beforeAll(async () => {
      chain.at(SLOT);
      server = await createBuilderServer({
        chain,
        key,
        bids,
        publisher: { publish: async (block) => void published.push(block) },
      });
      const baseUrl = await server.listen(0);
      api = getClient(
        { baseUrl, globalInit: { retries: 0, requestWireFormat: "json", responseWireFormat: "json" } },
        {
          config: chain.config,
        },
      );
      sszApi = getClient(
        { baseUrl, globalInit: { retries: 0, requestWireFormat: "ssz", responseWireFormat: "ssz" } },
        {
          config: chain.config,
        },
      );
    });
    afterAll(async () => server.close());

    test("status is 200", async () => {
      const res = await api.status();
      expect(res.ok).toBe(true);
    });

    test("registers (JSON and SSZ); fee recipient and gas limit are kept per validator", async () => {
      const a = await api.registerValidator({ registrations: [signedRegistration(chain, alice)] });
      expect(a.status).toBe(200);
      const b = await sszApi.registerValidator({
        registrations: [signedRegistration(chain, bob, { gasLimit: 45_000_000 })],
      });
      expect(b.status).toBe(200);
      expect(server.registry.get(alice.pubkeyHex)?.gasLimit).toBe(36_000_000);
      expect(Buffer.from(server.registry.get(bob.pubkeyHex)?.feeRecipient ?? []).equals(bob.feeRecipient)).toBe(true);
      expect(server.registry.get(bob.pubkeyHex)?.gasLimit).toBe(45_000_000);
    });

    test("a header for a parent without a bid is a 204", async () => {
      const res = await api.getHeader({ slot: SLOT, parentHash: randomBytes(32), proposerPubkey: alice.pubkey });
      expect(res.status).toBe(204);
    });

    test("getHeader → signed bid → signed blinded block → payload, in JSON and in SSZ", async () => {
      for (const client of [api, sszApi]) {
        const parentHash = randomBytes(32);
        const ready = makeBid({ slot: SLOT, fork, parentHash, value: 5n * 10n ** 17n });
        bids.put(ready);
        const res = await client.getHeader({ slot: SLOT, parentHash, proposerPubkey: alice.pubkey });
        expect(res.status).toBe(200);
        expect(res.meta().version).toBe(fork);
        const signedBid = res.value() as electra.SignedBuilderBid;
        // The proposer's checks: the bid is for its parent, from the builder's key, signed in the builder domain.
        expect(Buffer.from(signedBid.message.header.parentHash).equals(parentHash)).toBe(true);
        expect(signedBid.message.value).toBe(5n * 10n ** 17n);
        expect(Buffer.from(signedBid.message.pubkey).equals(key.pubkey)).toBe(true);
        const bidRoot = ssz[fork].BuilderBid.hashTreeRoot(signedBid.message);
        expect(verifyRoot(signedBid.message.pubkey, bidRoot, builderDomain(chain), signedBid.signature)).toBe(true);

        const blinded = signedBlindedBlock(chain, fork, signedBid.message, alice, SLOT);
        const reveal = await client.submitBlindedBlock({ signedBlindedBlock: { data: blinded } });
        expect(reveal.status).toBe(200);
        const revealed = reveal.value() as deneb.ExecutionPayloadAndBlobsBundle;
        expect(Buffer.from(revealed.executionPayload.blockHash).equals(ready.payload.blockHash)).toBe(true);
        expect(revealed.blobsBundle.blobs.length).toBe(1);
        expect(revealed.blobsBundle.proofs.length).toBe(fork === ForkName.fulu ? 128 : 1);
        // The payload is the one the header committed to.
        expect(
          Buffer.from(headerRootOf(signedBid.message.header)).equals(
            ssz.electra.ExecutionPayloadHeader.hashTreeRoot(signedBid.message.header),
          ),
        ).toBe(true);
        // Forget the reveal of this slot so the next round can reveal again in the same slot.
        server.revealed.delete(SLOT);
      }
    });

    test("submitBlindedBlockV2: weft publishes the unblinded block and answers 202", async () => {
      const parentHash = randomBytes(32);
      const ready = makeBid({ slot: SLOT, fork, parentHash });
      bids.put(ready);
      const res = await api.getHeader({ slot: SLOT, parentHash, proposerPubkey: bob.pubkey });
      const signedBid = res.value() as electra.SignedBuilderBid;
      const blinded = signedBlindedBlock(chain, fork, signedBid.message, bob, SLOT);
      const before = published.length;
      const sub = await api.submitBlindedBlockV2({ signedBlindedBlock: { data: blinded } });
      expect(sub.status).toBe(202);
      expect(published.length).toBe(before + 1);
      const block = published[published.length - 1] as PublishedBlock;
      // The unblinded block has the blinded block's root, so the proposer's signature holds for it.
      expect(
        Buffer.from(ssz[fork].BeaconBlock.hashTreeRoot(block.signedBlock.message)).equals(
          ssz[fork].BlindedBeaconBlock.hashTreeRoot(blinded.message),
        ),
      ).toBe(true);
      const root = ssz[fork].BeaconBlock.hashTreeRoot(block.signedBlock.message);
      expect(verifyRoot(bob.pubkey, root, proposerDomain(chain, SLOT), block.signedBlock.signature)).toBe(true);
      server.revealed.delete(SLOT);
    });

    describe("refusals: a 400 with the reason, and no payload", () => {
      async function offeredTo(proposer = alice) {
        const parentHash = randomBytes(32);
        bids.put(makeBid({ slot: SLOT, fork, parentHash }));
        const res = await api.getHeader({ slot: SLOT, parentHash, proposerPubkey: proposer.pubkey });
        return res.value() as electra.SignedBuilderBid;
      }
      async function refusal(blinded: electra.SignedBlindedBeaconBlock): Promise<{ status: number; message: string }> {
        const res = await api.submitBlindedBlock({ signedBlindedBlock: { data: blinded } });
        expect(res.ok).toBe(false);
        return { status: res.status, message: res.error()?.message ?? "" };
      }

      test("wrong signature (signed by another key)", async () => {
        const bid = await offeredTo();
        const r = await refusal(signedBlindedBlock(chain, fork, bid.message, alice, SLOT, mallory.sk));
        expect(r.status).toBe(400);
        expect(r.message).toMatch(/signature does not verify/);
      });

      test("missing signature (zeros)", async () => {
        const bid = await offeredTo();
        const blinded = signedBlindedBlock(chain, fork, bid.message, alice, SLOT);
        blinded.signature = new Uint8Array(96);
        expect((await refusal(blinded)).message).toMatch(/signature does not verify/);
      });

      test("a header weft did not offer", async () => {
        const bid = await offeredTo();
        const forged = { ...bid.message, header: { ...bid.message.header, gasUsed: bid.message.header.gasUsed + 1 } };
        const r = await refusal(signedBlindedBlock(chain, fork, forged, alice, SLOT));
        expect(r.message).toMatch(/did not offer/);
      });

      test("a slot that is not current", async () => {
        const bid = await offeredTo();
        const blinded = signedBlindedBlock(chain, fork, bid.message, alice, SLOT);
        chain.at(SLOT + 1, 1000);
        try {
          expect((await refusal(blinded)).message).toMatch(/not the current slot/);
        } finally {
          chain.at(SLOT);
        }
      });

      test("a proposer that did not register", async () => {
        const bid = await offeredTo();
        server.duties.set(SLOT, { validatorIndex: mallory.index, pubkeyHex: mallory.pubkeyHex });
        try {
          const r = await refusal(signedBlindedBlock(chain, fork, bid.message, mallory, SLOT));
          expect(r.message).toMatch(/not registered/);
        } finally {
          server.duties.set(SLOT, { validatorIndex: alice.index, pubkeyHex: alice.pubkeyHex });
        }
      });

      test("an unregistered proposer gets no header (204)", async () => {
        const parentHash = randomBytes(32);
        bids.put(makeBid({ slot: SLOT, fork, parentHash }));
        const res = await api.getHeader({ slot: SLOT, parentHash, proposerPubkey: mallory.pubkey });
        expect(res.status).toBe(204);
      });

      test("refused attempts are counted", async () => {
        const { registry } = await import("../../src/shared/metrics.js");
        const metric = await registry.getSingleMetricAsString("weft_builder_blinded_blocks_total");
        expect(metric).toMatch(/outcome="INVALID_SIGNATURE"} [1-9]/);
        expect(metric).toMatch(/outcome="UNKNOWN_HEADER"} [1-9]/);
        expect(metric).toMatch(/outcome="SLOT_NOT_CURRENT"} [1-9]/);
        expect(metric).toMatch(/outcome="PROPOSER_NOT_REGISTERED"} [1-9]/);
      });
    });

    test("one payload per slot: a second, different block for the slot is refused", async () => {
      const parentHash = randomBytes(32);
      bids.put(makeBid({ slot: SLOT, fork, parentHash }));
      const res = await api.getHeader({ slot: SLOT, parentHash, proposerPubkey: alice.pubkey });
      const bid = (res.value() as electra.SignedBuilderBid).message;
      server.duties.set(SLOT, { validatorIndex: alice.index });
      const first = await api.submitBlindedBlock({
        signedBlindedBlock: { data: signedBlindedBlock(chain, fork, bid, alice, SLOT) },
      });
      expect(first.status).toBe(200);
      const second = await api.submitBlindedBlock({
        signedBlindedBlock: { data: signedBlindedBlock(chain, fork, bid, alice, SLOT) },
      });
      expect(second.status).toBe(400);
      expect(second.error()?.message).toMatch(/already revealed/);
      server.revealed.delete(SLOT);
    });

    test("the bid signature check a proposer makes fails for a tampered bid", async () => {
      const parentHash = randomBytes(32);
      bids.put(makeBid({ slot: SLOT, fork, parentHash }));
      const res = await api.getHeader({ slot: SLOT, parentHash, proposerPubkey: alice.pubkey });
      const signed = res.value() as electra.SignedBuilderBid;
      const tampered = { ...signed.message, value: signed.message.value + 1n };
      const root = ssz[fork].BuilderBid.hashTreeRoot(tampered);
      expect(verifyRoot(key.pubkey, root, builderDomain(chain), signed.signature)).toBe(false);
      expect(computeSigningRoot(root, builderDomain(chain)).length).toBe(32);
    });
  });
}
