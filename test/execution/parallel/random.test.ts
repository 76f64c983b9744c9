import { type Block, createBlock } from "@ethereumjs/block";
import { Common, Hardfork, Mainnet } from "@ethereumjs/common";
import { createAccessList2930Tx, createLegacyTx, type TypedTransaction } from "@ethereumjs/tx";
import { Account, Address, bytesToHex, hexToBytes, privateToAddress, setLengthLeft } from "@ethereumjs/util";
import fc from "fast-check";
import { afterAll, describe, expect, test } from "vitest";
import { weftCustomCrypto } from "../../../src/execution/crypto/native.js";
import { SenderRecovery } from "../../../src/execution/crypto/senderRecovery.js";
import { declaredAccess } from "../../../src/execution/parallel/accessList.js";
import type { ParallelStats } from "../../../src/execution/parallel/executeParallel.js";
import { WorkerPool } from "../../../src/execution/parallel/pool.js";
import { StateLayer } from "../../../src/execution/state/layer.js";
import { WeftStateManager } from "../../../src/execution/state/stateManager.js";
import { comparable, recordAccesses, runParallel, runSequential, testHeader } from "./harness.js";

const KEYS = Array.from({ length: 6 }, (_, i) => hexToBytes(`0x${(i + 1).toString(16).padStart(64, "0")}`));
const SENDERS = KEYS.map((k) => new Address(privateToAddress(k)));
/** counter(slot): storage[calldata[0]] += 1. `PUSH1 0 CALLDATALOAD DUP1 SLOAD PUSH1 1 ADD SWAP1 SSTORE STOP` */
const COUNTER = new Address(new Uint8Array(20).fill(0xc0));
const COUNTER_CODE = hexToBytes("0x600035805460010190550000");
const RECIPIENTS = [
  new Address(new Uint8Array(20).fill(0xaa)),
  new Address(new Uint8Array(20).fill(0xbb)),
  SENDERS[0] as Address,
];
const COINBASE = new Address(new Uint8Array(20).fill(0xcb));

type TxSpec =
  | { sender: number; kind: "transfer"; to: number; value: number }
  | { sender: number; kind: "count"; slot: number };

const txSpec: fc.Arbitrary<TxSpec> = fc.oneof(
  fc.record({ sender: fc.nat(5), kind: fc.constant("transfer" as const), to: fc.nat(2), value: fc.nat(1000) }),
  fc.record({ sender: fc.nat(5), kind: fc.constant("count" as const), slot: fc.nat(3) }),
);

const common = () => new Common({ chain: Mainnet, hardfork: Hardfork.Cancun, customCrypto: weftCustomCrypto() });

async function baseState(): Promise<StateLayer> {
  const base = new StateLayer();
  const sm = new WeftStateManager({ layer: base });
  for (const sender of SENDERS) await sm.putAccount(sender, new Account(0n, 10n ** 20n));
  await sm.putAccount(COUNTER, new Account());
  await sm.putCode(COUNTER, COUNTER_CODE);
  return base;
}

function buildBlock(c: Common, specs: readonly TxSpec[]): Block {
  const nonces = new Map<number, number>();
  const txs: TypedTransaction[] = specs.map((spec) => {
    const nonce = nonces.get(spec.sender) ?? 0;
    nonces.set(spec.sender, nonce + 1);
    const fields = { nonce, gasPrice: 10n ** 10n, gasLimit: 100_000 };
    const tx =
      spec.kind === "transfer"
        ? createLegacyTx({ ...fields, to: RECIPIENTS[spec.to] as Address, value: BigInt(spec.value) }, { common: c })
        : createLegacyTx({ ...fields, to: COUNTER, data: setLengthLeft(Uint8Array.of(spec.slot), 32) }, { common: c });
    return tx.sign(KEYS[spec.sender] as Uint8Array);
  });
  return createBlock(
    {
      header: testHeader(COINBASE),
      transactions: txs,
    },
    { common: c },
  );
}

/**
 * A block's time by activity agrees with what happened in it: on the parallel path every field is a duration, time
 * executed in order exactly when something was, speculation applied or thrown away exactly when a result was.
 */
function expectTimeAccounted(stats: ParallelStats): void {
  const time = stats.time;
  if (stats.sequentialReason !== undefined) {
    expect(time).toBeUndefined();
    return;
  }
  if (time === undefined) throw new Error("the parallel path reported no time by activity");
  for (const value of Object.values(time)) expect(value).toBeGreaterThanOrEqual(0);
  expect(time.inOrder > 0).toBe(stats.inOrder + stats.reexecuted > 0);
  expect(time.speculated > 0).toBe(stats.speculative > 0);
  expect(time.wasted > 0).toBe(stats.reexecuted > 0);
  expect(time.applying > 0).toBe(stats.speculative + stats.reexecuted > 0);
}

// Two and three executing threads: the committing thread plus one or two workers.
const pools = [new WorkerPool({ size: 1 }), new WorkerPool({ size: 2 })];
const pool = pools[1] as WorkerPool;
const senderRecovery = new SenderRecovery();
afterAll(() => Promise.all([...pools.map((p) => p.close()), senderRecovery.close()]));

describe("parallel equals sequential", () => {
  test("random blocks with random conflicts, on random thread counts", async () => {
    const base = await baseState();
    await fc.assert(
      fc.asyncProperty(
        fc.array(txSpec, { minLength: 1, maxLength: 24 }),
        fc.constantFrom(...pools),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom("none", "recorded", "misplaced"),
        async (specs, p, recovered, plainTransfersInOrder, knownSets) => {
          const c1 = common();
          const seq = await runSequential(c1, base, buildBlock(c1, specs));
          const c2 = common();
          // Access sets known ahead: none, the true ones, or every transaction given the next one's (wrong).
          const recorded = knownSets === "none" ? undefined : await recordAccesses(c2, base, buildBlock(c2, specs));
          const known =
            knownSets === "misplaced" && recorded !== undefined
              ? recorded.map((_, i) => recorded[(i + 1) % recorded.length])
              : recorded;
          // With recovery on its own thread, workers pin senders from its shared table.
          // Plain transfers left to the committing thread, or speculated like any other transaction.
          const par = await runParallel(c2, base, buildBlock(c2, specs), p, {
            plainTransfersInOrder,
            ...(recovered ? { senderRecovery } : {}),
            ...(known === undefined ? {} : { known }),
          });
          expect(comparable(par)).toEqual(comparable(seq));
          expectTimeAccounted(par.result.stats);
          if (knownSets === "recorded") expect(par.result.stats.reexecuted).toBe(0);
        },
      ),
      { numRuns: 30 },
    );
  });

  test("a transaction whose declared access list lies is caught, and the result is still correct", async () => {
    const base = await baseState();
    const c = common();
    const honest = buildBlock(c, [
      { sender: 1, kind: "count", slot: 0 },
      { sender: 2, kind: "transfer", to: 0, value: 5 },
    ]).transactions;
    // Declares slot 0 of the counter but increments slot 1.
    const liar = createAccessList2930Tx(
      {
        nonce: 0,
        gasPrice: 10n ** 10n,
        gasLimit: 100_000,
        to: COUNTER,
        data: setLengthLeft(Uint8Array.of(1), 32),
        accessList: [{ address: COUNTER.toString(), storageKeys: [bytesToHex(new Uint8Array(32))] }],
      },
      { common: c },
    ).sign(KEYS[3] as Uint8Array);
    const block = createBlock(
      {
        header: {
          number: 20_000_000n,
          gasLimit: 30_000_000n,
          timestamp: 1_700_000_000n,
          baseFeePerGas: 7n,
          coinbase: COINBASE,
        },
        transactions: [...honest, liar],
      },
      { common: c },
    );
    const declared = block.transactions.map((tx) => declaredAccess(tx));
    const seq = await runSequential(c, base, block);
    const par = await runParallel(common(), base, block, pool, { declared, enforceDeclared: true });
    expect(par.result.stats.strayed).toContain(2);
    expect(par.result.stats.strayed).not.toContain(1);
    expect(comparable(par)).toEqual(comparable(seq));
  });

  test("with access sets known ahead, a chain of dependent calls is never speculated on a stale state", async () => {
    const base = await baseState();
    // Every call increments slot 0: each reads what the one before wrote. Without known sets workers speculate
    // from the back on the pre-state and their results are thrown away; with them, they wait or leave them.
    const chain: TxSpec[] = Array.from({ length: 60 }, (_, k) => ({ sender: k % 6, kind: "count" as const, slot: 0 }));
    const c = common();
    const seq = await runSequential(c, base, buildBlock(c, chain));
    const known = await recordAccesses(common(), base, buildBlock(common(), chain));
    for (const p of pools) {
      const par = await runParallel(common(), base, buildBlock(common(), chain), p, { known });
      expect(par.result.stats.reexecuted).toBe(0);
      expect(par.result.stats.deferred).toEqual(expect.any(Number));
      expect(comparable(par)).toEqual(comparable(seq));
    }
    const blind = await runParallel(common(), base, buildBlock(common(), chain), pool);
    expect(blind.result.stats.deferred).toBeUndefined();
    expect(comparable(blind)).toEqual(comparable(seq));
    expectTimeAccounted(blind.result.stats);
  });

  test("plain transfers execute in order on the committing thread; a block of them runs sequentially", async () => {
    const base = await baseState();
    const transfers: TxSpec[] = [0, 1, 2, 3, 4, 5].map((sender) => ({ sender, kind: "transfer", to: 0, value: 1 }));
    const c = common();
    const onlyTransfers = buildBlock(c, transfers);
    const seq = await runSequential(c, base, onlyTransfers);
    const par = await runParallel(common(), base, buildBlock(common(), transfers), pool);
    expect(par.result.stats.sequentialReason).toMatch(/plain transfers/);
    expectTimeAccounted(par.result.stats);
    expect(comparable(par)).toEqual(comparable(seq));

    // Two calls among 25 transfers (under a tenth of the block): sequential too.
    const fewCalls: TxSpec[] = [
      ...Array.from({ length: 25 }, (_, k) => ({ sender: k % 6, kind: "transfer" as const, to: 1, value: 1 })),
      { sender: 0, kind: "count", slot: 0 },
      { sender: 1, kind: "count", slot: 1 },
    ];
    const seqFew = await runSequential(common(), base, buildBlock(common(), fewCalls));
    const parFew = await runParallel(common(), base, buildBlock(common(), fewCalls), pool);
    expect(parFew.result.stats.sequentialReason).toMatch(/a tenth of the block/);
    expect(comparable(parFew)).toEqual(comparable(seqFew));

    // With contract calls beside them, the calls may be speculated, the transfers never are.
    const mixed: TxSpec[] = [
      ...transfers,
      ...[0, 1, 2, 3].map((slot) => ({ sender: slot, kind: "count" as const, slot })),
    ];
    const seqMixed = await runSequential(common(), base, buildBlock(common(), mixed));
    const parMixed = await runParallel(common(), base, buildBlock(common(), mixed), pool);
    expect(parMixed.result.stats.sequentialReason).toBeUndefined();
    expect(parMixed.result.stats.speculative).toBeLessThanOrEqual(4);
    expect(comparable(parMixed)).toEqual(comparable(seqMixed));
    // Speculated like any other transaction when asked.
    const speculated = await runParallel(common(), base, buildBlock(common(), transfers), pool, {
      plainTransfersInOrder: false,
    });
    expect(speculated.result.stats.sequentialReason).toBeUndefined();
    expect(comparable(speculated)).toEqual(comparable(seq));
  });
});
