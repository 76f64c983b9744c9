/**
 * A worker that sees its own speculations conflict (every call bumps one counter) holds the rest of that
 * contract's calls back itself, before the committing thread reaches the first of them.
 */
import { createBlock } from "@ethereumjs/block";
import { Common, Hardfork, Mainnet } from "@ethereumjs/common";
import { createLegacyTx } from "@ethereumjs/tx";
import { Account, Address, hexToBytes, privateToAddress } from "@ethereumjs/util";
import { afterAll, expect, test } from "vitest";
import { weftCustomCrypto } from "../../../src/execution/crypto/native.js";
import { WorkerPool } from "../../../src/execution/parallel/pool.js";
import { HOT_AFTER } from "../../../src/execution/parallel/validation.js";
import { StateLayer } from "../../../src/execution/state/layer.js";
import { WeftStateManager } from "../../../src/execution/state/stateManager.js";
import { comparable, runParallel, runSequential, testHeader } from "./harness.js";

/** storage[0] += 1: `PUSH1 0 SLOAD PUSH1 1 ADD PUSH1 0 SSTORE STOP` */
const COUNTER = new Address(new Uint8Array(20).fill(0xc0));
const COUNTER_CODE = hexToBytes("0x60005460010160005500");
const TRANSFERS = 200;
const CALLS = 40;
const KEYS = Array.from({ length: TRANSFERS + CALLS }, (_, i) =>
  hexToBytes(`0x${(i + 1).toString(16).padStart(64, "0")}`),
);

const common = () => new Common({ chain: Mainnet, hardfork: Hardfork.Cancun, customCrypto: weftCustomCrypto() });
const pool = new WorkerPool({ size: 1 });
afterAll(() => pool.close());

test("a worker holds back a contract whose calls it sees conflict with each other; results stay sequential's", async () => {
  const base = new StateLayer();
  const sm = new WeftStateManager({ layer: base });
  for (const key of KEYS) await sm.putAccount(new Address(privateToAddress(key)), new Account(0n, 10n ** 20n));
  await sm.putAccount(COUNTER, new Account());
  await sm.putCode(COUNTER, COUNTER_CODE);
  const block = (c: Common) =>
    createBlock(
      {
        header: testHeader(new Address(new Uint8Array(20).fill(0xcb))),
        // Plain transfers in front (the committing thread's), the counter's calls at the back (the worker's).
        transactions: KEYS.map((key, i) =>
          createLegacyTx(
            i < TRANSFERS
              ? {
                  nonce: 0,
                  gasPrice: 10n ** 10n,
                  gasLimit: 21_000,
                  to: new Address(new Uint8Array(20).fill(0x77)),
                  value: 1n,
                }
              : { nonce: 0, gasPrice: 10n ** 10n, gasLimit: 100_000, to: COUNTER, data: Uint8Array.of(i & 0xff) },
            { common: c },
          ).sign(key),
        ),
      },
      { common: c },
    );
  await pool.ready();
  const seq = await runSequential(common(), base, block(common()));
  // The first block a worker sees also builds its VM: then the committing thread may finish before it starts.
  const c0 = common();
  expect(comparable(await runParallel(c0, base, block(c0), pool))).toEqual(comparable(seq));
  const c = common();
  const par = await runParallel(c, base, block(c), pool);
  expect(comparable(par)).toEqual(comparable(seq));
  const stats = par.result.stats;
  // Whoever noticed first (the worker, from its own results, or the committing thread), only a handful of the
  // 40 calls were speculated for nothing; the rest were held back and executed in order.
  expect(stats.reexecuted).toBeLessThanOrEqual(HOT_AFTER + 3);
  expect(stats.heldBack ?? 0).toBeGreaterThan(0);
  expect(stats.speculative + stats.reexecuted + stats.inOrder).toBe(TRANSFERS + CALLS);
});
