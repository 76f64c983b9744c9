/**
 * When a simulation may be replayed on another state: a payment to the coinbase is blind (replayed as a
 * delta), looking at the coinbase's balance is not; and a replayed order gives the block exactly what executing
 * it would.
 */
import { Address, KECCAK256_NULL } from "@ethereumjs/util";
import { beforeAll, describe, expect, test } from "vitest";
import { PartialBlock } from "../../src/building/builders/partialBlock.js";
import { type BuildContext, createBuildContext } from "../../src/building/context.js";
import { executeOrder } from "../../src/building/executeOrder.js";
import { createExecutionEnv, type ExecutionEnv } from "../../src/building/executionEnv.js";
import { transactionOrder } from "../../src/building/orders/order.js";
import { generateOrderFlow } from "../../src/devnet/orderFlow/index.js";
import type { Signer } from "../../src/devnet/workloads/index.js";
import { keccak256 } from "../../src/execution/crypto/native.js";
import { bytesKey } from "../../src/execution/state/keys.js";
import { StateLayer } from "../../src/execution/state/layer.js";
import { signedTx } from "./setup.js";

let ctx: BuildContext;
let env: ExecutionEnv;
let alice: Signer;
let bob: Signer;
const watcher = new Address(new Uint8Array(20).fill(0xaa));

beforeAll(async () => {
  const flow = generateOrderFlow({ orders: 4, seed: 13, funded: 2 });
  [alice, bob] = flow.funded as [Signer, Signer];
  // A contract that reads the coinbase's balance: PUSH20 coinbase, BALANCE, POP, STOP.
  const code = Uint8Array.from([0x73, ...flow.attributes.coinbase.bytes, 0x31, 0x50, 0x00]);
  const key = bytesKey(watcher.bytes);
  flow.base.accounts.set(key, { nonce: 1n, balance: 0n, codeHash: keccak256(code) });
  flow.base.code.set(key, code);
  ctx = await createBuildContext(flow.common, flow.attributes, flow.base);
  env = await createExecutionEnv(ctx, ctx.topOfBlock);
});

describe("replayable simulations", () => {
  test("paying the coinbase is blind; reading its balance is not", async () => {
    const pay = transactionOrder(signedTx(alice, { nonce: 0n, to: ctx.coinbase, value: 12345n }), 0);
    const look = transactionOrder(signedTx(bob, { nonce: 0n, to: watcher, gasLimit: 50_000n }), 1);
    const paid = await executeOrder(env, ctx, pay, new StateLayer(ctx.topOfBlock));
    const looked = await executeOrder(env, ctx, look, new StateLayer(ctx.topOfBlock));
    if (!paid.ok || !looked.ok) throw new Error("both execute");
    expect(paid.execution.replayable).toBe(true);
    expect(paid.execution.txs[0]?.coinbaseDelta).toBe(paid.execution.profit);
    expect(paid.execution.profit).toBeGreaterThan(12345n);
    expect(looked.execution.replayable).toBe(false);
    // The coinbase is no key of the access sets (its changes are deltas).
    expect(paid.execution.writes.accounts.has(ctx.coinbase.toString())).toBe(false);
  });

  test("a replayed order leaves the block as executing it does", async () => {
    const first = transactionOrder(signedTx(alice, { nonce: 0n, to: ctx.coinbase, value: 7n }), 0);
    const second = transactionOrder(
      signedTx(bob, { nonce: 0n, to: new Address(new Uint8Array(20).fill(5)), value: 9n }),
      1,
    );
    const simulate = async (o: typeof first) => {
      const r = await executeOrder(env, ctx, o, new StateLayer(ctx.topOfBlock));
      if (!r.ok) throw new Error("executes");
      return { execution: r.execution, base: [] };
    };
    const replayed = new PartialBlock(ctx, env);
    await replayed.commit(first, await simulate(first));
    await replayed.commit(second, await simulate(second));
    expect(replayed.replayed).toBe(2);
    const executed = new PartialBlock(ctx, env);
    await executed.commit(first);
    await executed.commit(second);
    expect(executed.executed).toBe(2);
    const dump = (b: PartialBlock) =>
      [...b.layer.accounts].map(([k, r]) => [
        k,
        r?.nonce,
        r?.balance,
        Buffer.from(r?.codeHash ?? KECCAK256_NULL).toString("hex"),
      ]);
    expect(dump(replayed).sort()).toEqual(dump(executed).sort());
    expect(Buffer.from(replayed.receiptsRoot()).toString("hex")).toBe(
      Buffer.from(executed.receiptsRoot()).toString("hex"),
    );
    expect(replayed.value).toBe(executed.value);
  });
});
