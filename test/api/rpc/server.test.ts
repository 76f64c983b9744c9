/**
 * The JSON-RPC order intake over a real HTTP connection: accepted orders reach the pool; every kind of bad input
 * gets its specific JSON-RPC error, is counted, and leaves the pool as it was.
 */
import { Address, bytesToHex } from "@ethereumjs/util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createRpcServer, type RpcServer } from "../../../src/api/rpc/server.js";
import type { IntakeChain } from "../../../src/api/rpc/validateTransaction.js";
import { createBuildContext } from "../../../src/building/context.js";
import { OrderPool } from "../../../src/building/orders/orderPool.js";
import { generateOrderFlow } from "../../../src/devnet/orderFlow/index.js";
import { deriveSigner, type Signer } from "../../../src/devnet/workloads/index.js";
import { registry } from "../../../src/shared/metrics.js";
import { rawTx } from "../../building/setup.js";

const to = new Address(new Uint8Array(20).fill(0x77));
let server: RpcServer;
let url: string;
let pool: OrderPool;
let alice: Signer;
let bob: Signer;
let carol: Signer;
const nextBlock = 22_500_000n;

beforeAll(async () => {
  const flow = generateOrderFlow({ orders: 6, seed: 21, funded: 3 });
  [alice, bob, carol] = flow.funded as [Signer, Signer, Signer];
  const ctx = await createBuildContext(flow.common, flow.attributes, flow.base);
  pool = new OrderPool({ maxOrdersPerSender: 4, baseFee: ctx.baseFee });
  const chain: IntakeChain = {
    common: flow.common,
    nextBlockNumber: nextBlock,
    nextTimestamp: flow.attributes.timestamp,
    baseFee: ctx.baseFee,
    gasLimit: ctx.gasLimit,
    account: (key) => {
      const record = ctx.topOfBlock.account(key);
      // Carol has sent three transactions already.
      const nonce = key === Buffer.from(carol.address.bytes).toString("hex") ? 3n : (record?.nonce ?? 0n);
      return { nonce, balance: record?.balance ?? 0n };
    },
  };
  server = createRpcServer({ pool, chain: () => chain, bodyLimit: 256 * 1024, limits: { maxTxBytes: 32 * 1024 } });
  url = await server.listen(0);
});

afterAll(async () => {
  await server?.close();
});

/** A JSON-RPC response as the tests read it (a batch is an array of them). */
// biome-ignore lint/suspicious/noExplicitAny: responses are inspected field by field with expect().
type Json = any;

async function post(body: unknown): Promise<{ status: number; json: Json }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

let id = 0;
async function call(method: string, params: unknown[]): Promise<Json> {
  const { json } = await post({ jsonrpc: "2.0", id: ++id, method, params });
  expect(json.id).toBe(id);
  return json;
}

const send = (raw: Uint8Array) => call("eth_sendRawTransaction", [bytesToHex(raw)]);

async function expectRefused(response: Promise<Json>, code: number, reason: string): Promise<string> {
  const json = await response;
  expect(json.result).toBeUndefined();
  expect(json.error).toMatchObject({ code, data: { reason } });
  expect(typeof json.error.message).toBe("string");
  return json.error.message;
}

describe("JSON-RPC intake over HTTP", () => {
  test("transactions, bundles and cancellation are accepted; bad input is refused specifically and counted", async () => {
    const accepted: string[] = [];
    const first = rawTx(alice, { nonce: 0n, to, value: 1n });
    const hash = (await send(first)).result;
    expect(hash).toMatch(/^0x[0-9a-f]{64}$/);
    accepted.push(hash);

    // Malformed RLP, wrong chain, a spent nonce, too far ahead, no funds, too little gas, too big.
    expect(await expectRefused(send(Uint8Array.from([0x02, 0xf8, 0xff, 0x01])), -32602, "MALFORMED_RLP")).toMatch(
      /RLP/,
    );
    expect(await expectRefused(send(rawTx(alice, { chainId: 5n, nonce: 1n, to })), -32000, "WRONG_CHAIN_ID")).toMatch(
      /chain 5.*chain 1/,
    );
    expect(await expectRefused(send(rawTx(carol, { nonce: 2n, to })), -32000, "NONCE_TOO_LOW")).toMatch(
      /nonce 2 is spent/,
    );
    await expectRefused(send(rawTx(alice, { nonce: 40n, to })), -32000, "NONCE_GAP");
    const pauper = deriveSigner(21, "pauper", 0);
    expect(await expectRefused(send(rawTx(pauper, { nonce: 0n, to })), -32000, "INSUFFICIENT_FUNDS")).toMatch(
      /holds 0 wei/,
    );
    await expectRefused(send(rawTx(alice, { nonce: 1n, to, gasLimit: 20_000n })), -32000, "INTRINSIC_GAS_TOO_LOW");
    await expectRefused(send(rawTx(alice, { nonce: 1n, to, maxFee: 1n, tip: 1n })), -32000, "FEE_CAP_TOO_LOW");
    const big = rawTx(alice, { nonce: 1n, to, gasLimit: 3_000_000n, data: new Uint8Array(20_000).fill(1) });
    accepted.push((await send(big)).result);
    const tooBig = rawTx(alice, { nonce: 2n, to, gasLimit: 3_000_000n, data: new Uint8Array(40_000).fill(1) });
    expect(await expectRefused(send(tooBig), -32000, "OVERSIZED_TRANSACTION")).toMatch(/32768-byte limit/);
    const oversized = await post({
      jsonrpc: "2.0",
      id: 1,
      method: "eth_sendRawTransaction",
      params: [bytesToHex(new Uint8Array(140_000))],
    });
    expect(oversized.status).toBe(413);
    expect(oversized.json.error).toMatchObject({ code: -32600, data: { reason: "REQUEST_TOO_LARGE" } });

    // Replacement: lower fee refused, 10 % more on both fees accepted.
    await expectRefused(
      send(rawTx(alice, { nonce: 0n, to, value: 2n, tip: 900_000_000n })),
      -32000,
      "REPLACEMENT_UNDERPRICED",
    );
    const replacement = (
      await send(rawTx(alice, { nonce: 0n, to, value: 3n, tip: 1_100_000_000n, maxFee: 3_300_000_000n }))
    ).result;
    accepted[0] = replacement;

    // Bundles: one for a past block is refused; a good one returns its hash; cancellation by uuid.
    const b1 = bytesToHex(rawTx(bob, { nonce: 0n, to }));
    const b2 = bytesToHex(rawTx(bob, { nonce: 1n, to }));
    await expectRefused(
      call("eth_sendBundle", [{ txs: [b1, b2], blockNumber: `0x${(nextBlock - 1n).toString(16)}` }]),
      -32000,
      "BUNDLE_EXPIRED",
    );
    await expectRefused(
      call("eth_sendBundle", [{ txs: [b1], revertingTxHashes: [`0x${"ab".repeat(32)}`] }]),
      -32602,
      "INVALID_BUNDLE",
    );
    const uuid = "c0ffee00-0000-4000-8000-000000000001";
    const bundle = await call("eth_sendBundle", [
      { txs: [b1, b2], blockNumber: `0x${nextBlock.toString(16)}`, replacementUuid: uuid },
    ]);
    expect(bundle.result.bundleHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(pool.has(bundle.result.bundleHash)).toBe(true);
    expect((await call("eth_cancelBundle", [{ replacementUuid: uuid }])).result).toBe(true);
    expect(pool.has(bundle.result.bundleHash)).toBe(false);
    await expectRefused(call("eth_cancelBundle", [{ replacementUuid: uuid }]), -32000, "UNKNOWN_BUNDLE");

    // A flood from one sender: four pooled, the rest refused.
    for (let n = 3n; n < 7n; n++) accepted.push((await send(rawTx(carol, { nonce: n, to }))).result);
    for (let n = 7n; n < 10n; n++) await expectRefused(send(rawTx(carol, { nonce: n, to })), -32005, "SENDER_LIMIT");

    // Nothing refused disturbed the pool.
    expect(
      pool
        .orders()
        .map((o) => o.id)
        .sort(),
    ).toEqual([...accepted].sort());
    const { rejected } = server.stats();
    expect(rejected).toMatchObject({
      MALFORMED_RLP: 1,
      WRONG_CHAIN_ID: 1,
      NONCE_TOO_LOW: 1,
      NONCE_GAP: 1,
      INSUFFICIENT_FUNDS: 1,
      INTRINSIC_GAS_TOO_LOW: 1,
      FEE_CAP_TOO_LOW: 1,
      OVERSIZED_TRANSACTION: 1,
      REQUEST_TOO_LARGE: 1,
      REPLACEMENT_UNDERPRICED: 1,
      BUNDLE_EXPIRED: 1,
      INVALID_BUNDLE: 1,
      UNKNOWN_BUNDLE: 1,
      SENDER_LIMIT: 3,
    });
    expect(await registry.getSingleMetricAsString("weft_rpc_rejections_total")).toMatch(
      /reason="SENDER_LIMIT"\} [3-9]/,
    );
  });

  test("protocol errors: bad JSON, not a call, unknown method, bad params, batches", async () => {
    expect((await post("{not json")).json.error).toMatchObject({ code: -32700, data: { reason: "PARSE_ERROR" } });
    expect((await post({ id: 1, method: "eth_sendRawTransaction" })).json.error.code).toBe(-32600);
    expect((await call("eth_chainId", [])).error).toMatchObject({ code: -32601, data: { reason: "METHOD_NOT_FOUND" } });
    expect((await call("eth_sendRawTransaction", ["0xzz"])).error).toMatchObject({ code: -32602 });
    expect((await call("eth_sendRawTransaction", [])).error).toMatchObject({ code: -32602 });
    const batch = await post([
      {
        jsonrpc: "2.0",
        id: "a",
        method: "eth_sendRawTransaction",
        params: [bytesToHex(rawTx(bob, { nonce: 0n, to }))],
      },
      { jsonrpc: "2.0", id: "b", method: "nope", params: [] },
    ]);
    expect(batch.json).toHaveLength(2);
    expect(batch.json[0].result).toMatch(/^0x/);
    expect(batch.json[1].error.code).toBe(-32601);
    const tooMany = await post(
      Array.from({ length: 101 }, (_, i) => ({ jsonrpc: "2.0", id: i, method: "x", params: [] })),
    );
    expect(tooMany.json.error).toMatchObject({ code: -32005, data: { reason: "BATCH_TOO_LARGE" } });
  });
});
