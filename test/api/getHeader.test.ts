/** getHeader's timing headers, response formats and rate limits, through fastify's in-process injection. */

import { randomBytes } from "node:crypto";
import { ForkName } from "@lodestar/params";
import { ssz } from "@lodestar/types";
import { afterEach, describe, expect, test } from "vitest";
import { InMemoryBidSource } from "../../src/api/bidSource.js";
import { keyFromEntropy } from "../../src/api/keys.js";
import { type BuilderServer, createBuilderServer } from "../../src/api/server.js";
import { makeBid, makeProposer, signedRegistration, testChain } from "./helpers.js";

const SLOT = 20;
const alice = makeProposer(1);
const servers: BuilderServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function setup(options: { rateLimits?: false | { header: number } } = {}) {
  const chain = testChain(ForkName.electra);
  chain.at(SLOT);
  const bids = new InMemoryBidSource();
  const server = await createBuilderServer({
    chain,
    key: keyFromEntropy(new Uint8Array(32).fill(8)),
    bids,
    rateLimits: options.rateLimits ?? false,
  });
  servers.push(server);
  server.registry.register([{ value: signedRegistration(chain, alice) }]);
  const parentHash = randomBytes(32);
  const url = `/eth/v1/builder/header/${SLOT}/0x${parentHash.toString("hex")}/${alice.pubkeyHex}`;
  return { chain, bids, server, parentHash, url };
}

describe("getHeader", () => {
  test("answers in SSZ when the client prefers it, with the fork in Eth-Consensus-Version", async () => {
    const { bids, server, parentHash, url } = await setup();
    bids.put(makeBid({ slot: SLOT, fork: "electra" as never, parentHash, value: 123n }));
    const res = await server.app.inject({
      method: "GET",
      url,
      headers: { accept: "application/octet-stream;q=1,application/json;q=0.9" },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("application/octet-stream");
    expect(res.headers["eth-consensus-version"]).toBe("electra");
    expect(ssz.electra.SignedBuilderBid.deserialize(res.rawPayload).message.value).toBe(123n);
    const json = await server.app.inject({ method: "GET", url });
    expect((JSON.parse(json.body) as { version: string }).version).toBe("electra");
    const metrics = await server.app.inject({ method: "GET", url: "/metrics" });
    expect(metrics.body).toMatch(/weft_builder_get_header_seconds_count\{status="200"\} [1-9]/);
  });

  test("the best bid for the parent wins; a bid built for another proposer is not offered", async () => {
    const { bids, server, parentHash, url } = await setup();
    bids.put(makeBid({ slot: SLOT, fork: "electra" as never, parentHash, value: 5n }));
    bids.put(makeBid({ slot: SLOT, fork: "electra" as never, parentHash, value: 9n }));
    bids.put(
      makeBid({ slot: SLOT, fork: "electra" as never, parentHash, value: 50n, proposerPubkey: randomBytes(48) }),
    );
    const res = await server.app.inject({ method: "GET", url });
    const data = (JSON.parse(res.body) as { data: { message: { value: string } } }).data;
    expect(data.message.value).toBe("9");
  });

  test("with X-Timeout-Ms it waits for a bid that arrives in time", async () => {
    const { chain, bids, server, parentHash, url } = await setup();
    setTimeout(() => bids.put(makeBid({ slot: SLOT, fork: "electra" as never, parentHash })), 30);
    const res = await server.app.inject({
      method: "GET",
      url,
      headers: { "x-timeout-ms": "950", "date-milliseconds": String(chain.now()) },
    });
    expect(res.statusCode).toBe(200);
  });

  test("without a bid it answers 204 by the deadline, and at once when the deadline has passed", async () => {
    const { chain, server, url } = await setup();
    const waited = await server.app.inject({ method: "GET", url, headers: { "x-timeout-ms": "60" } });
    expect(waited.statusCode).toBe(204);
    const late = await server.app.inject({
      method: "GET",
      url,
      headers: { "x-timeout-ms": "500", "date-milliseconds": String(chain.now() - 2000) },
    });
    expect(late.statusCode).toBe(204);
    const none = await server.app.inject({ method: "GET", url });
    expect(none.statusCode).toBe(204);
  });

  test("a slot that is not current, or not Electra/Fulu, is a 400", async () => {
    const { server, parentHash } = await setup();
    for (const slot of [SLOT - 1, SLOT + 5]) {
      const res = await server.app.inject({
        method: "GET",
        url: `/eth/v1/builder/header/${slot}/0x${parentHash.toString("hex")}/${alice.pubkeyHex}`,
      });
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain("not the current slot");
    }
  });

  test("per-client rate limit: past the budget, 429 with a reason", async () => {
    const { server, url } = await setup({ rateLimits: { header: 5 } });
    const codes: number[] = [];
    for (let i = 0; i < 8; i++) codes.push((await server.app.inject({ method: "GET", url })).statusCode);
    expect(codes.slice(0, 5).every((c) => c === 204)).toBe(true);
    expect(codes.slice(5).every((c) => c === 429)).toBe(true);
    const res = await server.app.inject({ method: "GET", url });
    expect(JSON.parse(res.body)).toMatchObject({ code: 429 });
  });
});
