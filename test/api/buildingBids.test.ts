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
import { type FixtureParent, fixtureParent } from "../../src/building/fixtureParent.js";
import { OrderPool } from "../../src/building/orders/orderPool.js";
import { SimulationPool } from "../../src/building/simulation/simulationPool.js";
import { addressOfKey, deriveSigner, type Signer } from "../../src/devnet/workloads/index.js";
import { type BlockFixture, loadFixture } from "../../src/execution/fixture.js";
import { buildMerkleState, fixtureBlockchain } from "../../src/execution/stock.js";
import { rawTx } from "../building/setup.js";
import { mainnetBlocksDir } from "../shared.js";
import { makeProposer, signedRegistration, testChain } from "./helpers.js";

const FILE = `${mainnetBlocksDir()}/19426587.json.gz`;
const SLOT = 40;
const ETHER = 10n ** 18n;

let fixture: BlockFixture;
let parent: FixtureParent;
let searcher: Signer;
let simulation: SimulationPool;

/** The fixture with a searcher funded with 10 ether in its pre-state. */
async function fundedFixture(): Promise<BlockFixture> {
  const loaded = await loadFixture(FILE);
  loaded.preState[searcher.address.toString()] = {
    balance: `0x${(10n * ETHER).toString(16)}`,
    nonce: 0,
    code: "0x",
    storage: {},
  };
  return loaded;
}

/** Stock ethereumjs executes the payload's transactions on the fixture's pre-state. */
async function executeStock(payload: electra.ExecutionPayload, watch: Address) {
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
  const before = (await stateManager.getAccount(watch))?.balance ?? 0n;
  const run = await runBlock(vm, {
    block,
    generate: true,
    skipBlockValidation: true,
    skipHeaderValidation: true,
    skipHardForkValidation: true,
  });
  const after = (await stateManager.getAccount(watch))?.balance ?? 0n;
  return { run, gained: after - before, hashes: transactions.map((tx) => bytesToHex(tx.hash())) };
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

async function harness(options: { builderKey?: Uint8Array } = {}): Promise<Harness> {
  const chain = testChain(ForkName.fulu);
  chain.at(SLOT);
  const orders = new OrderPool({ baseFee: parent.block.header.baseFeePerGas ?? 0n });
  for (const order of parent.orders(() => orders.nextSeq())) orders.add(order);
  const builder =
    options.builderKey === undefined
      ? undefined
      : { key: options.builderKey, address: addressOfKey(options.builderKey) };
  const source = new BuildingBidSource({
    chain,
    parent,
    orders,
    simulation,
    algorithms: algorithmsByName(["mev-gas-price", "conflict-groups"]),
    followClock: false,
    debounceMs: 0,
    ...(builder === undefined ? {} : { builder }),
  });
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
    console.log(h.events);
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
    expect(gained).toBe(bid.value);
    const sealed = h.events.find((e) => e.kind === "sealed");
    expect(sealed).toMatchObject({ slot: SLOT, held: true, value: bid.value, txs: held.payload.transactions.length });
  });
});
