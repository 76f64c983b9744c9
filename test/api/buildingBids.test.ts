/**
 * Bids from the building pipeline over real HTTP: the Builder API server and the JSON-RPC intake on loopback,
 * the bid source building mainnet block 19426587 on its pre-state (plus a funded searcher account). A bid's
 * value is checked against stock @ethereumjs/vm executing the revealed payload on the same pre-state.
 */
import { Block, createBlockHeader } from "@ethereumjs/block";
import { MerkleStateManager } from "@ethereumjs/statemanager";
import { createTxFromRLP, type TypedTransaction } from "@ethereumjs/tx";
import { Address, bytesToHex, createWithdrawal } from "@ethereumjs/util";
import { createVM, runBlock } from "@ethereumjs/vm";
import { getClient } from "@lodestar/api/builder";
import { ForkName } from "@lodestar/params";
import type { electra } from "@lodestar/types";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ReadyBid } from "../../src/api/bidSource.js";
import { type BuildEvent, BuildingBidSource, intakeChainOf } from "../../src/api/buildingBids.js";
import { keyFromEntropy } from "../../src/api/keys.js";
import { createRpcServer, type RpcServer } from "../../src/api/rpc/server.js";
import { type BuilderServer, createBuilderServer } from "../../src/api/server.js";
import { algorithmsByName } from "../../src/building/backtest.js";
import { BuildLoop } from "../../src/building/buildLoop.js";
import { startBuildThread } from "../../src/building/buildThread.js";
import { type FixtureParent, fixtureParent } from "../../src/building/fixtureParent.js";
import { OrderPool } from "../../src/building/orders/orderPool.js";
import { SimulationPool } from "../../src/building/simulation/simulationPool.js";
import { addressOfKey, deriveSigner, type Signer } from "../../src/devnet/workloads/index.js";
import { type BlockFixture, loadFixture } from "../../src/execution/fixture.js";
import { buildMerkleState, fixtureBlockchain } from "../../src/execution/stock.js";
import { registry } from "../../src/shared/metrics.js";
import { rawTx } from "../building/setup.js";
import { mainnetBlocksDir } from "../shared.js";
import { makeProposer, signedRegistration, testChain } from "./helpers.js";

const FILE = `${mainnetBlocksDir()}/19426587.json.gz`;
const SLOT = 40;
const ETHER = 10n ** 18n;

let fixture: BlockFixture;
let parent: FixtureParent;
let searcher: Signer;
let searcher2: Signer;
let simulation: SimulationPool;

/** The fixture with two searchers funded with 10 ether each in its pre-state. */
async function fundedFixture(): Promise<BlockFixture> {
  const loaded = await loadFixture(FILE);
  for (const signer of [searcher, searcher2]) {
    loaded.preState[signer.address.toString()] = {
      balance: `0x${(10n * ETHER).toString(16)}`,
      nonce: 0,
      code: "0x",
      storage: {},
    };
  }
  return loaded;
}

/** Stock ethereumjs executes the payload's transactions on the fixture's pre-state. */
async function executeStock(payload: electra.ExecutionPayload, ...watch: Address[]) {
  const common = parent.common;
  const landed = parent.block;
  const header = createBlockHeader(
    { ...landed.header.toJSON(), coinbase: bytesToHex(payload.feeRecipient), gasUsed: 0n },
    { common, skipConsensusFormatValidation: true },
  );
  const transactions = payload.transactions.map((raw) => createTxFromRLP(raw, { common }) as TypedTransaction);
  const withdrawals = payload.withdrawals.map((w) =>
    createWithdrawal({ index: w.index, validatorIndex: w.validatorIndex, address: w.address, amount: w.amount }),
  );
  const block = new Block(header, transactions, [], withdrawals, { common, skipConsensusFormatValidation: true });
  const stateManager = new MerkleStateManager({ common });
  await buildMerkleState(fixture, stateManager);
  const vm = await createVM({ common, stateManager, blockchain: fixtureBlockchain(fixture.blockHashes) });
  const balances = () => Promise.all(watch.map(async (a) => (await stateManager.getAccount(a))?.balance ?? 0n));
  const before = await balances();
  const run = await runBlock(vm, {
    block,
    generate: true,
    skipBlockValidation: true,
    skipHeaderValidation: true,
    skipHardForkValidation: true,
  });
  const after = await balances();
  return { run, gained: after.map((b, i) => b - (before[i] as bigint)), transactions };
}

// biome-ignore lint/suspicious/noExplicitAny: JSON-RPC responses are inspected field by field with expect().
type Json = any;

async function rpcCall(url: string, body: unknown): Promise<Json> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return response.json();
}

beforeAll(async () => {
  searcher = deriveSigner(77, "searcher", 0);
  searcher2 = deriveSigner(77, "searcher", 1);
  fixture = await fundedFixture();
  parent = await fixtureParent(fixture, FILE);
  simulation = new SimulationPool({ workers: 0 });
});

afterAll(async () => {
  await simulation?.close();
});

interface Harness {
  source: BuildingBidSource;
  orders: OrderPool;
  server: BuilderServer;
  rpc: RpcServer;
  rpcUrl: string;
  api: ReturnType<typeof getClient>;
  events: BuildEvent[];
  chain: ReturnType<typeof testChain>;
  close(): Promise<void>;
}

/** `thread`: the engine on a worker thread, as `weft builder` runs it; else a build loop on this thread. */
async function harness(options: { builderKey?: Uint8Array; thread?: boolean } = {}): Promise<Harness> {
  const chain = testChain(ForkName.fulu);
  chain.at(SLOT);
  const orders = new OrderPool({ baseFee: parent.block.header.baseFeePerGas ?? 0n });
  for (const order of parent.orders(() => orders.nextSeq())) orders.add(order);
  const builder =
    options.builderKey === undefined
      ? undefined
      : { key: options.builderKey, address: addressOfKey(options.builderKey) };
  const algorithms = ["mev-gas-price", "max-profit"];
  const engine =
    options.thread === true
      ? await startBuildThread({
          fixture,
          orders,
          algorithms,
          simWorkers: 0,
          debounceMs: 0,
          ...(options.builderKey === undefined ? {} : { builderKey: options.builderKey }),
        })
      : new BuildLoop({
          parent,
          orders,
          simulation,
          algorithms: algorithmsByName(algorithms),
          debounceMs: 0,
          ...(builder === undefined ? {} : { builder }),
        });
  const source = new BuildingBidSource({ chain, parentHash: parent.parentHash, orders, engine, followClock: false });
  const events: BuildEvent[] = [];
  source.onBuild((e) => events.push(e));
  source.startSlot(SLOT);
  const server = await createBuilderServer({
    chain,
    key: keyFromEntropy(new Uint8Array(32).fill(9)),
    bids: source,
    rateLimits: false,
  });
  server.registry.onRegistered((r) => source.addFeeRecipient(r.feeRecipient, r.pubkey));
  const baseUrl = await server.listen(0);
  const intake = intakeChainOf(parent);
  const rpc = createRpcServer({ pool: orders, chain: () => intake, onAccepted: () => source.ordersChanged() });
  const rpcUrl = await rpc.listen(0);
  const api = getClient({ baseUrl, globalInit: { retries: 0 } }, { config: chain.config });
  return {
    source,
    orders,
    server,
    rpc,
    rpcUrl,
    api,
    events,
    chain,
    async close() {
      await source.close();
      await rpc.close();
      await server.close();
    },
  };
}

async function header(h: Harness, proposer: ReturnType<typeof makeProposer>, slot = SLOT) {
  const res = await h.api.getHeader({ slot, parentHash: parent.parentHash, proposerPubkey: proposer.pubkey });
  expect(res.status).toBe(200);
  return (res.value() as electra.SignedBuilderBid).message;
}

function heldBid(h: Harness, proposer: ReturnType<typeof makeProposer>, slot = SLOT): ReadyBid {
  const bid = h.source.bestBid({
    slot,
    parentHash: parent.parentHash,
    proposerPubkey: proposer.pubkey,
    feeRecipient: proposer.feeRecipient,
    gasLimit: 36_000_000,
  });
  if (bid === undefined) throw new Error(`no bid held for slot ${slot}`);
  return bid;
}

const txHashes = (bid: ReadyBid) =>
  bid.payload.transactions.map((raw) =>
    bytesToHex((createTxFromRLP(raw, { common: parent.common }) as TypedTransaction).hash()),
  );

describe("bids from the building pipeline (fee recipient as coinbase)", () => {
  let h: Harness;
  const proposer = makeProposer(3);

  beforeAll(async () => {
    h = await harness();
  });
  afterAll(async () => h?.close());

  test("a registered validator gets a bid in getHeader; its value is what executing the payload pays it", async () => {
    const none = await h.api.getHeader({ slot: SLOT, parentHash: parent.parentHash, proposerPubkey: proposer.pubkey });
    expect(none.status).toBe(204);
    expect((await h.api.registerValidator({ registrations: [signedRegistration(h.chain, proposer)] })).status).toBe(
      200,
    );
    await h.source.idle();
    const bid = await header(h, proposer);
    const held = heldBid(h, proposer);
    expect(bytesToHex(bid.header.blockHash)).toBe(bytesToHex(held.payload.blockHash));
    expect(bytesToHex(bid.header.feeRecipient)).toBe(bytesToHex(proposer.feeRecipient));
    expect(bid.value).toBe(held.value);
    expect(bid.value).toBeGreaterThan(0n);
    expect(held.payload.transactions.length).toBe(fixture.block.transactions.length);

    const { run, gained } = await executeStock(held.payload, new Address(proposer.feeRecipient));
    expect(run.gasUsed).toBe(BigInt(held.payload.gasUsed));
    expect(bytesToHex(run.receiptsRoot)).toBe(bytesToHex(held.payload.receiptsRoot));
    expect(bytesToHex(run.stateRoot)).toBe(bytesToHex(held.payload.stateRoot));
    expect(gained).toEqual([bid.value]);
    const sealed = h.events.find((e) => e.kind === "sealed");
    expect(sealed).toMatchObject({ slot: SLOT, held: true, value: bid.value, txs: held.payload.transactions.length });
  });
});

describe("bids from the building pipeline: orders over JSON-RPC, slots", () => {
  let h: Harness;
  const proposer = makeProposer(4);
  const to = new Address(new Uint8Array(20).fill(0x99));
  const baseFee = () => parent.block.header.baseFeePerGas ?? 0n;
  let id = 0;
  const call = (method: string, params: unknown[]) => rpcCall(h.rpcUrl, { jsonrpc: "2.0", id: ++id, method, params });

  beforeAll(async () => {
    h = await harness();
    await h.api.registerValidator({ registrations: [signedRegistration(h.chain, proposer)] });
    await h.source.idle();
  });
  afterAll(async () => h?.close());

  test("a transaction and a bundle paying the coinbase go into the rebuilt bid, which pays more; a cancelled bundle leaves it", async () => {
    const first = heldBid(h, proposer);
    const tip = 50_000_000_000n;
    const sent = await call("eth_sendRawTransaction", [
      bytesToHex(rawTx(searcher, { nonce: 0n, to, tip, maxFee: 2n * baseFee() + tip, value: 1n })),
    ]);
    expect(sent.result).toMatch(/^0x[0-9a-f]{64}$/);
    await h.source.idle();
    const second = heldBid(h, proposer);
    expect(txHashes(second)).toContain(sent.result);
    expect(second.value).toBeGreaterThan(first.value);
    expect((await header(h, proposer)).value).toBe(second.value);

    // A bundle whose transaction pays the fee recipient (the coinbase) 0.01 ether directly.
    const direct = ETHER / 100n;
    const payment = rawTx(searcher2, {
      nonce: 0n,
      to: new Address(proposer.feeRecipient),
      tip: 0n,
      maxFee: 2n * baseFee(),
      value: direct,
    });
    const uuid = "0b5e55ed-0000-4000-8000-000000000001";
    const bundle = await call("eth_sendBundle", [{ txs: [bytesToHex(payment)], replacementUuid: uuid }]);
    expect(bundle.result.bundleHash).toMatch(/^0x[0-9a-f]{64}$/);
    await h.source.idle();
    const third = heldBid(h, proposer);
    const paymentHash = txHashes(third).find((hash) => !txHashes(second).includes(hash));
    expect(paymentHash).toBeDefined();
    expect(third.value).toBeGreaterThanOrEqual(second.value + direct);
    const { gained } = await executeStock(third.payload, new Address(proposer.feeRecipient));
    expect(gained).toEqual([third.value]);

    // Cancelled: the next bid pays less, and replaces the held one all the same.
    expect((await call("eth_cancelBundle", [{ replacementUuid: uuid }])).result).toBe(true);
    await h.source.idle();
    const fourth = heldBid(h, proposer);
    expect(txHashes(fourth)).not.toContain(paymentHash);
    expect(txHashes(fourth)).toContain(sent.result);
    expect(fourth.value).toBe(second.value);
  });

  test("malformed requests get JSON-RPC errors and change nothing; the servers keep serving", async () => {
    const before = heldBid(h, proposer);
    const size = h.orders.size;
    expect((await rpcCall(h.rpcUrl, "{not json")).error).toMatchObject({ code: -32700 });
    expect((await call("eth_sendRawTransaction", ["0x02f8ff01"])).error).toMatchObject({
      code: -32602,
      data: { reason: "MALFORMED_RLP" },
    });
    expect((await call("eth_sendBundle", [{ txs: "nope" }])).error).toMatchObject({ code: -32602 });
    expect(
      (await call("eth_sendRawTransaction", [bytesToHex(rawTx(searcher, { nonce: 0n, to, maxFee: 2n * baseFee() }))]))
        .error,
    ).toMatchObject({ data: { reason: "REPLACEMENT_UNDERPRICED" } });
    expect((await call("eth_getBalance", [])).error).toMatchObject({ code: -32601 });
    await h.source.idle();
    expect(h.orders.size).toBe(size);
    expect(heldBid(h, proposer)).toBe(before);
    expect((await header(h, proposer)).value).toBe(before.value);
    const ok = await call("eth_sendRawTransaction", [
      bytesToHex(rawTx(searcher, { nonce: 1n, to, tip: 2_000_000_000n, maxFee: 2n * baseFee() + 2_000_000_000n })),
    ]);
    expect(ok.result).toMatch(/^0x[0-9a-f]{64}$/);
    await h.source.idle();
    expect(txHashes(heldBid(h, proposer))).toContain(ok.result);
  });

  test("a new slot cancels the build in flight for the old one", async () => {
    const before = heldBid(h, proposer);
    const from = h.events.length;
    const off = h.source.onBuild((e) => {
      // At the build's first turn of the event loop (after simulation), the clock moves on.
      if (e.kind === "started" && e.slot === SLOT) setImmediate(() => h.source.startSlot(SLOT + 1));
    });
    const tip = 3_000_000_000n;
    const sent = await call("eth_sendRawTransaction", [
      bytesToHex(rawTx(searcher, { nonce: 2n, to, tip, maxFee: 2n * baseFee() + tip })),
    ]);
    expect(sent.result).toMatch(/^0x/);
    await h.source.idle();
    off();
    const events = h.events.slice(from).map((e) => `${e.kind} ${e.slot}`);
    expect(events).toEqual([`started ${SLOT}`, `cancelled ${SLOT}`, `started ${SLOT + 1}`, `sealed ${SLOT + 1}`]);
    // The old slot's bid is the one it had; the new slot's has the order.
    expect(heldBid(h, proposer, SLOT)).toBe(before);
    expect(txHashes(heldBid(h, proposer, SLOT + 1))).toContain(sent.result);
    expect(await registry.getSingleMetricAsString("weft_builder_builds_total")).toMatch(/outcome="cancelled"\} [1-9]/);
    h.chain.at(SLOT + 1);
    expect((await header(h, proposer, SLOT + 1)).value).toBe(heldBid(h, proposer, SLOT + 1).value);
  });
});

describe("bids from the building pipeline (builder as coinbase, payout to the fee recipient)", () => {
  let h: Harness;
  const builderKey = new Uint8Array(32).fill(0x42);
  const proposer = makeProposer(5);

  beforeAll(async () => {
    h = await harness({ builderKey });
  });
  afterAll(async () => h?.close());

  test("the payload's coinbase is the builder; its last transaction pays the bid's value to the fee recipient", async () => {
    await h.api.registerValidator({ registrations: [signedRegistration(h.chain, proposer)] });
    await h.source.idle();
    const bid = await header(h, proposer);
    const builder = addressOfKey(builderKey);
    expect(bytesToHex(bid.header.feeRecipient)).toBe(builder.toString());
    const held = heldBid(h, proposer);
    expect(bid.value).toBe(held.value);
    expect(bid.value).toBeGreaterThan(0n);
    const { run, gained, transactions } = await executeStock(held.payload, new Address(proposer.feeRecipient), builder);
    expect(bytesToHex(run.stateRoot)).toBe(bytesToHex(held.payload.stateRoot));
    const payout = transactions.at(-1);
    expect(payout?.to?.toString()).toBe(bytesToHex(proposer.feeRecipient));
    expect(payout?.value).toBe(bid.value);
    // The fee recipient gets the bid's value; the builder keeps nothing (true-value bidding, no margin).
    expect(gained).toEqual([bid.value, 0n]);
  });
});

describe("bids from the building pipeline on a build thread (as weft builder runs it)", () => {
  let h: Harness;
  const proposer = makeProposer(6);

  beforeAll(async () => {
    h = await harness({ thread: true });
  });
  afterAll(async () => h?.close());

  test("a registration gets a bid; an order over JSON-RPC reaches the thread and the rebuilt bid", async () => {
    await h.api.registerValidator({ registrations: [signedRegistration(h.chain, proposer)] });
    await h.source.idle();
    const first = await header(h, proposer);
    const held = heldBid(h, proposer);
    expect(first.value).toBe(held.value);
    expect(held.payload.transactions.length).toBe(fixture.block.transactions.length);
    const { gained } = await executeStock(held.payload, new Address(proposer.feeRecipient));
    expect(gained).toEqual([first.value]);

    const baseFee = parent.block.header.baseFeePerGas ?? 0n;
    const tip = 30_000_000_000n;
    const raw = rawTx(searcher, {
      nonce: 0n,
      to: new Address(new Uint8Array(20).fill(0x98)),
      tip,
      maxFee: 2n * baseFee + tip,
    });
    const sent = await rpcCall(h.rpcUrl, {
      jsonrpc: "2.0",
      id: 1,
      method: "eth_sendRawTransaction",
      params: [bytesToHex(raw)],
    });
    expect(sent.result).toMatch(/^0x[0-9a-f]{64}$/);
    await h.source.idle();
    const second = heldBid(h, proposer);
    expect(txHashes(second)).toContain(sent.result);
    expect(second.value).toBeGreaterThan(first.value);
    expect((await header(h, proposer)).value).toBe(second.value);
    expect(h.events.filter((e) => e.kind === "sealed").map((e) => e.held)).toEqual([true, true]);
  });
});
