import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { replayFile } from "../../src/execution/replay.js";
import { stockEngine } from "../../src/execution/stock.js";
import { weftEngine } from "../../src/execution/weftEngine.js";
import { mainnetBlocksDir } from "../shared.js";

const blocks = readdirSync(mainnetBlocksDir())
  .filter((f) => f.endsWith(".json.gz"))
  .map((f) => Number.parseInt(f, 10))
  .sort((a, b) => a - b);

describe("weft engine on the shared mainnet blocks", () => {
  test("all 46 fixtures are present", () => {
    expect(blocks).toHaveLength(46);
  });

  test.each(blocks)("block %i reproduces gasUsed, receiptsRoot and logsBloom", async (n) => {
    const r = await replayFile(join(mainnetBlocksDir(), `${n}.json.gz`), { engine: weftEngine, threads: 1 });
    expect(r.error).toBeUndefined();
    expect(r.ok).toBe(true);
  });

  // Before Byzantium the header's receiptsRoot embeds state roots a partial pre-state cannot give, but the
  // stock engine computes them over the same partial state: weft's intermediate state roots must agree.
  test.each([46147, 930196, 2674998])("pre-Byzantium block %i: receiptsRoot equals the stock engine's", async (n) => {
    const file = join(mainnetBlocksDir(), `${n}.json.gz`);
    const [ours, stock] = await Promise.all([
      replayFile(file, { engine: weftEngine, threads: 1 }),
      replayFile(file, { engine: stockEngine, threads: 1 }),
    ]);
    expect(ours.receiptsRoot).toBe(stock.receiptsRoot);
  });
});
