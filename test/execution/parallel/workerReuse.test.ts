import { type Block, createBlock } from "@ethereumjs/block";
import { Common, Hardfork, Mainnet } from "@ethereumjs/common";
import { createLegacyTx } from "@ethereumjs/tx";
import { Account, Address, hexToBytes, privateToAddress, setLengthLeft } from "@ethereumjs/util";
import { afterAll, expect, test } from "vitest";
import { weftCustomCrypto } from "../../../src/execution/crypto/native.js";
import { WorkerPool } from "../../../src/execution/parallel/pool.js";
import { StateLayer } from "../../../src/execution/state/layer.js";
import { WeftStateManager } from "../../../src/execution/state/stateManager.js";
import { comparable, runParallel, runSequential, testHeader } from "./harness.js";

/** storage[calldata[0]] = BLOCKHASH(NUMBER − 1): `PUSH1 1 NUMBER SUB BLOCKHASH PUSH1 0 CALLDATALOAD SSTORE STOP` */
const HASHER = new Address(new Uint8Array(20).fill(0xd0));
const HASHER_CODE = hexToBytes("0x60014303406000355500");
const KEYS = Array.from({ length: 60 }, (_, i) => hexToBytes(`0x${(i + 1).toString(16).padStart(64, "0")}`));

const common = () => new Common({ chain: Mainnet, hardfork: Hardfork.Cancun, customCrypto: weftCustomCrypto() });

async function baseState(): Promise<StateLayer> {
  const base = new StateLayer();
  const sm = new WeftStateManager({ layer: base });
  for (const key of KEYS) await sm.putAccount(new Address(privateToAddress(key)), new Account(0n, 10n ** 20n));
  await sm.putAccount(HASHER, new Account());
  await sm.putCode(HASHER, HASHER_CODE);
  return base;
}

/** Every sender stores the parent's hash in a slot of its own: independent calls the worker speculates. */
function block(c: Common, coinbase: number): Block {
  const transactions = KEYS.map((key, i) =>
    createLegacyTx(
      { nonce: 0, gasPrice: 10n ** 10n, gasLimit: 100_000, to: HASHER, data: setLengthLeft(Uint8Array.of(i), 32) },
      { common: c },
    ).sign(key),
  );
  return createBlock(
    {
      header: testHeader(new Address(new Uint8Array(20).fill(coinbase))),
      transactions,
    },
    { common: c },
  );
}

const pool = new WorkerPool({ size: 1 });
afterAll(() => pool.close());

test("a worker that keeps its VM between blocks takes each block's hashes and coinbase", async () => {
  const base = await baseState();
  // Loaded before the first block: a worker still loading its modules speculates nothing (under load that can last
  // all three blocks).
  await pool.ready();
  const blocks = [
    { coinbase: 0xc1, blockHashes: { "19999999": `0x${"11".repeat(32)}` } },
    { coinbase: 0xc2, blockHashes: { "19999999": `0x${"22".repeat(32)}` } },
    { coinbase: 0xc1, blockHashes: { "19999999": `0x${"33".repeat(32)}` } },
  ];
  let speculated = 0;
  for (const { coinbase, blockHashes } of blocks) {
    const seq = await runSequential(common(), base, block(common(), coinbase), blockHashes);
    const c = common();
    const par = await runParallel(c, base, block(c, coinbase), pool, { blockHashes });
    expect(comparable(par)).toEqual(comparable(seq));
    speculated += par.result.stats.speculative;
  }
  // The worker's results were used (a stale hash in them would have shown above).
  expect(speculated).toBeGreaterThan(0);
});
