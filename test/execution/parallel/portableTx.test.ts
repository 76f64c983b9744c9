import { readdirSync } from "node:fs";
import { join } from "node:path";
import { type MessagePort, receiveMessageOnPort } from "node:worker_threads";
import { createBlockHeader } from "@ethereumjs/block";
import { Common, Hardfork, Mainnet } from "@ethereumjs/common";
import { createEOACode7702Tx, createFeeMarket1559Tx, createTxFromRLP, type TypedTransaction } from "@ethereumjs/tx";
import { hexToBytes } from "@ethereumjs/util";
import { describe, expect, test } from "vitest";
import {
  decodeBlock,
  hasBlobTransactions,
  loadKzg,
  mainnetCommon,
  transactionCommon,
} from "../../../src/execution/chain.js";
import { loadFixture } from "../../../src/execution/fixture.js";
import { WorkerPool } from "../../../src/execution/parallel/pool.js";
import { fromPortable, toPortable } from "../../../src/execution/parallel/portableTx.js";
import type { ResultMessage } from "../../../src/execution/parallel/protocol.js";
import { mainnetBlocksDir } from "../../shared.js";

/** Everything a transaction answers, compared field by field (its Common aside). */
function observed(tx: TypedTransaction) {
  const own = Object.fromEntries(
    Object.keys(tx)
      .filter((k) => k !== "common" && k !== "txOptions" && k !== "cache")
      .map((k) => [k, (tx as never)[k]]),
  );
  return {
    className: tx.constructor.name,
    keys: Object.keys(tx),
    own,
    serialized: tx.serialize(),
    hash: tx.hash(),
    sighash: tx.getMessageToSign(),
    sender: tx.getSenderAddress().toString(),
    upfront: tx.getUpfrontCost(),
    intrinsic: tx.getIntrinsicGas(),
    dataGas: tx.getDataGas(),
    json: tx.toJSON(),
  };
}

/** Through structured clone, as between threads, then revived on a Common of the receiving side. */
function travel(tx: TypedTransaction, common: Common): TypedTransaction {
  return fromPortable(structuredClone(toPortable(tx)), common);
}

describe("transactions carried to another thread as fields", () => {
  const files = readdirSync(mainnetBlocksDir()).filter((f) => f.endsWith(".json.gz"));

  test("transactions of every type from the shared mainnet blocks are the same transactions after the trip", async () => {
    let count = 0;
    const types = new Set<number>();
    for (const file of files) {
      const fixture = await loadFixture(join(mainnetBlocksDir(), file));
      if (hasBlobTransactions(fixture)) await loadKzg();
      const options = { blockNumber: BigInt(fixture.block.number), timestamp: BigInt(fixture.block.timestamp) };
      const here = decodeBlock(fixture, mainnetCommon(options));
      const there = transactionCommon(mainnetCommon(options));
      // Every transaction type in the block, and a spread of the rest (all of them would take minutes).
      const firstOfType = new Map<number, number>();
      here.transactions.forEach((tx, i) => {
        if (!firstOfType.has(tx.type)) firstOfType.set(tx.type, i);
      });
      const picked = here.transactions.filter((_, i) => i % 10 === 0 || [...firstOfType.values()].includes(i));
      for (const tx of picked) {
        const copy = travel(tx, there);
        expect(copy.common).toBe(there);
        expect(Object.isFrozen(copy)).toBe(false);
        Object.freeze(copy);
        expect(observed(copy)).toEqual(observed(tx));
        // And it is what decoding its bytes on that side gives.
        expect(observed(copy)).toEqual(
          observed(createTxFromRLP(tx.serialize(), { common: there }) as TypedTransaction),
        );
        types.add(tx.type);
        count++;
      }
    }
    expect(count).toBeGreaterThan(200);
    expect([...types].sort()).toEqual(expect.arrayContaining([0, 1, 2, 3]));
  });

  test("EIP-7702 transactions, and a contract creation, make the trip too", () => {
    const common = new Common({ chain: Mainnet, hardfork: Hardfork.Prague });
    const key = hexToBytes(`0x${"11".repeat(32)}`);
    const setCode = createEOACode7702Tx(
      {
        chainId: 1n,
        nonce: 3n,
        maxFeePerGas: 10n ** 10n,
        maxPriorityFeePerGas: 10n ** 9n,
        gasLimit: 100_000n,
        to: `0x${"22".repeat(20)}`,
        authorizationList: [
          {
            chainId: "0x1",
            address: `0x${"33".repeat(20)}`,
            nonce: "0x4",
            yParity: "0x1",
            r: `0x${"44".repeat(32)}`,
            s: `0x${"55".repeat(32)}`,
          },
        ],
      },
      { common },
    ).sign(key);
    const creation = createFeeMarket1559Tx(
      { chainId: 1n, gasLimit: 100_000n, maxFeePerGas: 10n ** 10n, data: "0x6000600055" },
      { common },
    ).sign(key);
    expect(creation.to).toBeUndefined();
    for (const tx of [setCode, creation] as TypedTransaction[]) {
      const there = transactionCommon(new Common({ chain: Mainnet, hardfork: Hardfork.Prague }));
      expect(observed(travel(tx, there))).toEqual(observed(tx));
    }
  });

  test("a worker refuses a block of another chain than its own, and the committing thread hears why", async () => {
    const pool = new WorkerPool({ size: 1 });
    try {
      await pool.ready();
      const common = new Common({ chain: Mainnet, hardfork: Hardfork.Cancun });
      const shared = new SharedArrayBuffer(4 * 4);
      new Int32Array(shared)[0] = 1;
      pool.startBlock({
        blockId: 77,
        hardfork: common.hardfork(),
        chainId: 1337n,
        needsKzg: false,
        header: createBlockHeader({ number: 1n, gasLimit: 30_000_000n, baseFeePerGas: 7n }, { common }).serialize(),
        txCount: 1,
        firstTx: 1,
        txs: [],
        blockHashes: {},
        preDiff: { accounts: new Map(), storage: new Map(), cleared: new Set(), code: new Map() },
        coinbaseKey: undefined,
        shared,
        senders: undefined,
        targets: new Int32Array(1),
        after: undefined,
      });
      const port = pool.ports[0] as MessagePort;
      let message: ResultMessage | undefined;
      for (let tries = 0; message === undefined && tries < 200; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        message = receiveMessageOnPort(port)?.message as ResultMessage | undefined;
      }
      expect(message).toMatchObject({ kind: "error", blockId: 77 });
      expect((message as { message: string }).message).toContain("chain 1337");
      // Nothing was claimed: the committing thread executes the whole block.
      expect(new Int32Array(shared)[1]).toBe(0);
    } finally {
      await pool.close();
    }
  });
});
