/**
 * Building end to end on a small order flow (transfers, ERC20 transfers, swaps, backrun bundles): every
 * algorithm's block sealed and re-executed in stock @ethereumjs/vm, the value accounted, bundles atomic, nonces
 * in order, replacement and cancellation across rebuilds, the block access list against ethereumjs's own, and
 * the execution payload against ethereumjs's payload decoder.
 */
import { createBlockFromExecutionPayload } from "@ethereumjs/block";
import { Common, Mainnet } from "@ethereumjs/common";
import { Address, bytesToHex } from "@ethereumjs/util";
import { encodeReceipt as stockEncodeReceipt } from "@ethereumjs/vm";
import { ssz } from "@lodestar/types";
import { beforeAll, describe, expect, test } from "vitest";
import type { BuiltBlock } from "../../src/building/builders/algorithm.js";
import { ALGORITHM_NAMES, algorithmByName } from "../../src/building/builders/algorithms.js";
import { type BundleOrder, bundleOrder, type Order, transactionOrder } from "../../src/building/orders/order.js";
import { OrderPool } from "../../src/building/orders/orderPool.js";
import { type SealedBlock, sealBlock } from "../../src/building/sealing/sealBlock.js";
import type { SimulationReport } from "../../src/building/simulation/simulationPool.js";
import { encodeReceipt } from "../../src/execution/receipts.js";
import { ParentRoots } from "../../src/execution/state/stateRoot.js";
import { type Simulated, signedTx, simulatedFlow } from "./setup.js";
import { type StockResult, stockReexecute, stockRunner } from "./stock.js";

let s: Simulated;
let roots: ParentRoots;
let runStock: (sealed: SealedBlock) => Promise<StockResult>;

/** A chain of one sender, later nonces paying more: an ordering by fee alone would get them out of order. */
let chain: Order[] = [];

beforeAll(async () => {
  s = await simulatedFlow({ orders: 32, seed: 5 });
  const bob = s.flow.funded[1];
  if (bob === undefined) throw new Error("no funded account");
  const to = new Address(new Uint8Array(20).fill(0x24));
  chain = [0n, 1n, 2n].map((nonce) =>
    transactionOrder(signedTx(bob, { nonce, to, value: 1n, tip: (nonce + 1n) * 2_000_000_000n }), 900 + Number(nonce)),
  );
  s.flow.orders.push(...chain);
  s.report = await s.pool.simulate(s.flow.orders);
  roots = new ParentRoots(s.ctx.parent);
  runStock = await stockRunner(s.ctx.parent, s.flow.common.hardfork());
});

async function build(name: string, report: SimulationReport = s.report): Promise<BuiltBlock> {
  const algorithm = algorithmByName(name);
  if (algorithm === undefined) throw new Error(name);
  return algorithm.buildBlock({
    ctx: s.ctx,
    orders: report.simulated,
    unsimulated: report.failed.map((f) => f.order),
    env: s.pool.env,
  });
}

async function seal(built: BuiltBlock): Promise<SealedBlock> {
  return sealBlock(s.ctx, built.block, { roots, builder: s.flow.builder });
}

const hex = (b: Uint8Array | undefined) => (b === undefined ? undefined : bytesToHex(b));

describe("building", () => {
  test("every order of the flow simulates on the top-of-block state, a sender's chain in nonce order", () => {
    expect(s.report.simulated.length).toBe(s.flow.orders.length);
    const [, second, third] = chain.map((o) => s.report.simulated.find((x) => x.order.id === o.id));
    expect(second?.base).toEqual([chain[0]?.id]);
    expect(third?.base).toEqual([chain[0]?.id, chain[1]?.id]);
    expect(s.flow.counts.bundles).toBeGreaterThan(s.flow.counts.victims);
  });

  test.each(
    ALGORITHM_NAMES,
  )("%s: the sealed block re-executes in stock @ethereumjs/vm to the same header", async (name) => {
    const built = await build(name);
    expect(built.block.value).toBe(built.block.coinbaseGain());
    const sealed = await seal(built);
    const stock = await runStock(sealed);
    expect(stock.gasUsed).toBe(sealed.header.gasUsed);
    expect(hex(stock.receiptsRoot)).toBe(hex(sealed.header.receiptTrie));
    expect(hex(stock.logsBloom)).toBe(hex(sealed.header.logsBloom));
    expect(hex(stock.stateRoot)).toBe(hex(sealed.header.stateRoot));
    expect(hex(stock.requestsHash)).toBe(hex(sealed.header.requestsHash));
    expect(hex(stock.blockHash)).toBe(hex(sealed.blockHash));
    // The block's value is the coinbase's gain; the proposer gets the payout, the payout's gas is burnt.
    const payoutGas = 21_000n * s.ctx.baseFee;
    expect(sealed.payout).toBe(sealed.value - payoutGas);
    expect(stock.balanceChange(s.flow.attributes.coinbase)).toBe(sealed.value - sealed.payout - payoutGas);
    expect(stock.balanceChange(s.flow.attributes.feeRecipient)).toBe(sealed.payout);
    // Nonces of every sender in order, without gaps.
    const bySender = new Map<string, bigint[]>();
    for (const tx of sealed.block.transactions) {
      const sender = tx.getSenderAddress().toString();
      bySender.set(sender, [...(bySender.get(sender) ?? []), tx.nonce]);
    }
    for (const nonces of bySender.values()) {
      nonces.forEach((n, i) => {
        if (i > 0) expect(n).toBe((nonces[i - 1] as bigint) + 1n);
      });
    }
    const bob = s.flow.funded[1]?.address.toString() as string;
    if (name !== "priority-fee" || built.block.has(chain[0]?.id as string))
      expect(bySender.get(bob)).toEqual([0n, 1n, 2n]);
  });

  test("builders that take bundles beat the priority-fee baseline on backrun flow", async () => {
    const baseline = (await build("priority-fee")).block.value;
    for (const name of ["mev-gas-price", "max-profit", "conflict-groups"]) {
      const built = await build(name);
      expect(built.block.value).toBeGreaterThan(baseline);
      expect(built.block.orders.some((o) => o.order.kind === "bundle")).toBe(true);
    }
  });

  test("a bundle whose transaction reverts is left out whole, unless that transaction may revert", async () => {
    const bundles = s.flow.orders.filter((o): o is BundleOrder => o.kind === "bundle");
    const [b1, b2] = [
      bundles[0] as BundleOrder,
      bundles.find((b) => b.txs[0]?.hash !== bundles[0]?.txs[0]?.hash) as BundleOrder,
    ];
    const victim1 = b1.txs[0]?.tx;
    const foreignArbitrage = b2.txs[1]?.tx;
    if (victim1 === undefined || foreignArbitrage === undefined) throw new Error("flow without two bundles");
    // b2's arbitrage without b2's victim finds nothing to take and reverts.
    const strict = bundleOrder({ txs: [victim1, foreignArbitrage] }, 1000);
    const lenient = bundleOrder(
      { txs: [victim1, foreignArbitrage], revertingTxHashes: [b2.txs[1]?.hash as string] },
      1001,
    );
    // Neither victim goes in otherwise (with b2's victim in the block, b2's arbitrage would profit after all).
    const victims = new Set([b1.txs[0]?.hash, b2.txs[0]?.hash]);
    const others = s.flow.orders.filter((o) => o.kind === "tx" && !victims.has(o.txs[0]?.hash));
    const orders: Order[] = [...others, strict];
    await s.pool.prepare(s.ctx);
    const report = await s.pool.simulate(orders);
    expect(report.failed.map((f) => [f.order.id, f.failure.code])).toContainEqual([strict.id, "REVERTED"]);
    for (const name of ["mev-gas-price", "conflict-groups"]) {
      const built = await build(name, report);
      expect(built.block.has(strict.id)).toBe(false);
      expect(built.block.txs.some((t) => victims.has(t.hash))).toBe(false);
    }
    const allowed = await s.pool.simulate([...orders.filter((o) => o !== strict), lenient]);
    const built = await build("mev-gas-price", allowed);
    expect(built.block.has(lenient.id)).toBe(true);
    const reverted = built.block.txs.find((t) => t.hash === b2.txs[1]?.hash);
    expect(reverted?.receipt).toMatchObject({ status: 0 });
    await s.pool.prepare(s.ctx);
    await s.pool.simulate(s.flow.orders);
  });

  test("replacement and cancellation hold across rebuilds", async () => {
    const [alice] = s.flow.funded;
    if (alice === undefined) throw new Error("no funded account");
    const to = new Address(new Uint8Array(20).fill(0x42));
    const pool = new OrderPool();
    for (const order of s.flow.orders) pool.add(order);
    const first = transactionOrder(signedTx(alice, { nonce: 0n, to, value: 1n, tip: 3_000_000_000n }), pool.nextSeq());
    pool.add(first);
    const bundle = s.flow.orders.find((o): o is BundleOrder => o.kind === "bundle") as BundleOrder;
    pool.remove(bundle.id);
    const uuid = "5f0c1d2e-3a4b-4c5d-8e9f-001122334455";
    const cancellable = bundleOrder({ txs: bundle.txs.map((t) => t.tx), replacementUuid: uuid }, pool.nextSeq());
    pool.add(cancellable);

    const rebuild = async () => {
      await s.pool.prepare(s.ctx);
      const report = await s.pool.simulate(pool.orders());
      return build("mev-gas-price", report);
    };
    const before = await rebuild();
    expect(before.block.has(first.id)).toBe(true);
    expect(before.block.has(cancellable.id)).toBe(true);

    const second = transactionOrder(signedTx(alice, { nonce: 0n, to, value: 2n, tip: 4_000_000_000n }), pool.nextSeq());
    expect(pool.add(second).replaced).toBe(first.id);
    expect(pool.cancelBundle(uuid)).toBe(cancellable.id);
    const after = await rebuild();
    expect(after.block.has(first.id)).toBe(false);
    expect(after.block.has(second.id)).toBe(true);
    expect(after.block.has(cancellable.id)).toBe(false);
    await s.pool.prepare(s.ctx);
    await s.pool.simulate(s.flow.orders);
  });

  test("receipts encode as ethereumjs encodes them (its logs cached across blocks)", async () => {
    const built = await build("max-profit");
    for (const t of built.block.txs) {
      expect(hex(encodeReceipt(t.receipt, t.tx.type, { cacheLogs: true }))).toBe(
        hex(stockEncodeReceipt(t.receipt, t.tx.type)),
      );
      expect(hex(encodeReceipt(t.receipt, t.tx.type))).toBe(hex(stockEncodeReceipt(t.receipt, t.tx.type)));
    }
    expect(built.block.txs.some((t) => t.receipt.logs.length > 0)).toBe(true);
  });

  test("the block access list is the one ethereumjs records under EIP-7928", async () => {
    const sealed = await seal(await build("conflict-groups"));
    const stock = await stockReexecute(s.ctx.parent, sealed, s.flow.common.hardfork(), { eips: [7928] });
    expect(hex(stock.blockAccessListHash)).toBe(hex(sealed.accessList().hash));
    expect(sealed.accessList().list.toJSON().length).toBeGreaterThan(s.flow.orders.length);
  });

  test("the execution payload round-trips through SSZ and decodes in ethereumjs to the same block hash", async () => {
    const sealed = await seal(await build("max-profit"));
    const type = ssz.electra.ExecutionPayload;
    const payload = type.deserialize(type.serialize(sealed.executionPayload));
    expect(type.equals(payload, sealed.executionPayload)).toBe(true);
    expect(hex(payload.blockHash)).toBe(hex(sealed.blockHash));
    const q = (v: bigint | number) => `0x${v.toString(16)}` as const;
    const block = await createBlockFromExecutionPayload(
      {
        parentHash: bytesToHex(payload.parentHash),
        feeRecipient: bytesToHex(payload.feeRecipient),
        stateRoot: bytesToHex(payload.stateRoot),
        receiptsRoot: bytesToHex(payload.receiptsRoot),
        logsBloom: bytesToHex(payload.logsBloom),
        prevRandao: bytesToHex(payload.prevRandao),
        blockNumber: q(payload.blockNumber),
        gasLimit: q(payload.gasLimit),
        gasUsed: q(payload.gasUsed),
        timestamp: q(payload.timestamp),
        extraData: bytesToHex(payload.extraData),
        baseFeePerGas: q(payload.baseFeePerGas),
        blockHash: bytesToHex(payload.blockHash),
        transactions: payload.transactions.map((t) => bytesToHex(t)),
        withdrawals: payload.withdrawals.map((w) => ({
          index: q(w.index),
          validatorIndex: q(w.validatorIndex),
          address: bytesToHex(w.address),
          amount: q(w.amount),
        })),
        blobGasUsed: q(payload.blobGasUsed),
        excessBlobGas: q(payload.excessBlobGas),
        parentBeaconBlockRoot: bytesToHex(sealed.header.parentBeaconBlockRoot as Uint8Array),
        requestsHash: bytesToHex(sealed.header.requestsHash as Uint8Array),
      },
      { common: new Common({ chain: Mainnet, hardfork: s.flow.common.hardfork() }) },
    );
    expect(hex(block.hash())).toBe(hex(sealed.blockHash));
    expect(sealed.executionRequests).toEqual({ deposits: [], withdrawals: [], consolidations: [] });
  });
});
