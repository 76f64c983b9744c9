import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { decodeBlock, fixtureCommon, hasBlobTransactions, loadKzg } from "../../../src/execution/chain.js";
import { weftCustomCrypto } from "../../../src/execution/crypto/native.js";
import { loadFixture } from "../../../src/execution/fixture.js";
import { WorkerPool } from "../../../src/execution/parallel/pool.js";
import { stateFromFixture } from "../../../src/execution/state/fromFixture.js";
import { mainnetBlocksDir } from "../../shared.js";
import { comparable, runParallel, runSequential } from "./harness.js";

const blocks = readdirSync(mainnetBlocksDir())
  .filter((f) => f.endsWith(".json.gz"))
  .map((f) => Number.parseInt(f, 10))
  .sort((a, b) => a - b);

const pool = new WorkerPool({ size: 1 });
afterAll(() => pool.close());

describe("parallel equals sequential on the shared mainnet blocks", () => {
  test.each(blocks)("block %i", async (n) => {
    const fixture = await loadFixture(join(mainnetBlocksDir(), `${n}.json.gz`));
    if (hasBlobTransactions(fixture)) await loadKzg();
    const common = () => fixtureCommon(fixture, weftCustomCrypto());
    const c1 = common();
    const seq = await runSequential(
      c1,
      stateFromFixture(fixture.preState),
      decodeBlock(fixture, c1),
      fixture.blockHashes,
    );
    const c2 = common();
    const par = await runParallel(c2, stateFromFixture(fixture.preState), decodeBlock(fixture, c2), pool, {
      blockHashes: fixture.blockHashes,
    });
    expect(comparable(par)).toEqual(comparable(seq));
    expect(par.result.stats.speculative + par.result.stats.inOrder + par.result.stats.reexecuted).toBe(
      fixture.block.transactions.length,
    );
  });
});
