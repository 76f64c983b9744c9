/**
 * Thousands of malformed requests at every route: random and mutated paths, headers and bodies (JSON and SSZ),
 * near-valid registrations and blinded blocks with bytes flipped. No crash, no 5xx: every answer is a 4xx with
 * `{code, message}`, and the server still serves a proposer afterwards.
 */
import { connect } from "node:net";
import { ForkName } from "@lodestar/params";
import { type electra, ssz } from "@lodestar/types";
import fc from "fast-check";
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { InMemoryBidSource } from "../../src/api/bidSource.js";
import { keyFromEntropy } from "../../src/api/keys.js";
import { type BuilderServer, createBuilderServer } from "../../src/api/server.js";
import { makeBid, makeProposer, signedBlindedBlock, signedRegistration, testChain } from "./helpers.js";

const SLOT = 50;
const fork = ForkName.fulu;
const RUNS = 400;

const chain = testChain(fork);
const bids = new InMemoryBidSource();
const alice = makeProposer(1);
const parentHash = new Uint8Array(32).fill(9);
let server: BuilderServer;
let validRegistrationJson: Record<string, unknown>;
let validBlindedSsz: Uint8Array;
let validBlindedJson: unknown;
const answers = new Map<number, number>();

beforeAll(async () => {
  chain.at(SLOT);
  server = await createBuilderServer({
    chain,
    key: keyFromEntropy(new Uint8Array(32).fill(3)),
    bids,
    publisher: { publish: async () => {} },
    rateLimits: false,
  });
  const registration = signedRegistration(chain, alice);
  server.registry.register([{ value: registration }]);
  validRegistrationJson = ssz.bellatrix.SignedValidatorRegistrationV1.toJson(registration) as Record<string, unknown>;
  bids.put(makeBid({ slot: SLOT, fork, parentHash }));
  const header = await server.app.inject({ method: "GET", url: headerUrl(SLOT, hex(parentHash), alice.pubkeyHex) });
  const signedBid = ssz[fork].SignedBuilderBid.deserialize(
    ssz[fork].SignedBuilderBid.serialize(
      ssz[fork].SignedBuilderBid.fromJson((JSON.parse(header.body) as { data: unknown }).data),
    ),
  ) as electra.SignedBuilderBid;
  const blinded = signedBlindedBlock(chain, fork, signedBid.message, alice, SLOT);
  validBlindedSsz = ssz[fork].SignedBlindedBeaconBlock.serialize(blinded);
  validBlindedJson = ssz[fork].SignedBlindedBeaconBlock.toJson(blinded);
});
afterAll(async () => {
  await server.close();
});

function hex(bytes: Uint8Array): string {
  return `0x${Buffer.from(bytes).toString("hex")}`;
}
function headerUrl(slot: string | number, parent: string, pubkey: string): string {
  return `/eth/v1/builder/header/${encodeURIComponent(String(slot))}/${encodeURIComponent(parent)}/${encodeURIComponent(pubkey)}`;
}

/** The property every answer to a malformed request has. */
function expectClear4xx(res: LightMyRequestResponse): void {
  answers.set(res.statusCode, (answers.get(res.statusCode) ?? 0) + 1);
  expect(res.statusCode, res.body.slice(0, 200)).toBeGreaterThanOrEqual(400);
  expect(res.statusCode, res.body.slice(0, 200)).toBeLessThan(500);
  const body = JSON.parse(res.body) as { code: unknown; message: unknown };
  expect(body.code).toBe(res.statusCode);
  expect(typeof body.message).toBe("string");
  expect((body.message as string).length).toBeGreaterThan(0);
}

const junkString = fc.oneof(
  fc.string({ maxLength: 120 }),
  fc.stringMatching(/^0x[0-9a-fA-F]{0,120}$/),
  fc.constantFrom("", "-1", "1e3", "0x10", "18446744073709551616", "99999999999999999999", " 1", "NaN", "%00"),
);
const badSlot = junkString.filter((s) => !/^(0|[1-9][0-9]*)$/.test(s) || Number(s) !== SLOT);
const badHex = (bytes: number) => junkString.filter((s) => !new RegExp(`^0x[0-9a-fA-F]{${bytes * 2}}$`).test(s));
const goodHex = (bytes: number) => fc.uint8Array({ minLength: bytes, maxLength: bytes }).map(hex);

/** Flips bits in 1-4 distinct random bytes. */
function mutate(bytes: Uint8Array): fc.Arbitrary<Uint8Array> {
  return fc
    .uniqueArray(fc.tuple(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 })), {
      minLength: 1,
      maxLength: 4,
      selector: ([i]) => i,
    })
    .map((flips) => {
      const out = Uint8Array.from(bytes);
      for (const [i, x] of flips) out[i] = (out[i] as number) ^ x;
      return out;
    });
}

/** Replaces one field (at any depth) of a JSON object with junk. */
function mutateJson(value: unknown): fc.Arbitrary<unknown> {
  const paths: string[][] = [];
  const walk = (v: unknown, path: string[]) => {
    if (v !== null && typeof v === "object") {
      for (const [k, child] of Object.entries(v)) walk(child, [...path, k]);
    }
    paths.push(path);
  };
  walk(value, []);
  const nonRoot = paths.filter((p) => p.length > 0);
  return fc
    .tuple(fc.constantFrom(...nonRoot), fc.oneof(fc.jsonValue(), junkString, fc.constant(undefined)))
    .map(([path, junk]) => {
      const copy = structuredClone(value) as Record<string, unknown>;
      let target = copy;
      for (const key of path.slice(0, -1)) target = target[key] as Record<string, unknown>;
      const last = path[path.length - 1] as string;
      if (junk === undefined) delete target[last];
      else target[last] = junk;
      return copy;
    })
    .filter((v) => JSON.stringify(v) !== JSON.stringify(value));
}

/** Whether a mutated JSON value still decodes to the same container as the valid one (then it is not malformed). */
function decodesTo(
  type: { fromJson(json: unknown): unknown; hashTreeRoot(value: never): Uint8Array },
  json: unknown,
  valid: unknown,
): boolean {
  try {
    const a = type.hashTreeRoot(type.fromJson(json) as never);
    const b = type.hashTreeRoot(type.fromJson(valid) as never);
    return Buffer.from(a).equals(b);
  } catch {
    return false;
  }
}

describe("fuzzing every route with malformed requests", () => {
  test("getHeader: malformed slot, parent hash, pubkey, timing headers or Accept", async () => {
    const request = fc
      .record({
        slot: fc.oneof(fc.constant(String(SLOT)), badSlot),
        parent: fc.oneof(goodHex(32), badHex(32)),
        pubkey: fc.oneof(goodHex(48), badHex(48)),
        timeout: fc.option(
          fc.oneof(
            fc.constant("500"),
            junkString.filter((s) => !/^\s*\d+\s*$/.test(s)),
          ),
        ),
        date: fc.option(
          fc.oneof(
            fc.constant(String(chain.now())),
            junkString.filter((s) => !/^\s*\d+\s*$/.test(s)),
          ),
        ),
        accept: fc.option(
          fc.oneof(
            fc.constant("application/json"),
            fc.constantFrom("text/html", "image/*;q=1", "application/json;q=0"),
          ),
        ),
      })
      .filter(
        (r) =>
          r.slot !== String(SLOT) ||
          !/^0x[0-9a-f]{64}$/i.test(r.parent) ||
          !/^0x[0-9a-f]{96}$/i.test(r.pubkey) ||
          (r.timeout !== null && r.timeout !== "500") ||
          (r.date !== null && !/^\d+$/.test(r.date)) ||
          (r.accept !== null && r.accept !== "application/json"),
      );
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const headers: Record<string, string> = {};
        if (r.timeout !== null) headers["x-timeout-ms"] = r.timeout;
        if (r.date !== null) headers["date-milliseconds"] = r.date;
        if (r.accept !== null) headers.accept = r.accept;
        const res = await server.app.inject({ method: "GET", url: headerUrl(r.slot, r.parent, r.pubkey), headers });
        expectClear4xx(res);
      }),
      { numRuns: RUNS },
    );
  });

  test("registerValidator: junk JSON, mutated registrations, junk SSZ, wrong media types", async () => {
    const body = fc.oneof(
      fc.record({ type: fc.constant("json"), payload: fc.jsonValue().map((v) => JSON.stringify(v)) }),
      fc.record({
        type: fc.constant("json"),
        payload: fc
          .array(
            mutateJson(validRegistrationJson).filter(
              (v) => !decodesTo(ssz.bellatrix.SignedValidatorRegistrationV1, v, validRegistrationJson),
            ),
            { minLength: 1, maxLength: 4 },
          )
          .map((a) => JSON.stringify(a)),
      }),
      fc.record({
        type: fc.constant("json"),
        payload: fc.string({ maxLength: 200 }).map((s) => `[${s}`),
      }),
      fc.record({
        type: fc.constant("ssz"),
        payload: fc.oneof(
          fc.uint8Array({ maxLength: 600 }),
          mutate(ssz.bellatrix.SignedValidatorRegistrationV1.serialize(signedRegistration(chain, alice))),
        ),
      }),
      fc.record({ type: fc.constantFrom("text/plain", "application/xml", "multipart/form-data"), payload: junkString }),
    );
    await fc.assert(
      fc.asyncProperty(body, async ({ type, payload }) => {
        const contentType = type === "json" ? "application/json" : type === "ssz" ? "application/octet-stream" : type;
        const res = await server.app.inject({
          method: "POST",
          url: "/eth/v1/builder/validators",
          headers: { "content-type": contentType },
          payload: typeof payload === "string" ? payload : Buffer.from(payload),
        });
        // Junk can be an empty list (JSON `[]` or zero SSZ bytes): a valid, empty batch.
        if (res.statusCode === 200) expect(payload === "[]" || payload.length === 0).toBe(true);
        else expectClear4xx(res);
      }),
      { numRuns: RUNS },
    );
  });

  for (const version of [1, 2]) {
    test(`submitBlindedBlock v${version}: junk and mutated blocks in JSON and SSZ, bad versions`, async () => {
      const req = fc.oneof(
        fc.record({
          contentType: fc.constant("application/octet-stream"),
          payload: fc.oneof(mutate(validBlindedSsz), fc.uint8Array({ maxLength: 2000 })),
          version: fc.constant<string | null>(fork),
        }),
        fc.record({
          contentType: fc.constant("application/json"),
          payload: fc.oneof(
            mutateJson(validBlindedJson)
              .filter((v) => !decodesTo(ssz[fork].SignedBlindedBeaconBlock, v, validBlindedJson))
              .map((v) => JSON.stringify(v)),
            fc.jsonValue().map((v) => JSON.stringify(v)),
          ),
          version: fc.constant<string | null>(fork),
        }),
        fc.record({
          contentType: fc.constantFrom("application/json", "application/octet-stream"),
          payload: fc.constant(JSON.stringify(validBlindedJson)),
          version: fc.option(fc.constantFrom("phase0", "deneb", "gloas", "", "FULU!", "electra")),
        }),
      );
      await fc.assert(
        fc.asyncProperty(req, async ({ contentType, payload, version: consensusVersion }) => {
          const headers: Record<string, string> = { "content-type": contentType };
          if (consensusVersion !== null) headers["eth-consensus-version"] = consensusVersion;
          const res = await server.app.inject({
            method: "POST",
            url: `/eth/v${version}/builder/blinded_blocks`,
            headers,
            payload: typeof payload === "string" ? payload : Buffer.from(payload),
          });
          expectClear4xx(res);
        }),
        { numRuns: RUNS },
      );
    });
  }

  test("events, status and unknown routes: bad topics, wrong methods, junk paths", async () => {
    const req = fc.oneof(
      fc.record({
        method: fc.constant("GET" as const),
        url: fc
          .oneof(junkString, fc.constantFrom("head,blocks", "HEAD", "", ",", "head,,block"))
          .filter(
            (t) =>
              !t.split(",").every((x) => ["head", "block", "payload_attributes", "attestation"].includes(x.trim())),
          )
          .map((t) => `/eth/v1/events?topics=${encodeURIComponent(t)}`),
      }),
      fc.record({ method: fc.constant("GET" as const), url: fc.constant("/eth/v1/events") }),
      fc.record({
        method: fc.constantFrom("POST" as const, "PUT" as const, "DELETE" as const),
        url: fc.constantFrom("/eth/v1/builder/status", "/eth/v1/builder/header/1/0x00/0x00", "/eth/v1/events"),
      }),
      fc.record({
        method: fc.constantFrom("GET" as const, "POST" as const),
        url: junkString
          .filter((s) => !["status", "validators", "blinded_blocks"].includes(s))
          .map((s) => `/eth/v1/builder/${encodeURIComponent(s)}`),
      }),
    );
    await fc.assert(
      fc.asyncProperty(req, async ({ method, url }) => {
        const res = await server.app.inject({ method, url });
        expectClear4xx(res);
      }),
      { numRuns: RUNS },
    );
  });

  test("oversized bodies are refused with 413", async () => {
    const res = await server.app.inject({
      method: "POST",
      url: "/eth/v1/builder/blinded_blocks",
      headers: { "content-type": "application/octet-stream", "eth-consensus-version": fork },
      payload: Buffer.alloc(5 * 1024 * 1024),
    });
    expect(res.statusCode).toBe(413);
    expectClear4xx(res);
  });

  test("malformed HTTP on a real socket is answered 400 and the server lives on", async () => {
    const url = new URL(await server.listen(0));
    const garbage = [
      "GARBAGE\r\n\r\n",
      "GET / HTTP/9.9\r\n\r\n",
      "\u0000\u0001\u0002\r\n\r\n",
      "GET /x HTTP/1.1\r\nHost\r\n\r\n",
    ];
    for (const text of garbage) {
      const reply = await new Promise<string>((resolve) => {
        const socket = connect(Number(url.port), url.hostname, () => socket.write(text));
        let data = "";
        socket.on("data", (d) => {
          data += d.toString();
        });
        socket.on("close", () => resolve(data));
        socket.on("error", () => resolve(data));
        socket.setTimeout(2000, () => socket.destroy());
      });
      expect(reply.startsWith("HTTP/1.1 4") || reply === "").toBe(true);
      expect(reply.startsWith("HTTP/1.1 5")).toBe(false);
    }
  });

  test("after the storm the proposer is still served, and every answer was a 4xx", async () => {
    const status = await server.app.inject({ method: "GET", url: "/eth/v1/builder/status" });
    expect(status.statusCode).toBe(200);
    const header = await server.app.inject({ method: "GET", url: headerUrl(SLOT, hex(parentHash), alice.pubkeyHex) });
    expect(header.statusCode).toBe(200);
    const total = [...answers.values()].reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(4 * RUNS);
    for (const status of answers.keys()) expect(status >= 400 && status < 500).toBe(true);
  });
});
