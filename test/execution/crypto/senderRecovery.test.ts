import { join } from "node:path";
import fc from "fast-check";
import { afterAll, expect, test } from "vitest";
import { decodeBlock, fixtureCommon } from "../../../src/execution/chain.js";
import { weftCustomCrypto } from "../../../src/execution/crypto/native.js";
import { RECOVERED, recoveryOrder, UNRECOVERED } from "../../../src/execution/crypto/recoveryTable.js";
import {
  knownSenders,
  pinSender,
  RecoveredSenders,
  SenderRecovery,
} from "../../../src/execution/crypto/senderRecovery.js";
import { loadFixture } from "../../../src/execution/fixture.js";
import { mainnetBlocksDir } from "../../shared.js";

const recovery = new SenderRecovery();
afterAll(() => recovery.close());

/** A mainnet block of many senders (one with a high-s signature), and its senders as decoding recovers them. */
async function mainnetBlock() {
  const fixture = await loadFixture(join(mainnetBlocksDir(), "12459406.json.gz"));
  const common = fixtureCommon(fixture, weftCustomCrypto());
  const reference = decodeBlock(fixture, common).transactions.map((tx) => tx.getSenderAddress().toString());
  return { fixture, common, reference };
}

test("senders recovered on the worker equal those recovered in place, high-s and all, for every reader of the table", async () => {
  const { fixture, common, reference } = await mainnetBlock();
  const txs = decodeBlock(fixture, common, undefined, { freeze: false }).transactions;
  await recovery.ready();
  const job = recovery.start(txs);
  const deadline = Date.now() + 20_000;
  while (job.pinned < txs.length && Date.now() < deadline) {
    for (let i = 0; i < txs.length; i++) job.pin(i);
    await new Promise((r) => setTimeout(r, 5));
  }
  expect(job.pinned).toBe(txs.length);
  expect(txs.map((tx) => tx.getSenderAddress().toString())).toEqual(reference);
  expect(txs.every((tx) => Object.isFrozen(tx))).toBe(true);

  // Another decoding of the same block (as a parallel worker has) pins from the same shared table.
  const copies = decodeBlock(fixture, common, undefined, { freeze: false }).transactions;
  const senders = new RecoveredSenders(job.table);
  expect(copies.every((tx, i) => senders.pin(i, tx))).toBe(true);
  expect(copies.map((tx) => tx.getSenderAddress().toString())).toEqual(reference);
  // A frozen transaction is left alone.
  expect(senders.pin(0, copies[0] as (typeof copies)[number])).toBe(false);
  job.stop();
});

test("recovery visits every transaction once, from both ends inwards", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 300 }), (n) => {
      const order = Array.from({ length: n }, (_, step) => recoveryOrder(step, n));
      expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
      if (n >= 2) expect(order.slice(0, 2)).toEqual([0, n - 1]);
    }),
  );
});

test("senders already known on transactions (cached on frozen ones, or pinned) become a table other threads pin from", async () => {
  const { fixture, common, reference } = await mainnetBlock();
  const frozen = decodeBlock(fixture, common).transactions;
  expect(knownSenders(frozen)).toBeUndefined();
  // Every third frozen transaction has its sender cached; the second has one pinned (unfrozen until then).
  frozen.forEach((tx, i) => {
    if (i % 3 === 0) tx.getSenderAddress();
  });
  const unfrozen = decodeBlock(fixture, common, undefined, { freeze: false }).transactions;
  const mixed = frozen.slice();
  const second = unfrozen[1] as (typeof unfrozen)[number];
  const known = decodeBlock(fixture, common).transactions[1] as (typeof unfrozen)[number];
  pinSender(second, known.getSenderPublicKey(), known.getSenderAddress().bytes);
  mixed[1] = second;
  const table = knownSenders(mixed);
  expect(table).toBeDefined();
  const status = new Int32Array((table as NonNullable<typeof table>).status);
  for (let i = 0; i < mixed.length; i++) expect(status[i]).toBe(i % 3 === 0 || i === 1 ? RECOVERED : UNRECOVERED);
  const copies = decodeBlock(fixture, common, undefined, { freeze: false }).transactions;
  const senders = new RecoveredSenders(table as NonNullable<typeof table>);
  copies.forEach((tx, i) => {
    expect(senders.pin(i, tx)).toBe(i % 3 === 0 || i === 1);
    if (i % 3 === 0 || i === 1) expect(tx.getSenderAddress().toString()).toBe(reference[i]);
  });
});
