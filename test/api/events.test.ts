/**
 * Beacon API events over real SSE on loopback: weft's event stream served, followed by weft's client, which
 * reconnects with backoff when the server goes away and comes back.
 */
import { createServer, type Server } from "node:http";
import { ssz } from "@lodestar/types";
import { afterEach, describe, expect, test } from "vitest";
import { InMemoryBidSource } from "../../src/api/bidSource.js";
import { subscribeBeaconEvents } from "../../src/api/events/beaconEvents.js";
import { type ChainEvent, encodeChainEvent, parseChainEvent } from "../../src/api/events/chainEvent.js";
import { EventHub } from "../../src/api/events/eventHub.js";
import { keyFromEntropy } from "../../src/api/keys.js";
import { type BuilderServer, createBuilderServer } from "../../src/api/server.js";
import { testChain } from "./helpers.js";

function sampleEvents(): ChainEvent[] {
  const attributes = ssz.fulu.SSEPayloadAttributes.defaultValue();
  attributes.proposalSlot = 42;
  attributes.proposerIndex = 7;
  attributes.parentBlockHash = new Uint8Array(32).fill(3);
  attributes.payloadAttributes.suggestedFeeRecipient = "0x1111111111111111111111111111111111111111";
  const electraAttestation = ssz.electra.Attestation.defaultValue();
  electraAttestation.data.slot = 41;
  const phase0Attestation = ssz.phase0.Attestation.defaultValue();
  phase0Attestation.data.index = 2;
  return [
    {
      topic: "head",
      data: {
        slot: 41,
        block: new Uint8Array(32).fill(1),
        state: new Uint8Array(32).fill(2),
        epochTransition: false,
        previousDutyDependentRoot: new Uint8Array(32),
        currentDutyDependentRoot: new Uint8Array(32).fill(9),
        executionOptimistic: false,
      },
    },
    { topic: "block", data: { slot: 41, block: new Uint8Array(32).fill(1), executionOptimistic: true } },
    { topic: "payload_attributes", version: "fulu" as never, data: attributes },
    { topic: "attestation", data: electraAttestation },
    { topic: "attestation", data: phase0Attestation },
  ];
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function builderServer(port = 0): Promise<{ server: BuilderServer; url: string }> {
  const chain = testChain();
  const server = await createBuilderServer({
    chain,
    key: keyFromEntropy(new Uint8Array(32).fill(2)),
    bids: new InMemoryBidSource(),
    rateLimits: false,
  });
  const url = await server.listen(port);
  return { server, url };
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("Beacon API events", () => {
  test("every topic round-trips through its JSON", () => {
    for (const event of sampleEvents()) {
      const parsed = parseChainEvent(event.topic, encodeChainEvent(event));
      expect(encodeChainEvent(parsed)).toBe(encodeChainEvent(event));
    }
    expect(() => parseChainEvent("head", "{}")).toThrow(/cannot parse a "head" event/);
    expect(() => parseChainEvent("payload_attributes", '{"version":"deneb","data":{}}')).toThrow(/electra or fulu/);
    expect(() => EventHub.parseTopics({ topics: "head,nope" })).toThrow(/unknown event topic/);
  });

  test("weft serves the events; its client receives each topic it asked for", async () => {
    const { server, url } = await builderServer();
    cleanups.push(() => server.close());
    const received: ChainEvent[] = [];
    const sub = subscribeBeaconEvents({
      url,
      onEvent: (e) => received.push(e),
      topics: ["head", "payload_attributes", "attestation"],
    });
    cleanups.push(() => sub.close());
    await until(() => sub.connected && server.events.subscriberCount === 1);
    for (const event of sampleEvents()) server.events.publish(event);
    await until(() => received.length === 4);
    expect(received.map((e) => e.topic)).toEqual(["head", "payload_attributes", "attestation", "attestation"]);
    const expected = sampleEvents().filter((e) => e.topic !== "block");
    expect(received.map(encodeChainEvent)).toEqual(expected.map(encodeChainEvent));
  });

  test("when the beacon node goes away the client retries with growing delays, then reconnects", async () => {
    const first = await builderServer();
    const port = Number(new URL(first.url).port);
    const received: ChainEvent[] = [];
    const sub = subscribeBeaconEvents({
      url: first.url,
      onEvent: (e) => received.push(e),
      backoff: { initialMs: 20, maxMs: 160 },
      jitter: () => 1,
    });
    cleanups.push(() => sub.close());
    await until(() => sub.connected);
    await first.server.close();
    await until(() => sub.delays.length >= 4);
    expect(sub.delays.slice(0, 4)).toEqual([20, 40, 80, 160]);
    expect(sub.connected).toBe(false);
    const second = await builderServer(port);
    cleanups.push(() => second.server.close());
    await until(() => sub.connected && second.server.events.subscriberCount === 1);
    expect(sub.opens).toBe(2);
    second.server.events.publish(sampleEvents()[0] as ChainEvent);
    await until(() => received.length === 1);
    expect(received[0]?.topic).toBe("head");
  });

  test("an event that does not parse is skipped and the stream goes on", async () => {
    const event = sampleEvents()[1] as ChainEvent;
    const server: Server = createServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "text/event-stream" });
      res.write(`event: block\ndata: {"slot":"nope"}\n\n`);
      res.write(`event: block\ndata: not json\n\n`);
      res.write(`event: block\ndata: ${encodeChainEvent(event)}\n\n`);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    cleanups.push(() => void server.closeAllConnections());
    const address = server.address() as { port: number };
    const received: ChainEvent[] = [];
    const sub = subscribeBeaconEvents({ url: `http://127.0.0.1:${address.port}`, onEvent: (e) => received.push(e) });
    cleanups.push(() => sub.close());
    await until(() => received.length === 1);
    expect(encodeChainEvent(received[0] as ChainEvent)).toBe(encodeChainEvent(event));
  });
});
