import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { decodeBlock, mainnetCommon } from "../../../src/execution/chain.js";
import { weftCustomCrypto } from "../../../src/execution/crypto/native.js";
import { SenderRecovery } from "../../../src/execution/crypto/senderRecovery.js";
import { loadFixture } from "../../../src/execution/fixture.js";
import { mainnetBlocksDir } from "../../shared.js";

const recovery = new SenderRecovery();
afterAll(() => recovery.close());

test("senders recovered on the worker equal those recovered in place, high-s and all", async () => {
  const fixture = await loadFixture(join(mainnetBlocksDir(), "12459406.json.gz"));
  const common = mainnetCommon({
    blockNumber: BigInt(fixture.block.number),
    timestamp: BigInt(fixture.block.timestamp),
    customCrypto: weftCustomCrypto(),
  });
  const reference = decodeBlock(fixture, common).transactions.map((tx) => tx.getSenderAddress().toString());
  const txs = decodeBlock(fixture, common, undefined, { freeze: false }).transactions;
  await recovery.ready();
  const job = recovery.start(txs);
  const deadline = Date.now() + 20_000;
  while (job.pinned < txs.length && Date.now() < deadline) {
    job.poll();
    await new Promise((r) => setTimeout(r, 5));
  }
  expect(job.pinned).toBe(txs.length);
  expect(txs.map((tx) => tx.getSenderAddress().toString())).toEqual(reference);
  expect(txs.every((tx) => Object.isFrozen(tx))).toBe(true);
});
