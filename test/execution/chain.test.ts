import { join } from "node:path";
import { createTxFromRLP, type TypedTransaction } from "@ethereumjs/tx";
import { bytesToHex } from "@ethereumjs/util";
import { describe, expect, test } from "vitest";
import { decodeBlock, mainnetCommon, transactionCommon } from "../../src/execution/chain.js";
import { loadFixture } from "../../src/execution/fixture.js";
import { mainnetBlocksDir } from "../shared.js";

describe("transactionCommon", () => {
  test("transactions decoded with it share one Common and read exactly as with their own copies", async () => {
    const fixture = await loadFixture(join(mainnetBlocksDir(), "19426587.json.gz"));
    const common = mainnetCommon({
      blockNumber: BigInt(fixture.block.number),
      timestamp: BigInt(fixture.block.timestamp),
    });
    const block = decodeBlock(fixture, common);
    const shared = transactionCommon(common);
    expect(transactionCommon(common)).toBe(shared);
    expect(transactionCommon(shared)).toBe(shared);
    expect(block.transactions.length).toBeGreaterThan(10);
    for (const tx of block.transactions) {
      expect(tx.common).toBe(shared);
      const own = createTxFromRLP(tx.serialize(), { common }) as TypedTransaction;
      expect(own.common).not.toBe(shared);
      expect(bytesToHex(tx.hash())).toBe(bytesToHex(own.hash()));
      expect(tx.getIntrinsicGas()).toBe(own.getIntrinsicGas());
      expect(tx.getSenderAddress().toString()).toBe(own.getSenderAddress().toString());
      expect(tx.common.hardfork()).toBe(common.hardfork());
    }
    // The parameters were merged once: the shared Common answers the transaction parameters.
    expect(shared.param("txGas")).toBe(21000n);
  });
});
