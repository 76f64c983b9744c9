/** Relay submission against fake relays on loopback: SSZ and JSON, gzip, a refusing relay and a dead one. */
import { createGunzip } from "node:zlib";
import { ForkName } from "@lodestar/params";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { BuilderFork } from "../../src/api/chain.js";
import { keyFromEntropy } from "../../src/api/keys.js";
import {
  BidTrace,
  createSubmitBlockRequest,
  parseRelayUrl,
  SubmitBlockRequest,
  type SubmitBlockRequestValue,
  submitBlock,
} from "../../src/api/relay/submitBlock.js";
import { builderDomain, verifyRoot } from "../../src/api/signing.js";
import { makeBid, makeProposer, testChain } from "./helpers.js";

interface Received {
  encoding: string | undefined;
  contentType: string | undefined;
  version: string | undefined;
  request: SubmitBlockRequestValue;
}

async function fakeRelay(
  fork: BuilderFork,
  received: Received[],
  status = 200,
): Promise<{ app: FastifyInstance; url: string }> {
  const app = Fastify({ bodyLimit: 32 * 1024 * 1024 });
  app.addHook("preParsing", async (request, _reply, payload) => {
    if (request.headers["content-encoding"] !== "gzip") return payload;
    // The body's length is the compressed one; fastify checks the decompressed stream against no length.
    delete request.headers["content-length"];
    return payload.pipe(createGunzip());
  });
  app.addContentTypeParser("application/octet-stream", { parseAs: "buffer" }, (_r, body, done) => done(null, body));
  app.post("/relay/v1/builder/blocks", async (request, reply) => {
    const type = SubmitBlockRequest[fork];
    const value =
      request.headers["content-type"] === "application/octet-stream"
        ? type.deserialize(request.body as Uint8Array)
        : type.fromJson(request.body);
    received.push({
      encoding: request.headers["content-encoding"],
      contentType: request.headers["content-type"],
      version: request.headers["eth-consensus-version"] as string | undefined,
      request: value as SubmitBlockRequestValue,
    });
    return reply.code(status).send(status === 200 ? "" : { code: status, message: "simulation failed" });
  });
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  return { app, url };
}

for (const fork of [ForkName.electra, ForkName.fulu] as BuilderFork[]) {
  describe(`relay submission (${fork})`, () => {
    const chain = testChain(fork);
    const key = keyFromEntropy(new Uint8Array(32).fill(6));
    const proposer = makeProposer(4);
    const received: Received[] = [];
    const refused: Received[] = [];
    const relays: Array<{ app: FastifyInstance; url: string }> = [];

    beforeAll(async () => {
      chain.at(30, 2500);
      relays.push(await fakeRelay(fork, received), await fakeRelay(fork, refused, 400));
    });
    afterAll(async () => {
      await Promise.all(relays.map((r) => r.app.close()));
    });

    test("the signed BidTrace, payload, blobs bundle and execution requests reach every relay", async () => {
      const bid = makeBid({ slot: 30, fork, parentHash: new Uint8Array(32).fill(1), value: 777n });
      const request = createSubmitBlockRequest(
        bid,
        { pubkey: proposer.pubkey, feeRecipient: proposer.feeRecipient, gasLimit: 36_000_000 },
        key,
        builderDomain(chain),
      );
      const good = relays[0]?.url as string;
      const bad = relays[1]?.url as string;
      const endpoints = [
        parseRelayUrl(good.replace("http://", `http://0x${"ab".repeat(48)}@`)),
        parseRelayUrl(bad),
        parseRelayUrl("http://127.0.0.1:1"),
      ];
      for (const [encoding, gzip] of [
        ["ssz", false],
        ["ssz", true],
        ["json", true],
        ["json", false],
      ] as const) {
        const before = received.length;
        const results = await submitBlock(fork, request, { chain, relays: endpoints, encoding, gzip, timeoutMs: 2000 });
        expect(results[0]?.error).toBeUndefined();
        expect(results.map((r) => [r.relay, r.ok, r.status])).toEqual([
          [`0x${"ab".repeat(48)}`, true, 200],
          [new URL(bad).host, false, 400],
          ["127.0.0.1:1", false, undefined],
        ]);
        expect(results[1]?.error).toContain("simulation failed");
        for (const r of results) {
          expect(r.latencyMs).toBeGreaterThanOrEqual(0);
          expect(r.sinceSlotStartMs).toBe(2500);
        }
        const got = received[before] as Received;
        expect(got.contentType).toBe(encoding === "ssz" ? "application/octet-stream" : "application/json");
        expect(got.encoding).toBe(gzip ? "gzip" : undefined);
        expect(got.version).toBe(fork);
        const { message, signature } = got.request;
        expect(message.slot).toBe(30);
        expect(message.value).toBe(777n);
        expect(Buffer.from(message.proposerPubkey).equals(proposer.pubkey)).toBe(true);
        expect(Buffer.from(message.proposerFeeRecipient).equals(proposer.feeRecipient)).toBe(true);
        expect(Buffer.from(got.request.executionPayload.blockHash).equals(bid.payload.blockHash)).toBe(true);
        expect(got.request.blobsBundle.proofs.length).toBe(fork === ForkName.fulu ? 128 : 1);
        expect(got.request.executionRequests.deposits.length).toBe(1);
        expect(verifyRoot(key.pubkey, BidTrace.hashTreeRoot(message), builderDomain(chain), signature)).toBe(true);
      }
    });

    test("relay URLs: the pubkey is a label, never credentials; junk is refused", () => {
      const r = parseRelayUrl(`https://0x${"cd".repeat(48)}@relay.example:8443`);
      expect(r.url.toString()).toBe("https://relay.example:8443/relay/v1/builder/blocks");
      expect(r.label).toBe(`0x${"cd".repeat(48)}`);
      expect(() => parseRelayUrl("not a url")).toThrow(/not a relay URL/);
      expect(() => parseRelayUrl("ftp://relay.example")).toThrow(/http or https/);
    });
  });
}
